// Bad input gets a precise 4xx with the contract's error body, never a 500,
// and the server stays healthy.
#include "common.hpp"

namespace centrala::testing {
namespace {

constexpr size_t kBodyLimit = 2048;

class BadInputTest : public ServerTest {
protected:
    void configure(nlohmann::json& c) override { c["limits"]["body_bytes"] = kBodyLimit; }

    void SetUp() override {
        ServerTest::SetUp();
        admin = must_login("admin");
        agent = must_login("anna");
    }

    void TearDown() override {
        // Whatever the test sent, the server is still serving.
        if (server) {
            auto h = http->get("/healthz");
            EXPECT_EQ(h.status, 200) << h;
            EXPECT_EQ(http->get("/api/v1/me", {bearer(agent.token)}).status, 200);
        }
        ServerTest::TearDown();
    }

    HttpResponse raw_json(const std::string& method, const std::string& target, const std::string& body,
                          const std::string& token) {
        return http->request(method, target, body, {{"Content-Type", "application/json"}, bearer(token)});
    }

    Login admin, agent;
};

TEST_F(BadInputTest, MalformedJsonIs400MalformedJson) {
    const std::vector<std::string> bodies = {"{", "{\"username\": \"anna\", ", "not json", "{'a': 1}",
                                             "{\"a\":1}}", "\xff\xfe", "{\"username\":\"\xc3\x28\"}"};
    for (const auto& b : bodies) {
        auto l = http->request("POST", "/api/v1/auth/login", b, {{"Content-Type", "application/json"}});
        EXPECT_EQ(l.status, 400) << "login body " << b << ": " << l;
        EXPECT_EQ(error_code(l), "malformed_json") << b;
        auto u = raw_json("POST", "/api/v1/users", b, admin.token);
        EXPECT_EQ(u.status, 400) << u;
        EXPECT_EQ(error_code(u), "malformed_json") << b;
        auto m = raw_json("PATCH", "/api/v1/me", b, agent.token);
        EXPECT_EQ(m.status, 400) << m;
        EXPECT_EQ(error_code(m), "malformed_json") << b;
    }
    auto empty = http->request("POST", "/api/v1/auth/login", "", {{"Content-Type", "application/json"}});
    EXPECT_EQ(empty.status, 400) << empty;
    error_code(empty);
}

TEST_F(BadInputTest, WrongTypesAre400) {
    const std::vector<nlohmann::json> logins = {
        {{"username", 5}, {"password", "x"}},
        {{"username", "anna"}, {"password", 12345678901234}},
        {{"username", nullptr}, {"password", kPassword}},
        {{"username", {"anna"}}, {"password", kPassword}},
        {{"username", {{"$ne", ""}}}, {"password", kPassword}},
        {{"password", kPassword}},
        {{"username", "anna"}},
        nlohmann::json::array({"anna", kPassword}),
        "anna",
        42,
    };
    for (const auto& b : logins) {
        auto r = http->post("/api/v1/auth/login", b);
        EXPECT_EQ(r.status, 400) << b << ": " << r;
        error_code(r);
    }
    const std::vector<nlohmann::json> users = {
        {{"username", 5}, {"password", "a long enough password"}, {"role", "agent"}},
        {{"username", "piotr"}, {"password", "a long enough password"}, {"role", "king"}},
        {{"username", "piotr"}, {"password", "a long enough password"}, {"role", 2}},
        {{"username", "piotr"}, {"password", "a long enough password"}, {"role", "agent"}, {"skills", {{"vehicles", "five"}}}},
        {{"username", "piotr"}, {"password", "a long enough password"}, {"role", "agent"}, {"skills", {{"vehicles", 9}}}},
        {{"username", "piotr"}, {"password", "a long enough password"}, {"role", "agent"}, {"skills", {"vehicles"}}},
        {{"username", "piotr"}, {"password", "a long enough password"}, {"role", "agent"}, {"capacity", {{"chat", -1}}}},
        {{"username", "piotr"}, {"password", "a long enough password"}, {"role", "agent"}, {"capacity", {{"fax", 1}}}},
        {{"username", "piotr"}, {"password", "a long enough password"}, {"role", "agent"}, {"display_name", 7}},
        {{"username", "piotr"}, {"password", "a long enough password"}, {"role", "agent"}, {"display_name", ""}},
        {{"username", "piotr"}, {"password", "a long enough password"}, {"role", "agent"}, {"is_admin", true}},
        {{"username", "Piotr Kowalski"}, {"password", "a long enough password"}, {"role", "agent"}},
        {{"username", "../../etc"}, {"password", "a long enough password"}, {"role", "agent"}},
        {{"username", "piotr"}, {"password", nullptr}, {"role", "agent"}},
        {{"username", "piotr"}, {"role", "agent"}},
    };
    for (const auto& b : users) {
        auto r = http->post("/api/v1/users", b, {bearer(admin.token)});
        EXPECT_EQ(r.status, 400) << b << ": " << r;
        error_code(r);
    }
    EXPECT_EQ(login(*http, "piotr", "a long enough password").status, 401) << "no invalid user was created";

    const std::vector<nlohmann::json> states = {
        {{"state", 5}}, {{"state", "busy"}}, {{"state", "wrap_up"}}, {{"state", "sleeping"}}, nlohmann::json::object(),
        {{"state", "break"}, {"reason", 5}}};
    for (const auto& b : states) {
        auto r = http->put("/api/v1/agents/me/state", b, {bearer(agent.token)});
        EXPECT_EQ(r.status, 400) << b << ": " << r;
        error_code(r);
    }
    const std::string anna = agent.user["id"];
    const std::vector<nlohmann::json> patches = {
        {{"active", "no"}}, {{"role", "boss"}}, {{"display_name", nullptr}}, {{"colour", "red"}}};
    for (const auto& b : patches) {
        auto r = http->patch("/api/v1/users/" + anna, b, {bearer(admin.token)});
        EXPECT_EQ(r.status, 400) << b << ": " << r;
        error_code(r);
    }
    auto me = http->get("/api/v1/me", {bearer(agent.token)}).json();
    EXPECT_EQ(me["role"], "agent");
    EXPECT_EQ(me["display_name"], "Anna Nowak");
    EXPECT_EQ(me["state"], "offline");
}

TEST_F(BadInputTest, MissingOrWrongContentTypeIs415) {
    const std::string body = nlohmann::json{{"username", "anna"}, {"password", kPassword}}.dump();
    auto none = http->request("POST", "/api/v1/auth/login", body);
    EXPECT_EQ(none.status, 415) << none;
    error_code(none);
    for (const std::string ct : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                 "text/json"}) {
        auto r = http->request("POST", "/api/v1/auth/login", body, {{"Content-Type", ct}});
        EXPECT_EQ(r.status, 415) << ct << ": " << r;
        error_code(r);
        EXPECT_FALSE(r.header("Set-Cookie").has_value()) << "no login through a form post: " << r;
    }
    auto users = http->request("POST", "/api/v1/users",
                               nlohmann::json{{"username", "zenon"}, {"password", "a long enough password"}, {"role", "agent"}}.dump(),
                               {{"Content-Type", "text/plain"}, bearer(admin.token)});
    EXPECT_EQ(users.status, 415) << users;
    error_code(users);
    auto ok = http->request("POST", "/api/v1/auth/login", body, {{"Content-Type", "application/json; charset=utf-8"}});
    EXPECT_EQ(ok.status, 200) << "a charset parameter is fine: " << ok;
}

TEST_F(BadInputTest, BodyOverTheLimitIs413) {
    nlohmann::json big = {{"username", "anna"}, {"password", std::string(kBodyLimit * 2, 'x')}};
    auto r = http->post("/api/v1/auth/login", big);
    EXPECT_EQ(r.status, 413) << r;
    error_code(r);
    nlohmann::json big_user = {{"username", "wielki"}, {"password", "a long enough password"}, {"role", "agent"},
                               {"display_name", std::string(kBodyLimit + 100, 'a')}};
    auto u = http->post("/api/v1/users", big_user, {bearer(admin.token)});
    EXPECT_EQ(u.status, 413) << u;
    // A much larger upload gets the same clear answer, not a reset connection.
    auto huge = http->request("POST", "/api/v1/auth/login", std::string(512 * 1024, ' '),
                              {{"Content-Type", "application/json"}});
    EXPECT_EQ(huge.status, 413) << huge;
    error_code(huge);
    // Just under the limit is read (and then judged on its content).
    nlohmann::json under = {{"username", "anna"}, {"password", std::string(kBodyLimit - 100, 'x')}};
    auto ok = http->post("/api/v1/auth/login", under);
    EXPECT_NE(ok.status, 413) << ok;
    EXPECT_LT(ok.status, 500) << ok;
}

TEST_F(BadInputTest, UnknownRoutesAre404Json) {
    for (const std::string target : {"/api/v1/nope", "/api/v2/users", "/api/v1/users/1/extra", "/api/v1/", "/api",
                                     "/open311/v2/nope.json", "/nope.html", "/nope/"}) {
        auto r = http->get(target, {bearer(admin.token)});
        EXPECT_EQ(r.status, 404) << target << ": " << r;
        error_code(r);
        EXPECT_EQ(r.header("Content-Type").value_or("").rfind("application/json", 0), 0u) << target << ": " << r;
    }
}

TEST_F(BadInputTest, WrongMethodOnAKnownRouteIs405WithAllow) {
    struct Case {
        std::string method, target;
        std::vector<std::string> allowed;
    };
    const std::vector<Case> cases = {
        {"GET", "/api/v1/auth/login", {"POST"}},
        {"DELETE", "/api/v1/me", {"GET", "PATCH"}},
        {"PUT", "/api/v1/users", {"GET", "POST"}},
        {"POST", "/api/v1/users/1", {"GET", "PATCH", "DELETE"}},
        {"POST", "/healthz", {"GET"}},
        {"GET", "/api/v1/agents/me/state", {"PUT"}},
    };
    for (const auto& c : cases) {
        auto r = http->request(c.method, c.target, c.method == "GET" || c.method == "DELETE" ? "" : "{}",
                               {{"Content-Type", "application/json"}, bearer(admin.token)});
        EXPECT_EQ(r.status, 405) << c.method << " " << c.target << ": " << r;
        error_code(r);
        auto allow = r.header("Allow");
        ASSERT_TRUE(allow.has_value()) << c.method << " " << c.target << ": " << r;
        for (const auto& m : c.allowed) EXPECT_NE(allow->find(m), std::string::npos) << *allow << " lacks " << m;
        EXPECT_EQ(allow->find(c.method), std::string::npos) << *allow;
    }
}

TEST_F(BadInputTest, WeakPasswordsAre400) {
    auto r = http->post("/api/v1/users", {{"username", "slaby"}, {"password", "short123"}, {"role", "agent"}},
                        {bearer(admin.token)});
    EXPECT_EQ(r.status, 400) << r;
    EXPECT_FALSE(error_code(r).empty());
    auto eleven = http->post("/api/v1/users", {{"username", "slaby"}, {"password", "elevenchars"}, {"role", "agent"}},
                             {bearer(admin.token)});
    EXPECT_EQ(eleven.status, 400) << "11 characters is too short: " << eleven;
    EXPECT_EQ(login(*http, "slaby", "short123").status, 401) << "not created";
    auto twelve = http->post("/api/v1/users", {{"username", "slaby"}, {"password", "twelve chars"}, {"role", "agent"}},
                             {bearer(admin.token)});
    EXPECT_EQ(twelve.status, 201) << "12 characters is enough: " << twelve;

    auto me = http->patch("/api/v1/me", {{"current_password", kPassword}, {"password", "short"}}, {bearer(agent.token)});
    EXPECT_EQ(me.status, 400) << me;
    error_code(me);
    const std::string anna = agent.user["id"];
    auto reset = http->patch("/api/v1/users/" + anna, {{"password", "short"}}, {bearer(admin.token)});
    EXPECT_EQ(reset.status, 400) << reset;
    error_code(reset);
    EXPECT_EQ(login(*http, "anna").status, 200) << "the password did not change";
}

TEST_F(BadInputTest, BadQueryParametersAre400) {
    for (const std::string q : {"limit=abc", "limit=0", "limit=501", "limit=-5", "offset=-1", "offset=x", "limit=1e3",
                                "limit=%zz"}) {
        auto r = http->get("/api/v1/users?" + q, {bearer(admin.token)});
        EXPECT_EQ(r.status, 400) << q << ": " << r;
        error_code(r);
    }
    auto ok = http->get("/api/v1/users?limit=500&offset=0", {bearer(admin.token)});
    EXPECT_EQ(ok.status, 200) << ok;
    auto audit = http->get("/api/v1/audit?before=abc", {bearer(admin.token)});
    EXPECT_EQ(audit.status, 400) << audit;
}

TEST_F(BadInputTest, MalformedHttpGetsA4xxAndTheServerCarriesOn) {
    const std::vector<std::string> requests = {
        "GET /api/v1/users/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "BLAH\r\n\r\n",
        "GET / HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n",
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n",
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(40000, 'a') + "\r\nConnection: close\r\n\r\n",
    };
    for (const auto& req : requests) {
        const std::string resp = raw_exchange(server->port(), req);
        ASSERT_EQ(resp.rfind("HTTP/1.1 ", 0), 0u) << req.substr(0, 80) << " -> " << resp.substr(0, 300);
        const int status = std::stoi(resp.substr(9, 3));
        EXPECT_GE(status, 400) << req.substr(0, 80) << " -> " << resp.substr(0, 300);
        EXPECT_LT(status, 500) << req.substr(0, 80) << " -> " << resp.substr(0, 300);
        const auto body_at = resp.find("\r\n\r\n");
        ASSERT_NE(body_at, std::string::npos) << resp;
        EXPECT_TRUE(is_error_body(nlohmann::json::parse(resp.substr(body_at + 4), nullptr, false)))
            << req.substr(0, 80) << " -> " << resp.substr(0, 600);
    }
}

}  // namespace
}  // namespace centrala::testing
