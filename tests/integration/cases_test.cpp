// Cases (issue 6), the rest of it, over the real server: who sees which case
// (departments on staff accounts, the first line's own cases and chats),
// Open311 media_url in JSON and XML, the hourly retention job end to end, and
// the erasure of a resident's data from free text and linked chats.
#include <sqlite3.h>

#include <regex>
#include <thread>

#include "chat_common.hpp"

namespace centrala::testing::chat {
namespace {

using namespace std::chrono_literals;

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(64, '\x01');

class CasesTest : public ChatTest {
protected:
    void configure(json& c) override {
        ChatTest::configure(c);
        c["tickets"]["public_lookups_per_minute"] = 100;
    }
    void SetUp() override {
        ChatTest::SetUp();
        anna = must_login("anna");
        boss = must_login("kierownik");
        admin = must_login("admin");
    }
    // A staff account through the admin API; department null for none.
    json add_user(const std::string& username, const json& department) {
        auto r = http->post("/api/v1/users",
                            {{"username", username}, {"password", kPassword}, {"role", "agent"},
                             {"display_name", username}, {"department", department}},
                            {bearer(admin.token)});
        EXPECT_EQ(r.status, 201) << r;
        return r.json();
    }
    json must_create(const json& body, const Login& who) {
        auto r = http->post("/api/v1/tickets", body, {bearer(who.token)});
        EXPECT_EQ(r.status, 201) << r;
        return r.json();
    }
    json light(const Login& who, const std::string& description = "Latarnia nie świeci") {
        return must_create({{"subject", "Zepsuta latarnia"},
                            {"description", description},
                            {"category", "oswietlenie"},
                            {"location", {{"address", "ul. Sienkiewicza 1"}}},
                            {"resident", {{"name", "Jan Kowalski"}, {"phone", "600100200"}, {"email", "jan@example.pl"}}}},
                           who);
    }
    std::vector<std::string> numbers(const Login& who, const std::string& query = {}) {
        auto r = http->get("/api/v1/tickets" + query, {bearer(who.token)});
        EXPECT_EQ(r.status, 200) << r;
        std::vector<std::string> out;
        const json body = r.json();
        if (body.contains("items"))
            for (const auto& t : body["items"]) out.push_back(t["number"]);
        std::sort(out.begin(), out.end());
        return out;
    }
    HttpResponse form_post(const std::string& target, const std::string& form) {
        return http->request("POST", target, form, {{"Content-Type", "application/x-www-form-urlencoded"}});
    }
    // Walks a case through the workflow to closed.
    void close_case(const std::string& id) {
        for (const json& change : {json{{"assignee_id", anna.user["id"]}}, json{{"status", "in_progress"}},
                                   json{{"status", "resolved"}}, json{{"status", "closed"}}}) {
            auto r = http->patch("/api/v1/tickets/" + id, change, {bearer(boss.token)});
            ASSERT_EQ(r.status, 200) << r;
        }
    }
    std::string audit_text() { return http->get("/api/v1/audit?limit=200", {bearer(admin.token)}).body; }
    Login anna, boss, admin;
};

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

// ---- who sees which case ---------------------------------------------------------

TEST_F(CasesTest, StaffAccountsCarryAnOptionalDepartment) {
    const json w = add_user("wiktor", "odpady");
    EXPECT_EQ(w["department"], "odpady") << w;
    const json p = add_user("piotr", nullptr);
    EXPECT_TRUE(p["department"].is_null()) << p;
    const std::string id = w["id"];
    auto bad = http->post("/api/v1/users",
                          {{"username", "zly"}, {"password", kPassword}, {"role", "agent"}, {"department", "nowhere"}},
                          {bearer(admin.token)});
    EXPECT_EQ(error_code(bad), "unknown_department");
    EXPECT_EQ(error_code(http->patch("/api/v1/users/" + id, {{"department", 5}}, {bearer(admin.token)})),
              "invalid_field");
    EXPECT_EQ(http->patch("/api/v1/users/" + id, {{"department", "podatki"}}, {bearer(boss.token)}).status, 403);
    auto moved = http->patch("/api/v1/users/" + id, {{"department", "podatki"}}, {bearer(admin.token)});
    ASSERT_EQ(moved.status, 200) << moved;
    EXPECT_EQ(moved.json()["department"], "podatki");
    EXPECT_EQ(http->get("/api/v1/users/" + id, {bearer(boss.token)}).json()["department"], "podatki");
    auto cleared = http->patch("/api/v1/users/" + id, {{"department", nullptr}}, {bearer(admin.token)});
    EXPECT_TRUE(cleared.json()["department"].is_null()) << cleared;
    // And from the command line, checked against the configuration.
    auto cli = env.cli({"user", "add", "--db", env.db_path(), "--config", env.config_path(), "--username", "ola",
                        "--role", "agent", "--department", "odpady"},
                       std::string(kPassword) + "\n");
    EXPECT_EQ(cli.exit_code, 0) << cli.err;
    auto unknown = env.cli({"user", "add", "--db", env.db_path(), "--config", env.config_path(), "--username", "ola2",
                            "--role", "agent", "--department", "nowhere"},
                           std::string(kPassword) + "\n");
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("department"), std::string::npos) << unknown.err;
}

TEST_F(CasesTest, DepartmentStaffSeeTheirDepartmentFirstLineTheirOwnSupervisorsAll) {
    add_user("wiktor", "odpady");
    add_user("piotr", nullptr);
    Login wiktor = must_login("wiktor"), piotr = must_login("piotr");
    const json lamp = light(anna);
    const json waste = must_create({{"subject", "Zaległa opłata śmieciowa"}, {"category", "odpady_deklaracja"}}, anna);
    const std::string lamp_id = lamp["id"], waste_id = waste["id"];
    const std::string base = "/api/v1/tickets/" + lamp_id;
    auto png = http->request("POST", base + "/attachments", kPng, {bearer(anna.token), {"Content-Type", "image/png"}});
    ASSERT_EQ(png.status, 201) << png;
    const std::string png_id = png.json()["id"];

    // The creator and supervisors see both; the waste department only its case.
    EXPECT_EQ(numbers(anna), sorted({lamp["number"], waste["number"]}));
    EXPECT_EQ(numbers(boss), sorted({lamp["number"], waste["number"]}));
    EXPECT_EQ(numbers(admin), sorted({lamp["number"], waste["number"]}));
    EXPECT_EQ(numbers(wiktor), std::vector<std::string>{waste["number"]});
    EXPECT_EQ(numbers(wiktor, "?q=latarnia"), std::vector<std::string>{});
    EXPECT_EQ(numbers(wiktor, "?q=oplata"), std::vector<std::string>{waste["number"]});
    // A first-line colleague who neither created nor served them sees none.
    EXPECT_TRUE(numbers(piotr).empty());
    EXPECT_TRUE(numbers(piotr, "?department=interwencje&q=latarnia").empty());

    // Outside one's scope a case is "not found", exactly like a missing one.
    for (const Login* who : {&wiktor, &piotr}) {
        auto got = http->get(base, {bearer(who->token)});
        EXPECT_EQ(got.status, 404) << got;
        EXPECT_EQ(got.json(), http->get("/api/v1/tickets/999999", {bearer(who->token)}).json());
        EXPECT_EQ(http->patch(base, {{"priority", "urgent"}}, {bearer(who->token)}).status, 404);
        EXPECT_EQ(http->patch(base, {{"assignee_id", who->user["id"]}}, {bearer(who->token)}).status, 404);
        EXPECT_EQ(http->post(base + "/comments", {{"body", "x"}, {"internal", true}}, {bearer(who->token)}).status, 404);
        EXPECT_EQ(http->request("POST", base + "/attachments", kPng, {bearer(who->token), {"Content-Type", "image/png"}})
                      .status,
                  404);
        EXPECT_EQ(http->get(base + "/attachments/" + png_id, {bearer(who->token)}).status, 404);
        auto csv = http->get("/api/v1/tickets.csv", {bearer(who->token)});
        ASSERT_EQ(csv.status, 200) << csv;
        EXPECT_EQ(csv.body.find(lamp["number"].get<std::string>()), std::string::npos) << csv.body;
    }
    // Nothing was changed by the refused calls.
    auto after = http->get(base, {bearer(anna.token)}).json();
    EXPECT_EQ(after["priority"], "normal");
    EXPECT_TRUE(after["comments"].empty());
    EXPECT_EQ(after["attachments"].size(), 1u);

    // The department works its case: takes it, comments, attaches, exports it.
    const std::string wbase = "/api/v1/tickets/" + waste_id;
    EXPECT_EQ(http->get(wbase, {bearer(wiktor.token)}).status, 200);
    EXPECT_EQ(http->patch(wbase, {{"assignee_id", wiktor.user["id"]}}, {bearer(wiktor.token)}).status, 200);
    EXPECT_EQ(http->post(wbase + "/comments", {{"body", "Sprawdzam wpłaty"}, {"internal", true}}, {bearer(wiktor.token)})
                  .status,
              201);
    EXPECT_EQ(http->request("POST", wbase + "/attachments", kPng, {bearer(wiktor.token), {"Content-Type", "image/png"}})
                  .status,
              201);
    auto csv = http->get("/api/v1/tickets.csv", {bearer(wiktor.token)});
    EXPECT_NE(csv.body.find(waste["number"].get<std::string>()), std::string::npos) << csv.body;
    auto all = http->get("/api/v1/tickets.csv", {bearer(boss.token)});
    EXPECT_NE(all.body.find(lamp["number"].get<std::string>()), std::string::npos) << all.body;

    // A supervisor gives the lamp case to the first-line colleague: now it is theirs.
    ASSERT_EQ(http->patch(base, {{"assignee_id", piotr.user["id"]}}, {bearer(boss.token)}).status, 200);
    EXPECT_EQ(numbers(piotr), std::vector<std::string>{lamp["number"]});
    EXPECT_EQ(http->get(base, {bearer(piotr.token)}).status, 200);
    // Moved to the waste department, it becomes the department's as well.
    ASSERT_EQ(http->patch(base, {{"department", "odpady"}}, {bearer(boss.token)}).status, 200);
    EXPECT_EQ(numbers(wiktor), sorted({lamp["number"], waste["number"]}));
}

TEST_F(CasesTest, FirstLineSeesCasesFromTheChatsItServed) {
    create_agent(admin, "piotr", "Piotr Nowicki");
    create_agent(admin, "zenon", "Zenon Obcy");
    Agent piotr = agent("piotr");
    Login zenon = must_login("zenon");
    open_agent_socket(piotr);
    Resident r = create_chat("Olga Nowak", "pl", "other");
    connect_resident(r);
    handoff(r);
    set_state(piotr, "available");
    serve(piotr, r);
    ASSERT_FALSE(HasFailure());
    // Someone else files the case from that chat (a supervisor here).
    const json t = must_create({{"subject", "Deklaracja po zmianie adresu"}, {"category", "odpady_deklaracja"},
                                {"contact_id", r.chat_id}},
                               boss);
    EXPECT_EQ(numbers(piotr.login), std::vector<std::string>{t["number"]});
    EXPECT_EQ(numbers(piotr.login, "?contact_id=" + r.chat_id), std::vector<std::string>{t["number"]});
    EXPECT_EQ(http->get("/api/v1/tickets/" + t["id"].get<std::string>(), {piotr.auth()}).status, 200);
    EXPECT_TRUE(numbers(zenon).empty());
    EXPECT_TRUE(numbers(zenon, "?contact_id=" + r.chat_id).empty());
    EXPECT_EQ(http->get("/api/v1/tickets/" + t["id"].get<std::string>(), {bearer(zenon.token)}).status, 404);
}

// ---- Open311 media_url ------------------------------------------------------------------

TEST_F(CasesTest, Open311MediaUrlIsStoredAndReturnedInJsonAndXml) {
    const std::string url = "https://zdjecia.example.pl/dziura.jpg?rozmiar=duzy&x=1";
    auto created = form_post("/open311/v2/requests.json",
                             "service_code=dziura_w_jezdni&address_string=ul.+Polna+3&description=Dziura"
                             "&media_url=https%3A%2F%2Fzdjecia.example.pl%2Fdziura.jpg%3Frozmiar%3Dduzy%26x%3D1");
    ASSERT_EQ(created.status, 201) << created;
    const std::string number = created.json()[0]["service_request_id"];
    auto json_one = http->get("/open311/v2/requests/" + number + ".json");
    ASSERT_EQ(json_one.status, 200) << json_one;
    EXPECT_EQ(json_one.json()[0]["media_url"], url);
    auto list = http->get("/open311/v2/requests.json?service_request_id=" + number);
    EXPECT_EQ(list.json()[0]["media_url"], url) << list;
    auto xml = http->get("/open311/v2/requests/" + number + ".xml");
    ASSERT_EQ(xml.status, 200);
    EXPECT_NE(xml.body.find("<media_url>https://zdjecia.example.pl/dziura.jpg?rozmiar=duzy&amp;x=1</media_url>"),
              std::string::npos)
        << xml.body;
    // Staff see it on the case.
    auto staff = http->get("/api/v1/tickets?q=dziura", {bearer(boss.token)});
    ASSERT_EQ(staff.json()["items"].size(), 1u) << staff;
    EXPECT_EQ(staff.json()["items"][0]["media_url"], url);
    // Without one it stays empty, in both formats.
    auto plain = form_post("/open311/v2/requests.xml", "service_code=dziura_w_jezdni&address_string=ul.+Krzywa+1");
    ASSERT_EQ(plain.status, 201) << plain;
    EXPECT_NE(plain.body.find("<service_request_id>"), std::string::npos);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(plain.body, m, std::regex("(MCK-\\d{4}-\\d{6})")));
    EXPECT_NE(http->get("/open311/v2/requests/" + m[1].str() + ".xml").body.find("<media_url></media_url>"),
              std::string::npos);
    // Only http(s), with a host, printable, and not too long; refused in either format.
    for (const std::string& bad : std::vector<std::string>{"javascript%3Aalert(1)", "ftp%3A%2F%2Fexample.pl%2Fa.jpg", "https%3A%2F%2F",
                                  "https%3A%2F%2Fexample.pl%2Fa%20b.jpg", "data%3Aimage%2Fpng%3Bbase64%2CAAAA",
                                  "https%3A%2F%2Fexample.pl%2F" + std::string(1000, 'a')}) {
        auto r = form_post("/open311/v2/requests.json",
                           "service_code=dziura_w_jezdni&address_string=x&media_url=" + bad);
        EXPECT_EQ(r.status, 400) << bad << ": " << r;
        EXPECT_NE(r.body.find("media_url"), std::string::npos) << r;
    }
    auto bad_xml = form_post("/open311/v2/requests.xml", "service_code=dziura_w_jezdni&address_string=x&media_url=x");
    EXPECT_EQ(bad_xml.status, 400);
    EXPECT_NE(bad_xml.body.find("<errors><error><code>400</code>"), std::string::npos) << bad_xml.body;
}

