// Cases over the real server: workflow, numbering under concurrency, search,
// attachments, the resident's access key, Open311 in both formats, CSV and
// personal data requests.
#include <regex>
#include <set>
#include <thread>

#include "common.hpp"

namespace centrala::testing {
namespace {

using nlohmann::json;

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(64, '\x01');

class TicketsTest : public ServerTest {
protected:
    void configure(json& c) override {
        c["tickets"]["public_lookups_per_minute"] = 40;
        c["tickets"]["attachment_max_bytes"] = 20000;
    }
    void SetUp() override {
        ServerTest::SetUp();
        anna = must_login("anna");
        boss = must_login("kierownik");
        admin = must_login("admin");
    }
    HttpResponse create(const json& body, const Login& who) {
        return http->post("/api/v1/tickets", body, {bearer(who.token)});
    }
    json must_create(const json& body) {
        auto r = create(body, anna);
        EXPECT_EQ(r.status, 201) << r;
        return r.json();
    }
    json light(const std::string& description = "Latarnia nie świeci") {
        return must_create({{"subject", "Zepsuta latarnia"},
                            {"description", description},
                            {"category", "oswietlenie"},
                            {"priority", "high"},
                            {"location", {{"lat", 50.8661}, {"lon", 20.6286}, {"address", "ul. Sienkiewicza 1"}}},
                            {"resident", {{"name", "Jan Kowalski"}, {"phone", "600100200"}, {"email", "jan@example.pl"}}}});
    }
    HttpResponse patch(const std::string& id, const json& body, const Login& who) {
        return http->patch("/api/v1/tickets/" + id, body, {bearer(who.token)});
    }
    HttpResponse form_post(const std::string& target, const std::string& form) {
        return http->request("POST", target, form, {{"Content-Type", "application/x-www-form-urlencoded"}});
    }
    Login anna, boss, admin;
};

TEST_F(TicketsTest, CreateReturnsNumberKeyAndDueTime) {
    auto t = light();
    EXPECT_TRUE(std::regex_match(t["number"].get<std::string>(), std::regex(R"(MCK-\d{4}-\d{6})"))) << t;
    EXPECT_EQ(t["status"], "new");
    EXPECT_EQ(t["department"], "interwencje");
    EXPECT_TRUE(t["id"].is_string());
    EXPECT_TRUE(is_rfc3339_utc(t["due_at"].get<std::string>())) << t;
    EXPECT_GT(t["due_at"].get<std::string>(), t["created_at"].get<std::string>());
    EXPECT_GE(t["access_key"].get<std::string>().size(), 12u);
    EXPECT_EQ(t["resident"]["name"], "Jan Kowalski");
    auto got = http->get("/api/v1/tickets/" + t["id"].get<std::string>(), {bearer(anna.token)});
    ASSERT_EQ(got.status, 200) << got;
    EXPECT_FALSE(got.json().contains("access_key"));
    EXPECT_EQ(got.json()["history"].size(), 1u);
    EXPECT_EQ(got.json()["location"]["address"], "ul. Sienkiewicza 1");
    // Reading personal data is audited.
    auto audit = http->get("/api/v1/audit?limit=50", {bearer(admin.token)});
    EXPECT_NE(audit.body.find("ticket_personal_data_read"), std::string::npos) << audit;
}

TEST_F(TicketsTest, BadInputIsRefusedAndChangesNothing) {
    auto code_of = [&](const json& body) { return error_code(create(body, anna)); };
    EXPECT_EQ(code_of({{"description", "x"}, {"category", "oswietlenie"}}), "missing_field");
    EXPECT_EQ(code_of({{"subject", "x"}, {"category", "nieznana"}}), "unknown_category");
    EXPECT_EQ(code_of({{"subject", "x"}, {"category", "oswietlenie"}}), "location_required");
    EXPECT_EQ(code_of({{"subject", "x"}, {"category", "podatek_nieruchomosci"}, {"priority", "asap"}}),
              "invalid_priority");
    EXPECT_EQ(code_of({{"subject", "x"}, {"category", "podatek_nieruchomosci"}, {"location", {{"lat", 91}, {"lon", 0}}}}),
              "invalid_location");
    EXPECT_EQ(code_of({{"subject", "x"}, {"category", "podatek_nieruchomosci"}, {"color", "red"}}), "unknown_field");
    EXPECT_EQ(code_of({{"subject", "x"}, {"category", "podatek_nieruchomosci"}, {"contact_id", "999999"}}),
              "contact_not_found");
    auto big = create({{"subject", std::string(300, 'a')}, {"category", "podatek_nieruchomosci"}}, anna);
    EXPECT_EQ(big.status, 413) << big;
    auto wrong_type = http->request("POST", "/api/v1/tickets", "subject=x", {bearer(anna.token)});
    EXPECT_EQ(wrong_type.status, 415) << wrong_type;
    auto anon = http->post("/api/v1/tickets", {{"subject", "x"}, {"category", "podatek_nieruchomosci"}});
    EXPECT_EQ(anon.status, 401);
    auto list = http->get("/api/v1/tickets", {bearer(anna.token)});
    EXPECT_EQ(list.json()["items"].size(), 0u) << list;
    // The refused contact did not use up a number.
    EXPECT_TRUE(must_create({{"subject", "x"}, {"category", "podatek_nieruchomosci"}})["number"].get<std::string>().ends_with("-000001"));
}

TEST_F(TicketsTest, WorkflowAllowsTheContractsMovesAndNamesTheAllowedOnes) {
    const std::string id = light()["id"];
    auto refused = patch(id, {{"status", "resolved"}}, anna);
    EXPECT_EQ(refused.status, 409) << refused;
    EXPECT_EQ(error_code(refused), "invalid_transition");
    EXPECT_NE(refused.json()["error"]["message"].get<std::string>().find("assigned"), std::string::npos);
    EXPECT_EQ(error_code(patch(id, {{"status", "assigned"}}, anna)), "assignee_required");
    // Taking the case assigns it.
    const std::string anna_id = anna.user["id"];
    auto taken = patch(id, {{"assignee_id", anna_id}}, anna);
    ASSERT_EQ(taken.status, 200) << taken;
    EXPECT_EQ(taken.json()["status"], "assigned");
    EXPECT_EQ(taken.json()["assignee_name"], "Anna Nowak");
    for (const char* s : {"in_progress", "waiting_resident", "in_progress", "resolved", "in_progress", "resolved"}) {
        auto r = patch(id, {{"status", s}}, anna);
        ASSERT_EQ(r.status, 200) << s << ": " << r;
        EXPECT_EQ(r.json()["status"], s);
    }
    auto closed = patch(id, {{"status", "closed"}}, anna);
    ASSERT_EQ(closed.status, 200);
    EXPECT_TRUE(closed.json()["allowed_transitions"].empty());
    auto final_ = patch(id, {{"status", "in_progress"}}, anna);
    EXPECT_EQ(final_.status, 409);
    EXPECT_NE(final_.json()["error"]["message"].get<std::string>().find("closed"), std::string::npos);
    EXPECT_EQ(error_code(patch(id, {{"status", "done"}}, anna)), "invalid_status");
    auto full = http->get("/api/v1/tickets/" + id, {bearer(anna.token)}).json();
    // created, assignee + status, then seven status moves.
    EXPECT_EQ(full["history"].size(), 10u) << full["history"];
    EXPECT_EQ(full["history"].back()["field"], "status");
    EXPECT_EQ(full["history"].back()["new"], "closed");
    EXPECT_EQ(full["history"].back()["actor"], "anna");
}

TEST_F(TicketsTest, DepartmentAndAssignmentToOthersAreForSupervisors) {
    const std::string id = light()["id"];
    const std::string boss_id = boss.user["id"];
    EXPECT_EQ(patch(id, {{"department", "odpady"}}, anna).status, 403);
    EXPECT_EQ(patch(id, {{"assignee_id", boss_id}}, anna).status, 403);
    auto moved = patch(id, {{"department", "podatki"}}, boss);
    ASSERT_EQ(moved.status, 200) << moved;
    EXPECT_EQ(moved.json()["department"], "podatki");
    // Podatki has an 80-hour SLA, Interwencje 8 hours: the due time moves out.
    EXPECT_GT(moved.json()["due_at"].get<std::string>(), light()["due_at"].get<std::string>());
    EXPECT_EQ(patch(id, {{"department", "nowhere"}}, boss).status, 400);
    EXPECT_EQ(patch(id, {{"assignee_id", "987654"}}, boss).status, 400);
    EXPECT_EQ(patch("999999", {{"priority", "low"}}, boss).status, 404);
}

TEST_F(TicketsTest, FiftyConcurrentCreatesGetUniqueGapFreeNumbers) {
    std::vector<std::string> numbers(50);
    std::vector<std::thread> threads;
    for (int i = 0; i < 50; ++i)
        threads.emplace_back([&, i] {
            auto r = http->post("/api/v1/tickets",
                                {{"subject", "Równoległa sprawa " + std::to_string(i)}, {"category", "prawo_jazdy"}},
                                {bearer(anna.token)});
            if (r.status == 201) numbers[i] = r.json()["number"];
        });
    for (auto& t : threads) t.join();
    std::set<std::string> unique(numbers.begin(), numbers.end());
    ASSERT_EQ(unique.size(), 50u);
    ASSERT_FALSE(unique.count(""));
    const std::string prefix = numbers[0].substr(0, 9);  // MCK-YYYY-
    for (int n = 1; n <= 50; ++n) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%06d", n);
        EXPECT_TRUE(unique.count(prefix + buf)) << "missing " << prefix + buf;
    }
}

TEST_F(TicketsTest, SearchFindsPolishWordsWithAndWithoutDiacritics) {
    light("Latarnia przy ulicy Żółkiewskiego nie świeci od tygodnia");
    must_create({{"subject", "Deklaracja śmieciowa"}, {"description", "Pytanie o opłatę za odpady"}, {"category", "odpady_deklaracja"}});
    auto find = [&](const std::string& q) {
        auto r = http->get("/api/v1/tickets?q=" + q, {bearer(anna.token)});
        EXPECT_EQ(r.status, 200) << r;
        std::vector<std::string> subjects;
        const json body = r.json();
        for (const auto& t : body["items"]) subjects.push_back(t["subject"]);
        return subjects;
    };
    EXPECT_EQ(find("zolkiewskiego"), std::vector<std::string>{"Zepsuta latarnia"});
    EXPECT_EQ(find("%C5%BB%C3%B3%C5%82kiewskiego"), std::vector<std::string>{"Zepsuta latarnia"});  // Żółkiewskiego
    EXPECT_EQ(find("latarni"), std::vector<std::string>{"Zepsuta latarnia"});
    EXPECT_EQ(find("smieciowa"), std::vector<std::string>{"Deklaracja śmieciowa"});
    EXPECT_EQ(find("op%C5%82aty"), std::vector<std::string>{"Deklaracja śmieciowa"});  // opłaty
    EXPECT_TRUE(find("rower").empty());
    auto filtered = http->get("/api/v1/tickets?department=odpady&status=new", {bearer(anna.token)});
    EXPECT_EQ(filtered.json()["items"].size(), 1u);
    EXPECT_EQ(error_code(http->get("/api/v1/tickets?status=bogus", {bearer(anna.token)})), "invalid_parameter");
    EXPECT_EQ(error_code(http->get("/api/v1/tickets?limit=501", {bearer(anna.token)})), "invalid_parameter");
    EXPECT_EQ(error_code(http->get("/api/v1/tickets?created_from=yesterday", {bearer(anna.token)})), "invalid_parameter");
}

TEST_F(TicketsTest, AttachmentsAreCheckedByTheirBytes) {
    const std::string id = light()["id"];
    const std::string base = "/api/v1/tickets/" + id + "/attachments";
    auto ok = http->request("POST", base + "?name=..%2F..%2Fetc%2Fpasswd.png&public=true", kPng,
                            {bearer(anna.token), {"Content-Type", "image/png"}});
    ASSERT_EQ(ok.status, 201) << ok;
    EXPECT_EQ(ok.json()["file_name"], "passwd.png");
    EXPECT_EQ(ok.json()["content_type"], "image/png");
    auto html = http->request("POST", base, "<html><script>alert(1)</script></html>",
                              {bearer(anna.token), {"Content-Type", "image/png"}});
    EXPECT_EQ(html.status, 415) << html;
    EXPECT_EQ(error_code(html), "unsupported_file_type");
    auto mismatch = http->request("POST", base, "%PDF-1.4 fake", {bearer(anna.token), {"Content-Type", "image/png"}});
    EXPECT_EQ(error_code(mismatch), "content_type_mismatch");
    auto large = http->request("POST", base, kPng + std::string(30000, 'x'), {bearer(anna.token), {"Content-Type", "image/png"}});
    EXPECT_EQ(large.status, 413) << large;
    const std::string multipart =
        "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\tmp\\\\skan.pdf\"\r\n"
        "Content-Type: application/pdf\r\n\r\n%PDF-1.7 body\r\n--b0undary--\r\n";
    auto pdf = http->request("POST", base, multipart,
                             {bearer(anna.token), {"Content-Type", "multipart/form-data; boundary=b0undary"}});
    ASSERT_EQ(pdf.status, 201) << pdf;
    EXPECT_EQ(pdf.json()["file_name"], "skan.pdf");
    EXPECT_EQ(pdf.json()["public"], false);
    auto down = http->get(base + "/" + ok.json()["id"].get<std::string>(), {bearer(anna.token)});
    EXPECT_EQ(down.status, 200);
    EXPECT_EQ(down.body, kPng);
    EXPECT_EQ(down.header("content-type"), std::optional<std::string>("image/png"));
    EXPECT_NE(down.header("content-disposition").value_or("").find("attachment"), std::string::npos);
    EXPECT_EQ(http->get(base + "/" + ok.json()["id"].get<std::string>()).status, 401);
    // Stored beside the database, never under the web root.
    EXPECT_TRUE(std::filesystem::exists(env.dir() / "attachments" / (ok.json()["id"].get<std::string>() + ".bin")));
}

TEST_F(TicketsTest, ResidentSeesStatusAndPublicCommentsWithTheKeyOnly) {
    auto t = light();
    const std::string id = t["id"], number = t["number"], key = t["access_key"];
    ASSERT_EQ(http->post("/api/v1/tickets/" + id + "/comments", {{"body", "Ekipa wyjedzie jutro."}, {"internal", false}},
                         {bearer(anna.token)}).status, 201);
    ASSERT_EQ(http->post("/api/v1/tickets/" + id + "/comments", {{"body", "TAJNE: kontrahent się spóźnia"}, {"internal", true}},
                         {bearer(anna.token)}).status, 201);
    EXPECT_EQ(error_code(http->post("/api/v1/tickets/" + id + "/comments", {{"body", "x"}}, {bearer(anna.token)})),
              "missing_field");
    auto wrong = http->get("/api/v1/public/tickets/" + number + "?key=WRONGKEY123");
    EXPECT_EQ(wrong.status, 404);
    EXPECT_EQ(error_code(wrong), "ticket_not_found");
    EXPECT_EQ(http->get("/api/v1/public/tickets/" + number).status, 404);
    auto unknown = http->get("/api/v1/public/tickets/MCK-2001-000001?key=" + key);
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.json(), wrong.json());  // an unknown number looks like a wrong key
    auto ok = http->get("/api/v1/public/tickets/" + number + "?key=" + key);
    ASSERT_EQ(ok.status, 200) << ok;
    EXPECT_EQ(ok.json()["status"], "new");
    EXPECT_TRUE(is_rfc3339_utc(ok.json()["due_at"]));
    ASSERT_EQ(ok.json()["comments"].size(), 1u);
    EXPECT_EQ(ok.json()["comments"][0]["body"], "Ekipa wyjedzie jutro.");
    EXPECT_EQ(ok.body.find("TAJNE"), std::string::npos);
    EXPECT_EQ(ok.body.find("Jan Kowalski"), std::string::npos);
    EXPECT_EQ(ok.body.find("600100200"), std::string::npos);
    EXPECT_FALSE(ok.json().contains("assignee_id"));
}

