// Resident chat end to end over real sockets (contract §5 and §6): the whole
// conversation from the bot to a consultant and a rating, transfers, resuming
// after a reconnect, and client_msg_id de-duplication.
#include <set>

#include "chat_common.hpp"

namespace centrala::testing::chat {
namespace {

using ChatFlowTest = ChatTest;

TEST_F(ChatFlowTest, WholeConversationFromBotToConsultantToRating) {
    Agent anna = agent("anna");
    Login boss = must_login("kierownik");
    open_agent_socket(anna);

    // The chat starts with the virtual advisor's greeting.
    Resident r = create_chat("Jan Wiśniewski");
    ASSERT_FALSE(r.chat_id.empty());
    const json start = public_messages(r);
    ASSERT_EQ(start.size(), 1u) << start.dump();
    EXPECT_EQ(start[0]["author"]["kind"], "bot") << start.dump();
    EXPECT_FALSE(start[0].value("text", "").empty());
    EXPECT_TRUE(start[0].contains("buttons") && start[0]["buttons"].is_array() && !start[0]["buttons"].empty())
        << "the greeting offers the way to a person: " << start.dump();
    EXPECT_TRUE(is_rfc3339_utc(start[0].value("created_at", ""))) << start.dump();
    const int64_t greeting_id = num(start[0]["id"]);

    // Authentication by first frame gives hello.
    json hello = connect_resident(r);
    EXPECT_EQ(hello.value("chat_id", ""), r.chat_id) << hello.dump();
    EXPECT_EQ(hello.value("state", ""), "bot") << hello.dump();
    ASSERT_TRUE(hello.contains("last_message_id")) << hello.dump();
    EXPECT_TRUE(hello["last_message_id"].is_string()) << "ids are strings in JSON: " << hello.dump();
    EXPECT_EQ(num(hello["last_message_id"]), greeting_id) << hello.dump();

    // Messages are acked with increasing ids, Polish/Ukrainian/emoji byte-exact.
    const std::string first_text = "Dzień dobry, chcę zarejestrować samochód 🚗 — ąęłńóśźż ĄĘŁŃÓŚŹŻ";
    const int64_t m1 = resident_says_ok(r, first_text, "r-1");
    EXPECT_GT(m1, greeting_id);
    const int64_t m2 = resident_says_ok(r, "Добрий день, потрібна допомога", "r-2");
    EXPECT_GT(m2, m1);
    {
        const json items = public_messages(r, greeting_id);
        ASSERT_GE(items.size(), 2u) << items.dump();
        EXPECT_EQ(num(items[0]["id"]), m1);
        EXPECT_EQ(items[0]["text"], first_text) << "text not byte-exact";
        EXPECT_EQ(items[0]["author"]["kind"], "resident");
        EXPECT_TRUE(any_text(items, "Добрий день, потрібна допомога"));
    }

    // Handoff: the resident is told the place in line and an expected wait.
    json q = handoff(r);
    EXPECT_EQ(q.value("position", 0), 1) << q.dump();
    EXPECT_GT(q.value("ewt_seconds", 0), 0) << "an expected wait of 0 s with nobody available: " << q.dump();
    {
        json c = contact(boss, r.chat_id);
        EXPECT_EQ(c.value("state", ""), "waiting") << c.dump();
        EXPECT_EQ(c.value("queue", ""), "general") << c.dump();
        EXPECT_EQ(c.value("channel", ""), "chat") << c.dump();
    }

    // The consultant goes available and gets the offer of this chat.
    set_state(anna, "available");
    json offer = wait_offer(anna, r.chat_id);
    ASSERT_FALSE(offer.is_null());
    EXPECT_EQ(offer["contact"].value("channel", ""), "chat") << offer.dump();
    EXPECT_EQ(offer["contact"].value("queue", ""), "general") << offer.dump();
    EXPECT_EQ(offer["contact"]["resident"].value("name", ""), "Jan Wiśniewski") << offer.dump();
    EXPECT_GT(offer.value("expires_in", 0), 0) << offer.dump();
    EXPECT_TRUE(offer["offer_id"].is_string()) << offer.dump();

    accept(anna, offer);
    auto joined = r.sock->wait_type("agent_joined", 5s);
    ASSERT_TRUE(joined.has_value()) << "resident not told that a consultant joined";
    EXPECT_EQ(joined->value("name", ""), "Anna Nowak") << joined->dump();
    {
        json c = contact(anna.login, r.chat_id);
        EXPECT_EQ(c.value("state", ""), "active") << c.dump();
        ASSERT_TRUE(c["agents"].is_array()) << c.dump();
        EXPECT_EQ(c["agents"], json::array({anna.id})) << c.dump();
        EXPECT_TRUE(is_rfc3339_utc(c.value("assigned_at", ""))) << c.dump();
    }
    // One assignment is announced once.
    anna.sock->drain(500ms);
    const auto assigned_frames = anna.sock->seen([&](const json& j) {
        return j.value("type", "") == "contact_assigned" && j["contact"].value("id", "") == r.chat_id;
    });
    EXPECT_EQ(assigned_frames.size(), 1u) << "contact_assigned pushed " << assigned_frames.size()
                                          << " times for one acceptance: " << json(assigned_frames).dump();

    // Consultant -> resident.
    const std::string reply = "Dzień dobry, nazywam się Anna. W czym mogę pomóc? Żółć!";
    const int64_t a1 = agent_says_ok(anna, r.chat_id, reply, "a-1");
    EXPECT_GT(a1, m2);
    auto got = r.sock->wait([&](const json& j) { return j.value("type", "") == "message" && j.contains("id") && num(j["id"]) == a1; });
    ASSERT_TRUE(got.has_value()) << "the resident did not get the consultant's message";
    EXPECT_EQ(got->value("text", ""), reply);
    EXPECT_EQ((*got)["author"].value("kind", ""), "agent") << got->dump();
    EXPECT_EQ((*got)["author"].value("name", ""), "Anna Nowak") << got->dump();
    EXPECT_TRUE(is_rfc3339_utc(got->value("created_at", ""))) << got->dump();
    EXPECT_FALSE((*got)["author"].contains("id")) << "staff ids are not shown to residents: " << got->dump();
    EXPECT_FALSE(got->contains("internal")) << got->dump();

    // Resident -> consultant.
    const int64_t m3 = resident_says_ok(r, "Chodzi o tablice rejestracyjne.", "r-3");
    EXPECT_GT(m3, a1);
    auto pushed = anna.sock->wait([&](const json& j) {
        return j.value("type", "") == "message" && j.value("contact_id", "") == r.chat_id && j.contains("message") &&
               num(j["message"]["id"]) == m3;
    });
    ASSERT_TRUE(pushed.has_value()) << "the consultant did not get the resident's message";
    EXPECT_EQ((*pushed)["message"].value("text", ""), "Chodzi o tablice rejestracyjne.");
    EXPECT_EQ((*pushed)["message"]["author"].value("kind", ""), "resident");

    // Internal notes (over the socket and over REST) reach staff only.
    const std::string note_ws = "NOTATKA-WS: mieszkaniec dzwonił wczoraj";
    const std::string note_rest = "NOTATKA-REST: sprawdzić w CEPiK";
    const int64_t n1 = agent_says_ok(anna, r.chat_id, note_ws, "note-1", true);
    auto note_post = http->post("/api/v1/contacts/" + r.chat_id + "/messages",
                                {{"text", note_rest}, {"client_msg_id", "note-2"}, {"internal", true}}, {anna.auth()});
    ASSERT_EQ(note_post.status, 201) << note_post;
    EXPECT_EQ(note_post.json().value("internal", false), true) << note_post;
    const int64_t a2 = agent_says_ok(anna, r.chat_id, "Proszę podać numer VIN.", "a-2");
    EXPECT_GT(a2, n1);
    ASSERT_TRUE(r.sock->wait([&](const json& j) { return j.value("type", "") == "message" && num(j.value("id", json("0"))) == a2; }))
        << "the message after the notes did not reach the resident";
    r.sock->drain(300ms);
    EXPECT_FALSE(frames_mention(*r.sock, "NOTATKA")) << "an internal note reached the resident's socket";
    EXPECT_FALSE(any_text(public_messages(r), note_ws)) << "internal note in the resident's REST list";
    EXPECT_FALSE(any_text(public_messages(r), note_rest)) << "internal note in the resident's REST list";
    {
        const json staff = staff_messages(anna.login, r.chat_id);
        int notes = 0;
        for (const auto& m : staff)
            if (m.value("text", "") == note_ws || m.value("text", "") == note_rest) {
                ++notes;
                EXPECT_EQ(m.value("internal", false), true) << m.dump();
            } else if (m.value("text", "") == reply) {
                EXPECT_EQ(m.value("internal", true), false) << m.dump();
            }
        EXPECT_EQ(notes, 2) << "staff see both notes: " << staff.dump();
        // The consultant's socket got the note too.
        EXPECT_TRUE(anna.sock->wait([&](const json& j) {
            return j.value("type", "") == "message" && j.contains("message") && j["message"].value("text", "") == note_rest &&
                   j["message"].value("internal", false);
        }, 3s)) << "the REST note was not pushed to the consultant";
    }

    // Close with a disposition: the resident gets closed and a rating request.
    auto closed = http->post("/api/v1/contacts/" + r.chat_id + "/close", {{"disposition", "vehicles"}}, {anna.auth()});
    ASSERT_EQ(closed.status, 200) << closed;
    EXPECT_TRUE(r.sock->wait_type("closed", 5s).has_value()) << "resident not told the chat closed";
    EXPECT_TRUE(r.sock->wait_type("rating_request", 5s).has_value()) << "resident not asked for a rating";
    EXPECT_TRUE(anna.sock->wait([&](const json& j) {
        return j.value("type", "") == "contact_closed" && j.value("contact_id", "") == r.chat_id;
    })) << "the consultant's socket did not get contact_closed";
    {
        json c = contact(boss, r.chat_id);
        EXPECT_EQ(c.value("state", ""), "closed") << c.dump();
        EXPECT_EQ(c.value("disposition", ""), "vehicles") << c.dump();
        EXPECT_TRUE(is_rfc3339_utc(c.value("closed_at", ""))) << c.dump();
    }

    // Coming back to a closed chat: hello says so.
    {
        Resident again;
        again.chat_id = r.chat_id;
        again.token = r.token;
        json h = connect_resident(again);
        EXPECT_EQ(h.value("state", ""), "closed") << h.dump();
    }

    // One rating; a second is a conflict.
    auto rate = http->post(r.path("/rating"), {{"score", 5}, {"comment", "Bardzo sprawnie, dziękuję!"}}, {r.header()});
    EXPECT_EQ(rate.status, 201) << rate;
    auto again = http->post(r.path("/rating"), {{"score", 1}}, {r.header()});
    EXPECT_EQ(again.status, 409) << again;
    if (again.status != 201) error_code(again);
    // ... also over the socket.
    ASSERT_TRUE(r.sock->send({{"type", "rating"}, {"score", 2}, {"client_msg_id", "rate-2"}}));
    auto ws_rate = r.sock->wait_answer("rate-2", 3s);
    ASSERT_TRUE(ws_rate.has_value());
    EXPECT_EQ(ws_rate->value("type", ""), "error") << "a second rating over the socket: " << ws_rate->dump();

    // Writing to a closed chat is refused, by the resident and by the consultant.
    json late = resident_says(r, "Jeszcze jedno pytanie", "r-late");
    EXPECT_EQ(late.value("type", ""), "error") << late.dump();
    EXPECT_FALSE(late.value("code", "").empty()) << late.dump();
    auto late_rest = http->post(r.path("/messages"), {{"text", "Halo?"}, {"client_msg_id", "r-late-rest"}}, {r.header()});
    EXPECT_EQ(late_rest.status, 409) << late_rest;
    if (late_rest.status >= 400) error_code(late_rest);
    json late_agent = agent_says(anna, r.chat_id, "Jeszcze coś?", "a-late");
    EXPECT_EQ(late_agent.value("type", ""), "error") << late_agent.dump();
    auto late_agent_rest = http->post("/api/v1/contacts/" + r.chat_id + "/messages",
                                      {{"text", "Jeszcze coś? (REST)"}, {"client_msg_id", "a-late-rest"}}, {anna.auth()});
    EXPECT_TRUE(late_agent_rest.status == 404 || late_agent_rest.status == 409) << late_agent_rest;
    const json after_close = staff_messages(boss, r.chat_id);
    for (const std::string t : {"Jeszcze jedno pytanie", "Halo?", "Jeszcze coś?", "Jeszcze coś? (REST)"})
        EXPECT_FALSE(any_text(after_close, t)) << "a message to a closed chat was stored: " << t;
    // The history is complete and strictly increasing.
    const auto all = ids(after_close);
    for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1], all[i]);
}

