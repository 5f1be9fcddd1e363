// Resident chat under bad input: too long or empty messages, someone else's
// token, unknown chats, flooding, malformed frames, unknown offers, consultants
// reaching into chats that are not theirs; and the Origin check on /ws/chat.
#include <algorithm>

#include "chat_common.hpp"

namespace centrala::testing::chat {
namespace {

using ChatInputTest = ChatTest;

std::string repeat(const std::string& unit, size_t n) {
    std::string s;
    s.reserve(unit.size() * n);
    for (size_t i = 0; i < n; ++i) s += unit;
    return s;
}

TEST_F(ChatInputTest, MessageLengthIsCountedInCharactersAndCappedAt4000) {
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    Resident r = create_chat("Długa Wiadomość");
    connect_resident(r);

    // 4000 characters (8000 bytes of 'ż') is allowed; 4001 is not.
    const std::string max_ok = repeat("ż", 4000);
    const std::string too_long = repeat("ż", 4001);
    const int64_t ok = resident_says_ok(r, max_ok, "len-ok");
    EXPECT_GT(ok, 0);
    json err = resident_says(r, too_long, "len-bad");
    EXPECT_EQ(err.value("type", ""), "error") << err.dump().substr(0, 300);
    EXPECT_EQ(err.value("code", ""), "message_too_long") << err.dump().substr(0, 300);
    auto rest = http->post(r.path("/messages"), {{"text", repeat("a", 4001)}, {"client_msg_id", "len-rest"}}, {r.header()});
    EXPECT_EQ(rest.status, 413) << rest;
    EXPECT_EQ(error_code(rest), "message_too_long");
    // Nothing over the limit was stored, and the socket still works.
    for (const auto& m : public_messages(r)) EXPECT_LE(m.value("text", "").size(), max_ok.size());
    EXPECT_FALSE(r.sock->closed());
    EXPECT_GT(resident_says_ok(r, "Krótko.", "short"), ok);

    // The same limit for the consultant.
    handoff(r);
    serve(anna, r);
    ASSERT_EQ(contact(anna.login, r.chat_id).value("state", ""), "active");
    json agent_err = agent_says(anna, r.chat_id, repeat("ą", 4001), "a-bad");
    EXPECT_EQ(agent_err.value("type", ""), "error");
    EXPECT_EQ(agent_err.value("code", ""), "message_too_long");
    auto agent_rest = http->post("/api/v1/contacts/" + r.chat_id + "/messages", {{"text", repeat("x", 4001)}, {"client_msg_id", "a-rest"}},
                                 {anna.auth()});
    EXPECT_EQ(agent_rest.status, 413) << agent_rest;
    EXPECT_EQ(error_code(agent_rest), "message_too_long");
    EXPECT_GT(agent_says_ok(anna, r.chat_id, repeat("ą", 4000), "a-ok"), 0);

    // Far over the limit (but well within the request body limit) is still
    // 413 message_too_long, not some other 400.
    auto huge = http->post(r.path("/messages"), {{"text", repeat("a", 70000)}, {"client_msg_id", "len-huge"}}, {r.header()});
    EXPECT_EQ(huge.status, 413) << huge;
    if (huge.status >= 400) {
        EXPECT_EQ(error_code(huge), "message_too_long");
    }
}

TEST_F(ChatInputTest, CreatingAChatValidatesItsFields) {
    auto expect_400 = [&](const json& body, const std::string& what) {
        auto r = http->post("/api/v1/public/chats", body);
        EXPECT_EQ(r.status, 400) << what << ": " << r;
        if (r.status >= 400) error_code(r);
    };
    expect_400({{"name", "A"}, {"lang", "de"}}, "unknown language");
    expect_400({{"name", "A"}, {"lang", "pl"}, {"topic", "pogoda"}}, "unknown topic");
    expect_400({{"name", repeat("ż", 101)}, {"lang", "pl"}}, "name over 100 characters");
    expect_400({{"name", 5}, {"lang", "pl"}}, "name not a string");
    expect_400({{"lang", "pl"}, {"needs_interpreter", "tak"}}, "needs_interpreter not a boolean");
    expect_400({{"lang", "pl"}, {"visitor_token", "wybrany-przeze-mnie"}}, "a client-chosen token");
    auto not_json = http->request("POST", "/api/v1/public/chats", "{name:", {{"Content-Type", "application/json"}});
    EXPECT_EQ(not_json.status, 400) << not_json;
    auto form = http->request("POST", "/api/v1/public/chats", "name=A", {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(form.status, 415) << form;
    // A valid one with a topic and Ukrainian: the greeting is in Ukrainian.
    Resident r = create_chat("Олена", "uk", "waste");
    const json items = public_messages(r);
    ASSERT_EQ(items.size(), 1u) << items.dump();
    const std::string greeting = items[0].value("text", "");
    const bool cyrillic = std::any_of(greeting.begin(), greeting.end(), [](char ch) {
        const auto b = static_cast<unsigned char>(ch);
        return b >= 0xD0 && b <= 0xD3;  // lead bytes of U+0400..U+04FF
    });
    EXPECT_TRUE(cyrillic) << "a Ukrainian chat is greeted in Ukrainian: " << greeting;
    // Ratings must be whole numbers 1..5.
    for (const json& bad : {json{{"score", 0}}, json{{"score", 6}}, json{{"score", "5"}}, json{{"score", 4.5}}, json::object()}) {
        auto res = http->post(r.path("/rating"), bad, {r.header()});
        EXPECT_EQ(res.status, 400) << bad.dump() << ": " << res;
    }
}

TEST_F(ChatInputTest, EmptyMessagesAreRefused) {
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    Resident r = create_chat("Pusta Wiadomość");
    connect_resident(r);
    for (const std::string& text : {std::string(), std::string("   "), std::string("\n\t ")}) {
        json e = resident_says(r, text, "empty");
        EXPECT_EQ(e.value("type", ""), "error") << "text '" << text << "': " << e.dump();
        EXPECT_EQ(e.value("code", ""), "empty_message") << e.dump();
        auto rest = http->post(r.path("/messages"), {{"text", text}, {"client_msg_id", "empty-rest"}}, {r.header()});
        EXPECT_EQ(rest.status, 400) << rest;
        EXPECT_EQ(error_code(rest), "empty_message");
    }
    EXPECT_EQ(public_messages(r).size(), 1u) << "only the greeting: " << public_messages(r).dump();

    handoff(r);
    serve(anna, r);
    ASSERT_FALSE(HasFailure());
    json e = agent_says(anna, r.chat_id, "  ", "a-empty");
    EXPECT_EQ(e.value("type", ""), "error") << e.dump();
    EXPECT_EQ(e.value("code", ""), "empty_message") << e.dump();
    auto rest = http->post("/api/v1/contacts/" + r.chat_id + "/messages", {{"text", ""}, {"client_msg_id", "a-empty-rest"}}, {anna.auth()});
    EXPECT_EQ(rest.status, 400) << rest;
}

TEST_F(ChatInputTest, AnotherResidentsTokenOrAnUnknownChatIsNotFound) {
    Resident a = create_chat("Pani A");
    Resident b = create_chat("Pan B");
    ASSERT_FALSE(a.chat_id.empty() || b.chat_id.empty());
    const Header b_token = b.header();
    auto expect_404 = [&](const HttpResponse& r, const std::string& what) {
        EXPECT_EQ(r.status, 404) << what << ": " << r;
        if (r.status >= 400) error_code(r);
    };
    // B's token on A's chat.
    expect_404(http->get(a.path("/messages"), {b_token}), "read A with B's token");
    expect_404(http->post(a.path("/messages"), {{"text", "Podszywam się"}, {"client_msg_id", "x"}}, {b_token}),
               "write A with B's token");
    expect_404(http->post(a.path("/handoff"), json::object(), {b_token}), "hand off A with B's token");
    expect_404(http->post(a.path("/rating"), {{"score", 1}}, {b_token}), "rate A with B's token");
    // No token, a made-up token, unknown or malformed ids.
    expect_404(http->get(a.path("/messages")), "no token");
    expect_404(http->get(a.path("/messages"), {{"X-Visitor-Token", "zmyslony-token"}}), "made-up token");
    expect_404(http->get("/api/v1/public/chats/999999/messages", {b_token}), "unknown chat id");
    expect_404(http->get("/api/v1/public/chats/abc/messages", {b_token}), "malformed chat id");
    expect_404(http->post("/api/v1/public/chats/999999/messages", {{"text", "Halo"}, {"client_msg_id", "y"}}, {b_token}),
               "write to unknown chat");
    expect_404(http->post("/api/v1/public/chats/999999/handoff", json::object(), {b_token}), "hand off unknown chat");
    // A is untouched.
    const json items = public_messages(a);
    EXPECT_FALSE(any_text(items, "Podszywam się")) << items.dump();
    EXPECT_EQ(items.size(), 1u) << items.dump();
    Login boss = must_login("kierownik");
    EXPECT_EQ(contact(boss, a.chat_id).value("state", ""), "bot") << "A was handed off with B's token";
    // A made-up token on the socket: refused.
    Socket s;
    ASSERT_EQ(s.ws().connect(server->port(), "/ws/chat"), 101);
    ASSERT_TRUE(s.send({{"type", "auth"}, {"visitor_token", "zmyslony-token"}}));
    EXPECT_FALSE(s.wait_type("hello", 3s).has_value()) << "hello for a made-up visitor token";
    EXPECT_TRUE(s.closed()) << "the socket stays open after a failed authentication";
}

TEST_F(ChatInputTest, FloodingResidentIsRateLimited) {
    Resident r = create_chat("Spamer");
    connect_resident(r);
    // Default limit: 20 messages per 10 s per resident. Send 30 without waiting.
    for (int i = 0; i < 30; ++i)
        ASSERT_TRUE(r.sock->send({{"type", "message"}, {"text", "spam " + std::to_string(i)}, {"client_msg_id", "f" + std::to_string(i)}}));
    int acks = 0, limited = 0;
    for (int i = 0; i < 30; ++i) {
        auto a = r.sock->wait_answer("f" + std::to_string(i), 5s);
        ASSERT_TRUE(a.has_value()) << "no answer for message " << i;
        if (a->value("type", "") == "ack") ++acks;
        else if (a->value("code", "") == "rate_limited") ++limited;
        else ADD_FAILURE() << a->dump();
    }
    EXPECT_EQ(acks, 20) << "messages accepted out of 30 within 10 s";
    EXPECT_EQ(limited, 10);
    // REST is under the same limit: 429 with Retry-After.
    auto rest = http->post(r.path("/messages"), {{"text", "jeszcze"}, {"client_msg_id", "f-rest"}}, {r.header()});
    EXPECT_EQ(rest.status, 429) << rest;
    EXPECT_EQ(error_code(rest), "rate_limited");
    EXPECT_TRUE(rest.header("Retry-After").has_value()) << rest;
    int stored = 0;
    for (const auto& m : public_messages(r))
        if (m.value("text", "").rfind("spam ", 0) == 0) ++stored;
    EXPECT_EQ(stored, 20);
    // The connection is still there (limited, not dropped).
    EXPECT_FALSE(r.sock->closed());
}

TEST_F(ChatInputTest, MalformedFramesGetAnErrorAndTheSocketStaysUsable) {
    Resident r = create_chat("Zepsuty Klient");
    connect_resident(r);
    const std::vector<std::string> bad = {"{not json", "[]", "\"message\"", "{}", R"({"type":5})", R"({"type":null})", "42"};
    for (const auto& frame : bad) {
        r.sock->forget_pending();
        ASSERT_TRUE(r.sock->send_text(frame));
        auto e = r.sock->wait_type("error", 3s);
        ASSERT_TRUE(e.has_value()) << "no error frame for " << frame << (r.sock->closed() ? " (socket closed)" : "");
        EXPECT_FALSE(e->value("code", "").empty()) << e->dump();
        EXPECT_FALSE(e->value("message", "").empty()) << e->dump();
    }
    // Well-formed but wrong frames.
    const std::vector<json> wrong = {
        {{"type", "message"}, {"client_msg_id", "no-text"}},
        {{"type", "message"}, {"text", 17}, {"client_msg_id", "num-text"}},
        {{"type", "message"}, {"text", "bez identyfikatora"}},
        {{"type", "taniec"}, {"client_msg_id", "unknown-type"}},
        {{"type", "rating"}, {"score", 9}, {"client_msg_id", "bad-score"}},
        {{"type", "auth"}, {"visitor_token", r.token}},
    };
    for (const auto& f : wrong) {
        r.sock->forget_pending();
        ASSERT_TRUE(r.sock->send(f));
        auto e = r.sock->wait_type("error", 3s);
        ASSERT_TRUE(e.has_value()) << "no error frame for " << f.dump();
        if (f.contains("client_msg_id")) {
            EXPECT_EQ(e->value("client_msg_id", ""), f["client_msg_id"]) << e->dump();
        }
    }
    EXPECT_FALSE(r.sock->closed()) << r.sock->close_event();
    // Still usable, and nothing bogus was stored.
    const int64_t ok = resident_says_ok(r, "Teraz poprawnie.", "ok-1");
    EXPECT_GT(ok, 0);
    for (const auto& m : public_messages(r)) EXPECT_NE(m.value("text", ""), "bez identyfikatora");

    // The consultant's socket behaves the same, and unknown offers are errors.
    Agent anna = agent("anna");
    open_agent_socket(anna);
    for (const auto& frame : bad) {
        anna.sock->forget_pending();
        ASSERT_TRUE(anna.sock->send_text(frame));
        EXPECT_TRUE(anna.sock->wait_type("error", 3s).has_value()) << "no error frame for " << frame;
    }
    for (const json& f : {json{{"type", "accept"}, {"offer_id", "987654"}, {"client_msg_id", "o1"}},
                          json{{"type", "reject"}, {"offer_id", "987654"}, {"client_msg_id", "o2"}},
                          json{{"type", "accept"}, {"offer_id", "nie-liczba"}, {"client_msg_id", "o3"}}}) {
        ASSERT_TRUE(anna.sock->send(f));
        auto e = anna.sock->wait_answer(f["client_msg_id"]);
        ASSERT_TRUE(e.has_value()) << f.dump();
        EXPECT_EQ(e->value("type", ""), "error") << e->dump();
    }
    EXPECT_EQ(error_code(http->post("/api/v1/offers/987654/accept", json::object(), {anna.auth()})), "offer_not_found");
    EXPECT_FALSE(anna.sock->closed());
    set_state(anna, "available");
    EXPECT_TRUE(anna.sock->wait_type("state", 3s).has_value()) << "the consultant's socket stopped working";
}

TEST_F(ChatInputTest, AConsultantCannotReachIntoSomeoneElsesChat) {
    Login admin = must_login("admin");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    create_agent(admin, "ewa", "Ewa Nowicka");
    Agent ewa = agent("ewa");
    open_agent_socket(ewa);

    Resident r = create_chat("Prywatna Rozmowa");
    connect_resident(r);
    handoff(r);
    // Ewa cannot take Anna's offer.
    json offer = wait_offer(anna, r.chat_id);
    ASSERT_FALSE(offer.is_null());
    const std::string offer_id = offer.value("offer_id", "");
    auto stolen = http->post("/api/v1/offers/" + offer_id + "/accept", json::object(), {ewa.auth()});
    EXPECT_TRUE(stolen.status == 403 || stolen.status == 404 || stolen.status == 409) << stolen;
    ASSERT_TRUE(ewa.sock->send({{"type", "accept"}, {"offer_id", offer_id}, {"client_msg_id", "steal"}}));
    auto stolen_ws = ewa.sock->wait_answer("steal", 3s);
    ASSERT_TRUE(stolen_ws.has_value());
    EXPECT_EQ(stolen_ws->value("type", ""), "error") << stolen_ws->dump();
    EXPECT_FALSE(ewa.sock->wait_type("contact_assigned", 300ms).has_value()) << "Ewa was assigned Anna's offer";
    accept(anna, offer);
    ASSERT_TRUE(r.sock->wait_type("agent_joined", 3s).has_value());
    EXPECT_EQ(contact(anna.login, r.chat_id)["agents"], json::array({anna.id}));
    resident_says_ok(r, "Mój PESEL to 90010112345", "secret");

    const std::string base = "/api/v1/contacts/" + r.chat_id;
    auto expect_404 = [&](const HttpResponse& res, const std::string& what) {
        EXPECT_EQ(res.status, 404) << what << ": " << res;
        if (res.status >= 400) error_code(res);
        EXPECT_EQ(res.body.find("90010112345"), std::string::npos) << what << " leaked the conversation";
    };
    expect_404(http->get(base, {ewa.auth()}), "GET the contact");
    expect_404(http->get(base + "/messages", {ewa.auth()}), "GET its messages");
    expect_404(http->get(base + "/messages?after=1", {ewa.auth()}), "GET its messages after 1");
    expect_404(http->post(base + "/messages", {{"text", "Wtrącam się"}, {"client_msg_id", "e1"}}, {ewa.auth()}), "POST a message");
    expect_404(http->post(base + "/messages", {{"text", "Notatka"}, {"client_msg_id", "e2"}, {"internal", true}}, {ewa.auth()}),
               "POST a note");
    expect_404(http->post(base + "/close", {{"disposition", "other"}}, {ewa.auth()}), "close it");
    expect_404(http->post(base + "/transfer", {{"queue", "general"}}, {ewa.auth()}), "transfer it");
    json ws_err = agent_says(ewa, r.chat_id, "Przez gniazdo", "e3");
    EXPECT_EQ(ws_err.value("type", ""), "error") << ws_err.dump();
    EXPECT_EQ(ws_err.value("code", ""), "contact_not_found") << ws_err.dump();
    // Her own list does not show it.
    auto list = http->get("/api/v1/contacts", {ewa.auth()});
    EXPECT_EQ(list.status, 200) << list;
    EXPECT_EQ(list.body.find("\"" + r.chat_id + "\""), std::string::npos) << list;
    // Nothing from Ewa got in, and the resident heard nothing from her.
    const json items = staff_messages(anna.login, r.chat_id);
    for (const std::string t : {"Wtrącam się", "Notatka", "Przez gniazdo"}) EXPECT_FALSE(any_text(items, t)) << t;
    r.sock->drain(300ms);
    EXPECT_FALSE(frames_mention(*r.sock, "Wtrącam")) << "the resident got a message from a consultant not in the chat";
    EXPECT_FALSE(frames_mention(*r.sock, "Przez gniazdo"));
    // Anna still can.
    EXPECT_EQ(contact(anna.login, r.chat_id).value("state", ""), "active");
}

// ---- Origin on /ws/chat ------------------------------------------------------

constexpr const char* kCityOrigin = "https://bip.miasto.example";

TEST_F(ChatInputTest, ChatSocketFromAForeignOriginIsRefused) {
    Resident r = create_chat("Z Obcej Strony");
    for (const std::string& origin : {std::string(kCityOrigin), std::string("http://evil.example"), std::string("null")}) {
        WsClient ws;
        const int status = ws.connect(server->port(), "/ws/chat?visitor_token=" + r.token, {{"Origin", origin}});
        EXPECT_EQ(status, 403) << origin << ": " << ws.handshake_response();
        if (status != 101) error_code(ws.handshake_response());
    }
    // The server's own origin is fine.
    Resident own = create_chat("Z Własnej Strony");
    json hello = connect_resident(own, false, {{"Origin", "http://127.0.0.1:" + std::to_string(server->port())}});
    EXPECT_EQ(hello.value("chat_id", ""), own.chat_id);
}

class ChatAllowedOriginTest : public ChatTest {
protected:
    void configure(json& config) override {
        ChatTest::configure(config);
        config["security"]["allowed_origins"].push_back(kCityOrigin);
    }
};

TEST_F(ChatAllowedOriginTest, ChatSocketFromAConfiguredOriginWorks) {
    Resident r = create_chat("Ze Strony Miasta");
    json hello = connect_resident(r, false, {{"Origin", kCityOrigin}});
    EXPECT_EQ(hello.value("chat_id", ""), r.chat_id) << hello.dump();
    EXPECT_GT(resident_says_ok(r, "Działa z osadzonego widżetu.", "w-1"), 0);
    // Others are still refused.
    WsClient ws;
    EXPECT_EQ(ws.connect(server->port(), "/ws/chat", {{"Origin", "https://bip.miasto.example.evil.example"}}), 403)
        << ws.handshake_response();
}

}  // namespace
}  // namespace centrala::testing::chat