TEST_F(TicketsTest, StatusChangeSpeaksIntoTheResidentsOpenChat) {
    auto chat = http->post("/api/v1/public/chats", {{"name", "Ola"}, {"lang", "pl"}});
    ASSERT_EQ(chat.status, 201) << chat;
    const std::string chat_id = chat.json()["chat_id"], token = chat.json()["visitor_token"];
    auto t = must_create({{"subject", "Nieodebrane śmieci"}, {"category", "odpady_deklaracja"},
                          {"contact_id", chat_id}, {"resident", {{"name", "Ola"}}}});
    EXPECT_EQ(t["contact_id"], chat_id);
    const std::string id = t["id"];
    ASSERT_EQ(patch(id, {{"assignee_id", anna.user["id"]}}, anna).status, 200);
    auto msgs = http->get("/api/v1/public/chats/" + chat_id + "/messages", {{"X-Visitor-Token", token}});
    ASSERT_EQ(msgs.status, 200) << msgs;
    std::string all;
    const json items = msgs.json()["items"];
    for (const auto& m : items) all += m["text"].get<std::string>() + "\n";
    EXPECT_NE(all.find(t["number"].get<std::string>()), std::string::npos) << all;
    EXPECT_NE(all.find("przekazana do wydziału"), std::string::npos) << all;
    EXPECT_EQ(all.find("Utworzono sprawę"), std::string::npos) << "an internal note reached the resident: " << all;
    auto by_chat = http->get("/api/v1/tickets?contact_id=" + chat_id, {bearer(anna.token)});
    EXPECT_EQ(by_chat.json()["items"].size(), 1u);
}