TEST_F(ChatFlowTest, TransferToADepartmentQueueAndToAnAgent) {
    Login admin = must_login("admin");
    Login boss = must_login("kierownik");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    create_agent(admin, "jan", "Jan Kowalski", {{"vehicles", 3}});
    Agent jan = agent("jan");
    open_agent_socket(jan);

    Resident r = create_chat("Piotr Zieliński", "pl", "other");
    connect_resident(r);
    handoff(r);
    set_state(anna, "available");
    serve(anna, r);
    ASSERT_FALSE(HasFailure());
    resident_says_ok(r, "Potrzebuję przerejestrować auto sprowadzone z Niemiec.", "r-1");

    // Second line: the department queue for vehicles.
    r.sock->forget_pending();
    auto t = http->post("/api/v1/contacts/" + r.chat_id + "/transfer",
                        {{"queue", "dept_komunikacja"}, {"note", "Pojazd sprowadzony — proszę o pomoc wydziału"}}, {anna.auth()});
    ASSERT_EQ(t.status, 200) << t;
    EXPECT_TRUE(anna.sock->wait([&](const json& j) {
        return j.value("type", "") == "contact_closed" && j.value("contact_id", "") == r.chat_id;
    })) << "the first consultant was not told the chat left them";
    {
        json c = contact(boss, r.chat_id);
        EXPECT_EQ(c.value("state", ""), "waiting") << c.dump();
        EXPECT_EQ(c.value("queue", ""), "dept_komunikacja") << c.dump();
        EXPECT_TRUE(c["agents"].is_array() && c["agents"].empty()) << "nobody serves it while it waits: " << c.dump();
    }
    auto q = r.sock->wait_type("queue", 5s);
    ASSERT_TRUE(q.has_value()) << "the resident did not see the queue again after the transfer";
    EXPECT_EQ(q->value("position", 0), 1) << q->dump();
    // Once transferred away, the first consultant no longer writes into it.
    auto stale = http->post("/api/v1/contacts/" + r.chat_id + "/messages", {{"text", "Jeszcze ja"}, {"client_msg_id", "stale"}},
                            {anna.auth()});
    EXPECT_EQ(stale.status, 404) << stale;

    // Anna lacks the skill; Jan (vehicles:3) gets it when he goes available.
    set_state(jan, "available");
    json offer = wait_offer(jan, r.chat_id);
    ASSERT_FALSE(offer.is_null());
    EXPECT_EQ(offer["contact"].value("queue", ""), "dept_komunikacja") << offer.dump();
    anna.sock->drain(300ms);
    EXPECT_TRUE(anna.sock->seen([&](const json& j) { return j.value("type", "") == "offer" && j["contact"].value("id", "") == r.chat_id; })
                    .size() == 1)
        << "only the original offer reached Anna (no skill for the department queue)";
    accept(jan, offer);
    auto joined = r.sock->wait_type("agent_joined", 5s);
    ASSERT_TRUE(joined.has_value());
    EXPECT_EQ(joined->value("name", ""), "Jan Kowalski");
    {
        json c = contact(jan.login, r.chat_id);
        EXPECT_EQ(c.value("state", ""), "active") << c.dump();
        EXPECT_EQ(c["agents"], json::array({jan.id})) << c.dump();
        // Jan sees the history, the transfer note included (internal).
        const json items = staff_messages(jan.login, r.chat_id);
        EXPECT_TRUE(any_text(items, "Potrzebuję przerejestrować auto sprowadzone z Niemiec.")) << items.dump();
        bool note = false;
        for (const auto& m : items)
            if (m.value("text", "").find("Pojazd sprowadzony") != std::string::npos) note = m.value("internal", false);
        EXPECT_TRUE(note) << "the transfer note is an internal note for the next consultant: " << items.dump();
    }
    EXPECT_FALSE(frames_mention(*r.sock, "Pojazd sprowadzony")) << "the transfer note reached the resident";
    const int64_t j1 = agent_says_ok(jan, r.chat_id, "Dzień dobry, tu Wydział Komunikacji.", "j-1");
    EXPECT_TRUE(r.sock->wait([&](const json& j) { return j.value("type", "") == "message" && num(j.value("id", json("0"))) == j1; }));

    // Transfer to a named consultant: a second chat, served by Anna, handed to Jan.
    Resident r2 = create_chat("Olga Kowalenko", "uk");
    connect_resident(r2);
    handoff(r2);
    serve(anna, r2);
    ASSERT_FALSE(HasFailure());
    auto t2 = http->post("/api/v1/contacts/" + r2.chat_id + "/transfer", {{"agent_id", jan.id}, {"note", "mówi po ukraińsku"}},
                         {anna.auth()});
    ASSERT_EQ(t2.status, 200) << t2;
    EXPECT_TRUE(anna.sock->wait([&](const json& j) {
        return j.value("type", "") == "contact_closed" && j.value("contact_id", "") == r2.chat_id;
    })) << "the first consultant was not told the chat left them";
    {
        json c = contact(boss, r2.chat_id);
        EXPECT_EQ(c.value("state", ""), "waiting") << c.dump();
    }
    json offer2 = wait_offer(jan, r2.chat_id);
    ASSERT_FALSE(offer2.is_null());
    anna.sock->drain(300ms);
    EXPECT_EQ(anna.sock->seen([&](const json& j) { return j.value("type", "") == "offer" && j["contact"].value("id", "") == r2.chat_id; })
                  .size(),
              1u)
        << "a chat transferred to Jan was offered back to Anna";
    accept(jan, offer2);
    auto joined2 = r2.sock->wait_type("agent_joined", 5s);
    ASSERT_TRUE(joined2.has_value());
    EXPECT_EQ(joined2->value("name", ""), "Jan Kowalski");
    json c2 = contact(jan.login, r2.chat_id);
    EXPECT_EQ(c2["agents"], json::array({jan.id})) << c2.dump();

    // Transfers are for the one serving the chat: Anna no longer does.
    auto t3 = http->post("/api/v1/contacts/" + r2.chat_id + "/transfer", {{"queue", "general"}}, {anna.auth()});
    EXPECT_EQ(t3.status, 404) << t3;
    // Unknown queue or user: refused, nothing changes.
    auto bad_q = http->post("/api/v1/contacts/" + r2.chat_id + "/transfer", {{"queue", "no_such_queue"}}, {jan.auth()});
    EXPECT_GE(bad_q.status, 400) << bad_q;
    EXPECT_LT(bad_q.status, 500) << bad_q;
    EXPECT_EQ(contact(boss, r2.chat_id).value("state", ""), "active");
}

