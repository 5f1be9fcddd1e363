// Native TLS: the server speaks HTTPS with the configured certificate, sends
// HSTS, and marks the session cookie Secure with the __Host- prefix. curl is
// the independent client.
#include <fstream>

#include "common.hpp"

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
        env.add_user("anna", "agent", kPassword, "Anna Nowak");
        server = env.start();
    }
    void TearDown() override {
        if (server) EXPECT_EQ(server->terminate(), std::optional<int>(0));
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