TEST_F(TicketsTest, CsvExportOfWhatOneMayList) {
    must_create({{"subject", "=HYPERLINK(\"http://evil\")"}, {"category", "prawo_jazdy"}});
    // A consultant exports the cases they see (here: the one they created).
    auto own = http->get("/api/v1/tickets.csv", {bearer(anna.token)});
    EXPECT_EQ(own.status, 200) << own;
    EXPECT_NE(own.body.find("HYPERLINK"), std::string::npos) << own.body;
    auto csv = http->get("/api/v1/tickets.csv?department=komunikacja", {bearer(boss.token)});
    ASSERT_EQ(csv.status, 200) << csv;
    EXPECT_EQ(csv.header("content-type").value_or("").rfind("text/csv", 0), 0u);
    EXPECT_NE(csv.body.find("number,subject,category"), std::string::npos);
    EXPECT_NE(csv.body.find("\"'=HYPERLINK(\"\"http://evil\"\")\""), std::string::npos) << csv.body;
    EXPECT_EQ(csv.body.find("Jan Kowalski"), std::string::npos);
}

TEST_F(TicketsTest, ResidentDataExportAndErasureAreForAdmins) {
    light();
    must_create({{"subject", "Podatek"}, {"category", "podatek_nieruchomosci"}, {"resident", {{"email", "JAN@example.pl"}}}});
    EXPECT_EQ(http->post("/api/v1/residents/export", {{"phone", "600100200"}}, {bearer(boss.token)}).status, 403);
    EXPECT_EQ(error_code(http->post("/api/v1/residents/export", json::object(), {bearer(admin.token)})), "missing_field");
    auto exported = http->post("/api/v1/residents/export", {{"phone", "600 100-200"}, {"email", "jan@example.pl"}},
                               {bearer(admin.token)});
    ASSERT_EQ(exported.status, 200) << exported;
    EXPECT_EQ(exported.json()["tickets"].size(), 2u);
    EXPECT_EQ(exported.json()["tickets"][0]["resident"]["name"], "Jan Kowalski");
    auto erased = http->post("/api/v1/residents/erase", {{"phone", "600100200"}, {"email", "jan@example.pl"}},
                             {bearer(admin.token)});
    ASSERT_EQ(erased.status, 200) << erased;
    EXPECT_EQ(erased.json()["erased"].size(), 2u);
    auto again = http->post("/api/v1/residents/export", {{"phone", "600100200"}, {"email", "jan@example.pl"}},
                            {bearer(admin.token)});
    EXPECT_EQ(again.json()["tickets"].size(), 0u);
    auto audit = http->get("/api/v1/audit?limit=100", {bearer(admin.token)});
    EXPECT_NE(audit.body.find("resident_data_erased"), std::string::npos);
    EXPECT_NE(audit.body.find("resident_data_exported"), std::string::npos);
}

