// Chats in line through the real server: capacity and first-come-first-served,
// and durability of acked messages and waiting chats across `kill -9`.
#include <set>

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

    // Supervisors see the line: all three waiting in `general`, a page at a time.
    Login boss = must_login("kierownik");
    auto page1 = http->get("/api/v1/contacts?state=waiting&queue=general&limit=2", {bearer(boss.token)});
    ASSERT_EQ(page1.status, 200) << page1;
    const json p1 = page1.json();
    ASSERT_EQ(p1.value("items", json::array()).size(), 2u) << page1;
    ASSERT_TRUE(p1["next"].is_string()) << page1;
    auto page2 = http->get("/api/v1/contacts?state=waiting&queue=general&limit=2&cursor=" + p1["next"].get<std::string>(),
                           {bearer(boss.token)});
    ASSERT_EQ(page2.status, 200) << page2;
    const json p2 = page2.json();
    EXPECT_TRUE(p2["next"].is_null()) << page2;
    std::set<std::string> listed;
    for (const json* page : {&p1, &p2})
        for (const auto& c : page->value("items", json::array())) {
            listed.insert(c.value("id", ""));
            EXPECT_EQ(c.value("state", ""), "waiting") << c.dump();
        }
    EXPECT_EQ(listed, (std::set<std::string>{a.chat_id, b.chat_id, c.chat_id})) << page1 << page2;
    EXPECT_EQ(http->get("/api/v1/contacts?state=waiting&queue=vehicles", {bearer(boss.token)}).json()["items"].size(), 0u);

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

// Some queues closed (a schedule with no opening hours): refusals change nothing.
class ChatHoursTest : public ChatTest {
protected:
    void configure(json& config) override {
        ChatTest::configure(config);
        config["business_hours"]["never"] = {{"mon", json::array()}, {"tue", json::array()}, {"wed", json::array()},
                                             {"thu", json::array()}, {"fri", json::array()}, {"sat", json::array()},
                                             {"sun", json::array()}};
        for (auto& q : config["queues"])
            if (q["id"] == "vehicles" || q["id"] == "dept_komunikacja") q["hours"] = "never";
    }
};

TEST_F(ChatHoursTest, OutsideOpeningHoursAHandoffIsRefusedAndTheResidentStaysWithTheBot) {
    Login boss = must_login("kierownik");
    Resident r = create_chat("Po Godzinach", "pl", "vehicles");
    connect_resident(r);
    ASSERT_TRUE(r.sock->send({{"type", "handoff"}}));
    auto err = r.sock->wait_type("error", 3s);
    ASSERT_TRUE(err.has_value()) << "a refused handoff is not silent";
    EXPECT_EQ(err->value("code", ""), "queue_closed") << err->dump();
    auto told = r.sock->wait([](const json& j) { return j.value("type", "") == "message" && j["author"].value("kind", "") == "bot"; }, 3s);
    EXPECT_TRUE(told.has_value()) << "the resident is told that consultants are not available now";
    EXPECT_TRUE(r.sock->seen([](const json& j) { return j.value("type", "") == "queue"; }).empty()) << "a queue frame for a refused handoff";
    auto rest = http->post(r.path("/handoff"), json::object(), {r.header()});
    EXPECT_EQ(rest.status, 409) << rest;
    if (rest.status >= 400) {
        EXPECT_EQ(error_code(rest), "queue_closed");
    }
    json c = contact(boss, r.chat_id);
    EXPECT_EQ(c.value("state", ""), "bot") << c.dump();
    EXPECT_TRUE(c["enqueued_at"].is_null()) << c.dump();
    // The bot conversation carries on.
    EXPECT_GT(resident_says_ok(r, "To kiedy jesteście otwarci?", "r-1"), 0);
}

