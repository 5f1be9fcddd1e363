// Callbacks booked in the chat outside opening hours, against the real
// server: the advisor's offer, the phone number (validated, +48…), the time
// window from the queue's hours, the confirmation; the callback contact
// waits (also across a restart), is offered once the queue is open (never
// before its window, never to a consultant without a callback slot), "no
// answer" puts it back in line until the last attempt closes it as
// unreachable, "connected" closes it with a topic; the resident's chat is
// told; the wallboard counts each attempt as offered and answered.
#include "bot_common.hpp"

namespace centrala::testing::chat {
namespace {

std::string label_of(const json& m, const std::string& value) {
    for (const auto& b : m.value("buttons", json::array()))
        if (b.value("value", "") == value) return b.value("label", "");
    return {};
}

bool contains(const json& m, const std::string& needle) { return m.value("text", "").find(needle) != std::string::npos; }

// The office opens only tomorrow, 10:00-12:00 (Warsaw time): closed now.
class CallbackTest : public ChatTest {
protected:
    void configure(json& config) override {
        ChatTest::configure(config);
        open_only_tomorrow(config);
        config["chat"]["abandon_grace_seconds"] = 60;
        config["callback"] = {{"max_attempts", 2}, {"retry_seconds", 2}, {"window_minutes", 240}};
    }

    void press(Resident& r, const std::string& value) {
        ASSERT_TRUE(r.sock->send({{"type", "button"}, {"value", value}}));
    }

    // Asks for a person after hours, then books a callback; `window`:
    // "callback:any" or a window button. Returns the confirmation text.
    std::string book(Resident& r, const std::string& window) {
        connect_resident(r);
        EXPECT_TRUE(r.sock->send({{"type", "handoff"}}));
        json notice = next_bot(r);
        EXPECT_TRUE(has_button(notice, "leave_message")) << notice.dump();
        EXPECT_TRUE(has_button(notice, "callback")) << notice.dump();
        EXPECT_EQ(label_of(notice, "callback"), "Poproś o oddzwonienie");
        press(r, "callback");
        json ask = next_bot(r);
        EXPECT_TRUE(contains(ask, "numer telefonu")) << ask.dump();
        resident_says_ok(r, "12345", r.chat_id + "-bad");
        json bad = next_bot(r);
        EXPECT_TRUE(contains(bad, "polski numer")) << bad.dump();
        resident_says_ok(r, "600 100 200", r.chat_id + "-phone");
        json when = next_bot(r);
        EXPECT_TRUE(has_button(when, "callback:any")) << when.dump();
        EXPECT_EQ(label_of(when, "callback:w:0"), "jutro 10:00–12:00") << when.dump();
        press(r, window);
        json confirm = next_bot(r);
        EXPECT_TRUE(contains(confirm, "+48 600 100 200")) << confirm.dump();
        EXPECT_TRUE(has_button(confirm, "callback:confirm")) << confirm.dump();
        press(r, "callback:confirm");
        json booked = next_bot(r);
        EXPECT_TRUE(contains(booked, "przyjęta")) << booked.dump();
        return booked.value("text", "");
    }

    json callbacks(const Login& who) {
        auto res = http->get("/api/v1/callbacks", {bearer(who.token)});
        EXPECT_EQ(res.status, 200) << res;
        return res.json().value("items", json::array());
    }

    // The callback frame for this offer (sent right after it) and the offer.
    json callback_offer(Agent& a, std::chrono::milliseconds timeout = 8s) {
        auto o = a.sock->wait([](const json& j) { return j.value("type", "") == "offer"; }, timeout);
        EXPECT_TRUE(o.has_value()) << a.name << " got no offer";
        if (!o) return json();
        EXPECT_EQ((*o)["contact"].value("channel", ""), "callback") << o->dump();
        const std::string id = (*o)["contact"].value("id", "");
        auto f = a.sock->wait(
            [&](const json& j) { return j.value("type", "") == "callback" && j["callback"].value("id", "") == id; }, 2s);
        EXPECT_TRUE(f.has_value()) << "no callback frame with the offer";
        if (f) {
            EXPECT_EQ((*f)["callback"].value("phone", ""), "+48600100200") << f->dump();
        }
        return *o;
    }