TEST_F(TicketsTest, Open311RoundTripInJson) {
    auto services = http->get("/open311/v2/services.json");
    ASSERT_EQ(services.status, 200) << services;
    bool found = false;
    for (const auto& s : services.json())
        if (s["service_code"] == "odpady_nieodebrane") {
            found = true;
            EXPECT_EQ(s["metadata"], true);
            EXPECT_EQ(s["type"], "realtime");
        }
    EXPECT_TRUE(found) << services;
    auto def = http->get("/open311/v2/services/odpady_nieodebrane.json");
    ASSERT_EQ(def.status, 200) << def;
    EXPECT_EQ(def.json()["attributes"][0]["code"], "frakcja");
    EXPECT_EQ(def.json()["attributes"][0]["values"][1]["key"], "papier");
    auto discovery = http->get("/open311/v2/discovery.json");
    EXPECT_EQ(discovery.json()["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2");

    auto created = form_post("/open311/v2/requests.json",
                             "service_code=odpady_nieodebrane&lat=50.87&long=20.63&address_string=ul.+Wesoła+5"
                             "&description=Nie+odebrano+papieru&first_name=Ewa&email=ewa%40example.pl"
                             "&attribute%5Bfrakcja%5D=papier");
    ASSERT_EQ(created.status, 201) << created;
    const std::string number = created.json()[0]["service_request_id"];
    EXPECT_FALSE(created.json()[0]["access_key"].get<std::string>().empty());
    auto got = http->get("/open311/v2/requests/" + number + ".json");
    ASSERT_EQ(got.status, 200) << got;
    const json r = got.json()[0];
    EXPECT_EQ(r["status"], "open");
    EXPECT_EQ(r["service_code"], "odpady_nieodebrane");
    EXPECT_EQ(r["description"], "Nie odebrano papieru");
    EXPECT_EQ(r["address"], "ul. Wesoła 5");
    EXPECT_DOUBLE_EQ(r["lat"].get<double>(), 50.87);
    EXPECT_DOUBLE_EQ(r["long"].get<double>(), 20.63);
    EXPECT_EQ(got.body.find("ewa@example.pl"), std::string::npos);
    auto list = http->get("/open311/v2/requests.json?status=open&service_code=odpady_nieodebrane");
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(list.json().size(), 1u);
    // Staff see it as a case with the attribute and the resident's contact (a
    // supervisor: a first-line consultant sees only their own cases).
    auto staff = http->get("/api/v1/tickets?q=papieru", {bearer(boss.token)});
    ASSERT_EQ(staff.json()["items"].size(), 1u) << staff;
    EXPECT_EQ(staff.json()["items"][0]["source"], "open311");
    EXPECT_EQ(staff.json()["items"][0]["attributes"]["frakcja"], "papier");
    // Private matters filed by staff never show on Open311.
    const std::string tax = must_create({{"subject", "Podatek"}, {"category", "podatek_nieruchomosci"}})["number"];
    EXPECT_EQ(http->get("/open311/v2/requests/" + tax + ".json").status, 404);
}

TEST_F(TicketsTest, Open311RoundTripInXml) {
    auto services = http->get("/open311/v2/services.xml");
    ASSERT_EQ(services.status, 200);
    EXPECT_EQ(services.header("content-type").value_or("").rfind("text/xml", 0), 0u);
    EXPECT_NE(services.body.find("<services><service><service_code>rejestracja_pojazdu</service_code><service_name>"),
              std::string::npos)
        << services.body;
    auto created = form_post("/open311/v2/requests.xml",
                             "service_code=dziura_w_jezdni&address_string=Rondo+%3CGrunwaldzkie%3E&description=Du%C5%BCa+dziura");
    ASSERT_EQ(created.status, 201) << created;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(created.body, m, std::regex("<service_request_id>(MCK-\\d{4}-\\d{6})</service_request_id>")))
        << created.body;
    auto got = http->get("/open311/v2/requests/" + m[1].str() + ".xml");
    ASSERT_EQ(got.status, 200);
    EXPECT_NE(got.body.find("<service_requests><request>"), std::string::npos) << got.body;
    EXPECT_NE(got.body.find("<status>open</status>"), std::string::npos);
    EXPECT_NE(got.body.find("Rondo &lt;Grunwaldzkie&gt;"), std::string::npos) << got.body;
    EXPECT_NE(got.body.find("Duża dziura"), std::string::npos);
    auto def = http->get("/open311/v2/services/odpady_nieodebrane.xml");
    EXPECT_NE(def.body.find("<values><value><key>zmieszane</key>"), std::string::npos) << def.body;
}