// A consultant may not read the queues' configuration (supervisors' business),
// but must see where a conversation can go: the queues and the colleagues
// signed in now, with just what choosing needs.
TEST_F(ChatFlowTest, AConsultantSeesWhereAConversationCanGoAndNoMore) {
    Login admin = must_login("admin");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    create_agent(admin, "jan", "Jan Kowalski", {{"vehicles", 3}});
    Agent jan = agent("jan");

    EXPECT_EQ(http->get("/api/v1/queues", {anna.auth()}).status, 403) << "the queues' configuration is for supervisors";
    EXPECT_EQ(http->get("/api/v1/transfer-targets").status, 401);

    auto targets = [&] {
        auto r = http->get("/api/v1/transfer-targets", {anna.auth()});
        EXPECT_EQ(r.status, 200) << r;
        return json::parse(r.body, nullptr, false);
    };
    json t = targets();
    ASSERT_TRUE(t["queues"].is_array()) << t.dump();
    bool dept = false;
    for (const auto& q : t["queues"]) {
        EXPECT_FALSE(q.contains("skills") || q.contains("sla_seconds") || q.contains("strategy")) << q.dump();
        if (q.value("id", "") == "dept_komunikacja") {
            dept = true;
            EXPECT_FALSE(q.value("name", "").empty()) << q.dump();
            EXPECT_TRUE(q["channels"].is_array()) << q.dump();
            EXPECT_TRUE(q["open_now"].is_boolean()) << q.dump();
            EXPECT_EQ(q.value("waiting", -1), 0) << q.dump();
        }
    }
    EXPECT_TRUE(dept) << "the vehicles department's second line is a target: " << t.dump();
    EXPECT_TRUE(t["agents"].empty()) << "Jan is not signed in and Anna is not her own target: " << t.dump();

    // Jan signs in and takes a break: a colleague to hand to, with his state.
    open_agent_socket(jan);
    auto brk = http->put("/api/v1/agents/me/state", {{"state", "break"}, {"reason", "coffee"}}, {jan.auth()});
    ASSERT_EQ(brk.status, 200) << brk;
    t = targets();
    ASSERT_EQ(t["agents"].size(), 1u) << t.dump();
    EXPECT_EQ(t["agents"][0].value("id", ""), jan.id);
    EXPECT_EQ(t["agents"][0].value("display_name", ""), "Jan Kowalski");
    EXPECT_EQ(t["agents"][0].value("state", ""), "break");
    EXPECT_FALSE(t["agents"][0].contains("handled_today")) << "colleagues' statistics are for supervisors";

    // A waiting resident shows in the queue's count.
    Resident r = create_chat("Piotr Zieliński", "pl", "other");
    connect_resident(r);
    handoff(r);
    ASSERT_FALSE(HasFailure());
    int waiting = 0;
    t = targets();
    for (const auto& q : t["queues"]) waiting += q.value("waiting", 0);
    EXPECT_EQ(waiting, 1);
}