    json queue_stats(const Login& boss, const std::string& id) {
        auto res = http->get("/api/v1/stats/live", {bearer(boss.token)});
        EXPECT_EQ(res.status, 200) << res;
        for (const auto& q : res.json().value("queues", json::array()))
            if (q.value("id", "") == id) return q;
        return json();
    }
};

// The callback's phone is personal data: the resident's export lists it and
// erasure by that phone (written any way) removes it, with the chat it was booked in.
TEST_F(CallbackTest, ExportAndErasureOfTheResidentCoverTheirCallbacks) {
    Login admin = must_login("admin");
    Resident r = create_chat("Jan Kowalski");
    book(r, "callback:any");
    Login boss = must_login("kierownik");
    json items = callbacks(boss);
    ASSERT_EQ(items.size(), 1u) << items.dump();
    const std::string id = items[0].value("id", "");

    auto exported = http->post("/api/v1/residents/export", {{"phone", "600-100-200"}}, {bearer(admin.token)});
    ASSERT_EQ(exported.status, 200) << exported;
    const json cbs = exported.json()["callbacks"];
    ASSERT_EQ(cbs.size(), 1u) << exported;
    EXPECT_EQ(cbs[0].value("contact_id", ""), id);
    EXPECT_EQ(cbs[0].value("phone", ""), "+48600100200");
    EXPECT_EQ(cbs[0].value("chat_id", ""), r.chat_id);

    auto erased = http->post("/api/v1/residents/erase", {{"phone", "600100200"}}, {bearer(admin.token)});
    ASSERT_EQ(erased.status, 200) << erased;
    EXPECT_EQ(erased.json()["counts"].value("callbacks", -1), 1) << erased;
    // The callback is not made: closed as unreachable (disposition "erased"),
    // in memory as on disk, and not brought back by a restart.
    auto now_one = http->get("/api/v1/callbacks/" + id, {bearer(boss.token)});
    ASSERT_EQ(now_one.status, 200) << now_one;
    EXPECT_EQ(now_one.json().value("state", ""), "unreachable") << now_one;
    EXPECT_EQ(now_one.json().value("disposition", ""), "erased") << now_one;
    EXPECT_TRUE(callbacks(boss).empty()) << "no longer open";
    crash_and_restart();
    boss = must_login("kierownik");
    admin = must_login("admin");
    auto one = http->get("/api/v1/callbacks/" + id, {bearer(boss.token)});
    ASSERT_EQ(one.status, 200) << one;
    EXPECT_EQ(one.json().value("phone", ""), "[usunięto]") << one;
    EXPECT_EQ(one.json()["resident"].value("name", "?"), "") << one;
    EXPECT_TRUE(callbacks(boss).empty()) << "an erased callback is not restored";
    auto again = http->post("/api/v1/residents/export", {{"phone", "+48 600 100 200"}}, {bearer(admin.token)});
    ASSERT_EQ(again.status, 200) << again;
    EXPECT_TRUE(again.json()["callbacks"].empty()) << again;
    bool any_number = false;
    for (const auto& m : staff_messages(boss, r.chat_id))
        if (m.value("text", "").find("600 100 200") != std::string::npos) any_number = true;
    EXPECT_FALSE(any_number) << "the chat it was booked in is wiped: " << staff_messages(boss, r.chat_id).dump();
}

TEST_F(CallbackTest, BookedAfterHoursWaitsAcrossARestartAndIsCalledWhenTheQueueOpens) {
    Login admin = must_login("admin");
    // Bob has no callback slot: he is never offered one.
    auto bob_res = http->post("/api/v1/users",
                              {{"username", "bob"}, {"password", kPassword}, {"role", "agent"},
                               {"display_name", "Bob Bez Telefonu"}, {"capacity", {{"callback", 0}}}},
                              {bearer(admin.token)});
    ASSERT_EQ(bob_res.status, 201) << bob_res;

    Resident r1 = create_chat("Jan Kowalski"), r2 = create_chat("Ewa Nowak"), r3 = create_chat("Olga Szewczenko");
    EXPECT_NE(book(r1, "callback:any").find("jak najszybciej"), std::string::npos);
    book(r2, "callback:any");
    EXPECT_NE(book(r3, "callback:w:0").find("jutro 10:00–12:00"), std::string::npos);

    Login boss = must_login("kierownik");
    json items = callbacks(boss);
    ASSERT_EQ(items.size(), 3u) << items.dump();
    EXPECT_EQ(items[0].value("phone", ""), "+48600100200") << items[0].dump();
    EXPECT_EQ(items[0].value("state", ""), "scheduled");
    EXPECT_EQ(items[0].value("queue", ""), "general") << "topic other -> the queue serving other with callbacks";
    EXPECT_TRUE(items[0]["window"].is_null());
    EXPECT_EQ(items[2]["window"].value("label", ""), "jutro 10:00–12:00") << items[2].dump();
    const std::string cb1 = items[0].value("id", ""), cb2 = items[1].value("id", ""), cb3 = items[2].value("id", "");
    EXPECT_EQ(contact(boss, cb1).value("channel", ""), "callback");
    EXPECT_EQ(contact(boss, cb1).value("state", ""), "waiting");

    // Closed: a ready consultant gets nothing.
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    EXPECT_FALSE(anna.sock->wait_type("offer", 1500ms).has_value()) << "offered while the queue is closed";
    EXPECT_TRUE(callbacks(anna.login).empty()) << "consultants see only their own callbacks";
    EXPECT_EQ(http->get("/api/v1/callbacks").status, 401) << "phone numbers are for staff only";

    // The office opens (and the server restarts meanwhile).
    for (auto& q : env.config["queues"]) q["hours"] = "always";
    r1.sock->close();
    r2.sock->close();
    r3.sock->close();
    crash_and_restart();
    boss = must_login("kierownik");
    EXPECT_EQ(callbacks(boss).size(), 3u) << "kept across the restart";
    connect_resident(r1);
    connect_resident(r2);

    Agent bob = agent("bob");
    open_agent_socket(bob);
    set_state(bob, "available");
    anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");

    // The oldest first, with the phone number for the consultant.
    json offer = callback_offer(anna);
    EXPECT_EQ(offer["contact"].value("id", ""), cb1) << offer.dump();
    accept(anna, offer);
    auto one = http->get("/api/v1/callbacks/" + cb1, {anna.auth()});
    ASSERT_EQ(one.status, 200) << one;
    EXPECT_EQ(one.json().value("phone", ""), "+48600100200");
    EXPECT_EQ(one.json().value("state", ""), "active");
    EXPECT_EQ(http->get("/api/v1/callbacks/" + cb2, {anna.auth()}).status, 404) << "not hers";

    // No answer: back in line; Anna's slot goes to the next callback.
    auto na = http->post("/api/v1/callbacks/" + cb1 + "/no_answer", json::object(), {anna.auth()});
    ASSERT_EQ(na.status, 200) << na;
    EXPECT_EQ(na.json().value("state", ""), "scheduled");
    EXPECT_EQ(na.json().value("attempts", 0), 1);
    offer = callback_offer(anna);
    EXPECT_EQ(offer["contact"].value("id", ""), cb2) << offer.dump();
    accept(anna, offer);
    EXPECT_EQ(http->post("/api/v1/callbacks/" + cb2 + "/done", {{"disposition", "nonsense"}}, {anna.auth()}).status, 400);
    auto done = http->post("/api/v1/callbacks/" + cb2 + "/done", {{"disposition", "other"}}, {anna.auth()});
    ASSERT_EQ(done.status, 200) << done;
    EXPECT_EQ(done.json().value("state", ""), "done");
    EXPECT_TRUE(r2.sock->wait([](const json& j) {
        return j.value("type", "") == "message" && j.value("text", "").find("oddzwonił") != std::string::npos;
    }).has_value()) << "the resident's chat is told the call was made";
    EXPECT_EQ(contact(boss, cb2).value("state", ""), "closed");

    // The second attempt after the pause, and the last: unreachable.
    offer = callback_offer(anna, 8s);
    EXPECT_EQ(offer["contact"].value("id", ""), cb1) << offer.dump();
    accept(anna, offer);
    na = http->post("/api/v1/callbacks/" + cb1 + "/no_answer", json::object(), {anna.auth()});
    ASSERT_EQ(na.status, 200) << na;
    EXPECT_EQ(na.json().value("state", ""), "unreachable");
    EXPECT_TRUE(r1.sock->wait([](const json& j) {
        return j.value("type", "") == "message" && j.value("text", "").find("Nie udało się") != std::string::npos;
    }).has_value()) << "the resident's chat is told the callback failed";
    EXPECT_EQ(contact(boss, cb1).value("state", ""), "closed");
    EXPECT_EQ(http->post("/api/v1/callbacks/" + cb1 + "/no_answer", json::object(), {anna.auth()}).status, 404);

    // The one with a window tomorrow is not offered before it.
    EXPECT_FALSE(anna.sock->wait_type("offer", 3s).has_value()) << "offered before its window";
    items = callbacks(boss);
    ASSERT_EQ(items.size(), 1u) << items.dump();
    EXPECT_EQ(items[0].value("id", ""), cb3);
    EXPECT_EQ(items[0].value("state", ""), "scheduled");
    EXPECT_TRUE(bob.sock->seen([](const json& j) { return j.value("type", "") == "offer"; }).empty())
        << "Bob has no callback slot";

    // Each attempt counts in the queue's offered and answered.
    std::this_thread::sleep_for(1500ms);
    json general = queue_stats(boss, "general");
    EXPECT_EQ(general.value("offered_today", -1), 3) << general.dump();
    EXPECT_EQ(general.value("answered_today", -1), 3) << general.dump();
    EXPECT_EQ(general.value("handled_today", -1), 3) << general.dump();

    // Recounted from the stored events after a restart: the same figures.
    stop_server();
    start_server();
    boss = must_login("kierownik");
    general = queue_stats(boss, "general");
    EXPECT_EQ(general.value("offered_today", -1), 3) << general.dump();
    EXPECT_EQ(general.value("answered_today", -1), 3) << general.dump();
    EXPECT_EQ(general.value("handled_today", -1), 3) << general.dump();
    EXPECT_EQ(callbacks(boss).size(), 1u) << "the one still due tomorrow is kept";
}


// A booking interrupted by a restart carries on where the resident was: the
// phone number given before the restart is in the confirmation after it.
TEST_F(CallbackTest, TheBookingDialogueSurvivesARestart) {
    Resident r = create_chat("Jan Kowalski");
    connect_resident(r);
    ASSERT_TRUE(r.sock->send({{"type", "handoff"}}));
    json notice = next_bot(r);
    ASSERT_TRUE(has_button(notice, "callback")) << notice.dump();
    press(r, "callback");
    EXPECT_TRUE(contains(next_bot(r), "numer telefonu"));
    resident_says_ok(r, "600 100 200", r.chat_id + "-phone");
    json when = next_bot(r);
    ASSERT_TRUE(has_button(when, "callback:w:0")) << when.dump();

    r.sock->close();
    crash_and_restart();
    connect_resident(r);
    press(r, "callback:w:0");
    json confirm = next_bot(r);
    EXPECT_TRUE(contains(confirm, "+48 600 100 200")) << "the number given before the restart: " << confirm.dump();
    EXPECT_TRUE(contains(confirm, "jutro 10:00–12:00")) << confirm.dump();
    ASSERT_TRUE(has_button(confirm, "callback:confirm")) << confirm.dump();

    // Once more, at the last question: the answer is still the one asked for.
    r.sock->close();
    crash_and_restart();
    connect_resident(r);
    press(r, "callback:confirm");
    EXPECT_TRUE(contains(next_bot(r), "przyjęta"));
    Login boss = must_login("kierownik");
    json items = callbacks(boss);
    ASSERT_EQ(items.size(), 1u) << items.dump();
    EXPECT_EQ(items[0].value("phone", ""), "+48600100200");
    EXPECT_EQ(items[0]["window"].value("label", ""), "jutro 10:00–12:00") << items[0].dump();
    EXPECT_EQ(items[0].value("chat_id", ""), r.chat_id);

    // Booked: nothing of the dialogue is left to answer after another restart.
    r.sock->close();
    crash_and_restart();
    connect_resident(r);
    ASSERT_TRUE(r.sock->send({{"type", "button"}, {"value", "callback:confirm"}}));
    auto err = r.sock->wait_type("error", 5s);
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->value("code", ""), "no_callback") << err->dump();
    boss = must_login("kierownik");
    EXPECT_EQ(callbacks(boss).size(), 1u) << "booked once";
}

// The wait of a callback counts from when it became due (its queue opened),
// not from the booking: the night is not a wait in line.
TEST_F(CallbackTest, ItsWaitCountsFromWhenItBecameDueNotFromTheBooking) {
    Resident r = create_chat("Jan Kowalski");
    book(r, "callback:any");
    r.sock->close();
    std::this_thread::sleep_for(4s);  // booked "last night"
    for (auto& q : env.config["queues"]) q["hours"] = "always";
    crash_and_restart();
    Login boss = must_login("kierownik");
    std::this_thread::sleep_for(500ms);
    json general = queue_stats(boss, "general");
    EXPECT_EQ(general.value("waiting", -1), 1) << general.dump();
    EXPECT_LE(general.value("longest_wait_seconds", 99), 2) << "counted from the booking: " << general.dump();

    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    json offer = callback_offer(anna);
    EXPECT_LE(offer["contact"].value("waited_seconds", 99), 3) << offer.dump();
    accept(anna, offer);
    std::this_thread::sleep_for(700ms);
    general = queue_stats(boss, "general");
    EXPECT_EQ(general.value("answered_today", -1), 1) << general.dump();
    EXPECT_LE(general.value("asa_seconds", 99.0), 3.0) << general.dump();

    // A restart while it waits keeps the time it became due.
    auto na = http->post("/api/v1/callbacks/" + offer["contact"].value("id", "") + "/no_answer", json::object(), {anna.auth()});
    ASSERT_EQ(na.status, 200) << na;
    std::this_thread::sleep_for(2500ms);  // retry_seconds 2: due again
    crash_and_restart();
    boss = must_login("kierownik");
    std::this_thread::sleep_for(2s);
    general = queue_stats(boss, "general");
    EXPECT_EQ(general.value("waiting", -1), 1) << general.dump();
    EXPECT_GE(general.value("longest_wait_seconds", -1), 1) << "restored with the time it became due: " << general.dump();
    EXPECT_LE(general.value("longest_wait_seconds", 99), 8) << general.dump();
}

// Open hours with a long wait: the resident waiting in the chat is offered a
// call back (callback.offer_after_wait_seconds); the callback takes the
// chat's place in line.
class CallbackInLineTest : public CallbackTest {
protected:
    void configure(json& config) override {
        CallbackTest::configure(config);
        for (auto& q : config["queues"]) q["hours"] = "always";
        config["callback"]["offer_after_wait_seconds"] = 1;
    }

