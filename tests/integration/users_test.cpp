// Who may do what with user accounts (contract §4), and the audit log.
#include "common.hpp"

namespace centrala::testing {
namespace {

class UsersTest : public ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        admin = must_login("admin");
        supervisor = must_login("kierownik");
        agent = must_login("anna");
        anna_id = agent.user.value("id", "");
        ASSERT_FALSE(anna_id.empty());
    }

    nlohmann::json new_user(const std::string& username, const std::string& role = "agent") {
        return {{"username", username}, {"password", "a long enough password"}, {"role", role},
                {"display_name", "Nowa Osoba"}, {"skills", {{"vehicles", 3}}}, {"capacity", {{"chat", 2}}}};
    }

    Login admin, supervisor, agent;
    std::string anna_id;
};

TEST_F(UsersTest, EveryUserEndpointNeedsAuthentication) {
    const std::vector<std::pair<std::string, std::string>> routes = {
        {"GET", "/api/v1/users"},          {"POST", "/api/v1/users"},        {"GET", "/api/v1/users/" + anna_id},
        {"PATCH", "/api/v1/users/" + anna_id}, {"DELETE", "/api/v1/users/" + anna_id}, {"GET", "/api/v1/audit"},
        {"GET", "/api/v1/me"},             {"PATCH", "/api/v1/me"},          {"PUT", "/api/v1/agents/me/state"},
        {"POST", "/api/v1/auth/logout"}};
    for (const auto& [method, target] : routes) {
        auto r = http->request(method, target, method == "GET" || method == "DELETE" ? "" : "{}",
                               method == "GET" || method == "DELETE" ? Headers{}
                                                                     : Headers{{"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, 401) << method << " " << target << ": " << r;
        error_code(r);
    }
    // Nothing happened to anna.
    auto me = http->get("/api/v1/me", {bearer(agent.token)});
    EXPECT_EQ(me.status, 200);
    EXPECT_EQ(me.json()["display_name"], "Anna Nowak");
}

TEST_F(UsersTest, ListingUsersNeedsSupervisor) {
    auto a = http->get("/api/v1/users", {bearer(agent.token)});
    EXPECT_EQ(a.status, 403) << a;
    EXPECT_FALSE(error_code(a).empty());
    for (const auto* who : {&supervisor, &admin}) {
        auto r = http->get("/api/v1/users", {bearer(who->token)});
        ASSERT_EQ(r.status, 200) << r;
        auto j = r.json();
        ASSERT_TRUE(j["items"].is_array()) << r;
        EXPECT_TRUE(j.contains("next")) << r;
        std::set<std::string> names;
        for (const auto& u : j["items"]) {
            names.insert(u["username"].get<std::string>());
            EXPECT_TRUE(u["id"].is_string()) << u;
            EXPECT_FALSE(u.contains("password")) << u;
            EXPECT_FALSE(u.contains("password_hash")) << u;
            EXPECT_EQ(u.dump().find("argon2"), std::string::npos) << u;
        }
        EXPECT_EQ(names, (std::set<std::string>{"admin", "kierownik", "anna"}));
    }
    // Paging: limit and next.
    auto page = http->get("/api/v1/users?limit=2", {bearer(admin.token)});
    ASSERT_EQ(page.status, 200) << page;
    EXPECT_EQ(page.json()["items"].size(), 2u);
    EXPECT_FALSE(page.json()["next"].is_null()) << page;
}

TEST_F(UsersTest, CreatingUsersNeedsAdmin) {
    auto a = http->post("/api/v1/users", new_user("ewa"), {bearer(agent.token)});
    EXPECT_EQ(a.status, 403) << a;
    error_code(a);
    auto s = http->post("/api/v1/users", new_user("ewa"), {bearer(supervisor.token)});
    EXPECT_EQ(s.status, 403) << s;
    error_code(s);
    EXPECT_EQ(login(*http, "ewa", "a long enough password").status, 401) << "refused requests create nobody";

    auto r = http->post("/api/v1/users", new_user("ewa"), {bearer(admin.token)});
    ASSERT_EQ(r.status, 201) << r;
    auto u = r.json();
    EXPECT_TRUE(u["id"].is_string()) << u;
    EXPECT_EQ(u["username"], "ewa");
    EXPECT_EQ(u["role"], "agent");
    EXPECT_EQ(u["display_name"], "Nowa Osoba");
    EXPECT_EQ(u["skills"]["vehicles"], 3);
    EXPECT_EQ(u["capacity"]["chat"], 2);
    EXPECT_FALSE(u.contains("password")) << u;

    Login ewa = login(*http, "ewa", "a long enough password");
    ASSERT_EQ(ewa.status, 200) << ewa.response;
    EXPECT_EQ(ewa.user["role"], "agent");
    auto me = http->get("/api/v1/me", {bearer(ewa.token)});
    EXPECT_EQ(me.json()["skills"]["vehicles"], 3) << me;
}

TEST_F(UsersTest, ReadingOneUserNeedsSupervisor) {
    const std::string target = "/api/v1/users/" + anna_id;
    auto a = http->get(target, {bearer(agent.token)});
    EXPECT_EQ(a.status, 403) << "even an agent's own record: " << a;
    error_code(a);
    for (const auto* who : {&supervisor, &admin}) {
        auto r = http->get(target, {bearer(who->token)});
        ASSERT_EQ(r.status, 200) << r;
        EXPECT_EQ(r.json()["username"], "anna");
        EXPECT_EQ(r.json()["id"], anna_id);
    }
}

TEST_F(UsersTest, UnknownUserIdsAre404) {
    for (const std::string id : {"999999", "0", "-1", "abc", "1.5", "99999999999999999999999"}) {
        auto g = http->get("/api/v1/users/" + id, {bearer(admin.token)});
        EXPECT_EQ(g.status, 404) << id << ": " << g;
        error_code(g);
    }
    auto p = http->patch("/api/v1/users/999999", {{"display_name", "X"}}, {bearer(admin.token)});
    EXPECT_EQ(p.status, 404) << p;
    error_code(p);
    auto d = http->del("/api/v1/users/999999", {bearer(admin.token)});
    EXPECT_EQ(d.status, 404) << d;
    error_code(d);
}

TEST_F(UsersTest, ChangingUsersNeedsAdmin) {
    const std::string target = "/api/v1/users/" + anna_id;
    auto s = http->patch(target, {{"display_name", "Zmieniona"}, {"role", "admin"}}, {bearer(supervisor.token)});
    EXPECT_EQ(s.status, 403) << s;
    error_code(s);
    auto a = http->patch(target, {{"role", "admin"}}, {bearer(agent.token)});
    EXPECT_EQ(a.status, 403) << a;
    auto after = http->get(target, {bearer(admin.token)}).json();
    EXPECT_EQ(after["display_name"], "Anna Nowak");
    EXPECT_EQ(after["role"], "agent");

    auto r = http->patch(target, {{"display_name", "Anna Zielona"}, {"role", "supervisor"}, {"skills", {{"waste", 4}}}},
                         {bearer(admin.token)});
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.json()["display_name"], "Anna Zielona");
    EXPECT_EQ(r.json()["role"], "supervisor");
    auto me = http->get("/api/v1/me", {bearer(agent.token)});
    EXPECT_EQ(me.json()["role"], "supervisor") << "the change applies to the live session: " << me;
    EXPECT_EQ(me.json()["skills"]["waste"], 4) << me;
    EXPECT_EQ(http->get("/api/v1/users", {bearer(agent.token)}).status, 200) << "now a supervisor";
}

// /me is answered from a body kept per user: every change must show on the
// very next request, and a demotion must take the rights away at once.
TEST_F(UsersTest, MeAndAccessFollowEveryChangeOnTheNextRequest) {
    const std::string target = "/api/v1/users/" + anna_id;
    auto me = [&](const Header& h) { return http->get("/api/v1/me", {h}); };
    auto first = me(bearer(agent.token));
    ASSERT_EQ(first.status, 200) << first;
    EXPECT_EQ(first.json()["state"], "offline");
    EXPECT_FALSE(first.json().contains("csrf_token")) << "a bearer client has no use for it: " << first;
    EXPECT_EQ(me(bearer(agent.token)).body, first.body) << "nothing changed, nothing differs";

    ASSERT_EQ(http->put("/api/v1/agents/me/state", {{"state", "break"}, {"reason", "kawa"}}, {bearer(agent.token)}).status,
              200);
    auto on_break = me(bearer(agent.token)).json();
    EXPECT_EQ(on_break["state"], "break") << on_break;
    EXPECT_EQ(on_break["state_reason"], "kawa") << on_break;

    auto by_cookie = me(cookie(agent));
    ASSERT_EQ(by_cookie.status, 200) << by_cookie;
    EXPECT_EQ(by_cookie.json()["csrf_token"], agent.csrf) << by_cookie;
    EXPECT_FALSE(me(bearer(agent.token)).json().contains("csrf_token")) << "the cookie's token is not handed to bearer";

    ASSERT_EQ(http->patch(target, {{"display_name", "Anna Druga"}, {"role", "supervisor"}}, {bearer(admin.token)}).status,
              200);
    auto promoted = me(bearer(agent.token)).json();
    EXPECT_EQ(promoted["display_name"], "Anna Druga") << promoted;
    EXPECT_EQ(promoted["role"], "supervisor") << promoted;
    EXPECT_EQ(http->get("/api/v1/users", {bearer(agent.token)}).status, 200);

    ASSERT_EQ(http->patch(target, {{"role", "agent"}}, {bearer(admin.token)}).status, 200);
    EXPECT_EQ(http->get("/api/v1/users", {bearer(agent.token)}).status, 403) << "demoted: refused at once";
    EXPECT_EQ(me(bearer(agent.token)).json()["role"], "agent");

    // HEAD: the same headers and length, no body.
    auto get = me(bearer(agent.token));
    auto head = http->request("HEAD", "/api/v1/me", "", {bearer(agent.token)});
    EXPECT_EQ(head.status, 200) << head;
    EXPECT_TRUE(head.body.empty()) << head;
    EXPECT_EQ(head.header("Content-Length"), std::to_string(get.body.size()));
    EXPECT_EQ(head.header("Cache-Control"), "no-store");
    EXPECT_EQ(head.header("X-Frame-Options"), "DENY");

    ASSERT_EQ(http->del(target, {bearer(admin.token)}).status, 200);
    EXPECT_EQ(me(bearer(agent.token)).status, 401) << "deactivated: refused at once";
}

TEST_F(UsersTest, PolishAndUkrainianTextRoundTripsByteExact) {
    const std::string name = "Zażółć Gęślą Jaźń — Євгенія Ґудзь";
    auto r = http->patch("/api/v1/users/" + anna_id, {{"display_name", name}}, {bearer(admin.token)});
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.json()["display_name"], name);
    auto me = http->get("/api/v1/me", {bearer(agent.token)});
    EXPECT_EQ(me.json()["display_name"].get<std::string>(), name);
    EXPECT_NE(me.body.find(name), std::string::npos) << "sent as UTF-8, not \\u escapes: " << me.body;
}

TEST_F(UsersTest, DeactivatingUsersNeedsAdminAndEndsTheirAccess) {
    const std::string target = "/api/v1/users/" + anna_id;
    auto s = http->del(target, {bearer(supervisor.token)});
    EXPECT_EQ(s.status, 403) << s;
    error_code(s);
    auto a = http->del(target, {bearer(agent.token)});
    EXPECT_EQ(a.status, 403) << a;
    ASSERT_EQ(http->get("/api/v1/me", {bearer(agent.token)}).status, 200) << "refused deletes change nothing";

    auto r = http->del(target, {bearer(admin.token)});
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.json()["active"], false) << r;

    auto me = http->get("/api/v1/me", {bearer(agent.token)});
    EXPECT_EQ(me.status, 401) << "a deactivated user's token must stop working: " << me;
    EXPECT_EQ(http->get("/api/v1/me", {cookie(agent)}).status, 401);
    Login again = login(*http, "anna");
    EXPECT_EQ(again.status, 401) << again.response;
    EXPECT_TRUE(again.token.empty());
    // Same answer as for a wrong password: deactivation is not disclosed.
    EXPECT_EQ(again.response.json(), login(*http, "nobody-at-all", kPassword).response.json());
    // The record remains, marked inactive.
    auto rec = http->get(target, {bearer(admin.token)});
    EXPECT_EQ(rec.status, 200) << rec;
    EXPECT_EQ(rec.json()["active"], false) << rec;
}

