// A fixture that starts one real server per test with three users
// (admin, kierownik = supervisor, anna = agent) and stops it with SIGTERM,
// asserting a clean exit within 10 s (the graceful-shutdown check).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>

#include "support/harness.hpp"

namespace centrala::testing {

class ServerTest : public ::testing::Test {
protected:
    // Adjust env.config before the users are created and the server starts.
    virtual void configure(nlohmann::json& /*config*/) {}

    void SetUp() override {
        configure(env.config);
        env.add_user("admin", "admin", kPassword, "Administrator");
        env.add_user("kierownik", "supervisor", kPassword, "Marta Zielińska");
        env.add_user("anna", "agent", kPassword, "Anna Nowak");
        start_server();
    }

    void TearDown() override { stop_server(); }

    void start_server() {
        server = env.start();
        http = std::make_unique<HttpClient>(server->port());
    }

    // SIGTERM; the server must exit 0 within 10 s.
    void stop_server() {
        if (!server) return;
        auto code = server->terminate(std::chrono::seconds(10));
        EXPECT_EQ(code, std::optional<int>(0)) << "server did not exit 0 within 10 s after SIGTERM; stderr:\n"
                                               << server->stderr_text();
        server.reset();
    }

    // Logs in; a failed login is reported as a test failure.
    Login must_login(const std::string& username, const std::string& password = kPassword) {
        Login l = login(*http, username, password);
        EXPECT_EQ(l.status, 200) << l.response;
        EXPECT_FALSE(l.token.empty()) << l.response;
        return l;
    }

    std::string user_id(const Login& admin, const std::string& username) {
        auto r = http->get("/api/v1/users?limit=500", {bearer(admin.token)});
        const auto body = r.json();
        if (body.is_object() && body.contains("items")) {
            for (const auto& u : body["items"])
                if (u["username"] == username) return u["id"].get<std::string>();
        }
        ADD_FAILURE() << "no user " << username << " in " << r;
        return {};
    }

    // GET /api/v1/stats/live (the wallboard's figures) as `who`; fails the test unless 200.
    nlohmann::json live(const Login& who) {
        auto r = http->get("/api/v1/stats/live", {bearer(who.token)});
        EXPECT_EQ(r.status, 200) << r;
        return r.json();
    }

    TestEnv env;
    std::unique_ptr<ServerProcess> server;
    std::unique_ptr<HttpClient> http;
};

// The queue `id` in a /api/v1/stats/live answer; fails the test when it is missing.
inline nlohmann::json queue_of(const nlohmann::json& stats, const std::string& id) {
    for (const auto& q : stats["queues"])
        if (q["id"] == id) return q;
    ADD_FAILURE() << "no queue " << id << " in " << stats.dump();
    return nlohmann::json::object();
}

inline bool is_rfc3339_utc(const std::string& s) {
    static const std::regex re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$)");
    return std::regex_match(s, re);
}

// Asserts the contract's error shape and returns the code.
inline std::string error_code(const HttpResponse& r) {
    auto j = r.json();
    EXPECT_TRUE(is_error_body(j)) << "not the contract's error shape: " << r;
    return is_error_body(j) ? j["error"]["code"].get<std::string>() : std::string();
}

}  // namespace centrala::testing
