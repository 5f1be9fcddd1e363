// The advisor's report of a problem in public space and the message left
// outside opening hours, against the real server (docs/bot.md "Reports and
// messages"): the guided dialogue over the resident's WebSocket, a map point
// (the `location` frame) or an address, an optional photo (REST upload,
// checked by its bytes), optional contact details, a summary with send /
// correct / cancel, and the case it files — readable by the resident with the
// number and key it is told. Also: cancelling, a handoff in the middle, a
// restart in the middle, and the after-hours message that becomes a case.
#include <regex>

#include "centrala/domain/calendar.hpp"
#include "bot_common.hpp"

namespace centrala::testing::chat {
namespace {

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(64, '\x01');

bool says(const json& m, const std::string& words) { return m.value("text", "").find(words) != std::string::npos; }

void press(Resident& r, const std::string& value) { EXPECT_TRUE(r.sock->send({{"type", "button"}, {"value", value}})); }

struct Filed {
    std::string number, key;
};

// The case number and key from the advisor's last message: in its text and in the /sprawa link.
Filed filed_case(const json& m) {
    Filed f;
    if (m.contains("links"))
        for (const auto& l : m["links"]) {
            static const std::regex re(R"(^/sprawa\?numer=(MCK-\d{4}-\d{6,})&klucz=([A-Za-z0-9_-]+)$)");
            std::smatch match;
            const std::string url = l.value("url", "");
            if (std::regex_match(url, match, re)) {
                f.number = match[1];
                f.key = match[2];
            }
        }
    EXPECT_FALSE(f.number.empty()) << "no /sprawa link with the number and key: " << m.dump();
    EXPECT_TRUE(says(m, f.number)) << "the number is in the text: " << m.dump();
    EXPECT_TRUE(says(m, f.key)) << "the key is in the text: " << m.dump();
    return f;
}

class ReportTest : public ChatTest {
protected:
    void configure(json& config) override {
        ChatTest::configure(config);
        config["tickets"]["attachment_max_bytes"] = 20000;
    }

    json tickets_of_chat(const Login& who, const std::string& chat_id) {
        auto res = http->get("/api/v1/tickets?contact_id=" + chat_id, {bearer(who.token)});
        EXPECT_EQ(res.status, 200) << res;
        return res.json().value("items", json::array());
    }

    HttpResponse upload(const Resident& r, const std::string& bytes, const std::string& type) {
        return http->request("POST", r.path("/photo"), bytes, {r.header(), {"Content-Type", type}});
    }
};

TEST_F(ReportTest, AReportWithAMapPointAPhotoAndContactBecomesACaseTheResidentCanCheck) {
    Login staff = must_login("kierownik");
    Resident r = create_chat("Jan", "pl");
    connect_resident(r);
    r.sock->forget_pending();

    // The knowledge base's report button (the widget sends it for /zgloszenie).
    press(r, "report");
    json q = next_bot(r);
    EXPECT_TRUE(says(q, "Co chcesz zgłosić?")) << q.dump();
    EXPECT_TRUE(has_button(q, "flow:cat:martwe_zwierze")) << "the report categories from config: " << q.dump();
    EXPECT_TRUE(has_button(q, "flow:cat:oswietlenie")) << q.dump();
    EXPECT_TRUE(has_button(q, "flow:cancel")) << q.dump();

    resident_says_ok(r, "Na chodniku leży martwe zwierzę, chyba lis.", "r-1");
    q = next_bot(r);
    EXPECT_TRUE(says(q, "Gdzie to jest?")) << "the kind was recognised, so it is not asked: " << q.dump();
    EXPECT_TRUE(has_button(q, "flow:location")) << q.dump();

    // A photo is refused unless its bytes are a JPEG or PNG, and over the limit.
    EXPECT_EQ(error_code(upload(r, "<html>not a photo</html>", "image/png")), "unsupported_file_type");
    EXPECT_EQ(error_code(upload(r, "%PDF-1.4 fake", "application/octet-stream")), "unsupported_file_type");
    EXPECT_EQ(upload(r, kPng + std::string(30000, 'x'), "image/png").status, 413);
    EXPECT_EQ(http->request("POST", r.path("/photo"), kPng, {{"X-Visitor-Token", "wrong"}, {"Content-Type", "image/png"}}).status,
              404);

    // The map point (an addition to contract §6): out of range is refused.
    ASSERT_TRUE(r.sock->send({{"type", "location"}, {"lat", 123.0}, {"lon", 21.0}, {"client_msg_id", "loc-0"}}));
    auto bad = r.sock->wait_answer("loc-0");
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->value("code", ""), "invalid_location") << bad->dump();
    ASSERT_TRUE(r.sock->send({{"type", "location"}, {"lat", 52.2297}, {"lon", 21.0122}, {"client_msg_id", "loc-1"}}));
    auto ack = r.sock->wait_answer("loc-1");
    ASSERT_TRUE(ack.has_value());
    EXPECT_EQ(ack->value("type", ""), "ack") << ack->dump();
    q = next_bot(r);
    EXPECT_TRUE(says(q, "Możesz dodać zdjęcie")) << q.dump();
    EXPECT_TRUE(has_button(q, "flow:photo")) << q.dump();
    EXPECT_TRUE(has_button(q, "flow:skip")) << q.dump();