TEST_F(UsersTest, AdminChangesByCookieNeedTheCsrfHeader) {
    const std::string target = "/api/v1/users/" + anna_id;
    auto create = http->post("/api/v1/users", new_user("wojtek"), {cookie(admin)});
    EXPECT_EQ(create.status, 403) << create;
    error_code(create);
    auto patch = http->patch(target, {{"role", "admin"}}, {cookie(admin)});
    EXPECT_EQ(patch.status, 403) << patch;
    auto del = http->del(target, {cookie(admin)});
    EXPECT_EQ(del.status, 403) << del;
    EXPECT_EQ(login(*http, "wojtek", "a long enough password").status, 401) << "not created";
    auto anna = http->get(target, {cookie(admin)});
    ASSERT_EQ(anna.status, 200) << "GET needs no CSRF header: " << anna;
    EXPECT_EQ(anna.json()["role"], "agent");
    EXPECT_EQ(anna.json()["active"], true);
    EXPECT_EQ(http->get("/api/v1/me", {bearer(agent.token)}).status, 200);

    EXPECT_EQ(http->post("/api/v1/users", new_user("wojtek"), {cookie(admin), csrf(admin)}).status, 201);
    EXPECT_EQ(http->patch(target, {{"display_name", "Anna N."}}, {cookie(admin), csrf(admin)}).status, 200);
    EXPECT_EQ(http->del(target, {cookie(admin), csrf(admin)}).status, 200);
}

