// A resident's data request over the real server (issue 6, RODO): the export
// and the erasure find the resident's cases, bookings, the conversations of
// the same browser and the ones whose text gives the phone or e-mail; the
// erasure removes it all, frees the booked place and leaves another
// resident's data as it was.
#include "centrala/domain/appointments.hpp"
#include "chat_common.hpp"

namespace centrala::testing::chat {
namespace {

using namespace std::chrono;

json open_every_day(const std::string& range) {
    json h = json::object();
    for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) h[d] = json::array({range});
    h["closed_on_holidays"] = false;
    return h;
}

std::string warsaw_at(int days_ahead, int hour, int minute = 0) {
    const Date today = warsaw_today(time_point_cast<milliseconds>(system_clock::now()));
    return to_rfc3339(*warsaw_instant(Date{sys_days{today} + days{days_ahead}}, hour * 60 + minute));
}
std::string warsaw_date(int days_ahead) {
    const Date today = warsaw_today(time_point_cast<milliseconds>(system_clock::now()));
    return to_string(Date{sys_days{today} + days{days_ahead}});
}

class ErasureTest : public ChatTest {
protected:
    void configure(json& c) override {
        ChatTest::configure(c);
        c["appointments"] = {{"public_bookings_per_hour", 1000},
                             {"public_lookups_per_hour", 1000},
                             {"services",
                              {{{"id", "waste_declaration"},
                                {"name", "Deklaracja śmieciowa"},
                                {"department", "odpady"},
                                {"duration_minutes", 20},
                                {"counters", 1},
                                {"hours", open_every_day("09:00-12:00")},
                                {"horizon_days", 10},
                                {"min_notice_minutes", 0},
                                {"max_future_bookings", 50},
                                {"location", "Pokój 5"}}}},
                             {"topics", {{"waste", "waste_declaration"}}}};
    }
    void SetUp() override {
        ChatTest::SetUp();
        anna = must_login("anna");
        boss = must_login("kierownik");
        admin = must_login("admin");
    }
    // A chat over REST, optionally with the widget's browser key.
    std::pair<std::string, std::string> chat(const json& body) {
        auto r = http->post("/api/v1/public/chats", body);
        EXPECT_EQ(r.status, 201) << r;
        return {r.json().value("chat_id", ""), r.json().value("visitor_token", "")};
    }
    void says(const std::pair<std::string, std::string>& c, const std::string& text, const std::string& cmid) {
        auto r = http->post("/api/v1/public/chats/" + c.first + "/messages", {{"text", text}, {"client_msg_id", cmid}},
                            {{"X-Visitor-Token", c.second}});
        EXPECT_TRUE(r.status == 200 || r.status == 201) << r;
    }
    std::vector<std::string> texts(const std::string& chat_id, const std::string& kind = "resident") {
        std::vector<std::string> out;
        for (const auto& m : staff_messages(boss, chat_id))
            if (m["author"]["kind"] == kind) out.push_back(m["text"]);
        return out;
    }
    json book(const std::string& start, const std::string& name, const std::string& phone, const std::string& email) {
        auto r = http->post("/api/v1/public/appointments",
                            {{"service_id", "waste_declaration"}, {"start", start}, {"name", name}, {"phone", phone},
                             {"email", email}});
        EXPECT_EQ(r.status, 201) << r;
        return r.json();
    }
    int free_at(const std::string& start) {
        auto r = http->get("/api/v1/public/appointment-services/waste_declaration/slots?from=" + warsaw_date(2) +
                           "&to=" + warsaw_date(2));
        EXPECT_EQ(r.status, 200) << r;
        const json day = r.json();
        for (const auto& s : day["items"])
            if (s["start"] == start) return s["free"].get<int>();
        return -1;
    }
    static std::set<std::string> chat_ids(const json& export_body) {
        std::set<std::string> out;
        for (const auto& c : export_body["chats"]) out.insert(c["id"].get<std::string>());
        return out;
    }
    static json chat_in(const json& export_body, const std::string& id) {
        for (const auto& c : export_body["chats"])
            if (c["id"] == id) return c;
        return json();
    }
    Login anna, boss, admin;
};

TEST_F(ErasureTest, ExportShowsAndErasureRemovesCasesBookingsAndChatsOfOneResidentOnly) {
    const std::string key_jan = "jan-browser-key-0123456789", key_ola = "ola-browser-key-0123456789";
    // Jan: a case from a chat of his browser, another chat of that browser
    // with no case, a chat giving his phone in the text, one giving his
    // e-mail, and a booking.
    const auto case_chat = chat({{"name", "Jan Kowalski"}, {"lang", "pl"}, {"resident_key", key_jan}});
    says(case_chat, "Dzień dobry, chodzi o deklarację", "j-1");
    const json t = [&] {
        auto r = http->post("/api/v1/tickets",
                            {{"subject", "Deklaracja"}, {"description", "Prośba o korektę"}, {"category", "odpady_deklaracja"},
                             {"contact_id", case_chat.first},
                             {"resident", {{"name", "Jan Kowalski"}, {"phone", "600100200"}, {"email", "jan@example.pl"}}}},
                            {bearer(anna.token)});
        EXPECT_EQ(r.status, 201) << r;
        return r.json();
    }();
    const auto browser_chat = chat({{"name", "Jan"}, {"lang", "pl"}, {"resident_key", key_jan}});
    says(browser_chat, "Mieszkam na Lipowej 5, kiedy odbiór?", "j-2");
    const auto phone_chat = chat({{"lang", "pl"}});
    says(phone_chat, "Proszę oddzwonić na +48 600-100-200, dziękuję", "j-3");
    says(phone_chat, "Sprawa dotyczy podatku", "j-4");
    const auto email_chat = chat({{"lang", "pl"}});
    says(email_chat, "qwxz blorp pisz na JAN@Example.pl", "j-5");
    const std::string slot = warsaw_at(2, 10, 0);
    const json jan_visit = book(slot, "Jan Kowalski", "600 100 200", "jan@example.pl");
    EXPECT_EQ(free_at(slot), 0);

    // Ola: the same kinds of data, which must stay.
    const auto ola_chat = chat({{"name", "Ola Nowak"}, {"lang", "pl"}, {"resident_key", key_ola}});
    says(ola_chat, "Mój numer 601 200 300, ola@example.pl", "o-1");
    const json ola_case = [&] {
        auto r = http->post("/api/v1/tickets",
                            {{"subject", "Ola"}, {"description", "Kontakt 601200300"}, {"category", "odpady_deklaracja"},
                             {"contact_id", ola_chat.first},
                             {"resident", {{"name", "Ola Nowak"}, {"phone", "601200300"}, {"email", "ola@example.pl"}}}},
                            {bearer(anna.token)});
        EXPECT_EQ(r.status, 201) << r;
        return r.json();
    }();
    const std::string ola_slot = warsaw_at(2, 10, 20);
    const json ola_visit = book(ola_slot, "Ola Nowak", "601200300", "ola@example.pl");

    // The advisor's unanswered phrases never keep the e-mail.
    auto phrases = http->get("/api/v1/bot/unanswered?lang=pl", {bearer(boss.token)});
    ASSERT_EQ(phrases.status, 200) << phrases;
    EXPECT_EQ(phrases.body.find("example.pl"), std::string::npos) << phrases.body;
    EXPECT_EQ(phrases.body.find("@"), std::string::npos) << phrases.body;
    EXPECT_NE(phrases.body.find("[e-mail]"), std::string::npos) << phrases.body;

    // Export: one document with all of it.
    const json who = {{"phone", "600 100 200"}, {"email", "jan@example.pl"}};
    auto ex = http->post("/api/v1/residents/export", who, {bearer(admin.token)});
    ASSERT_EQ(ex.status, 200) << ex;
    const json e = ex.json();
    ASSERT_EQ(e["tickets"].size(), 1u) << e.dump(1);
    EXPECT_EQ(e["tickets"][0]["number"], t["number"]);
    ASSERT_EQ(e["appointments"].size(), 1u) << e.dump(1);
    EXPECT_EQ(e["appointments"][0]["code"], jan_visit["code"]);
    EXPECT_EQ(e["appointments"][0]["name"], "Jan Kowalski");
    EXPECT_EQ(e["appointments"][0]["phone"], "+48600100200");
    EXPECT_EQ(e["appointments"][0]["email"], "jan@example.pl");
    EXPECT_EQ(e["appointments"][0]["state"], "booked");
    EXPECT_EQ(e["appointments"][0]["start"], slot);
    EXPECT_EQ(chat_ids(e), (std::set<std::string>{case_chat.first, browser_chat.first, phone_chat.first, email_chat.first}))
        << e.dump(1);
    EXPECT_EQ(chat_in(e, case_chat.first)["found_by"], json::array({"case"}));
    EXPECT_EQ(chat_in(e, browser_chat.first)["found_by"], json::array({"browser"}));
    EXPECT_EQ(chat_in(e, phone_chat.first)["found_by"], json::array({"text"}));
    EXPECT_EQ(chat_in(e, email_chat.first)["found_by"], json::array({"text"}));
    EXPECT_NE(chat_in(e, phone_chat.first)["messages"].dump().find("+48 600-100-200"), std::string::npos) << e.dump(1);
    EXPECT_NE(chat_in(e, browser_chat.first)["messages"].dump().find("Lipowej 5"), std::string::npos) << e.dump(1);
    EXPECT_EQ(ex.body.find("Ola"), std::string::npos) << "nothing of the other resident: " << ex.body;

    // Erasure.
    auto er = http->post("/api/v1/residents/erase", who, {bearer(admin.token)});
    ASSERT_EQ(er.status, 200) << er;
    const json r = er.json();
    EXPECT_EQ(r["erased"], json::array({t["number"]}));
    EXPECT_EQ(r["appointments"], json::array({jan_visit["code"]}));
    EXPECT_EQ(r["appointments_cancelled"], json::array({jan_visit["code"]}));
    EXPECT_EQ(r["chats"].size(), 4u) << r;
    EXPECT_EQ(r["counts"]["chats"], 4) << r;

    // The booking: a cancelled shell, its place free and bookable again.
    auto visit = http->get("/api/v1/public/appointments/" + jan_visit["code"].get<std::string>());
    ASSERT_EQ(visit.status, 200) << visit;
    EXPECT_EQ(visit.json()["state"], "cancelled");
    EXPECT_EQ(visit.json()["name"], "[usunięto]");
    EXPECT_EQ(visit.json()["start"], slot);
    EXPECT_EQ(free_at(slot), 1);
    book(slot, "Adam Nowy", "602300400", "");
    EXPECT_EQ(free_at(slot), 0);

    // The chats: the case's and the browser's lose every text; the ones found
    // by their text lose just the phone and e-mail.
    for (const auto& id : {case_chat.first, browser_chat.first})
        for (const auto& m : staff_messages(boss, id)) EXPECT_EQ(m["text"], "[usunięto]") << id;
    EXPECT_EQ(texts(phone_chat.first),
              (std::vector<std::string>{"Proszę oddzwonić na [usunięto], dziękuję", "Sprawa dotyczy podatku"}));
    EXPECT_EQ(texts(email_chat.first), std::vector<std::string>{"qwxz blorp pisz na [usunięto]"});

    // Nothing is found any more.
    auto again = http->post("/api/v1/residents/export", who, {bearer(admin.token)});
    ASSERT_EQ(again.status, 200) << again;
    EXPECT_TRUE(again.json()["tickets"].empty()) << again;
    EXPECT_TRUE(again.json()["appointments"].empty()) << again;
    EXPECT_TRUE(again.json()["chats"].empty()) << again;
    EXPECT_EQ(again.body.find("600-100-200"), std::string::npos) << again.body;

    // Ola's data is exactly as it was.
    auto ola = http->post("/api/v1/residents/export", {{"phone", "601200300"}}, {bearer(admin.token)});
    ASSERT_EQ(ola.status, 200) << ola;
    const json o = ola.json();
    ASSERT_EQ(o["tickets"].size(), 1u) << o.dump(1);
    EXPECT_EQ(o["tickets"][0]["number"], ola_case["number"]);
    EXPECT_EQ(o["tickets"][0]["description"], "Kontakt 601200300");
    EXPECT_EQ(o["tickets"][0]["resident"]["name"], "Ola Nowak");
    ASSERT_EQ(o["appointments"].size(), 1u) << o.dump(1);
    EXPECT_EQ(o["appointments"][0]["state"], "booked");
    EXPECT_EQ(o["appointments"][0]["name"], "Ola Nowak");
    EXPECT_EQ(o["appointments"][0]["phone"], "+48601200300");
    EXPECT_EQ(chat_ids(o), std::set<std::string>{ola_chat.first});
    EXPECT_EQ(texts(ola_chat.first), std::vector<std::string>{"Mój numer 601 200 300, ola@example.pl"});
    EXPECT_EQ(free_at(ola_slot), 0);

    const std::string audit = http->get("/api/v1/audit?limit=200", {bearer(admin.token)}).body;
    EXPECT_NE(audit.find("resident_data_exported"), std::string::npos);
    EXPECT_NE(audit.find("resident_data_erased"), std::string::npos);
    EXPECT_NE(audit.find("appointments_cancelled"), std::string::npos);
    EXPECT_EQ(audit.find("600100200"), std::string::npos) << "the audit keeps numbers and counts, no contact data";
}

// Erasure reaches conversations that are still open (docs/tickets.md,
// "Personal data"): the resident's chat being served and another of the same
// browser waiting in line end at once, consultants and residents are told,
// nothing more is written to them, no listing shows the resident any more,
// and a restart brings nothing of theirs back into a queue.
TEST_F(ErasureTest, OpenChatsOfAnErasedResidentEndAtOnceAndNothingOfThemStays) {
    const std::string key = "jan-open-key-0123456789";
    auto open_chat = [&] {
        Resident r;
        std::tie(r.chat_id, r.token) = chat({{"name", "Jan Kowalski"}, {"lang", "pl"}, {"resident_key", key}});
        r.name = "Jan Kowalski";
        connect_resident(r);
        return r;
    };
    Agent consultant = agent("anna");
    open_agent_socket(consultant);
    set_state(consultant, "available");
    Resident served = open_chat();
    handoff(served);
    serve(consultant, served);
    resident_says_ok(served, "Mój telefon 600100200, mieszkam na Lipowej 5", "s-1");
    agent_says_ok(consultant, served.chat_id, "Sprawdzam", "a-1");
    // The case opened from the served chat makes it, and its browser's other chats, his.
    auto t = http->post("/api/v1/tickets",
                        {{"subject", "Deklaracja"}, {"description", "Korekta"}, {"category", "odpady_deklaracja"},
                         {"contact_id", served.chat_id},
                         {"resident", {{"name", "Jan Kowalski"}, {"phone", "600100200"}}}},
                        {consultant.auth()});
    ASSERT_EQ(t.status, 201) << t;
    // Nobody free: his second chat waits.
    set_state(consultant, "break");
    Resident waiting = open_chat();
    handoff(waiting);
    resident_says_ok(waiting, "Czekam na konsultanta, Jan z Lipowej", "w-1");
    const std::string queue = contact(boss, waiting.chat_id).value("queue", "");
    auto live = [&] {
        auto r = http->get("/api/v1/stats/live", {bearer(boss.token)});
        EXPECT_EQ(r.status, 200) << r;
        return r;
    };
    auto waiting_in = [&](const json& stats) {
        for (const auto& q : stats["queues"])
            if (q["id"] == queue) return q.value("waiting", -1);
        return -1;
    };
    EXPECT_EQ(waiting_in(live().json()), 1);
    auto listing = [&](const std::string& state) {
        auto r = http->get("/api/v1/contacts?state=" + state + "&limit=500", {bearer(boss.token)});
        EXPECT_EQ(r.status, 200) << r;
        return r;
    };
    ASSERT_NE(listing("waiting").body.find("Jan Kowalski"), std::string::npos) << "the listing shows him before";

    auto er = http->post("/api/v1/residents/erase", {{"phone", "600100200"}}, {bearer(admin.token)});
    ASSERT_EQ(er.status, 200) << er;
    EXPECT_EQ(er.json()["chats"].size(), 2u) << er;
    EXPECT_EQ(er.json()["counts"]["chats_ended"], 2) << er;

    // The consultant serving him: the usual contact_closed, with the reason.
    auto closed = consultant.sock->wait([&](const json& j) {
        return j.value("type", "") == "contact_closed" && j.value("contact_id", "") == served.chat_id;
    });
    ASSERT_TRUE(closed.has_value()) << "the consultant is not told the chat ended";
    EXPECT_EQ(closed->value("reason", ""), "erased") << closed->dump();
    // Both his sockets hear the chat is closed, and no rating is asked for.
    for (Resident* r : {&served, &waiting}) {
        auto c = r->sock->wait_type("closed");
        ASSERT_TRUE(c.has_value()) << "chat " << r->chat_id << ": the resident is not told";
        EXPECT_EQ(c->value("reason", ""), "erased") << c->dump();
    }
    served.sock->drain(300ms);
    EXPECT_TRUE(served.sock->seen([](const json& j) { return j.value("type", "") == "rating_request"; }).empty());

    // Nothing more can be written to either.
    json refused = resident_says(served, "Jeszcze jedno", "s-2");
    EXPECT_EQ(refused.value("code", ""), "chat_closed") << refused.dump();
    auto rest = http->post(waiting.path("/messages"), {{"text", "Halo?"}, {"client_msg_id", "w-2"}}, {waiting.header()});
    EXPECT_EQ(rest.status, 409) << rest;
    EXPECT_EQ(error_code(rest), "chat_closed") << rest;
    auto staff = http->post("/api/v1/contacts/" + served.chat_id + "/messages", {{"text", "Halo?"}}, {consultant.auth()});
    EXPECT_EQ(staff.status, 404) << staff;
    // Nor a rating: its comment would be new data in the wiped chat.
    auto rating = http->post(served.path("/rating"), {{"score", 5}, {"comment", "Jan K., dziękuję"}}, {served.header()});
    EXPECT_EQ(rating.status, 409) << rating;
    EXPECT_EQ(error_code(rating), "chat_closed") << rating;

    // Ended on disk: served closed, waiting abandoned; the transcripts stay wiped.
    EXPECT_EQ(contact(boss, served.chat_id).value("state", ""), "closed");
    EXPECT_EQ(contact(boss, waiting.chat_id).value("state", ""), "abandoned");
    for (const auto& id : {served.chat_id, waiting.chat_id})
        for (const auto& m : staff_messages(boss, id)) {
            if (m["author"]["kind"] == "resident") {
                EXPECT_EQ(m["text"], "[usunięto]") << id;
            }
        }
    // No listing and no statistic shows him any more.
    auto nothing_of_him = [&](const std::string& where, const std::string& body) {
        for (const char* s : {"Kowalski", "Lipow", "600100200"})
            EXPECT_EQ(body.find(s), std::string::npos) << where << " still shows " << s << ": " << body;
    };
    for (const char* state : {"waiting", "active", "closed"}) nothing_of_him(state, listing(state).body);
    const auto stats = live();
    nothing_of_him("stats", stats.body);
    EXPECT_EQ(waiting_in(stats.json()), 0) << stats;

    // After a crash and a restart nothing of his comes back into a queue.
    crash_and_restart();
    for (const char* state : {"waiting", "active"}) nothing_of_him(state, listing(state).body);
    EXPECT_EQ(waiting_in(live().json()), 0);
    Agent back = agent("anna");
    open_agent_socket(back);
    set_state(back, "available");
    back.sock->drain(1500ms);
    EXPECT_TRUE(back.sock->seen([](const json& j) { return j.value("type", "") == "offer"; }).empty())
        << "an erased chat was offered after the restart";
}

}  // namespace
}  // namespace centrala::testing::chat