    auto up = upload(r, kPng, "image/png");
    ASSERT_EQ(up.status, 201) << up;
    EXPECT_EQ(up.json().value("content_type", ""), "image/png");
    q = next_bot(r);
    EXPECT_TRUE(says(q, "informację o załatwieniu")) << q.dump();

    resident_says_ok(r, "tak", "r-2");
    q = next_bot(r);
    EXPECT_TRUE(says(q, "Nie rozpoznaję")) << "not contact details: asked again: " << q.dump();
    resident_says_ok(r, "jan.kowalski@example.pl, tel. 600 100 200", "r-3");
    q = next_bot(r);
    EXPECT_TRUE(says(q, "Sprawdź zgłoszenie")) << q.dump();
    EXPECT_TRUE(says(q, "Martwe zwierzę do usunięcia")) << q.dump();
    EXPECT_TRUE(says(q, "52.22970, 21.01220")) << q.dump();
    EXPECT_TRUE(says(q, "dołączone")) << "the photo: " << q.dump();
    EXPECT_TRUE(says(q, "600100200")) << q.dump();
    EXPECT_TRUE(has_button(q, "flow:send") && has_button(q, "flow:edit") && has_button(q, "flow:cancel")) << q.dump();

    // The resident's connection drops; the report is still there.
    r.sock->close();
    connect_resident(r);
    press(r, "flow:send");
    json done = next_bot(r);
    const Filed f = filed_case(done);
    EXPECT_TRUE(says(done, "/sprawa")) << done.dump();

    auto pub = http->get("/api/v1/public/tickets/" + f.number + "?key=" + f.key);
    ASSERT_EQ(pub.status, 200) << pub;
    EXPECT_EQ(pub.json().value("status", ""), "new");
    EXPECT_EQ(pub.json().value("category", ""), "martwe_zwierze");
    EXPECT_EQ(http->get("/api/v1/public/tickets/" + f.number + "?key=WRONGKEY1234").status, 404);

    json items = tickets_of_chat(staff, r.chat_id);
    ASSERT_EQ(items.size(), 1u) << items.dump();
    auto full = http->get("/api/v1/tickets/" + items[0].value("id", ""), {bearer(staff.token)});
    ASSERT_EQ(full.status, 200) << full;
    const json t = full.json();
    EXPECT_EQ(t.value("number", ""), f.number);
    EXPECT_EQ(t.value("department", ""), "interwencje") << "the report service's department";
    EXPECT_EQ(t.value("contact_id", ""), r.chat_id);
    // Filed by the advisor: its own source, no staff creator; staff find it by source.
    EXPECT_EQ(t.value("source", ""), "chat") << t.dump();
    EXPECT_TRUE(t["created_by"].is_null()) << t.dump();
    auto by_source = [&](const std::string& source) {
        auto res = http->get("/api/v1/tickets?status=open&source=" + source, {bearer(staff.token)});
        EXPECT_EQ(res.status, 200) << res;
        std::vector<std::string> numbers;
        for (const auto& i : res.json().value("items", json::array())) numbers.push_back(i.value("number", ""));
        return numbers;
    };
    EXPECT_EQ(by_source("chat"), std::vector<std::string>{f.number});
    EXPECT_TRUE(by_source("staff").empty());
    EXPECT_EQ(error_code(http->get("/api/v1/tickets?source=fax", {bearer(staff.token)})), "invalid_parameter");
    auto csv = http->get("/api/v1/tickets.csv?source=chat", {bearer(staff.token)});
    ASSERT_EQ(csv.status, 200) << csv;
    EXPECT_NE(csv.body.find(f.number), std::string::npos) << csv.body;
    EXPECT_NE(csv.body.find(",chat,"), std::string::npos) << "the source column: " << csv.body;
    EXPECT_NEAR(t["location"].value("lat", 0.0), 52.2297, 1e-9);
    EXPECT_NEAR(t["location"].value("lon", 0.0), 21.0122, 1e-9);
    EXPECT_EQ(t["resident"].value("phone", ""), "600100200");
    EXPECT_EQ(t["resident"].value("email", ""), "jan.kowalski@example.pl");
    EXPECT_NE(t.value("description", "").find("martwe zwierzę, chyba lis"), std::string::npos) << t.dump();
    ASSERT_EQ(t["attachments"].size(), 1u) << t.dump();
    EXPECT_EQ(t["attachments"][0].value("content_type", ""), "image/png");
    auto photo = http->get("/api/v1/tickets/" + t.value("id", "") + "/attachments/" + t["attachments"][0].value("id", ""),
                           {bearer(staff.token)});
    EXPECT_EQ(photo.body, kPng) << "the photo the resident sent";