TEST_F(TicketsTest, Open311ErrorsUseTheGeoReportShape) {
    auto expect_error = [&](const HttpResponse& r, int status) {
        EXPECT_EQ(r.status, status) << r;
        const json j = r.json();
        ASSERT_TRUE(j.is_array() && j.size() == 1) << r;
        EXPECT_EQ(j[0]["code"], status);
        EXPECT_TRUE(j[0]["description"].is_string());
    };
    expect_error(form_post("/open311/v2/requests.json", "service_code=nope"), 400);
    expect_error(form_post("/open311/v2/requests.json", "service_code=odpady_nieodebrane&address_string=x"), 400);
    expect_error(form_post("/open311/v2/requests.json",
                           "service_code=odpady_nieodebrane&address_string=x&attribute%5Bfrakcja%5D=zloto"), 400);
    expect_error(form_post("/open311/v2/requests.json", "service_code=dziura_w_jezdni"), 400);  // no location
    expect_error(form_post("/open311/v2/requests.json", "service_code=dziura_w_jezdni&lat=500&long=1"), 400);
    expect_error(http->get("/open311/v2/requests/MCK-2020-000999.json"), 404);
    expect_error(http->get("/open311/v2/services/nope.json"), 404);
    expect_error(http->get("/open311/v2/services.json?jurisdiction_id=elsewhere.example"), 404);
    expect_error(http->get("/open311/v2/requests.json?start_date=yesterday"), 400);
    expect_error(http->request("POST", "/open311/v2/requests.json", "{}", {{"Content-Type", "application/json"}}), 415);
    auto xml = form_post("/open311/v2/requests.xml", "service_code=nope");
    EXPECT_EQ(xml.status, 400);
    EXPECT_NE(xml.body.find("<errors><error><code>400</code><description>"), std::string::npos) << xml.body;
    // Not a GeoReport resource at all: the API's ordinary 404.
    EXPECT_EQ(error_code(http->get("/open311/v2/services.txt")), "not_found");
    EXPECT_EQ(error_code(http->get("/open311/v2/nope.xml")), "not_found");
}

