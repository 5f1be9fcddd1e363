// The virtual advisor in the chat and its API, against the real server
// (contract §6, §6a): greetings in the chat's language, answers with buttons,
// topic and confidence; handoffs (asked for a person in three languages,
// unsure twice) into the right queue with a summary only consultants see;
// behaviour outside opening hours; the knowledge base's validation, versions
// and restart; the unanswered-phrases report; who may do what.
#include <fstream>

#include "centrala/domain/calendar.hpp"
#include "bot_common.hpp"

namespace centrala::testing::chat {
namespace {

using BotChatTest = ChatTest;

// Bot message frames that arrived on the resident's socket.
std::vector<json> bot_frames(const Socket& s) {
    return s.seen([](const json& j) { return j.value("type", "") == "message" && j["author"].value("kind", "") == "bot"; });
}

void expect_topic_and_confidence(const json& m) {
    EXPECT_TRUE(m.contains("topic") && m["topic"].is_string()) << "bot messages carry topic: " << m.dump();
    ASSERT_TRUE(m.contains("confidence") && m["confidence"].is_number()) << "bot messages carry confidence: " << m.dump();
    EXPECT_GE(m["confidence"].get<double>(), 0.0);
    EXPECT_LE(m["confidence"].get<double>(), 1.0);
}

TEST_F(BotChatTest, GreetsInTheChatsLanguageWithTheMainMenu) {
    const std::map<std::string, std::string> start = {
        {"pl", "Jestem wirtualnym doradcą"}, {"en", "I am the city hall's virtual advisor"}, {"uk", "Я віртуальний помічник"}};
    for (const auto& [lang, words] : start) {
        Resident r = create_chat("Gość " + lang, lang);
        const json items = public_messages(r);
        ASSERT_EQ(items.size(), 1u) << items.dump();
        const json& g = items[0];
        EXPECT_EQ(g["author"].value("kind", ""), "bot");
        EXPECT_NE(g.value("text", "").find(words), std::string::npos) << lang << ": " << g.dump();
        EXPECT_TRUE(has_button(g, "topic:vehicles")) << g.dump();
        EXPECT_TRUE(has_button(g, "topic:human")) << "the way to a person is offered at once: " << g.dump();
        expect_topic_and_confidence(g);
    }
}

TEST_F(BotChatTest, AnswersFreeTextAndButtonsWithTopicConfidenceAndButtons) {
    Login boss = must_login("kierownik");
    Resident r = create_chat("Adam", "pl");
    connect_resident(r);

    resident_says_ok(r, "kupilem uzywany samochod, jak go zarejestrowac?", "r-1");
    json a = next_bot(r);
    EXPECT_EQ(a.value("topic", ""), "vehicles") << a.dump();
    expect_topic_and_confidence(a);
    EXPECT_GE(a.value("confidence", 0.0), 0.5) << a.dump();
    EXPECT_NE(a.value("text", "").find("dowód rejestracyjny"), std::string::npos) << "a real answer: " << a.dump();
    ASSERT_TRUE(a.contains("buttons") && !a["buttons"].empty()) << a.dump();
    ASSERT_TRUE(a.contains("links") && !a["links"].empty()) << "the booking link comes with the answer: " << a.dump();
    EXPECT_FALSE(a["links"][0].value("url", "").empty());

    // A button of that answer, over the socket.
    const std::string value = a["buttons"][0].value("value", "");
    ASSERT_TRUE(r.sock->send({{"type", "button"}, {"value", value}}));
    json b = next_bot(r);
    expect_topic_and_confidence(b);
    EXPECT_NE(b.value("text", ""), a.value("text", "")) << "the button led somewhere: " << b.dump();

    // The REST equivalent of a button: a topic's guided flow.
    auto press = http->post(r.path("/button"), {{"value", "topic:waste"}}, {r.header()});
    EXPECT_EQ(press.status, 200) << press;
    EXPECT_EQ(press.json().value("state", ""), "bot") << press;
    json w = next_bot(r);
    EXPECT_EQ(w.value("topic", ""), "waste") << w.dump();
    EXPECT_TRUE(has_button(w, "answer:waste.schedule")) << w.dump();

    // Malformed and stale buttons.
    auto bad = http->post(r.path("/button"), {{"value", "rm -rf /"}}, {r.header()});
    EXPECT_EQ(bad.status, 400) << bad;
    EXPECT_EQ(http->post(r.path("/button"), {{"value", 5}}, {r.header()}).status, 400);
    EXPECT_EQ(http->post(r.path("/button"), {{"value", "topic:waste"}}, {{"X-Visitor-Token", "nope"}}).status, 404);
    auto stale = http->post(r.path("/button"), {{"value", "answer:vehicles.flying_car"}}, {r.header()});
    EXPECT_EQ(stale.status, 200) << stale;
    json again = next_bot(r);
    EXPECT_TRUE(has_button(again, "topic:vehicles")) << "a stale button starts from the menu: " << again.dump();

    // The REST message lists carry the same fields; staff also see which answer it was.
    const json pub = public_messages(r);
    bool seen_vehicles = false;
    for (const auto& m : pub)
        if (m["author"].value("kind", "") == "bot") {
            expect_topic_and_confidence(m);
            EXPECT_FALSE(m.contains("answer")) << "the answer id is for staff: " << m.dump();
            if (m.value("topic", "") == "vehicles" && m.contains("links")) seen_vehicles = true;
        }
    EXPECT_TRUE(seen_vehicles) << pub.dump();
    bool staff_answer = false;
    for (const auto& m : staff_messages(boss, r.chat_id))
        if (m.value("answer", "") == "vehicles.used_car") staff_answer = true;
    EXPECT_TRUE(staff_answer) << staff_messages(boss, r.chat_id).dump();
    EXPECT_EQ(contact(boss, r.chat_id).value("state", ""), "bot");
}

// A resident who talks over REST only (no socket) after a restart: the advisor
// remembers what was said before it, so the consultant's summary has it.
TEST_F(BotChatTest, AfterARestartTheAdvisorRemembersAResidentWhoUsesRestOnly) {
    Resident r = create_chat("Bez Gniazda", "pl");
    auto said = http->post(r.path("/messages"),
                           {{"text", "kupilem uzywany samochod, jak go zarejestrowac?"}, {"client_msg_id", "rest-1"}},
                           {r.header()});
    ASSERT_EQ(said.status, 201) << said;
    bool answered = false;
    for (int i = 0; i < 50 && !answered; ++i) {
        for (const auto& m : public_messages(r))
            if (m["author"].value("kind", "") == "bot" && m.value("topic", "") == "vehicles") answered = true;
        if (!answered) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(answered) << public_messages(r).dump();

    crash_and_restart();
    Login boss = must_login("kierownik");
    auto handoff = http->post(r.path("/handoff"), json::object(), {r.header()});
    ASSERT_EQ(handoff.status, 200) << handoff;
    bool note = false;
    for (int i = 0; i < 50 && !note; ++i) {
        for (const auto& m : staff_messages(boss, r.chat_id))
            if (m.value("internal", false) && m.value("text", "").find("Podsumowanie asystenta") != std::string::npos &&
                m.value("text", "").find("uzywany samochod") != std::string::npos)
                note = true;
        if (!note) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(note) << "the summary names what the resident said before the restart: "
                      << staff_messages(boss, r.chat_id).dump();
    EXPECT_EQ(contact(boss, r.chat_id).value("topic", ""), "vehicles") << "the topic known before the restart routes it";
}

struct HandoffCase {
    std::string lang, text, queue;
};

TEST_F(BotChatTest, AskingForAPersonInAnyLanguageHandsOverWithASummaryOnlyConsultantsSee) {
    Login boss = must_login("kierownik");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    const std::vector<HandoffCase> cases = {
        {"pl", "chcę rozmawiać z człowiekiem", "general"},
        {"en", "I want a human", "general"},
        {"uk", "Хочу поговорити з людиною", "general"},
        {"pl", "poproszę konsultanta w sprawie podatku od nieruchomości", "taxes"},
    };
    std::vector<Resident> residents;
    for (const auto& c : cases) {
        Resident r = create_chat("Mieszkaniec " + c.lang, c.lang);
        connect_resident(r);
        resident_says_ok(r, c.text, "r-1");
        auto q = r.sock->wait_type("queue", 5s);
        ASSERT_TRUE(q.has_value()) << c.text << ": no handoff";
        json ct = contact(boss, r.chat_id);
        EXPECT_EQ(ct.value("state", ""), "waiting") << c.text << ": " << ct.dump();
        EXPECT_EQ(ct.value("queue", ""), c.queue) << c.text << ": " << ct.dump();
        EXPECT_FALSE(ct.value("summary", "").empty()) << ct.dump();
        // Staff see the advisor's summary as an internal note.
        bool note = false;
        for (const auto& m : staff_messages(boss, r.chat_id))
            if (m.value("internal", false) && m.value("text", "").find("Podsumowanie asystenta") != std::string::npos) {
                note = true;
                EXPECT_NE(m.value("text", "").find(c.text), std::string::npos) << "what the resident said: " << m.dump();
            }
        EXPECT_TRUE(note) << c.text << ": " << staff_messages(boss, r.chat_id).dump();
        residents.push_back(std::move(r));
    }
    // Once a person is asked for, the advisor is silent.
    Resident& first = residents[0];
    const size_t bots_before = bot_frames(*first.sock).size();
    resident_says_ok(first, "halo, jest tam ktoś?", "r-2");
    first.sock->drain(300ms);
    EXPECT_EQ(bot_frames(*first.sock).size(), bots_before) << "the advisor spoke after the handoff";

    // The consultant gets the summary with the offer and can read the note.
    set_state(anna, "available");
    json offer = wait_offer(anna, first.chat_id);
    EXPECT_FALSE(offer["contact"].value("summary", "").empty()) << offer.dump();
    accept(anna, offer);
    bool note = false;
    for (const auto& m : staff_messages(anna.login, first.chat_id))
        if (m.value("internal", false) && m.value("text", "").find("Podsumowanie asystenta") != std::string::npos) note = true;
    EXPECT_TRUE(note);
    ASSERT_TRUE(first.sock->wait_type("agent_joined", 5s).has_value());

    // Residents never see it: not on the socket, not over REST.
    for (auto& r : residents) {
        r.sock->drain(100ms);
        EXPECT_FALSE(frames_mention(*r.sock, "Podsumowanie")) << "the summary reached resident " << r.chat_id;
        EXPECT_EQ(public_messages(r).dump().find("Podsumowanie"), std::string::npos);
    }
}

TEST_F(BotChatTest, UnsureTwiceHandsOverAndThePhrasesAreReportedToSupervisors) {
    Login boss = must_login("kierownik");
    Login anna = must_login("anna");
    Resident r = create_chat("Zagubiony", "pl");
    connect_resident(r);
    resident_says_ok(r, "qwxz blorp 123456", "r-1");
    json first = next_bot(r);
    EXPECT_TRUE(has_button(first, "topic:human") || has_button(first, "topic:vehicles")) << "a question with choices: " << first.dump();
    EXPECT_TRUE(r.sock->seen([](const json& j) { return j.value("type", "") == "queue"; }).empty()) << "handed over after one miss";
    resident_says_ok(r, "qwxz blorp 654321", "r-2");
    ASSERT_TRUE(r.sock->wait_type("queue", 5s).has_value()) << "not handed over after two misses";
    json ct = contact(boss, r.chat_id);
    EXPECT_EQ(ct.value("state", ""), "waiting") << ct.dump();
    EXPECT_EQ(ct.value("queue", ""), "general") << ct.dump();
    bool note = false;
    for (const auto& m : staff_messages(boss, r.chat_id))
        if (m.value("internal", false) && m.value("text", "").find("nie zrozumiał") != std::string::npos) note = true;
    EXPECT_TRUE(note) << staff_messages(boss, r.chat_id).dump();

    // One phrase (numbers masked), counted twice.
    auto rep = http->get("/api/v1/bot/unanswered?lang=pl", {bearer(boss.token)});
    ASSERT_EQ(rep.status, 200) << rep;
    const json items = rep.json()["items"];
    ASSERT_FALSE(items.empty()) << rep;
    EXPECT_EQ(items[0].value("phrase", ""), "qwxz blorp ######") << rep;
    EXPECT_EQ(items[0].value("count", 0), 2) << rep;
    EXPECT_EQ(rep.body.find("123456"), std::string::npos) << "numbers are not kept";
    EXPECT_TRUE(rep.json().contains("next"));
    EXPECT_EQ(http->get("/api/v1/bot/unanswered", {bearer(anna.token)}).status, 403);
    EXPECT_EQ(http->get("/api/v1/bot/unanswered?lang=xx", {bearer(boss.token)}).status, 400);
    const std::string id = items[0].value("id", "");
    EXPECT_EQ(http->del("/api/v1/bot/unanswered/" + id, {bearer(boss.token)}).status, 204);
    EXPECT_EQ(http->del("/api/v1/bot/unanswered/" + id, {bearer(boss.token)}).status, 404);
}

// Chats are served only on one weekday, not today: the office is closed now
// and opens tomorrow at 10:00 (Warsaw time). Only report categories are
// configured, so a message left outside opening hours has no case category
// to go under and waits in line for the office instead (the fallback; with
// a category it becomes a case: report_test.cpp).
class BotAfterHoursTest : public ChatTest {
protected:
    void configure(json& config) override {
        ChatTest::configure(config);
        only_report_services(config);
        open_only_tomorrow(config);
        config["chat"]["abandon_grace_seconds"] = 5;
    }
};

TEST_F(BotAfterHoursTest, TheAdvisorSaysWhenConsultantsAreBackAnswersAndTakesAMessageThatWaits) {
    Login boss = must_login("kierownik");
    Resident r = create_chat("Nocny Marek", "pl");
    EXPECT_NE(public_messages(r)[0].value("text", "").find("poza godzinami pracy"), std::string::npos)
        << "the greeting says consultants are away: " << public_messages(r).dump();
    connect_resident(r);

    resident_says_ok(r, "chcę rozmawiać z konsultantem w sprawie rejestracji samochodu", "r-1");
    json menu = next_bot(r);
    EXPECT_EQ(menu.value("topic", ""), "vehicles") << "the answer it has: " << menu.dump();
    EXPECT_TRUE(has_button(menu, "answer:vehicles.used_car")) << menu.dump();
    json notice = next_bot(r);
    EXPECT_NE(notice.value("text", "").find("jutro 10:00"), std::string::npos) << "says when: " << notice.dump();
    EXPECT_TRUE(has_button(notice, "leave_message")) << notice.dump();
    EXPECT_EQ(contact(boss, r.chat_id).value("state", ""), "bot");

    ASSERT_TRUE(r.sock->send({{"type", "button"}, {"value", "leave_message"}}));
    auto q = r.sock->wait_type("queue", 5s);
    ASSERT_TRUE(q.has_value()) << "the message does not wait in line";
    EXPECT_EQ(q->value("position", 0), 1) << q->dump();
    resident_says_ok(r, "Proszę o kontakt w sprawie rejestracji auta z Niemiec.", "r-2");
    json ct = contact(boss, r.chat_id);
    EXPECT_EQ(ct.value("state", ""), "waiting") << ct.dump();
    EXPECT_EQ(ct.value("queue", ""), "vehicles") << ct.dump();
    EXPECT_TRUE(ct["left_message_at"].is_string()) << ct.dump();

    // The resident leaves; the message is not abandoned, not even across a restart.
    r.sock->close();
    std::this_thread::sleep_for(6500ms);
    EXPECT_EQ(contact(boss, r.chat_id).value("state", ""), "waiting") << "a left message was abandoned";
    crash_and_restart();
    boss = must_login("kierownik");
    std::this_thread::sleep_for(6000ms);
    ct = contact(boss, r.chat_id);
    EXPECT_EQ(ct.value("state", ""), "waiting") << ct.dump();
    EXPECT_EQ(ct.value("position", 0), 1) << ct.dump();
}

// The knowledge base as the repository ships it, changed in one answer.
std::string edited_knowledge(const std::string& marker) {
    json kb = json::parse(read_file((source_dir() / "config" / "knowledge.json").string()));
    for (auto& t : kb["topics"])
        if (t["id"] == "waste")
            for (auto& a : t["answers"])
                if (a["id"] == "schedule") a["text"]["pl"] = marker + " " + a["text"]["pl"].get<std::string>();
    return kb.dump(1);
}

TEST_F(BotChatTest, KnowledgeBaseIsValidatedVersionedSwappedAndKeptAcrossARestart) {
    Login admin = must_login("admin");
    Login boss = must_login("kierownik");
    Login anna = must_login("anna");
    const Header json_type{"Content-Type", "application/json"};

    auto v1 = http->get("/api/v1/bot/knowledge", {bearer(admin.token)});
    ASSERT_EQ(v1.status, 200) << v1;
    EXPECT_EQ(v1.header("X-Knowledge-Version").value_or(""), "1");
    EXPECT_EQ(v1.header("ETag").value_or(""), "\"1\"");
    ASSERT_TRUE(v1.json().contains("topics")) << "the knowledge base as JSON";

    // Who may do what.
    EXPECT_EQ(http->get("/api/v1/bot/knowledge", {bearer(boss.token)}).status, 403);
    EXPECT_EQ(http->request("PUT", "/api/v1/bot/knowledge", v1.body, {bearer(boss.token), json_type}).status, 403);
    EXPECT_EQ(http->request("PUT", "/api/v1/bot/knowledge", v1.body, {bearer(anna.token), json_type}).status, 403);
    EXPECT_EQ(http->post("/api/v1/bot/ask", {{"text", "blachy"}}, {bearer(anna.token)}).status, 403);
    EXPECT_EQ(http->post("/api/v1/bot/ask", {{"text", "blachy"}}, {}).status, 401);

    // The supervisor's test: the answer a resident would get.
    auto ask = http->post("/api/v1/bot/ask", {{"text", "harmonogram odbioru śmieci"}, {"lang", "pl"}}, {bearer(boss.token)});
    ASSERT_EQ(ask.status, 200) << ask;
    EXPECT_EQ(ask.json().value("topic", ""), "waste") << ask;
    EXPECT_TRUE(ask.json()["confidence"].is_number()) << ask;
    EXPECT_TRUE(ask.json()["reply"]["text"].is_string()) << ask;
    EXPECT_TRUE(ask.json()["reply"]["buttons"].is_array()) << ask;
    EXPECT_EQ(http->post("/api/v1/bot/ask", {{"text", ""}}, {bearer(boss.token)}).status, 400);
    EXPECT_EQ(http->post("/api/v1/bot/ask", {{"text", "x"}, {"lang", "de"}}, {bearer(boss.token)}).status, 400);
    EXPECT_EQ(http->post("/api/v1/bot/ask", {{"text", "x"}, {"extra", 1}}, {bearer(boss.token)}).status, 400);

    // Broken knowledge bases are refused with a clear error; nothing changes.
    auto syntax = http->request("PUT", "/api/v1/bot/knowledge", "{\"topics\": [", {bearer(admin.token), json_type});
    EXPECT_EQ(syntax.status, 400) << syntax;
    EXPECT_EQ(error_code(syntax), "knowledge_syntax");
    json broken = v1.json();
    broken["topics"][0]["answers"][0]["text"].erase("uk");
    auto invalid = http->request("PUT", "/api/v1/bot/knowledge", broken.dump(), {bearer(admin.token), json_type});
    EXPECT_EQ(invalid.status, 400) << invalid;
    EXPECT_EQ(error_code(invalid), "knowledge_invalid");
    EXPECT_NE(invalid.json()["error"].value("message", "").find("topics[0].answers[0].text.uk"), std::string::npos) << invalid;
    EXPECT_EQ(http->request("PUT", "/api/v1/bot/knowledge", v1.body, {bearer(admin.token)}).status, 415);
    auto still = http->get("/api/v1/bot/knowledge", {bearer(admin.token)});
    EXPECT_EQ(still.header("X-Knowledge-Version").value_or(""), "1");
    EXPECT_EQ(still.body, v1.body);

    // A valid change: version 2, live at once, with who changed what.
    const std::string marker = "ZMIANA-TESTOWA-2";
    auto put = http->request("PUT", "/api/v1/bot/knowledge", edited_knowledge(marker),
                             {bearer(admin.token), json_type, {"If-Match", "\"1\""}});
    ASSERT_EQ(put.status, 200) << put;
    EXPECT_EQ(put.json().value("version", 0), 2) << put;
    EXPECT_EQ(put.json()["changes"]["changed"], json::array({"waste.schedule"})) << put;
    auto asked = http->post("/api/v1/bot/ask", {{"text", "harmonogram odbioru śmieci"}}, {bearer(boss.token)});
    EXPECT_NE(asked.json()["reply"].value("text", "").find(marker), std::string::npos) << asked;
    auto stale = http->request("PUT", "/api/v1/bot/knowledge", v1.body, {bearer(admin.token), json_type, {"If-Match", "\"1\""}});
    EXPECT_EQ(stale.status, 409) << stale;

    auto versions = http->get("/api/v1/bot/knowledge/versions", {bearer(admin.token)});
    ASSERT_EQ(versions.status, 200) << versions;
    const json items = versions.json()["items"];
    ASSERT_EQ(items.size(), 2u) << versions;
    EXPECT_EQ(items[0].value("version", 0), 2);
    EXPECT_EQ(items[0]["author"].value("username", ""), "admin") << versions;
    EXPECT_TRUE(items[0].value("current", false));
    EXPECT_EQ(items[1].value("source", ""), "config") << versions;
    auto old = http->get("/api/v1/bot/knowledge/versions/1", {bearer(admin.token)});
    EXPECT_EQ(old.status, 200);
    EXPECT_EQ(old.body, v1.body);
    EXPECT_EQ(http->get("/api/v1/bot/knowledge/versions/99", {bearer(admin.token)}).status, 404);
    auto audit = http->get("/api/v1/audit", {bearer(admin.token)});
    EXPECT_NE(audit.body.find("bot_knowledge_changed"), std::string::npos) << audit;

    // Residents get the new answer, and it survives a restart.
    crash_and_restart();
    admin = must_login("admin");
    auto after = http->get("/api/v1/bot/knowledge", {bearer(admin.token)});
    EXPECT_EQ(after.header("X-Knowledge-Version").value_or(""), "2");
    EXPECT_NE(after.body.find(marker), std::string::npos);
    Resident r = create_chat("Po Restarcie", "pl");
    connect_resident(r);
    ASSERT_TRUE(r.sock->send({{"type", "button"}, {"value", "answer:waste.schedule"}}));
    EXPECT_NE(next_bot(r).value("text", "").find(marker), std::string::npos);
}

}  // namespace
}  // namespace centrala::testing::chat