    // The dialogue is over: its buttons and the photo upload say so.
    press(r, "flow:send");
    auto err = r.sock->wait_type("error");
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->value("code", ""), "no_report") << err->dump();
    EXPECT_EQ(error_code(upload(r, kPng, "image/png")), "no_report");
    EXPECT_EQ(tickets_of_chat(staff, r.chat_id).size(), 1u) << "filed once";
}

TEST_F(ReportTest, FreeTextStartsTheReportAndAnyPlaceDescriptionIsTheAddressWithoutPhotoOrContact) {
    Login staff = must_login("kierownik");
    Resident r = create_chat("Ola", "pl");
    connect_resident(r);
    r.sock->forget_pending();

    resident_says_ok(r, "latarnia nie świeci przy szkole", "r-1");
    json answer = next_bot(r);
    EXPECT_EQ(answer.value("topic", ""), "report") << "the advisor's answer first: " << answer.dump();
    json q = next_bot(r);
    EXPECT_TRUE(says(q, "Gdzie to jest?")) << "what and the kind are known: " << q.dump();
    resident_says_ok(r, "koło szkoły nr 5, od strony boiska", "r-2");
    q = next_bot(r);
    EXPECT_TRUE(has_button(q, "flow:skip")) << q.dump();
    press(r, "flow:skip");
    q = next_bot(r);
    EXPECT_TRUE(has_button(q, "flow:no_contact")) << q.dump();
    press(r, "flow:no_contact");
    q = next_bot(r);
    EXPECT_TRUE(says(q, "koło szkoły nr 5, od strony boiska")) << q.dump();
    EXPECT_TRUE(says(q, "bez informacji zwrotnej")) << q.dump();

    // Correct the place: back to the summary afterwards, nothing else asked.
    press(r, "flow:edit");
    q = next_bot(r);
    EXPECT_TRUE(has_button(q, "flow:edit:where")) << q.dump();
    press(r, "flow:edit:where");
    q = next_bot(r);
    EXPECT_TRUE(says(q, "Gdzie to jest?")) << q.dump();
    resident_says_ok(r, "ul. Szkolna 5", "r-3");
    q = next_bot(r);
    EXPECT_TRUE(says(q, "Sprawdź zgłoszenie")) << q.dump();
    EXPECT_TRUE(says(q, "ul. Szkolna 5")) << q.dump();
    press(r, "flow:send");
    const Filed f = filed_case(next_bot(r));

    ASSERT_EQ(http->get("/api/v1/public/tickets/" + f.number + "?key=" + f.key).status, 200);
    json items = tickets_of_chat(staff, r.chat_id);
    ASSERT_EQ(items.size(), 1u);
    const json t = http->get("/api/v1/tickets/" + items[0].value("id", ""), {bearer(staff.token)}).json();
    EXPECT_EQ(t.value("category", ""), "oswietlenie");
    EXPECT_EQ(t["location"].value("address", ""), "ul. Szkolna 5");
    EXPECT_TRUE(t["location"]["lat"].is_null()) << t.dump();
    EXPECT_EQ(t["resident"].value("phone", ""), "");
    EXPECT_EQ(t["resident"].value("email", ""), "");
    EXPECT_TRUE(t["attachments"].empty()) << t.dump();
}

