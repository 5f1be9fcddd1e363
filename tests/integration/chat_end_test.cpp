// The resident ends the chat (frame `end` on /ws/chat, REST
// POST /api/v1/public/chats/{id}/end): with the advisor it is closed, waiting
// it is abandoned (and counted so), served it is closed as by the consultant,
// who is told and still gives it its topic. Idempotent as a 409, refused with
// a wrong token, and kept across a restart.
#include "chat_common.hpp"

#include "centrala/domain/calendar.hpp"

namespace centrala::testing::chat {
namespace {

const std::string kResidentEnded = "Mieszkaniec zakończył rozmowę.";

class ChatEndTest : public ChatTest {
protected:
    void SetUp() override {
        env.add_user("piotr", "agent", kPassword, "Piotr Wiśniewski");
        ChatTest::SetUp();
    }
    void configure(json& config) override {
        ChatTest::configure(config);
        // A wrap-up long enough to be seen; a grace period long enough not to interfere.
        for (auto& q : config["queues"]) q["wrap_up_seconds"] = 60;
        config["chat"]["abandon_grace_seconds"] = 300;
    }

    HttpResponse end_rest(const Resident& r) { return http->post(r.path("/end"), json::object(), {r.header()}); }

    // The report's row for a queue once it shows `abandoned` (events reach the disk a few times a second).
    json report_row_when(const Login& who, const std::string& qid, int64_t abandoned) {
        json row = json::object();
        for (int i = 0; i < 40; ++i) {
            auto r = http->get("/api/v1/reports/summary?group_by=queue", {bearer(who.token)});
            EXPECT_EQ(r.status, 200) << r;
            const json body = r.json();
            for (const auto& item : body["items"])
                if (item.value("queue", "") == qid) row = item;
            if (row.value("abandoned", int64_t(-1)) == abandoned) break;
            std::this_thread::sleep_for(100ms);
        }
        return row;
    }
    // A new message is refused on the socket and over REST.
    void messages_refused(Resident& r, const std::string& cmid) {
        json a = resident_says(r, "Jeszcze jedno pytanie", cmid);
        EXPECT_EQ(a.value("type", ""), "error") << a.dump();
        EXPECT_EQ(a.value("code", ""), "chat_closed") << a.dump();
        auto rest = http->post(r.path("/messages"), {{"text", "Jeszcze jedno pytanie"}, {"client_msg_id", cmid + "-rest"}},
                               {r.header()});
        EXPECT_EQ(rest.status, 409) << rest;
        EXPECT_EQ(error_code(rest), "chat_closed");
    }
};

TEST_F(ChatEndTest, EndedWithTheAdvisorTheChatIsClosedOnceAndTakesNoMoreMessages) {
    Login boss = must_login("kierownik");
    Resident r = create_chat("Jan Kowalski");
    connect_resident(r);
    resident_says_ok(r, "Dziękuję, to wszystko", "r-1");

    ASSERT_TRUE(r.sock->send({{"type", "end"}, {"client_msg_id", "end-1"}}));
    auto ack = r.sock->wait_answer("end-1");
    ASSERT_TRUE(ack.has_value());
    EXPECT_EQ(ack->value("type", ""), "ack") << ack->dump();
    EXPECT_EQ(ack->value("kind", ""), "end") << ack->dump();
    EXPECT_TRUE(r.sock->wait_type("closed").has_value()) << "the resident is not told the chat is closed";
    EXPECT_TRUE(r.sock->wait_type("rating_request").has_value()) << "no rating form after the end";

    json ct = contact(boss, r.chat_id);
    EXPECT_EQ(ct.value("state", ""), "closed") << ct.dump();
    EXPECT_TRUE(ct["closed_at"].is_string()) << ct.dump();

    // Idempotent as a conflict, on the socket and over REST.
    ASSERT_TRUE(r.sock->send({{"type", "end"}, {"client_msg_id", "end-2"}}));
    auto again = r.sock->wait_answer("end-2");
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->value("type", ""), "error") << again->dump();
    EXPECT_EQ(again->value("code", ""), "chat_closed") << again->dump();
    auto rest = end_rest(r);
    EXPECT_EQ(rest.status, 409) << rest;
    EXPECT_EQ(error_code(rest), "chat_closed");