TEST_F(ChatFlowTest, AConsultantCanOpenTheClosedChatsInHerOwnList) {
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    Resident r = create_chat("Zamknięta Sprawa");
    connect_resident(r);
    handoff(r);
    serve(anna, r);
    ASSERT_FALSE(HasFailure());
    resident_says_ok(r, "Dziękuję za pomoc z deklaracją śmieciową.", "r-1");
    agent_says_ok(anna, r.chat_id, "Proszę bardzo, do usłyszenia.", "a-1");
    ASSERT_EQ(http->post("/api/v1/contacts/" + r.chat_id + "/close", {{"disposition", "waste"}}, {anna.auth()}).status, 200);

    // Her list of closed conversations shows it ...
    auto list = http->get("/api/v1/contacts?state=closed", {anna.auth()});
    ASSERT_EQ(list.status, 200) << list;
    bool listed = false;
    const json listed_items = list.json().value("items", json::array());
    for (const auto& c : listed_items)
        if (c.value("id", "") == r.chat_id) listed = true;
    EXPECT_TRUE(listed) << "a consultant's closed chats are in her list: " << list;
    // ... and what her list shows, she can open: the contact and its history.
    auto one = http->get("/api/v1/contacts/" + r.chat_id, {anna.auth()});
    EXPECT_EQ(one.status, 200) << "listed in /api/v1/contacts?state=closed but not readable: " << one;
    EXPECT_EQ(one.json().value("state", ""), "closed") << one;
    auto history = http->get("/api/v1/contacts/" + r.chat_id + "/messages", {anna.auth()});
    EXPECT_EQ(history.status, 200) << history;
    EXPECT_TRUE(any_text(history.json().value("items", json::array()), "Dziękuję za pomoc z deklaracją śmieciową.")) << history;
}