// ---- retention, end to end ------------------------------------------------------------------

class RetentionTest : public CasesTest {
protected:
    void configure(json& c) override {
        CasesTest::configure(c);
        // The job every second instead of hourly; street lights kept one day.
        c["tickets"]["retention_interval_seconds"] = 1;
        for (auto& s : c["services"])
            if (s["service_code"] == "oswietlenie") s["retention_days"] = 1;
    }
    // Time passing, written straight into the database while the server is
    // stopped: the case was closed (or opened) `days` ago.
    void age(const std::string& number, const char* column, int days) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(env.db_path().c_str(), &db), SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        const std::string sql = std::string("UPDATE tickets SET ") + column + " = " + column + " - ? WHERE number = ?";
        ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
        sqlite3_bind_int64(st, 1, int64_t(days) * 86400 * 1000);
        sqlite3_bind_text(st, 2, number.c_str(), -1, SQLITE_TRANSIENT);
        EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db);
        EXPECT_EQ(sqlite3_changes(db), 1);
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
};

TEST_F(RetentionTest, OldClosedCasesLoseTheResidentsDataOpenOnesKeepIt) {
    const json old_closed = light(anna, "Proszę oddzwonić: 600 100 200.");
    const json old_open = light(anna);
    const json fresh_closed = light(anna);
    const json other_closed = must_create(
        {{"subject", "Prawo jazdy"}, {"category", "prawo_jazdy"}, {"resident", {{"name", "Ewa Zielna"}, {"phone", "501501501"}}}},
        anna);
    close_case(old_closed["id"]);
    close_case(fresh_closed["id"]);
    close_case(other_closed["id"]);
    ASSERT_FALSE(HasFailure());
    stop_server();
    age(old_closed["number"], "closed_at", 2);
    age(old_open["number"], "created_at", 400);
    age(other_closed["number"], "closed_at", 2);  // its category keeps data 730 days
    start_server();
    anna = must_login("anna");
    admin = must_login("admin");

    // The job runs by itself within a few seconds of the start.
    json got;
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    do {
        std::this_thread::sleep_for(200ms);
        got = http->get("/api/v1/tickets/" + old_closed["id"].get<std::string>(), {bearer(anna.token)}).json();
    } while (!got.value("resident_erased", false) && std::chrono::steady_clock::now() < deadline);
    ASSERT_TRUE(got.value("resident_erased", false)) << got;
    EXPECT_EQ(got["resident"], json({{"name", ""}, {"phone", ""}, {"email", ""}}));
    EXPECT_EQ(got["description"], "Proszę oddzwonić: [usunięto].");
    EXPECT_EQ(got["status"], "closed");
    EXPECT_EQ(got["history"].back()["field"], "resident");
    EXPECT_EQ(got["history"].back()["new"], "(erased)");
    EXPECT_EQ(got["history"].back()["actor"], "system");
    // Audited once, naming only that case.
    const json audit = http->get("/api/v1/audit?limit=200", {bearer(admin.token)}).json();
    std::vector<json> retention;
    for (const auto& e : audit["items"])
        if (e["action"] == "ticket_retention") retention.push_back(e);
    ASSERT_EQ(retention.size(), 1u) << audit;
    EXPECT_EQ(retention[0]["details"]["erased"], json::array({old_closed["number"]})) << retention[0];
    // Open, recently closed, and closed under a longer retention: untouched.
    for (const json* t : {&old_open, &fresh_closed, &other_closed}) {
        auto kept = http->get("/api/v1/tickets/" + (*t)["id"].get<std::string>(), {bearer(anna.token)}).json();
        EXPECT_FALSE(kept["resident_erased"].get<bool>()) << kept;
        EXPECT_FALSE(kept["resident"]["name"].get<std::string>().empty()) << kept;
    }
}