TEST_F(ChatHoursTest, ATransferToAClosedDepartmentIsRefusedAndTheChatStaysWithTheConsultant) {
    Login boss = must_login("kierownik");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    Resident r = create_chat("Nie Przekazuj");
    connect_resident(r);
    handoff(r);
    serve(anna, r);
    ASSERT_FALSE(HasFailure());
    auto queue_frames = [&] { return r.sock->seen([](const json& j) { return j.value("type", "") == "queue"; }).size(); };
    r.sock->drain(200ms);
    const size_t queue_frames_before = queue_frames();
    auto t = http->post("/api/v1/contacts/" + r.chat_id + "/transfer", {{"queue", "dept_komunikacja"}, {"note", "po godzinach"}},
                        {anna.auth()});
    EXPECT_EQ(t.status, 409) << t;
    if (t.status >= 400) {
        EXPECT_EQ(error_code(t), "queue_closed");
    }
    json c = contact(boss, r.chat_id);
    EXPECT_EQ(c.value("state", ""), "active") << c.dump();
    EXPECT_EQ(c["agents"], json::array({anna.id})) << c.dump();
    anna.sock->drain(300ms);
    EXPECT_TRUE(anna.sock->seen([](const json& j) { return j.value("type", "") == "contact_closed"; }).empty());
    r.sock->drain(200ms);
    EXPECT_EQ(queue_frames(), queue_frames_before) << "the resident was put back in line by a refused transfer";
    const int64_t still = agent_says_ok(anna, r.chat_id, "Wydział jest już zamknięty, pomogę sama.", "a-1");
    EXPECT_TRUE(r.sock->wait([&](const json& j) { return j.value("type", "") == "message" && num(j.value("id", json("0"))) == still; }));
}

// Short grace periods (the minimum, 5 s) for residents and consultants who leave.
class ChatLeavingTest : public ChatTest {
protected:
    void configure(json& config) override {
        ChatTest::configure(config);
        config["chat"]["abandon_grace_seconds"] = 5;
        config["chat"]["agent_return_grace_seconds"] = 5;
    }

    // Polls GET /api/v1/contacts/{id} until its state is not `from` (or the time is up).
    std::string state_after(const Login& who, const std::string& chat_id, const std::string& from,
                            std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::string state;
        do {
            state = contact(who, chat_id).value("state", "");
            if (state != from) break;
            std::this_thread::sleep_for(250ms);
        } while (std::chrono::steady_clock::now() < deadline);
        return state;
    }
};

TEST_F(ChatLeavingTest, AWaitingResidentWhoLeavesIsAbandonedAndOneWhoComesBackKeepsTheirPlace) {
    Login boss = must_login("kierownik");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    Resident gone = create_chat("Odchodzi");
    Resident back = create_chat("Wraca");
    connect_resident(gone);
    connect_resident(back);
    EXPECT_EQ(handoff(gone).value("position", 0), 1);
    EXPECT_EQ(handoff(back).value("position", 0), 2);
    const std::string back_enqueued = contact(boss, back.chat_id).value("enqueued_at", "");
    gone.sock->close();
    back.sock->close();
    std::this_thread::sleep_for(2s);
    json hello = connect_resident(back);  // within the grace period
    EXPECT_EQ(hello.value("state", ""), "waiting") << hello.dump();

    const std::string st = state_after(boss, gone.chat_id, "waiting", 8s);
    EXPECT_TRUE(st == "abandoned" || st == "closed") << "a resident gone for longer than the grace period: " << st;
    json kept = contact(boss, back.chat_id);
    EXPECT_EQ(kept.value("state", ""), "waiting") << "a resident who came back in time lost the place: " << kept.dump();
    EXPECT_EQ(kept.value("enqueued_at", ""), back_enqueued) << kept.dump();
    EXPECT_TRUE(back.sock->wait([](const json& j) { return j.value("type", "") == "queue" && j.value("position", 0) == 1; }, 3s))
        << "the remaining resident was not told they moved up";

    // The consultant is offered only the one still there.
    set_state(anna, "available");
    auto offer = anna.sock->wait([](const json& j) { return j.value("type", "") == "offer"; }, 5s);
    ASSERT_TRUE(offer.has_value());
    EXPECT_EQ((*offer)["contact"].value("id", ""), back.chat_id) << offer->dump();
    // The one who left cannot write into the abandoned chat.
    auto late = http->post(gone.path("/messages"), {{"text", "Jestem z powrotem"}, {"client_msg_id", "late"}}, {gone.header()});
    EXPECT_EQ(late.status, 409) << late;
}