TEST_F(ChatFlowTest, ReconnectGetsEveryMissedMessageOnceInOrder) {
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    Resident r = create_chat("Krystyna Lewandowska");
    connect_resident(r);
    handoff(r);
    serve(anna, r);
    ASSERT_FALSE(HasFailure());

    // What the resident has: its own last message (and anything pushed before it).
    const int64_t mine = resident_says_ok(r, "Czy mogę zapłacić za odpady przelewem?", "r-1");
    ASSERT_TRUE(anna.sock->wait([&](const json& j) { return j.value("type", "") == "message" && j.contains("message") && num(j["message"]["id"]) == mine; }));
    r.sock->drain(200ms);
    int64_t resident_last = mine;
    for (const auto& f : r.sock->history())
        if (f.value("type", "") == "message" && f.contains("id")) resident_last = std::max(resident_last, num(f["id"]));
    r.sock->close();
    std::this_thread::sleep_for(200ms);

    // While the resident is away: three messages, and an internal note last.
    const std::vector<std::string> missed = {"Tak, można przelewem.", "Numer konta jest w decyzji.", "Czy coś jeszcze? 🙂"};
    std::vector<int64_t> missed_ids;
    for (size_t i = 0; i < missed.size(); ++i)
        missed_ids.push_back(agent_says_ok(anna, r.chat_id, missed[i], "away-" + std::to_string(i)));
    agent_says_ok(anna, r.chat_id, "notatka: mieszkanka się rozłączyła", "away-note", true);

    // Back, with the token in the query this time.
    json hello = connect_resident(r, true);
    EXPECT_EQ(hello.value("state", ""), "active") << hello.dump();
    ASSERT_TRUE(hello.contains("last_message_id")) << hello.dump();
    EXPECT_EQ(num(hello["last_message_id"]), missed_ids.back())
        << "last_message_id must be the last message the resident may see (not the internal note)";
    const json got = public_messages(r, resident_last);
    EXPECT_EQ(texts(got), missed) << got.dump();
    EXPECT_EQ(ids(got), missed_ids) << got.dump();
    EXPECT_TRUE(public_messages(r, missed_ids.back()).empty()) << "nothing after the last one";
    // The conversation carries on over the new socket.
    const int64_t back = resident_says_ok(r, "Dziękuję, to wszystko.", "r-2");
    EXPECT_GT(back, missed_ids.back());

    // The same for the consultant: away from the socket, back to the REST history.
    ASSERT_TRUE(anna.sock->wait([&](const json& j) { return j.value("type", "") == "message" && j.contains("message") && num(j["message"]["id"]) == back; }));
    const json before = staff_messages(anna.login, r.chat_id);
    ASSERT_FALSE(before.empty());
    const int64_t agent_last = num(before.back()["id"]);
    EXPECT_EQ(agent_last, back);
    anna.sock->close();
    std::this_thread::sleep_for(200ms);
    const std::vector<std::string> missed_by_agent = {"Halo?", "Czy jest tam ktoś?", "Ąę — ostatnia wiadomość"};
    std::vector<int64_t> missed_by_agent_ids;
    for (size_t i = 0; i < missed_by_agent.size(); ++i)
        missed_by_agent_ids.push_back(resident_says_ok(r, missed_by_agent[i], "r-away-" + std::to_string(i)));
    const json agent_got = staff_messages(anna.login, r.chat_id, agent_last);
    EXPECT_EQ(texts(agent_got), missed_by_agent) << agent_got.dump();
    EXPECT_EQ(ids(agent_got), missed_by_agent_ids) << agent_got.dump();
    EXPECT_TRUE(staff_messages(anna.login, r.chat_id, missed_by_agent_ids.back()).empty());
    // A fresh socket carries on: the reply reaches the resident.
    open_agent_socket(anna);
    const int64_t reply = agent_says_ok(anna, r.chat_id, "Jestem, przepraszam.", "a-back");
    EXPECT_TRUE(r.sock->wait([&](const json& j) { return j.value("type", "") == "message" && num(j.value("id", json("0"))) == reply; }));
}