// ---- erasure of everything about one resident ---------------------------------------------------

TEST_F(CasesTest, ErasureRemovesTheResidentFromFreeTextAndLinkedChats) {
    Resident r = create_chat("Jan Kowalski", "pl", "waste");
    connect_resident(r);
    resident_says_ok(r, "Mój numer to +48 600 100 200, mail Jan@Example.pl", "r-1");
    const json t = must_create({{"subject", "Deklaracja — Jan Kowalski"},
                                {"description", "Mieszkaniec prosi o telefon pod 600-100-200 albo jan@example.pl."},
                                {"category", "odpady_deklaracja"},
                                {"contact_id", r.chat_id},
                                {"resident", {{"name", "Jan Kowalski"}, {"phone", "+48 600 100 200"}, {"email", "jan@example.pl"}}}},
                               anna);
    const std::string id = t["id"];
    for (const json& c : {json{{"body", "Oddzwonimy na 600100200 jutro."}, {"internal", false}},
                          json{{"body", "Pan Kowalski, jan@example.pl, wpłacił w marcu."}, {"internal", true}}})
        ASSERT_EQ(http->post("/api/v1/tickets/" + id + "/comments", c, {bearer(anna.token)}).status, 201);
    // Someone else's case that mentions other numbers is not touched.
    const json other = must_create({{"subject", "Inna sprawa"}, {"description", "Kontakt: 601 200 300, ola@example.pl"},
                                    {"category", "odpady_deklaracja"}, {"resident", {{"phone", "601200300"}}}},
                                   anna);
    // Before: the case is found by the number.
    EXPECT_EQ(numbers(anna, "?q=600100200"), std::vector<std::string>{t["number"]});

    auto erased = http->post("/api/v1/residents/erase", {{"phone", "600 100 200"}}, {bearer(admin.token)});
    ASSERT_EQ(erased.status, 200) << erased;
    EXPECT_EQ(erased.json()["erased"], json::array({t["number"]}));

    auto got = http->get("/api/v1/tickets/" + id, {bearer(anna.token)});
    ASSERT_EQ(got.status, 200) << got;
    const json g = got.json();
    // The shell stays for statistics: number, category, department, status, times.
    EXPECT_EQ(g["number"], t["number"]);
    EXPECT_EQ(g["category"], "odpady_deklaracja");
    EXPECT_EQ(g["created_at"], t["created_at"]);
    EXPECT_TRUE(g["resident_erased"].get<bool>());
    EXPECT_EQ(g["subject"], "Deklaracja — [usunięto]");
    EXPECT_EQ(g["description"], "Mieszkaniec prosi o telefon pod [usunięto] albo [usunięto].");
    ASSERT_EQ(g["comments"].size(), 2u);
    EXPECT_EQ(g["comments"][0]["body"], "Oddzwonimy na [usunięto] jutro.");
    EXPECT_EQ(g["comments"][1]["body"], "Pan Kowalski, [usunięto], wpłacił w marcu.");
    for (const char* needle : {"600", "jan@", "Jan Kowalski"})
        EXPECT_EQ(got.body.find(needle), std::string::npos) << needle << " in " << got.body;
    // Nor is it found by the number any more (the surname alone, in the
    // internal comment, is not the full name and stays, as documented).
    EXPECT_TRUE(numbers(anna, "?q=600100200").empty());
    EXPECT_EQ(numbers(anna, "?q=wplacil"), std::vector<std::string>{t["number"]});
    // The linked conversation: every message's text is gone, the messages stay.
    const json msgs = staff_messages(boss, r.chat_id);
    ASSERT_GE(msgs.size(), 2u) << msgs;
    for (const auto& m : msgs) EXPECT_EQ(m["text"], "[usunięto]") << msgs;
    // The other resident's case is as it was.
    auto o = http->get("/api/v1/tickets/" + other["id"].get<std::string>(), {bearer(anna.token)}).json();
    EXPECT_EQ(o["description"], "Kontakt: 601 200 300, ola@example.pl");
    EXPECT_FALSE(o["resident_erased"].get<bool>());
    EXPECT_NE(audit_text().find("resident_data_erased"), std::string::npos);
}

}  // namespace
}  // namespace centrala::testing::chat