TEST_F(ChatLeavingTest, AResidentWhoKeepsWritingOverRestIsNotTakenAsGone) {
    // Contract §6 offers REST equivalents of the socket (messages, handoff); a
    // resident using them is plainly still there.
    Login boss = must_login("kierownik");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    Resident r = create_chat("Tylko REST");
    auto h = http->post(r.path("/handoff"), json::object(), {r.header()});
    ASSERT_EQ(h.status, 200) << h;
    ASSERT_EQ(h.json().value("state", ""), "waiting") << h;
    int64_t last_seen = 0;
    for (int i = 0; i < 8; ++i) {  // about 8 s: longer than the 5 s grace period
        auto post = http->post(r.path("/messages"), {{"text", "Nadal czekam (" + std::to_string(i) + ")"}, {"client_msg_id", "rest-" + std::to_string(i)}},
                               {r.header()});
        EXPECT_EQ(post.status, 201) << "message " << i << " from a resident writing every second: " << post;
        const json items = public_messages(r, last_seen);
        if (!items.empty()) last_seen = num(items.back()["id"]);
        std::this_thread::sleep_for(1s);
    }
    EXPECT_EQ(contact(boss, r.chat_id).value("state", ""), "waiting") << "a resident writing every second was taken as gone";
    set_state(anna, "available");
    wait_offer(anna, r.chat_id, 3s);
}

TEST_F(ChatLeavingTest, AnActiveChatWhoseConsultantStaysOfflineGoesBackInLine) {
    Login admin = must_login("admin");
    Login boss = must_login("kierownik");
    create_agent(admin, "ewa", "Ewa Nowicka");
    Agent ewa = agent("ewa");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    open_agent_socket(ewa);
    set_state(anna, "available");
    Resident r = create_chat("Porzucona Przez Konsultantkę");
    connect_resident(r);
    handoff(r);
    serve(anna, r);
    ASSERT_FALSE(HasFailure());
    const std::string enqueued = contact(boss, r.chat_id).value("enqueued_at", "");
    resident_says_ok(r, "Halo, jest tam ktoś?", "r-1");

    set_state(anna, "offline");
    // Within the grace period nothing happens ...
    std::this_thread::sleep_for(2s);
    EXPECT_EQ(contact(boss, r.chat_id).value("state", ""), "active");
    // ... after it, the chat waits again in its queue with its original enqueue time.
    const std::string st = state_after(boss, r.chat_id, "active", 8s);
    EXPECT_EQ(st, "waiting");
    json c = contact(boss, r.chat_id);
    EXPECT_EQ(c.value("queue", ""), "general") << c.dump();
    EXPECT_EQ(c.value("enqueued_at", ""), enqueued) << c.dump();
    EXPECT_TRUE(r.sock->wait_type("queue", 3s).has_value()) << "the resident was not told they wait again";
    EXPECT_TRUE(anna.sock->wait([&](const json& j) {
        return j.value("type", "") == "contact_closed" && j.value("contact_id", "") == r.chat_id;
    }, 3s)) << "the consultant who left was not told the chat left her";
    // Another consultant takes it, with the history.
    set_state(ewa, "available");
    json offer = wait_offer(ewa, r.chat_id);
    ASSERT_FALSE(offer.is_null());
    accept(ewa, offer);
    auto joined = r.sock->wait_type("agent_joined", 3s);
    ASSERT_TRUE(joined.has_value());
    EXPECT_EQ(joined->value("name", ""), "Ewa Nowicka");
    EXPECT_TRUE(any_text(staff_messages(ewa.login, r.chat_id), "Halo, jest tam ktoś?"));
}

// Queue positions are pushed per line from the first place that moved, once
// per turn of the server's loop, and only to residents whose figures changed.
// Whatever the order of assignments and abandons, every waiting resident's
// last `queue` frame is their true place (what GET /contacts/{id} says).
class ChatPlacesTest : public ChatLeavingTest {
protected:
    void configure(json& config) override {
        ChatLeavingTest::configure(config);
        config["chat"]["max_open_chats_per_address"] = 20;  // eight residents from the test's one address
    }
};