    messages_refused(r, "r-2");
    // The advisor stays quiet, and the closing notice is in the transcript.
    r.sock->drain(500ms);
    EXPECT_FALSE(frames_mention(*r.sock, "Jeszcze jedno pytanie")) << "a refused message was delivered";
    EXPECT_TRUE(any_text(public_messages(r), "Rozmowa została zakończona. Dziękujemy! Prosimy o ocenę rozmowy."))
        << public_messages(r).dump();
    // A rating is still welcome.
    auto rated = http->post(r.path("/rating"), {{"score", 5}}, {r.header()});
    EXPECT_EQ(rated.status, 201) << rated;
    // A new connection hears that it is closed.
    EXPECT_EQ(connect_resident(r).value("state", ""), "closed");
}

TEST_F(ChatEndTest, EndedWhileWaitingTheChatLeavesTheQueueAndIsCountedAsAbandoned) {
    Login boss = must_login("kierownik");
    Resident r = create_chat("Ewa Nowak");
    connect_resident(r);
    // Nobody is available: the chat waits.
    EXPECT_EQ(handoff(r).value("position", 0), 1);
    const std::string queue = contact(boss, r.chat_id).value("queue", "");
    ASSERT_FALSE(queue.empty());
    EXPECT_EQ(queue_of(live(boss), queue).value("waiting", -1), 1);

    auto res = end_rest(r);
    ASSERT_EQ(res.status, 200) << res;
    EXPECT_EQ(res.json().value("chat_id", ""), r.chat_id) << res;
    EXPECT_EQ(res.json().value("state", ""), "closed") << res;
    EXPECT_TRUE(r.sock->wait_type("closed").has_value()) << "the resident's socket is not told";

    // Stored as abandoned before the answer.
    EXPECT_EQ(contact(boss, r.chat_id).value("state", ""), "abandoned");
    json q = queue_of(live(boss), queue);
    EXPECT_EQ(q.value("waiting", -1), 0) << q.dump();
    EXPECT_EQ(q.value("abandoned_today", -1), 1) << q.dump();
    EXPECT_EQ(q.value("answered_today", -1), 0) << q.dump();
    // It waited well under 10 s: also in the "abandoned within 10 s" split of the report.
    json row = report_row_when(boss, queue, 1);
    EXPECT_EQ(row.value("abandoned", int64_t(-1)), 1) << row.dump();
    EXPECT_EQ(row.value("abandoned_short", int64_t(-1)), 1) << row.dump();

    // A consultant who comes now gets no offer for it.
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    anna.sock->drain(1500ms);
    EXPECT_TRUE(anna.sock->seen([](const json& j) { return j.value("type", "") == "offer"; }).empty())
        << "an ended chat was offered";

    EXPECT_EQ(end_rest(r).status, 409);
    messages_refused(r, "r-1");
}

TEST_F(ChatEndTest, EndedWhileServedTheConsultantIsToldGoesToWrapUpAndStillGivesTheTopic) {
    Login boss = must_login("kierownik");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    Resident r = create_chat("Jan Kowalski");
    connect_resident(r);
    handoff(r);
    serve(anna, r);
    resident_says_ok(r, "Dziękuję za pomoc", "r-1");
    agent_says_ok(anna, r.chat_id, "Proszę bardzo", "a-1");

    ASSERT_TRUE(r.sock->send({{"type", "end"}}));
    EXPECT_TRUE(r.sock->wait_type("closed").has_value());
    EXPECT_TRUE(r.sock->wait_type("rating_request").has_value());

    // The consultant reads why, then the contact closes for her.
    auto note = anna.sock->wait([&](const json& j) {
        return j.value("type", "") == "message" && j.value("contact_id", "") == r.chat_id &&
               j["message"].value("text", "") == kResidentEnded;
    });
    ASSERT_TRUE(note.has_value()) << "the consultant is not told the resident ended the chat";
    EXPECT_EQ((*note)["message"]["author"].value("kind", ""), "system") << note->dump();
    auto closed = anna.sock->wait([&](const json& j) {
        return j.value("type", "") == "contact_closed" && j.value("contact_id", "") == r.chat_id;
    });
    ASSERT_TRUE(closed.has_value()) << "no contact_closed for the consultant";
    EXPECT_EQ(closed->value("reason", ""), "resident_ended") << closed->dump();
    // The note is the consultant's: it is not in the resident's transcript.
    r.sock->drain(300ms);
    EXPECT_FALSE(any_text(public_messages(r), kResidentEnded));
    EXPECT_TRUE(any_text(staff_messages(anna.login, r.chat_id), kResidentEnded));

    // Wrap-up, as after her own close.
    auto me = http->get("/api/v1/me", {anna.auth()});
    EXPECT_EQ(me.json().value("state", ""), "wrap_up") << me;
    json ct = contact(boss, r.chat_id);
    EXPECT_EQ(ct.value("state", ""), "closed") << ct.dump();
    EXPECT_TRUE(ct["disposition"].is_null()) << ct.dump();
    json q = queue_of(live(boss), ct.value("queue", ""));
    EXPECT_EQ(q.value("answered_today", -1), 1) << q.dump();
    EXPECT_EQ(q.value("abandoned_today", -1), 0) << q.dump();

    // She gives it its topic afterwards; once. Another consultant may not.
    Agent piotr = agent("piotr");
    auto other = http->post("/api/v1/contacts/" + r.chat_id + "/close", {{"disposition", "taxes"}}, {piotr.auth()});
    EXPECT_EQ(other.status, 404) << other;
    auto topic = http->post("/api/v1/contacts/" + r.chat_id + "/close",
                            {{"disposition", "vehicles"}, {"note", "Mieszkaniec podziękował"}}, {anna.auth()});
    ASSERT_EQ(topic.status, 200) << topic;
    ct = contact(boss, r.chat_id);
    EXPECT_EQ(ct.value("disposition", ""), "vehicles") << ct.dump();
    auto twice = http->post("/api/v1/contacts/" + r.chat_id + "/close", {{"disposition", "taxes"}}, {anna.auth()});
    EXPECT_EQ(twice.status, 409) << twice;
    EXPECT_EQ(contact(boss, r.chat_id).value("disposition", ""), "vehicles");

    EXPECT_EQ(end_rest(r).status, 409);
    messages_refused(r, "r-2");
    auto late = agent_says(anna, r.chat_id, "Halo?", "a-2");
    EXPECT_EQ(late.value("type", ""), "error") << late.dump();
}

TEST_F(ChatEndTest, AnEndedChatStaysEndedAfterARestart) {
    Login boss = must_login("kierownik");
    Resident waiting = create_chat("Ewa Nowak");
    connect_resident(waiting);
    handoff(waiting);
    Resident with_bot = create_chat("Jan Kowalski");
    connect_resident(with_bot);
    ASSERT_EQ(end_rest(waiting).status, 200);
    ASSERT_EQ(end_rest(with_bot).status, 200);
    const std::string queue = contact(boss, waiting.chat_id).value("queue", "");

    crash_and_restart();
    boss = must_login("kierownik");
    EXPECT_EQ(contact(boss, waiting.chat_id).value("state", ""), "abandoned");
    EXPECT_EQ(contact(boss, with_bot.chat_id).value("state", ""), "closed");
    EXPECT_EQ(queue_of(live(boss), queue).value("waiting", -1), 0) << "an ended chat came back into the queue";
    EXPECT_EQ(connect_resident(waiting).value("state", ""), "closed");
    EXPECT_EQ(connect_resident(with_bot).value("state", ""), "closed");
    messages_refused(waiting, "w-1");
    EXPECT_EQ(end_rest(with_bot).status, 409);
}

TEST_F(ChatEndTest, OnlyTheResidentsOwnTokenEndsTheChat) {
    Login boss = must_login("kierownik");
    Resident r = create_chat("Jan Kowalski");
    Resident other = create_chat("Ktoś Inny");
    auto post = [&](const std::string& path, const Headers& h) { return http->post(path, json::object(), h); };
    auto no_token = post(r.path("/end"), {});
    EXPECT_EQ(no_token.status, 404) << no_token;
    EXPECT_EQ(error_code(no_token), "chat_not_found");
    auto wrong = post(r.path("/end"), {{"X-Visitor-Token", "abcdefghijklmnopqrstuvwxyz0123456789"}});
    EXPECT_EQ(wrong.status, 404) << wrong;
    auto someone_elses = post(r.path("/end"), {other.header()});
    EXPECT_EQ(someone_elses.status, 404) << someone_elses;
    EXPECT_EQ(post("/api/v1/public/chats/abc/end", {r.header()}).status, 404);
    EXPECT_EQ(post("/api/v1/public/chats/" + r.chat_id + "/end", {{"X-Visitor-Token", std::string(200, 'a')}}).status, 404);
    // Nothing ended.
    EXPECT_EQ(contact(boss, r.chat_id).value("state", ""), "bot");
    EXPECT_EQ(contact(boss, other.chat_id).value("state", ""), "bot");
    connect_resident(r);
    resident_says_ok(r, "Nadal tu jestem", "r-1");
}

// Outside opening hours a resident may leave a message that waits; ending
// the chat takes it out of the queue.
class ChatEndAfterHoursTest : public ChatTest {
protected:
    void configure(json& config) override {
        ChatTest::configure(config);
        only_report_services(config);
        open_only_tomorrow(config);
    }
};

TEST_F(ChatEndAfterHoursTest, AMessageLeftOutsideOpeningHoursLeavesTheQueueWhenTheResidentEndsTheChat) {
    Login boss = must_login("kierownik");
    Resident r = create_chat("Nocny Marek");
    connect_resident(r);
    ASSERT_TRUE(r.sock->send({{"type", "button"}, {"value", "leave_message"}}));
    ASSERT_TRUE(r.sock->wait_type("queue").has_value()) << "the message does not wait in line";
    json ct = contact(boss, r.chat_id);
    ASSERT_TRUE(ct["left_message_at"].is_string()) << ct.dump();
    const std::string queue = ct.value("queue", "");
    EXPECT_EQ(ct.value("position", 0), 1) << ct.dump();

    auto res = http->post(r.path("/end"), json::object(), {r.header()});
    ASSERT_EQ(res.status, 200) << res;
    EXPECT_TRUE(r.sock->wait_type("closed").has_value());
    ct = contact(boss, r.chat_id);
    EXPECT_EQ(ct.value("state", ""), "abandoned") << ct.dump();
    EXPECT_FALSE(ct.contains("position")) << ct.dump();
    auto stats = http->get("/api/v1/stats/live", {bearer(boss.token)}).json();
    for (const auto& q : stats["queues"]) {
        if (q["id"] == queue) {
            EXPECT_EQ(q.value("waiting", -1), 0) << q.dump();
        }
    }
}

}  // namespace
}  // namespace centrala::testing::chat
