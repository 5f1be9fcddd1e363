// Native TLS: the server speaks HTTPS with the configured certificate, sends
// HSTS, and marks the session cookie Secure with the __Host- prefix. curl is
// the independent client.
#include <fstream>

#include "common.hpp"
#include "support/wss_client.hpp"

namespace centrala::testing {
namespace {

class TlsTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto dir = env.dir();
        auto gen = run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        (dir / "key.pem").string(), "-out", (dir / "cert.pem").string(), "-days", "2", "-subj",
                        "/CN=127.0.0.1"});
        ASSERT_EQ(gen.exit_code, 0) << gen.err;
        env.config["security"]["tls"] = {{"enabled", true},
                                         {"certificate", (dir / "cert.pem").string()},
                                         {"private_key", (dir / "key.pem").string()}};
        // Chat: open queues whatever the hour, and room for a burst of messages.
        for (auto& q : env.config["queues"]) q["hours"] = "always";
        env.config["chat"]["messages_per_10s"] = 1000;
        env.add_user("anna", "agent", kPassword, "Anna Nowak");
        server = env.start();
    }
    void TearDown() override {
        if (server) {
            EXPECT_EQ(server->terminate(), std::optional<int>(0));
        }
    }
    RunResult curl(const std::vector<std::string>& extra) {
        std::vector<std::string> argv = {"/usr/bin/curl", "-sS", "-k", "-i", "--max-time", "10"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run(argv);
    }
    std::string url(const std::string& path) { return "https://127.0.0.1:" + std::to_string(server->port()) + path; }

    TestEnv env;
    std::unique_ptr<ServerProcess> server;
};

TEST_F(TlsTest, ServesHttpsWithHstsAndSecureHostCookie) {
    EXPECT_NE(server->stdout_text().find("listening on https://127.0.0.1:"), std::string::npos);
    auto health = curl({url("/healthz")});
    ASSERT_EQ(health.exit_code, 0) << health.err;
    EXPECT_NE(health.out.find("HTTP/1.1 200"), std::string::npos) << health.out;
    EXPECT_NE(health.out.find("Strict-Transport-Security: max-age="), std::string::npos) << health.out;
    auto login = curl({"-H", "Content-Type: application/json", "--data",
                       R"({"username":"anna","password":")" + std::string(kPassword) + "\"}", url("/api/v1/auth/login")});
    ASSERT_EQ(login.exit_code, 0) << login.err;
    EXPECT_NE(login.out.find("HTTP/1.1 200"), std::string::npos) << login.out;
    EXPECT_NE(login.out.find("Set-Cookie: __Host-centrala_session="), std::string::npos) << login.out;
    EXPECT_NE(login.out.find("; Secure"), std::string::npos) << login.out;
}