class Open311KeyTest : public TicketsTest {
protected:
    void configure(json& c) override {
        TicketsTest::configure(c);
        c["tickets"]["open311"]["api_key"] = "klucz-miasta-0123456789";
        c["tickets"]["public_lookups_per_minute"] = 3;
    }
};

TEST_F(Open311KeyTest, PostNeedsTheKeyAndReadsAreRateLimited) {
    auto no_key = form_post("/open311/v2/requests.json", "service_code=dziura_w_jezdni&address_string=x");
    EXPECT_EQ(no_key.status, 403) << no_key;
    EXPECT_EQ(no_key.json()[0]["code"], 403);
    auto bad_key = form_post("/open311/v2/requests.json", "api_key=wrong&service_code=dziura_w_jezdni&address_string=x");
    EXPECT_EQ(bad_key.status, 403);
    auto ok = form_post("/open311/v2/requests.json",
                        "api_key=klucz-miasta-0123456789&service_code=dziura_w_jezdni&address_string=x");
    EXPECT_EQ(ok.status, 201) << ok;
    const std::string number = ok.json()[0]["service_request_id"];
    int last = 0;
    for (int i = 0; i < 4; ++i) last = http->get("/api/v1/public/tickets/" + number + "?key=x").status;
    EXPECT_EQ(last, 429);
    auto limited = http->get("/api/v1/public/tickets/" + number + "?key=x");
    EXPECT_TRUE(limited.header("retry-after").has_value());
    EXPECT_EQ(error_code(limited), "rate_limited");
}

TEST_F(TicketsTest, CasesSurviveARestart) {
    auto t = light();
    stop_server();
    start_server();
    anna = must_login("anna");
    auto got = http->get("/api/v1/tickets/" + t["id"].get<std::string>(), {bearer(anna.token)});
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(got.json()["number"], t["number"]);
    auto next = must_create({{"subject", "po restarcie"}, {"category", "prawo_jazdy"}});
    EXPECT_TRUE(next["number"].get<std::string>().ends_with("-000002")) << next;
}

}  // namespace
}  // namespace centrala::testing