TEST_F(UsersTest, AdminCannotDeactivateThemselves) {
    const std::string self = admin.user["id"].get<std::string>();
    auto r = http->del("/api/v1/users/" + self, {bearer(admin.token)});
    EXPECT_EQ(r.status, 409) << r;
    error_code(r);
    EXPECT_EQ(http->get("/api/v1/me", {bearer(admin.token)}).status, 200);
    EXPECT_EQ(must_login("admin").status, 200);
}

TEST_F(UsersTest, TheLastAdminCannotBeDemotedOrDeactivated) {
    const std::string self = "/api/v1/users/" + admin.user["id"].get<std::string>();
    auto demote = http->patch(self, {{"role", "supervisor"}}, {bearer(admin.token)});
    EXPECT_EQ(demote.status, 409) << demote;
    error_code(demote);
    auto deactivate = http->patch(self, {{"active", false}}, {bearer(admin.token)});
    EXPECT_EQ(deactivate.status, 409) << deactivate;
    auto me = http->get("/api/v1/me", {bearer(admin.token)});
    EXPECT_EQ(me.json()["role"], "admin") << me;
    EXPECT_EQ(http->get("/api/v1/audit", {bearer(admin.token)}).status, 200);

    // With a second admin, the first may step down.
    ASSERT_EQ(http->post("/api/v1/users", new_user("admin2", "admin"), {bearer(admin.token)}).status, 201);
    auto ok = http->patch(self, {{"role", "supervisor"}}, {bearer(admin.token)});
    EXPECT_EQ(ok.status, 200) << ok;
    Login second = login(*http, "admin2", "a long enough password");
    ASSERT_EQ(second.status, 200);
    // ...and now admin2 is the last one.
    auto last = http->patch("/api/v1/users/" + second.user["id"].get<std::string>(), {{"role", "agent"}},
                            {bearer(second.token)});
    EXPECT_EQ(last.status, 409) << last;
}

