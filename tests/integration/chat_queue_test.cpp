// Chats in line through the real server: capacity and first-come-first-served,
// and durability of acked messages and waiting chats across `kill -9`.
#include "chat_common.hpp"

namespace centrala::testing::chat {
namespace {

using ChatQueueTest = ChatTest;

TEST_F(ChatQueueTest, OneChatAtATimeInArrivalOrderForCapacityOne) {
    Login admin = must_login("admin");
    Agent anna = agent("anna");
    auto cap = http->patch("/api/v1/users/" + anna.id, {{"capacity", {{"chat", 1}}}}, {bearer(admin.token)});
    ASSERT_EQ(cap.status, 200) << cap;
    EXPECT_EQ(cap.json()["capacity"].value("chat", 0), 1) << cap;
    open_agent_socket(anna);

    Resident a = create_chat("Pierwsza Osoba");
    Resident b = create_chat("Druga Osoba");
    Resident c = create_chat("Trzecia Osoba");
    for (Resident* r : {&a, &b, &c}) connect_resident(*r);
    // Handed off in order; each is told its place.
    // (Three ways to ask for a person: the frame, the bot's button, REST.)
    EXPECT_EQ(handoff(a, Ask::frame).value("position", 0), 1);
    EXPECT_EQ(handoff(b, Ask::button).value("position", 0), 2);
    EXPECT_EQ(handoff(c, Ask::rest).value("position", 0), 3);
    ASSERT_FALSE(HasFailure());

    set_state(anna, "available");
    auto is_offer = [](const json& j) { return j.value("type", "") == "offer"; };
    auto first = anna.sock->wait(is_offer, 5s);
    ASSERT_TRUE(first.has_value()) << "no offer for an available consultant with three chats waiting";
    EXPECT_EQ((*first)["contact"].value("id", ""), a.chat_id) << "the first to come is offered first: " << first->dump();
    accept(anna, *first);
    // At capacity: nothing more is offered while the first chat is open ...
    EXPECT_FALSE(anna.sock->wait(is_offer, 1500ms).has_value()) << "an offer beyond the chat capacity of 1";
    // ... and the others move up.
    EXPECT_TRUE(b.sock->wait([](const json& j) { return j.value("type", "") == "queue" && j.value("position", 0) == 1; }, 3s))
        << "the second resident was not told they are now first";
    EXPECT_TRUE(c.sock->wait([](const json& j) { return j.value("type", "") == "queue" && j.value("position", 0) == 2; }, 3s))
        << "the third resident was not told they are now second";

    ASSERT_EQ(http->post("/api/v1/contacts/" + a.chat_id + "/close", {{"disposition", "other"}}, {anna.auth()}).status, 200);
    auto second = anna.sock->wait(is_offer, 5s);
    ASSERT_TRUE(second.has_value()) << "no offer after the first chat closed";
    EXPECT_EQ((*second)["contact"].value("id", ""), b.chat_id) << second->dump();
    accept(anna, *second);
    EXPECT_FALSE(anna.sock->wait(is_offer, 1500ms).has_value()) << "an offer beyond the chat capacity of 1";
    EXPECT_TRUE(c.sock->wait([](const json& j) { return j.value("type", "") == "queue" && j.value("position", 0) == 1; }, 3s));

    ASSERT_EQ(http->post("/api/v1/contacts/" + b.chat_id + "/close", {{"disposition", "other"}}, {anna.auth()}).status, 200);
    auto third = anna.sock->wait(is_offer, 5s);
    ASSERT_TRUE(third.has_value()) << "no offer after the second chat closed";
    EXPECT_EQ((*third)["contact"].value("id", ""), c.chat_id) << third->dump();
    accept(anna, *third);
    EXPECT_TRUE(c.sock->wait_type("agent_joined", 3s).has_value());
}

TEST_F(ChatQueueTest, AckedMessagesAndWaitingChatsSurviveKillMinus9) {
    Login boss = must_login("kierownik");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");

    // One active chat, with a burst of messages both ways in flight.
    Resident act = create_chat("Aktywna Rozmowa");
    connect_resident(act);
    handoff(act);
    serve(anna, act);
    ASSERT_FALSE(HasFailure());
    // Anna takes a break so the next two chats wait.
    set_state(anna, "break");
    Resident w1 = create_chat("Czeka Pierwszy");
    Resident w2 = create_chat("Czeka Drugi");
    connect_resident(w1);
    connect_resident(w2);
    EXPECT_EQ(handoff(w1).value("position", 0), 1);
    EXPECT_EQ(handoff(w2).value("position", 0), 2);
    const json w1_before = contact(boss, w1.chat_id);
    const json w2_before = contact(boss, w2.chat_id);
    ASSERT_EQ(w1_before.value("state", ""), "waiting") << w1_before.dump();
    ASSERT_TRUE(w1_before["enqueued_at"].is_string()) << w1_before.dump();
    ASSERT_TRUE(w2_before["enqueued_at"].is_string()) << w2_before.dump();

    // A second of waiting before the crash, so the original wait is measurable after it.
    std::this_thread::sleep_for(1100ms);
    // Fire without waiting, then collect every ack.
    std::map<std::string, std::string> sent;  // client_msg_id -> text
    for (int i = 0; i < 12; ++i) {
        const std::string id = "res-" + std::to_string(i), text = "Wiadomość mieszkańca nr " + std::to_string(i) + " — żółw";
        sent[id] = text;
        ASSERT_TRUE(act.sock->send({{"type", "message"}, {"text", text}, {"client_msg_id", id}}));
    }
    for (int i = 0; i < 6; ++i) {
        const std::string id = "ag-" + std::to_string(i), text = "Odpowiedź konsultantki nr " + std::to_string(i);
        sent[id] = text;
        ASSERT_TRUE(anna.sock->send({{"type", "message"}, {"contact_id", act.chat_id}, {"text", text}, {"client_msg_id", id}}));
    }
    for (int i = 0; i < 3; ++i) {
        const std::string id = "w1-" + std::to_string(i), text = "Czekam i piszę " + std::to_string(i);
        sent[id] = text;
        ASSERT_TRUE(w1.sock->send({{"type", "message"}, {"text", text}, {"client_msg_id", id}}));
    }
    std::map<std::string, int64_t> acked;  // client_msg_id -> id
    for (const auto& [cmid, text] : sent) {
        Socket& s = cmid.rfind("res-", 0) == 0 ? *act.sock : cmid.rfind("ag-", 0) == 0 ? *anna.sock : *w1.sock;
        auto ack = s.wait_answer(cmid, 5s);
        ASSERT_TRUE(ack.has_value()) << "no answer for " << cmid;
        ASSERT_EQ(ack->value("type", ""), "ack") << ack->dump();
        acked[cmid] = num((*ack)["id"]);
    }
    // Kill at once: no graceful shutdown, nothing flushed on the way out.
    crash_and_restart();
    ASSERT_FALSE(HasFailure());

    // Every acked message is there, with its text, under its id.
    auto by_id = [](const json& items) {
        std::map<int64_t, std::string> m;
        for (const auto& it : items) m[num(it["id"])] = it.value("text", "");
        return m;
    };
    const auto act_msgs = by_id(staff_messages(boss, act.chat_id));
    const auto w1_msgs = by_id(staff_messages(boss, w1.chat_id));
    for (const auto& [cmid, id] : acked) {
        const auto& msgs = cmid.rfind("w1-", 0) == 0 ? w1_msgs : act_msgs;
        auto it = msgs.find(id);
        if (it == msgs.end()) {
            ADD_FAILURE() << "acked message " << cmid << " (id " << id << ") lost in the crash";
            continue;
        }
        EXPECT_EQ(it->second, sent[cmid]) << cmid;
    }

    // The waiting chats still wait, in their queue, with their original enqueue time.
    for (const auto* before : {&w1_before, &w2_before}) {
        json now = contact(boss, (*before)["id"].get<std::string>());
        EXPECT_EQ(now.value("state", ""), "waiting") << now.dump();
        EXPECT_EQ(now.value("queue", ""), before->value("queue", "?")) << now.dump();
        EXPECT_EQ(now["enqueued_at"], (*before)["enqueued_at"]) << "the enqueue time changed across the restart";
    }
    // The active chat is still the consultant's.
    json act_now = contact(boss, act.chat_id);
    EXPECT_EQ(act_now.value("state", ""), "active") << act_now.dump();
    EXPECT_EQ(act_now["agents"], json::array({anna.id})) << act_now.dump();

    // A resident coming back sees the wait and the place in line.
    const int64_t w1_last = std::max({acked["w1-0"], acked["w1-1"], acked["w1-2"]});
    json hello = connect_resident(w1);
    EXPECT_EQ(hello.value("state", ""), "waiting") << hello.dump();
    EXPECT_EQ(num(hello.value("last_message_id", json("0"))), w1_last) << hello.dump();
    auto pos = w1.sock->wait_type("queue", 3s);
    ASSERT_TRUE(pos.has_value()) << "no queue frame for a waiting resident after the restart";
    EXPECT_EQ(pos->value("position", 0), 1) << pos->dump();

    // The consultant (session kept) goes available: the older waiting chat is offered first.
    open_agent_socket(anna);
    set_state(anna, "available");
    auto offer = anna.sock->wait([](const json& j) { return j.value("type", "") == "offer"; }, 5s);
    ASSERT_TRUE(offer.has_value()) << "chats waiting before the crash were not offered after it";
    EXPECT_EQ((*offer)["contact"].value("id", ""), w1.chat_id) << "not the one waiting longest: " << offer->dump();
    EXPECT_GE((*offer)["contact"].value("waited_seconds", -1), 1)
        << "the wait counts from the original enqueue time, before the crash: " << offer->dump();
    accept(anna, *offer);
    EXPECT_TRUE(w1.sock->wait_type("agent_joined", 3s).has_value());
    // The restored active chat still works for both sides.
    connect_resident(act);
    const int64_t after = agent_says_ok(anna, act.chat_id, "Wróciłam po awarii serwera.", "after-crash");
    EXPECT_GT(after, 0);
    EXPECT_TRUE(act.sock->wait([&](const json& j) { return j.value("type", "") == "message" && num(j.value("id", json("0"))) == after; }));
}

class ChatOfferTimeoutTest : public ChatTest {
protected:
    void configure(json& config) override {
        ChatTest::configure(config);
        for (auto& q : config["queues"]) q["offer_timeout_seconds"] = 5;
        config["routing"]["missed_offers_to_break"] = 1;
    }
};

TEST_F(ChatOfferTimeoutTest, ALapsedOfferGoesToTheNextConsultantAndTheChatKeepsItsPlace) {
    Login admin = must_login("admin");
    create_agent(admin, "ewa", "Ewa Nowicka");
    Agent ewa = agent("ewa");
    Agent anna = agent("anna");
    open_agent_socket(ewa);
    open_agent_socket(anna);
    set_state(ewa, "available");

    Resident r = create_chat("Cierpliwa Osoba");
    connect_resident(r);
    EXPECT_EQ(handoff(r).value("position", 0), 1);
    json offer = wait_offer(ewa, r.chat_id);
    ASSERT_FALSE(offer.is_null());
    EXPECT_EQ(offer.value("expires_in", 0), 5) << offer.dump();
    // Anna becomes free while the offer is out to Ewa: it stays Ewa's until it lapses.
    set_state(anna, "available");
    EXPECT_FALSE(anna.sock->wait_type("offer", 2s).has_value()) << "offered to two consultants at once";

    // Ewa lets it lapse: revoked, she is put on a break ("missed"), Anna gets it.
    auto revoked = ewa.sock->wait_type("offer_revoked", 6s);
    ASSERT_TRUE(revoked.has_value()) << "the offer did not lapse after 5 s";
    EXPECT_EQ(revoked->value("offer_id", ""), offer.value("offer_id", "?")) << revoked->dump();
    EXPECT_EQ(revoked->value("reason", ""), "timeout") << revoked->dump();
    auto st = ewa.sock->wait([](const json& j) { return j.value("type", "") == "state" && j.value("state", "") == "break"; }, 2s);
    EXPECT_TRUE(st.has_value()) << "Ewa's socket was not told she was put on a break";
    if (st) {
        EXPECT_EQ(st->value("reason", ""), "missed") << st->dump();
    }
    auto me = http->get("/api/v1/me", {ewa.auth()}).json();
    EXPECT_EQ(me.value("state", ""), "break") << me.dump();
    EXPECT_EQ(me.value("state_reason", ""), "missed") << me.dump();
    auto late = http->post("/api/v1/offers/" + offer.value("offer_id", "0") + "/accept", json::object(), {ewa.auth()});
    EXPECT_TRUE(late.status == 404 || late.status == 409) << "accepting a lapsed offer: " << late;

    json second = wait_offer(anna, r.chat_id, 3s);
    ASSERT_FALSE(second.is_null());
    EXPECT_NE(second.value("offer_id", ""), offer.value("offer_id", "")) << second.dump();
    // The resident never left the head of the line and was not told anyone joined.
    EXPECT_TRUE(r.sock->seen([](const json& j) { return j.value("type", "") == "agent_joined"; }).empty());
    for (const auto& q : r.sock->seen([](const json& j) { return j.value("type", "") == "queue"; }))
        EXPECT_EQ(q.value("position", 0), 1) << q.dump();
    accept(anna, second);
    auto joined = r.sock->wait_type("agent_joined", 3s);
    ASSERT_TRUE(joined.has_value());
    EXPECT_EQ(joined->value("name", ""), "Anna Nowak");
}

}  // namespace
}  // namespace centrala::testing::chat