TEST_F(ChatFlowTest, TwoTabsOfOneResidentBothFollowTheConversation) {
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    Resident r = create_chat("Dwie Karty");
    connect_resident(r);
    Resident tab2;  // same chat, same token, a second socket
    tab2.chat_id = r.chat_id;
    tab2.token = r.token;
    tab2.name = r.name;
    connect_resident(tab2);
    handoff(r);
    EXPECT_TRUE(tab2.sock->wait_type("queue", 3s).has_value()) << "the second tab was not told the place in line";
    serve(anna, r);
    ASSERT_FALSE(HasFailure());
    EXPECT_TRUE(tab2.sock->wait_type("agent_joined", 3s).has_value());

    // What one tab sends, the other shows; the consultant's reply reaches both.
    const int64_t mine = resident_says_ok(r, "Piszę z pierwszej karty", "tab1-1");
    EXPECT_TRUE(tab2.sock->wait([&](const json& j) { return j.value("type", "") == "message" && num(j.value("id", json("0"))) == mine; }, 3s))
        << "the other tab did not get the resident's own message";
    const int64_t reply = agent_says_ok(anna, r.chat_id, "Odpowiadam obu kartom", "a-1");
    for (Resident* tab : {&r, &tab2})
        EXPECT_TRUE(tab->sock->wait([&](const json& j) { return j.value("type", "") == "message" && num(j.value("id", json("0"))) == reply; }, 3s));
    // One tab closes; the other carries on.
    r.sock->close();
    std::this_thread::sleep_for(200ms);
    const int64_t later = agent_says_ok(anna, r.chat_id, "Czy nadal tu jesteś?", "a-2");
    EXPECT_TRUE(tab2.sock->wait([&](const json& j) { return j.value("type", "") == "message" && num(j.value("id", json("0"))) == later; }, 3s));
    EXPECT_GT(resident_says_ok(tab2, "Tak, w drugiej karcie", "tab2-1"), later);
}