TEST_F(UsersTest, DuplicateUsernameIs409) {
    auto r = http->post("/api/v1/users", new_user("anna"), {bearer(admin.token)});
    EXPECT_EQ(r.status, 409) << r;
    error_code(r);
    ASSERT_EQ(http->post("/api/v1/users", new_user("bogdan"), {bearer(admin.token)}).status, 201);
    auto again = http->post("/api/v1/users", new_user("bogdan"), {bearer(admin.token)});
    EXPECT_EQ(again.status, 409) << again;
    // The original anna is untouched.
    EXPECT_EQ(login(*http, "anna").status, 200);
    EXPECT_EQ(login(*http, "anna", "a long enough password").status, 401);
}

TEST_F(UsersTest, AuditLogIsForAdminsAndRecordsLoginsFailuresAndCreations) {
    ASSERT_EQ(login(*http, "mallory", "guessing a password").status, 401);
    ASSERT_EQ(http->post("/api/v1/users", new_user("jan"), {bearer(admin.token)}).status, 201);

    EXPECT_EQ(http->get("/api/v1/audit", {bearer(agent.token)}).status, 403);
    EXPECT_EQ(http->get("/api/v1/audit", {bearer(supervisor.token)}).status, 403);
    EXPECT_EQ(http->get("/api/v1/audit").status, 401);

    auto r = http->get("/api/v1/audit?limit=500", {bearer(admin.token)});
    ASSERT_EQ(r.status, 200) << r;
    auto j = r.json();
    ASSERT_TRUE(j["items"].is_array()) << r;
    EXPECT_TRUE(j.contains("next"));
    bool login_anna = false, failed_mallory = false, created_jan = false, created_by_cli = false;
    for (const auto& e : j["items"]) {
        EXPECT_TRUE(e["id"].is_string()) << e;
        EXPECT_TRUE(e["at"].is_string() && is_rfc3339_utc(e["at"])) << e;
        const auto action = e.value("action", "");
        const auto dump = e.dump();
        if (action == "login" && e.value("actor", "") == "anna") login_anna = true;
        if (action == "login_failed" && dump.find("mallory") != std::string::npos) failed_mallory = true;
        if (action == "user_created" && dump.find("jan") != std::string::npos && e.value("actor", "") == "admin")
            created_jan = true;
        if (action == "user_created" && dump.find("kierownik") != std::string::npos) created_by_cli = true;
        EXPECT_EQ(dump.find(kPassword), std::string::npos) << "no passwords in the audit log: " << e;
        EXPECT_EQ(dump.find("guessing a password"), std::string::npos) << "no passwords in the audit log: " << e;
        EXPECT_EQ(dump.find(agent.token), std::string::npos) << "no tokens in the audit log: " << e;
    }
    EXPECT_TRUE(login_anna) << r;
    EXPECT_TRUE(failed_mallory) << r;
    EXPECT_TRUE(created_jan) << r;
    EXPECT_TRUE(created_by_cli) << "users made with `centrala user add` are audited too: " << r;
}

}  // namespace
}  // namespace centrala::testing