    // Waits in line, is offered a call back and books it (phone 600 100 200).
    void book_in_line(Resident& r) {
        if (!r.sock) connect_resident(r);
        handoff(r);
        auto offer = r.sock->wait(
            [](const json& j) { return j.value("type", "") == "message" && has_button(j, "callback"); }, 6s);
        ASSERT_TRUE(offer.has_value()) << "no call-back offer while waiting in chat " << r.chat_id;
        EXPECT_EQ(label_of(*offer, "callback"), "Poproś o oddzwonienie");
        EXPECT_TRUE(contains(*offer, "poprosić o oddzwonienie")) << offer->dump();
        press(r, "callback");
        EXPECT_TRUE(contains(next_bot(r), "numer telefonu"));
        resident_says_ok(r, "600 100 200", r.chat_id + "-phone");
        json confirm = next_bot(r);
        EXPECT_TRUE(contains(confirm, "+48 600 100 200")) << confirm.dump();
        EXPECT_TRUE(contains(confirm, "zachowujesz swoje miejsce")) << confirm.dump();
        EXPECT_FALSE(has_button(confirm, "callback:any")) << "no window to choose in line: " << confirm.dump();
        press(r, "callback:confirm");
        EXPECT_TRUE(contains(next_bot(r), "przyjęta"));
        auto back = r.sock->wait([](const json& j) { return j.value("type", "") == "state"; });
        ASSERT_TRUE(back.has_value()) << "the widget is told the chat left the line";
        EXPECT_EQ(back->value("state", ""), "bot");
    }
};

TEST_F(CallbackInLineTest, AResidentWaitingLongIsOfferedACallbackThatTakesTheirPlace) {
    Login boss = must_login("kierownik");
    Resident r1 = create_chat("Jan Kowalski"), r2 = create_chat("Ewa Nowak");
    connect_resident(r1);
    connect_resident(r2);
    handoff(r1);
    std::this_thread::sleep_for(50ms);
    book_in_line(r2);  // r2 queued after r1 ...
    Resident r0 = create_chat("Olga Szewczenko");
    book_in_line(r0);  // ... and r0 after both

    json items = callbacks(boss);
    ASSERT_EQ(items.size(), 2u) << items.dump();
    EXPECT_EQ(items[0].value("state", ""), "queued") << items[0].dump();
    EXPECT_EQ(items[0].value("queue", ""), "general");
    EXPECT_EQ(items[0].value("chat_id", ""), r2.chat_id);
    const std::string cb2 = items[0].value("id", ""), cb0 = items[1].value("id", "");
    EXPECT_EQ(contact(boss, r2.chat_id).value("state", ""), "bot") << "the chat left the line, back with the advisor";
    EXPECT_EQ(contact(boss, cb2).value("state", ""), "waiting");

    std::this_thread::sleep_for(700ms);
    json general = queue_stats(boss, "general");
    EXPECT_EQ(general.value("waiting", -1), 3) << "r1's chat and two callbacks: " << general.dump();
    EXPECT_EQ(general.value("offered_today", -1), 3) << "one queue entry each: " << general.dump();
    EXPECT_EQ(general.value("abandoned_today", -1), 0) << "leaving for a callback is not abandoning: " << general.dump();

    // Anna (chat and callback slots) is offered in the order of the places:
    // r1's chat, then r2's callback (r2's place), then r0's.
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    json first = wait_offer(anna, r1.chat_id);
    accept(anna, first);
    json second = callback_offer(anna);
    EXPECT_EQ(second["contact"].value("id", ""), cb2) << second.dump();
    accept(anna, second);
    auto done = http->post("/api/v1/callbacks/" + cb2 + "/done", {{"disposition", "other"}}, {anna.auth()});
    ASSERT_EQ(done.status, 200) << done;
    EXPECT_TRUE(r2.sock->wait([](const json& j) {
        return j.value("type", "") == "message" && j.value("text", "").find("oddzwonił") != std::string::npos;
    }).has_value()) << "the chat with the advisor is told the call was made";
    json third = callback_offer(anna);
    EXPECT_EQ(third["contact"].value("id", ""), cb0) << third.dump();

    // The chat is the advisor's again: it answers the resident.
    resident_says_ok(r2, "dowód osobisty", r2.chat_id + "-after");
    EXPECT_TRUE(next_bot(r2).is_object());
}

// A consultant who goes offline, or logs out, while holding a callback does
// not keep it: it goes back in line (attempts kept) for the next consultant,
// and the card leaves the first one's console.
TEST_F(CallbackInLineTest, ACallbackHeldByAConsultantWhoLeavesGoesToTheNext) {
    Login boss = must_login("kierownik");
    create_agent(must_login("admin"), "piotr", "Piotr Wiśniewski");
    Resident r = create_chat("Jan Kowalski");
    book_in_line(r);
    const std::string id = callbacks(boss).at(0).value("id", "");

    Agent anna = agent("anna"), piotr = agent("piotr");
    open_agent_socket(anna);
    open_agent_socket(piotr);
    set_state(anna, "available");
    accept(anna, callback_offer(anna));
    auto na = http->post("/api/v1/callbacks/" + id + "/no_answer", json::object(), {anna.auth()});
    ASSERT_EQ(na.status, 200) << na;
    EXPECT_EQ(na.json().value("attempts", 0), 1);
    accept(anna, callback_offer(anna, 8s));  // the second attempt after retry_seconds

    // Anna goes offline holding it: Piotr gets it at once.
    set_state(piotr, "available");
    set_state(anna, "offline");
    auto gone = anna.sock->wait([&](const json& j) {
        return j.value("type", "") == "callback" && j["callback"].value("id", "") == id &&
               j["callback"].value("state", "") == "queued";
    });
    EXPECT_TRUE(gone.has_value()) << "Anna's console is told the callback is no longer hers";
    json offer = callback_offer(piotr);
    EXPECT_EQ(offer["contact"].value("id", ""), id);
    accept(piotr, offer);
    auto one = http->get("/api/v1/callbacks/" + id, {bearer(boss.token)});
    ASSERT_EQ(one.status, 200) << one;
    EXPECT_EQ(one.json().value("state", ""), "active") << one;
    EXPECT_EQ(one.json().value("agent_id", ""), piotr.id) << one;
    EXPECT_EQ(one.json().value("attempts", -1), 1) << "its attempts are kept: " << one;
    EXPECT_TRUE(callbacks(anna.login).empty() || callbacks(anna.login).at(0).value("state", "") != "active");
    EXPECT_EQ(http->post("/api/v1/callbacks/" + id + "/no_answer", json::object(), {anna.auth()}).status, 404)
        << "no longer Anna's to finish";

    // Piotr logs out holding it: back to Anna.
    set_state(anna, "available");
    auto out = http->post("/api/v1/auth/logout", json::object(), {piotr.auth()});
    ASSERT_EQ(out.status, 204) << out;
    offer = callback_offer(anna);
    EXPECT_EQ(offer["contact"].value("id", ""), id);
    accept(anna, offer);
    one = http->get("/api/v1/callbacks/" + id, {bearer(boss.token)});
    EXPECT_EQ(one.json().value("agent_id", ""), anna.id) << one;
    EXPECT_EQ(one.json().value("attempts", -1), 1) << one;
}

// Erasing the resident while their callbacks are open: the one being made
// leaves the consultant's console (its number with it), the one in line
// leaves the line; neither is called or comes back after a restart.
TEST_F(CallbackInLineTest, ErasureEndsTheResidentsOpenCallbacksInMemoryToo) {
    Login admin = must_login("admin"), boss = must_login("kierownik");
    Resident r1 = create_chat("Jan Kowalski"), r2 = create_chat("Jan Kowalski");
    book_in_line(r1);
    book_in_line(r2);
    json items = callbacks(boss);
    ASSERT_EQ(items.size(), 2u) << items.dump();
    const std::string cb1 = items[0].value("id", ""), cb2 = items[1].value("id", "");

    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    accept(anna, callback_offer(anna));
    ASSERT_EQ(callbacks(anna.login).size(), 1u);

    auto erased = http->post("/api/v1/residents/erase", {{"phone", "600100200"}}, {bearer(admin.token)});
    ASSERT_EQ(erased.status, 200) << erased;
    EXPECT_EQ(erased.json()["counts"].value("callbacks", -1), 2) << erased;

    auto card = anna.sock->wait([&](const json& j) {
        return j.value("type", "") == "callback" && j["callback"].value("id", "") == cb1 &&
               j["callback"].value("state", "") != "active";
    });
    ASSERT_TRUE(card.has_value()) << "Anna's card is withdrawn";
    EXPECT_EQ((*card)["callback"].value("phone", ""), "[usunięto]") << card->dump();
    EXPECT_TRUE(callbacks(anna.login).empty()) << "nothing of it is listed for Anna";
    EXPECT_TRUE(callbacks(boss).empty());
    for (const auto& id : {cb1, cb2}) {
        auto one = http->get("/api/v1/callbacks/" + id, {bearer(boss.token)});
        ASSERT_EQ(one.status, 200) << one;
        EXPECT_EQ(one.json().value("state", ""), "unreachable") << one;
        EXPECT_EQ(one.json().value("disposition", ""), "erased") << one;
        EXPECT_EQ(one.json().value("phone", ""), "[usunięto]") << one;
        EXPECT_EQ(one.json()["resident"].value("name", "?"), "") << one;
    }
    std::this_thread::sleep_for(700ms);
    json general = queue_stats(boss, "general");
    EXPECT_EQ(general.value("waiting", -1), 0) << "the one in line left it: " << general.dump();
    // Anna's slot is free: the erased one in line is never offered to her.
    EXPECT_FALSE(anna.sock->wait_type("offer", 1500ms).has_value());
    crash_and_restart();
    boss = must_login("kierownik");
    EXPECT_TRUE(callbacks(boss).empty()) << "not restored";
}

}  // namespace
}  // namespace centrala::testing::chat