TEST_F(ReportTest, CancellingFilesNothingAndTheAdvisorAnswersAgain) {
    Login staff = must_login("kierownik");
    Resident r = create_chat("Ewa", "en");
    connect_resident(r);
    r.sock->forget_pending();
    press(r, "report");
    json q = next_bot(r);
    EXPECT_TRUE(says(q, "What would you like to report?")) << q.dump();
    resident_says_ok(r, "There is a big pothole, dziura w jezdni", "r-1");
    q = next_bot(r);
    ASSERT_TRUE(has_button(q, "flow:location")) << q.dump();
    auto up = upload(r, kPng, "image/png");
    ASSERT_EQ(up.status, 201) << up;
    next_bot(r);
    press(r, "flow:cancel");
    q = next_bot(r);
    EXPECT_TRUE(says(q, "Cancelled")) << q.dump();
    EXPECT_TRUE(tickets_of_chat(staff, r.chat_id).empty());
    // Text goes to the advisor again.
    resident_says_ok(r, "how do I register a car", "r-2");
    q = next_bot(r);
    EXPECT_EQ(q.value("topic", ""), "vehicles") << q.dump();
    EXPECT_EQ(error_code(upload(r, kPng, "image/png")), "no_report");
}

TEST_F(ReportTest, AskingForAPersonMidReportHandsOverWithWhatWasCollected) {
    Login boss = must_login("kierownik");
    Resident r = create_chat("Piotr", "pl");
    connect_resident(r);
    press(r, "report");
    next_bot(r);
    resident_says_ok(r, "dzikie wysypisko śmieci w lesie", "r-1");
    next_bot(r);
    resident_says_ok(r, "Leśna 12, za garażami", "r-2");
    next_bot(r);
    resident_says_ok(r, "chcę rozmawiać z konsultantem", "r-3");
    auto qf = r.sock->wait_type("queue");
    ASSERT_TRUE(qf.has_value()) << "handed over";
    json note;
    for (const auto& m : staff_messages(boss, r.chat_id))
        if (m.value("internal", false) && says(m, "Zgłoszenie rozpoczęte")) note = m;
    ASSERT_FALSE(note.is_null()) << staff_messages(boss, r.chat_id).dump();
    EXPECT_TRUE(says(note, "Leśna 12, za garażami")) << note.dump();
    EXPECT_TRUE(says(note, "Dzikie wysypisko")) << note.dump();
    EXPECT_TRUE(tickets_of_chat(boss, r.chat_id).empty());
}

TEST_F(ReportTest, AReportInProgressSurvivesARestart) {
    Resident r = create_chat("Marek", "uk");
    connect_resident(r);
    press(r, "report");
    next_bot(r);
    resident_says_ok(r, "яма на дорозі біля школи", "r-1");
    json q = next_bot(r);
    press(r, "flow:cat:dziura_w_jezdni");
    q = next_bot(r);
    EXPECT_TRUE(says(q, "Де це?")) << q.dump();
    resident_says_ok(r, "вул. Шкільна 3", "r-2");
    q = next_bot(r);
    ASSERT_TRUE(has_button(q, "flow:skip")) << q.dump();

    crash_and_restart();
    connect_resident(r);
    r.sock->forget_pending();
    press(r, "flow:skip");
    q = next_bot(r);
    EXPECT_TRUE(has_button(q, "flow:no_contact")) << "the next question, nothing asked again: " << q.dump();
    press(r, "flow:no_contact");
    q = next_bot(r);
    EXPECT_TRUE(says(q, "вул. Шкільна 3")) << q.dump();
    EXPECT_TRUE(says(q, "яма на дорозі біля школи")) << q.dump();
    press(r, "flow:send");
    const Filed f = filed_case(next_bot(r));
    auto pub = http->get("/api/v1/public/tickets/" + f.number + "?key=" + f.key);
    ASSERT_EQ(pub.status, 200) << pub;
    EXPECT_EQ(pub.json().value("category", ""), "dziura_w_jezdni");
}

// The office is closed now and opens tomorrow at 10:00 (Warsaw time).
class AfterHoursTest : public ChatTest {
protected:
    void configure(json& config) override {
        ChatTest::configure(config);
        open_only_tomorrow(config);
    }
};