TEST_F(ChatPlacesTest, EveryWaitingResidentsLastQueueFrameIsTheirPlaceAfterAssignmentsAndAbandons) {
    Login admin = must_login("admin");
    Login boss = must_login("kierownik");
    Agent anna = agent("anna");
    auto cap = http->patch("/api/v1/users/" + anna.id, {{"capacity", {{"chat", 2}}}}, {bearer(admin.token)});
    ASSERT_EQ(cap.status, 200) << cap;
    open_agent_socket(anna);

    std::vector<Resident> rs;
    for (int i = 0; i < 8; ++i) rs.push_back(create_chat("Mieszkaniec " + std::to_string(i + 1)));
    for (int i = 0; i < 8; ++i) {
        connect_resident(rs[i]);
        EXPECT_EQ(handoff(rs[i]).value("position", 0), i + 1) << "resident " << i + 1;
    }
    ASSERT_FALSE(HasFailure());

    // Each listed resident's last queue frame, and GET /contacts/{id}, give the expected place.
    auto expect_places = [&](const std::vector<std::pair<Resident*, int>>& expected, const std::string& when) {
        const auto deadline = std::chrono::steady_clock::now() + 3s;
        for (;;) {
            bool all = true;
            for (auto& [r, want] : expected) {
                r->sock->drain(50ms);
                const auto frames = r->sock->seen([](const json& j) { return j.value("type", "") == "queue"; });
                if (frames.empty() || frames.back().value("position", 0) != want) all = false;
            }
            if (all || std::chrono::steady_clock::now() > deadline) break;
        }
        for (auto& [r, want] : expected) {
            const auto frames = r->sock->seen([](const json& j) { return j.value("type", "") == "queue"; });
            ASSERT_FALSE(frames.empty()) << when;
            EXPECT_EQ(frames.back().value("position", 0), want) << when << ": last queue frame of " << r->name;
            EXPECT_GT(frames.back().value("ewt_seconds", 0), 0) << when << ": " << frames.back().dump();
            const json c = contact(boss, r->chat_id);
            EXPECT_EQ(c.value("state", ""), "waiting") << when << ": " << c.dump();
            EXPECT_EQ(c.value("position", 0), want) << when << ": the server's own figure for " << r->name;
        }
    };

    // Two residents leave (abandoned after the 5 s grace period), two are served.
    rs[2].sock->close();
    rs[5].sock->close();
    set_state(anna, "available");
    serve(anna, rs[0]);
    serve(anna, rs[1]);
    ASSERT_FALSE(HasFailure());
    expect_places({{&rs[3], 2}, {&rs[4], 3}, {&rs[6], 5}, {&rs[7], 6}}, "after two assignments");

    for (int i : {2, 5}) {
        const std::string st = state_after(boss, rs[i].chat_id, "waiting", 10s);
        EXPECT_EQ(st, "abandoned") << "resident " << i + 1;
    }
    expect_places({{&rs[3], 1}, {&rs[4], 2}, {&rs[6], 3}, {&rs[7], 4}}, "after two abandons");

    // A close frees a place for the consultant: the next one is served and the rest move up.
    ASSERT_EQ(http->post("/api/v1/contacts/" + rs[0].chat_id + "/close", {{"disposition", "other"}}, {anna.auth()}).status, 200);
    serve(anna, rs[3]);
    expect_places({{&rs[4], 1}, {&rs[6], 2}, {&rs[7], 3}}, "after a third assignment");

    // Unchanged figures are not sent again: no resident got the same frame twice in a row.
    for (int i : {3, 4, 6, 7}) {
        const auto frames = rs[i].sock->seen([](const json& j) { return j.value("type", "") == "queue"; });
        for (size_t k = 1; k < frames.size(); ++k)
            EXPECT_NE(frames[k], frames[k - 1]) << "resident " << i + 1 << " got an unchanged queue frame again";
    }
}

}  // namespace
}  // namespace centrala::testing::chat