// Frames the server queues in one loop turn leave in one TLS write (the echo
// and the ack of each message, a commit batch's worth of them): every frame
// still arrives whole, once, in order.
TEST_F(TlsTest, ChatFramesOverWssArriveWholeAndInOrder) {
    auto created = run({"/usr/bin/curl", "-sS", "-k", "--max-time", "10", "-H", "Content-Type: application/json", "--data",
                        R"({"name":"Jan Kowalski","lang":"pl"})", url("/api/v1/public/chats")});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    const auto chat = nlohmann::json::parse(created.out, nullptr, false);
    ASSERT_TRUE(chat.is_object() && chat.contains("visitor_token")) << created.out;
    const std::string token = chat["visitor_token"].get<std::string>();

    WssClient ws;
    ASSERT_EQ(ws.connect(server->port(), "/ws/chat"), 101) << ws.error();
    ASSERT_TRUE(ws.send_json({{"type", "auth"}, {"visitor_token", token}}));
    ASSERT_TRUE(ws.next_of_type("hello").has_value());
    // Past the advisor, so only the resident's own messages come back.
    ASSERT_TRUE(ws.send_json({{"type", "handoff"}}));
    ASSERT_TRUE(ws.next_of_type("queue").has_value());

    // All sent before reading anything, so acks and echoes pile up server-side.
    constexpr int kMessages = 60;
    std::string big(3000, 'x');  // some frames bigger than a small TLS record split
    for (int i = 0; i < kMessages; ++i) {
        const std::string text = "wiadomość " + std::to_string(i) + (i % 10 == 0 ? " " + big : "");
        ASSERT_TRUE(ws.send_json({{"type", "message"}, {"text", text}, {"client_msg_id", "m" + std::to_string(i)}}));
    }
    // Per message: its echo, then its ack (contract §6), message after message.
    int echoes = 0, acks = 0;
    int64_t last_id = 0;
    while (acks < kMessages) {
        auto e = ws.next(10s);
        ASSERT_EQ(e.kind, WsEvent::Kind::text) << e << " after " << acks << " acks";
        const auto f = e.json();
        ASSERT_TRUE(f.is_object()) << e;
        const std::string type = f.value("type", "");
        if (type == "message" && f.value("author", nlohmann::json::object()).value("kind", "") == "resident") {
            ASSERT_EQ(echoes, acks) << "an echo came before the previous message's ack: " << e;
            const std::string want = "wiadomość " + std::to_string(echoes) + (echoes % 10 == 0 ? " " + big : "");
            EXPECT_EQ(f.value("text", ""), want);
            ++echoes;
        } else if (type == "ack") {
            ASSERT_EQ(acks + 1, echoes) << "an ack without its echo first: " << e;
            EXPECT_EQ(f.value("client_msg_id", ""), "m" + std::to_string(acks));
            const int64_t id = std::stoll(f.value("id", "0"));
            EXPECT_GT(id, last_id) << "ids grow in sending order";
            last_id = id;
            ++acks;
        } else {
            ASSERT_NE(type, "error") << e;
        }
    }
    EXPECT_EQ(echoes, kMessages);
    // Nothing twice: no further echo or ack comes.
    for (auto e = ws.next(500ms); e.kind == WsEvent::Kind::text; e = ws.next(500ms)) {
        const auto f = e.json();
        EXPECT_NE(f.value("type", ""), "ack") << e;
        EXPECT_FALSE(f.value("type", "") == "message" && f["author"].value("kind", "") == "resident") << e;
    }
    ws.close();

    // And they did share socket writes: each echo left with its ack at least.
    auto metrics = run({"/usr/bin/curl", "-sS", "-k", "--max-time", "10", url("/metrics")});
    ASSERT_EQ(metrics.exit_code, 0) << metrics.err;
    auto counter = [&](const std::string& name) {
        std::smatch m;
        const std::regex re("\\n" + name + " ([0-9]+)");
        return std::regex_search(metrics.out, m, re) ? std::stoll(m[1]) : -1LL;
    };
    const long long frames = counter("centrala_websocket_frames_sent_total");
    const long long writes = counter("centrala_websocket_writes_total");
    EXPECT_GE(frames, 2 * kMessages) << metrics.out;
    EXPECT_GT(writes, 0) << metrics.out;
    EXPECT_LT(writes * 3, frames * 2) << "frames queued together should share a socket write";
}

TEST_F(TlsTest, PlainHttpToTheTlsPortGetsNoAnswer) {
    auto plain = run({"/usr/bin/curl", "-sS", "--max-time", "5", "http://127.0.0.1:" + std::to_string(server->port()) + "/healthz"});
    EXPECT_NE(plain.exit_code, 0);
    EXPECT_EQ(plain.out.find("\"ok\""), std::string::npos);
    // The server is still fine afterwards.
    EXPECT_EQ(curl({url("/healthz")}).exit_code, 0);
}

TEST_F(TlsTest, MissingCertificateStopsTheStartWithAMessage) {
    TestEnv broken;
    broken.config["security"]["tls"] = {{"enabled", true}, {"certificate", "/nonexistent/cert.pem"},
                                        {"private_key", "/nonexistent/key.pem"}};
    broken.write_config();
    auto r = broken.cli({"serve", "--config", broken.config_path(), "--listen", "127.0.0.1:0", "--db", broken.db_path()},
                        {}, std::chrono::seconds(20));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("/nonexistent/cert.pem"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace centrala::testing