TEST_F(AfterHoursTest, AMessageLeftOutsideOpeningHoursBecomesACaseOfTheTopicsDepartment) {
    Login boss = must_login("kierownik");
    Resident r = create_chat("Nocny Marek", "pl");
    connect_resident(r);
    r.sock->forget_pending();

    resident_says_ok(r, "chcę rozmawiać z konsultantem w sprawie podatku od nieruchomości", "r-1");
    json notice;
    for (int i = 0; i < 3 && notice.is_null(); ++i) {
        json m = next_bot(r);
        if (has_button(m, "leave_message")) notice = m;
    }
    ASSERT_FALSE(notice.is_null()) << "no leave_message offer";
    EXPECT_TRUE(says(notice, "jutro 10:00")) << notice.dump();
    EXPECT_TRUE(says(notice, "jako sprawę")) << "the message becomes a case: " << notice.dump();

    press(r, "leave_message");
    json q = next_bot(r);
    EXPECT_TRUE(says(q, "Napisz wiadomość")) << q.dump();
    resident_says_ok(r, "Proszę o rozłożenie zaległego podatku na raty.", "r-2");
    q = next_bot(r);
    EXPECT_TRUE(has_button(q, "flow:no_contact")) << q.dump();
    resident_says_ok(r, "+48 600 200 300", "r-3");
    q = next_bot(r);
    EXPECT_TRUE(says(q, "Proszę o rozłożenie zaległego podatku na raty.")) << q.dump();
    EXPECT_TRUE(says(q, "+48600200300")) << q.dump();
    press(r, "flow:send");
    json done = next_bot(r);
    const Filed f = filed_case(done);
    EXPECT_TRUE(says(done, "godzinach pracy")) << done.dump();

    auto pub = http->get("/api/v1/public/tickets/" + f.number + "?key=" + f.key);
    ASSERT_EQ(pub.status, 200) << pub;
    auto list = http->get("/api/v1/tickets?contact_id=" + r.chat_id, {bearer(boss.token)});
    ASSERT_EQ(list.json()["items"].size(), 1u) << list;
    const json t = http->get("/api/v1/tickets/" + list.json()["items"][0].value("id", ""), {bearer(boss.token)}).json();
    EXPECT_EQ(t.value("department", ""), "podatki") << "the topic's department: " << t.dump();
    EXPECT_EQ(t.value("category", ""), "podatek_nieruchomosci");
    EXPECT_EQ(t.value("source", ""), "chat") << "the after-hours message, too, was filed by the advisor";
    EXPECT_EQ(t["resident"].value("phone", ""), "+48600200300");
    EXPECT_EQ(t.value("description", ""), "Proszę o rozłożenie zaległego podatku na raty.");
    // Nothing waits in line: the case is the message.
    EXPECT_EQ(contact(boss, r.chat_id).value("state", ""), "bot");
}

TEST_F(AfterHoursTest, AMatterWithoutItsOwnCategoryGoesToTheGeneralOfficeAndAReportIsFiledAtOnce) {
    Login boss = must_login("kierownik");
    Resident r = create_chat("Ala", "en");
    connect_resident(r);
    r.sock->forget_pending();
    ASSERT_TRUE(r.sock->send({{"type", "button"}, {"value", "handoff"}}));
    json notice;
    for (int i = 0; i < 3 && notice.is_null(); ++i) {
        json m = next_bot(r);
        if (has_button(m, "leave_message")) notice = m;
    }
    ASSERT_FALSE(notice.is_null());
    press(r, "leave_message");
    json q = next_bot(r);
    EXPECT_TRUE(says(q, "Write your message")) << q.dump();
    resident_says_ok(r, "Where can I get a copy of my birth certificate?", "r-1");
    next_bot(r);
    press(r, "flow:no_contact");
    next_bot(r);
    press(r, "flow:send");
    filed_case(next_bot(r));
    auto list = http->get("/api/v1/tickets?contact_id=" + r.chat_id, {bearer(boss.token)});
    ASSERT_EQ(list.json()["items"].size(), 1u) << list;
    EXPECT_EQ(list.json()["items"][0].value("department", ""), "informacja");

    // A report outside opening hours: the advisor starts it; asking for a
    // person is refused (closed), and the offer is the report itself, which
    // goes on where it was.
    Resident o = create_chat("Olek", "pl");
    connect_resident(o);
    o.sock->forget_pending();
    resident_says_ok(o, "w jezdni jest wielka dziura", "o-1");
    json where;
    for (int i = 0; i < 3 && where.is_null(); ++i) {
        json m = next_bot(o);
        if (says(m, "Gdzie to jest?")) where = m;
    }
    ASSERT_FALSE(where.is_null()) << "the report started";
    ASSERT_TRUE(o.sock->send({{"type", "button"}, {"value", "handoff"}}));
    json offer;
    for (int i = 0; i < 3 && offer.is_null(); ++i) {
        json m = next_bot(o);
        if (has_button(m, "leave_message")) offer = m;
    }
    ASSERT_FALSE(offer.is_null());
    EXPECT_TRUE(says(offer, "zgłosić od razu")) << offer.dump();
    press(o, "leave_message");
    q = next_bot(o);
    EXPECT_TRUE(says(q, "Gdzie to jest?")) << "the report goes on: " << q.dump();
    resident_says_ok(o, "Długa 7", "o-2");
    q = next_bot(o);
    EXPECT_TRUE(has_button(q, "flow:skip")) << q.dump();
}

}  // namespace
}  // namespace centrala::testing::chat