TEST_F(ChatFlowTest, AChatThatNeedsAnInterpreterIsServedByTwoPeopleAtOnce) {
    Login admin = must_login("admin");
    Login boss = must_login("kierownik");
    create_agent(admin, "tlumaczka", "Ewa Tłumaczka PJM", {{"pjm", 5}});
    Agent ewa = agent("tlumaczka");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    open_agent_socket(ewa);
    set_state(anna, "available");

    auto created = http->post("/api/v1/public/chats", {{"name", "Głucha Mieszkanka"}, {"lang", "pl"}, {"needs_interpreter", true}});
    ASSERT_EQ(created.status, 201) << created;
    Resident r;
    r.chat_id = created.json().value("chat_id", "");
    r.token = created.json().value("visitor_token", "");
    connect_resident(r);
    handoff(r);
    // The consultant alone is not enough: nobody is offered it until an interpreter is free.
    EXPECT_FALSE(anna.sock->wait_type("offer", 1s).has_value()) << "offered without an interpreter";
    set_state(ewa, "available");
    json oa = wait_offer(anna, r.chat_id);
    json oe = wait_offer(ewa, r.chat_id);
    ASSERT_FALSE(oa.is_null() || oe.is_null());
    EXPECT_TRUE(oa.value("contact", json::object()).value("needs_interpreter", false)) << oa.dump();
    // Both accept (the contact is assigned once both have).
    ASSERT_TRUE(anna.sock->send({{"type", "accept"}, {"offer_id", oa["offer_id"]}}));
    ASSERT_TRUE(ewa.sock->send({{"type", "accept"}, {"offer_id", oe["offer_id"]}}));
    for (Agent* a : {&anna, &ewa})
        EXPECT_TRUE(a->sock->wait([&](const json& j) {
            return j.value("type", "") == "contact_assigned" && j["contact"].value("id", "") == r.chat_id;
        }, 3s)) << a->name << " got no contact_assigned";
    std::set<std::string> joined;
    for (int i = 0; i < 2; ++i)
        if (auto j = r.sock->wait_type("agent_joined", 3s)) joined.insert(j->value("name", ""));
    EXPECT_EQ(joined, (std::set<std::string>{"Anna Nowak", "Ewa Tłumaczka PJM"}));
    json c = contact(boss, r.chat_id);
    EXPECT_EQ(c.value("state", ""), "active") << c.dump();
    EXPECT_EQ(c["agents"].size(), 2u) << c.dump();

    // Everyone sees everyone's messages; the resident sees no notes.
    const int64_t m = resident_says_ok(r, "Dzień dobry, proszę o tłumacza.", "r-1");
    for (Agent* a : {&anna, &ewa})
        EXPECT_TRUE(a->sock->wait([&](const json& j) {
            return j.value("type", "") == "message" && j.contains("message") && num(j["message"]["id"]) == m;
        }, 3s)) << a->name << " did not get the resident's message";
    const int64_t from_ewa = agent_says_ok(ewa, r.chat_id, "Jestem tłumaczką, zaczynamy.", "e-1");
    EXPECT_TRUE(r.sock->wait([&](const json& j) { return j.value("type", "") == "message" && num(j.value("id", json("0"))) == from_ewa; }, 3s));
    EXPECT_TRUE(anna.sock->wait([&](const json& j) {
        return j.value("type", "") == "message" && j.contains("message") && num(j["message"]["id"]) == from_ewa;
    }, 3s)) << "the consultant did not see the interpreter's message";

    ASSERT_EQ(http->post("/api/v1/contacts/" + r.chat_id + "/close", {{"disposition", "other"}}, {anna.auth()}).status, 200);
    for (Agent* a : {&anna, &ewa})
        EXPECT_TRUE(a->sock->wait([&](const json& j) {
            return j.value("type", "") == "contact_closed" && j.value("contact_id", "") == r.chat_id;
        }, 3s)) << a->name << " was not told the chat closed";
    EXPECT_TRUE(r.sock->wait_type("closed", 3s).has_value());
}

TEST_F(ChatFlowTest, DuplicateClientMsgIdIsStoredOnceAndAckedWithTheFirstId) {
    Login admin = must_login("admin");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    Resident a = create_chat("Mieszkaniec A");
    Resident b = create_chat("Mieszkaniec B");
    connect_resident(a);
    connect_resident(b);
    handoff(a);
    serve(anna, a);
    handoff(b);
    serve(anna, b);
    ASSERT_FALSE(HasFailure());

    // Resident: the same frame twice back to back (likely one group commit), then over REST.
    const json frame = {{"type", "message"}, {"text", "Ponawiam po zerwaniu połączenia"}, {"client_msg_id", "dup-1"}};
    ASSERT_TRUE(a.sock->send(frame));
    ASSERT_TRUE(a.sock->send(frame));
    auto ack1 = a.sock->wait_answer("dup-1");
    auto ack2 = a.sock->wait_answer("dup-1");
    ASSERT_TRUE(ack1 && ack2) << "both sends are answered";
    EXPECT_EQ(ack1->value("type", ""), "ack") << ack1->dump();
    EXPECT_EQ(ack2->value("type", ""), "ack") << ack2->dump();
    EXPECT_EQ(ack1->value("id", "1"), ack2->value("id", "2")) << "the second send is acked with the first id";
    const std::string first_id = ack1->value("id", "");
    // A later retry (new socket) too.
    connect_resident(a);
    json ack3 = resident_says(a, "Ponawiam po zerwaniu połączenia", "dup-1");
    EXPECT_EQ(ack3.value("id", ""), first_id) << ack3.dump();
    auto rest = http->post(a.path("/messages"), {{"text", "Ponawiam po zerwaniu połączenia"}, {"client_msg_id", "dup-1"}}, {a.header()});
    EXPECT_TRUE(rest.status == 200 || rest.status == 201) << rest;
    EXPECT_EQ(rest.json().value("id", ""), first_id) << rest;
    int stored = 0;
    for (const auto& m : public_messages(a))
        if (m.value("text", "") == "Ponawiam po zerwaniu połączenia") ++stored;
    EXPECT_EQ(stored, 1) << "a client_msg_id sent four times is stored once";
    // The consultant saw it once.
    ASSERT_TRUE(anna.sock->wait([&](const json& j) {
        return j.value("type", "") == "message" && j.contains("message") && j["message"].value("id", "") == first_id;
    }));
    anna.sock->drain(300ms);
    EXPECT_EQ(anna.sock->seen([&](const json& j) {
                  return j.value("type", "") == "message" && j.contains("message") && j["message"].value("id", "") == first_id;
              }).size(),
              1u)
        << "a duplicate was pushed to the consultant again";

    // Consultant: the same client_msg_id twice over the socket and once over REST.
    const std::string text = "Odpowiedź wysłana raz";
    json f = {{"type", "message"}, {"contact_id", a.chat_id}, {"text", text}, {"client_msg_id", "same"}};
    ASSERT_TRUE(anna.sock->send(f));
    ASSERT_TRUE(anna.sock->send(f));
    auto g1 = anna.sock->wait_answer("same");
    auto g2 = anna.sock->wait_answer("same");
    ASSERT_TRUE(g1 && g2);
    EXPECT_EQ(g1->value("type", ""), "ack") << g1->dump();
    EXPECT_EQ(g1->value("id", "x"), g2->value("id", "y"));
    auto g3 = http->post("/api/v1/contacts/" + a.chat_id + "/messages", {{"text", text}, {"client_msg_id", "same"}}, {anna.auth()});
    EXPECT_TRUE(g3.status == 200 || g3.status == 201) << g3;
    EXPECT_EQ(g3.json().value("id", ""), g1->value("id", "x")) << g3;
    int agent_stored = 0;
    for (const auto& m : public_messages(a))
        if (m.value("text", "") == text) ++agent_stored;
    EXPECT_EQ(agent_stored, 1);
    a.sock->drain(300ms);
    EXPECT_EQ(a.sock->seen([&](const json& j) { return j.value("type", "") == "message" && j.value("text", "") == text; }).size(), 1u)
        << "the resident got the consultant's duplicate more than once";

    // Independent senders may use the same client_msg_id: another resident,
    // and the consultant in another chat, and the resident vs the consultant.
    const int64_t b1 = resident_says_ok(b, "Inna osoba, ten sam identyfikator", "dup-1");
    EXPECT_NE(std::to_string(b1), first_id);
    EXPECT_TRUE(any_text(public_messages(b), "Inna osoba, ten sam identyfikator"));
    const int64_t in_b = agent_says_ok(anna, b.chat_id, "Ta sama konsultantka, inna rozmowa", "same");
    EXPECT_NE(std::to_string(in_b), g1->value("id", ""));
    EXPECT_TRUE(any_text(public_messages(b), "Ta sama konsultantka, inna rozmowa"));
    const int64_t agent_dup1 = agent_says_ok(anna, a.chat_id, "Konsultantka używa dup-1", "dup-1");
    EXPECT_NE(std::to_string(agent_dup1), first_id) << "the consultant's dup-1 is not the resident's dup-1";
    EXPECT_TRUE(any_text(public_messages(a), "Konsultantka używa dup-1"));

    // Two consultants in one chat (an invited second person) with the same id.
    create_agent(admin, "jan", "Jan Kowalski", {{"vehicles", 3}});
    Agent jan = agent("jan");
    open_agent_socket(jan);
    set_state(jan, "available");
    auto inv = http->post("/api/v1/contacts/" + a.chat_id + "/invite", {{"skill", "vehicles"}}, {anna.auth()});
    ASSERT_EQ(inv.status, 202) << inv;
    json offer = wait_offer(jan, a.chat_id);
    ASSERT_FALSE(offer.is_null());
    accept(jan, offer);
    const int64_t from_jan = agent_says_ok(jan, a.chat_id, "Drugi konsultant, ten sam identyfikator", "same");
    EXPECT_NE(std::to_string(from_jan), g1->value("id", ""));
    EXPECT_TRUE(any_text(public_messages(a), "Drugi konsultant, ten sam identyfikator"));
}

}  // namespace
}  // namespace centrala::testing::chat
