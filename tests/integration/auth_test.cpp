// Staff login, sessions, CSRF, throttling and password changes (contract §3).
#include <set>

#include "common.hpp"

namespace centrala::testing {
namespace {

std::set<std::string> cookie_attributes(const std::string& set_cookie) {
    std::set<std::string> out;
    size_t pos = set_cookie.find(';');
    while (pos != std::string::npos) {
        size_t next = set_cookie.find(';', pos + 1);
        std::string part = set_cookie.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
        part.erase(0, part.find_first_not_of(' '));
        part.erase(part.find_last_not_of(' ') + 1);
        out.insert(to_lower(part));
        pos = next;
    }
    return out;
}

Login login_from(const HttpClient& http, const std::string& username, const std::string& password,
                 const std::string& forwarded_for) {
    Login l;
    l.response = http.post("/api/v1/auth/login", {{"username", username}, {"password", password}},
                           {{"X-Forwarded-For", forwarded_for}, {"X-Real-IP", forwarded_for}, {"Forwarded", "for=" + forwarded_for}});
    l.status = l.response.status;
    return l;
}

class AuthTest : public ServerTest {};

TEST_F(AuthTest, GoodLoginReturnsTokenCsrfUserAndAHardenedCookie) {
    Login l = login(*http, "anna");
    ASSERT_EQ(l.status, 200) << l.response;
    auto j = l.response.json();
    ASSERT_TRUE(j["token"].is_string()) << l.response;
    ASSERT_TRUE(j["csrf_token"].is_string()) << l.response;
    EXPECT_GE(j["token"].get<std::string>().size(), 20u);
    EXPECT_GE(j["csrf_token"].get<std::string>().size(), 16u);
    EXPECT_NE(j["token"], j["csrf_token"]);
    const auto& u = j["user"];
    ASSERT_TRUE(u.is_object()) << l.response;
    EXPECT_TRUE(u["id"].is_string()) << "ids are opaque strings: " << u;
    EXPECT_EQ(u["username"], "anna");
    EXPECT_EQ(u["display_name"], "Anna Nowak");
    EXPECT_EQ(u["role"], "agent");
    EXPECT_FALSE(j.dump().find(kPassword) != std::string::npos) << "the password must not come back";
    EXPECT_FALSE(j.dump().find("argon2") != std::string::npos) << "the hash must not come back";

    auto sc = l.response.header("Set-Cookie");
    ASSERT_TRUE(sc.has_value()) << l.response;
    auto attrs = cookie_attributes(*sc);
    EXPECT_TRUE(attrs.count("httponly")) << *sc;
    EXPECT_TRUE(attrs.count("samesite=strict")) << *sc;
    EXPECT_TRUE(attrs.count("path=/")) << *sc;
    EXPECT_NE(l.cookie.find('='), std::string::npos) << *sc;
    EXPECT_GT(l.cookie.size(), l.cookie.find('=') + 1) << "the cookie has a value: " << *sc;
}

TEST_F(AuthTest, WrongPasswordAndUnknownUserGiveTheSame401) {
    Login wrong = login(*http, "anna", "not the right password");
    Login unknown = login(*http, "nobody-here", "not the right password");
    EXPECT_EQ(wrong.status, 401) << wrong.response;
    EXPECT_EQ(unknown.status, 401) << unknown.response;
    const auto code_wrong = error_code(wrong.response);
    const auto code_unknown = error_code(unknown.response);
    EXPECT_EQ(code_wrong, code_unknown);
    // The whole answer is the same, so it does not tell which usernames exist.
    EXPECT_EQ(wrong.response.json(), unknown.response.json());
    EXPECT_FALSE(wrong.response.header("Set-Cookie").has_value()) << wrong.response;
    EXPECT_TRUE(wrong.token.empty());
}

TEST_F(AuthTest, BearerTokenWorksOnMe) {
    Login l = must_login("anna");
    auto r = http->get("/api/v1/me", {bearer(l.token)});
    ASSERT_EQ(r.status, 200) << r;
    auto me = r.json();
    EXPECT_TRUE(me["id"].is_string()) << me;
    EXPECT_EQ(me["id"], l.user["id"]);
    EXPECT_EQ(me["username"], "anna");
    EXPECT_EQ(me["display_name"], "Anna Nowak");
    EXPECT_EQ(me["role"], "agent");
    EXPECT_TRUE(me["skills"].is_object()) << me;
    EXPECT_TRUE(me["capacity"].is_object()) << me;
    ASSERT_TRUE(me["state"].is_string()) << me;
    EXPECT_EQ(me["state"], "offline") << "a consultant who just logged in has not chosen a state yet";
    EXPECT_TRUE(me.contains("state_reason")) << me;
    EXPECT_TRUE(me["state_reason"].is_null() || me["state_reason"].is_string()) << me;
    ASSERT_TRUE(me["state_since"].is_string()) << me;
    EXPECT_TRUE(is_rfc3339_utc(me["state_since"])) << me["state_since"];
}

TEST_F(AuthTest, RequestsWithoutValidCredentialsGet401) {
    auto none = http->get("/api/v1/me");
    EXPECT_EQ(none.status, 401) << none;
    error_code(none);
    auto garbage = http->get("/api/v1/me", {bearer("this-is-not-a-token")});
    EXPECT_EQ(garbage.status, 401) << garbage;
    error_code(garbage);
    auto basic = http->get("/api/v1/me", {{"Authorization", "Basic YW5uYTpwYXNz"}});
    EXPECT_EQ(basic.status, 401) << basic;
    error_code(basic);
    auto bad_cookie = http->get("/api/v1/me", {{"Cookie", "centrala_session=nonsense"}});
    EXPECT_EQ(bad_cookie.status, 401) << bad_cookie;
    error_code(bad_cookie);
}

TEST_F(AuthTest, CookieAuthenticatesGetRequests) {
    Login l = must_login("anna");
    ASSERT_FALSE(l.cookie.empty());
    auto r = http->get("/api/v1/me", {cookie(l)});
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.json()["username"], "anna");
}

TEST_F(AuthTest, CookieWithoutCsrfHeaderIsRefusedForUnsafeMethods) {
    Login l = must_login("anna");

    auto patch = http->patch("/api/v1/me", {{"display_name", "Przejęta"}}, {cookie(l)});
    EXPECT_EQ(patch.status, 403) << patch;
    error_code(patch);
    auto put = http->put("/api/v1/agents/me/state", {{"state", "available"}}, {cookie(l)});
    EXPECT_EQ(put.status, 403) << put;
    error_code(put);
    auto post = http->post("/api/v1/auth/logout", nlohmann::json::object(), {cookie(l)});
    EXPECT_EQ(post.status, 403) << post;
    error_code(post);
    auto wrong = http->patch("/api/v1/me", {{"display_name", "Przejęta"}}, {cookie(l), {"X-CSRF-Token", "wrong"}});
    EXPECT_EQ(wrong.status, 403) << wrong;
    // The token of the session is not a CSRF token either.
    auto token_as_csrf =
        http->patch("/api/v1/me", {{"display_name", "Przejęta"}}, {cookie(l), {"X-CSRF-Token", l.token}});
    EXPECT_EQ(token_as_csrf.status, 403) << token_as_csrf;

    // Nothing of that happened: same name, still offline, still logged in.
    auto me = http->get("/api/v1/me", {cookie(l)});
    ASSERT_EQ(me.status, 200) << me;
    EXPECT_EQ(me.json()["display_name"], "Anna Nowak");
    EXPECT_EQ(me.json()["state"], "offline");

    // With the header, the same requests are carried out.
    auto ok_patch = http->patch("/api/v1/me", {{"display_name", "Anna Nowak-Kowalska"}}, {cookie(l), csrf(l)});
    EXPECT_EQ(ok_patch.status, 200) << ok_patch;
    auto ok_put = http->put("/api/v1/agents/me/state", {{"state", "available"}}, {cookie(l), csrf(l)});
    EXPECT_EQ(ok_put.status, 200) << ok_put;
    me = http->get("/api/v1/me", {cookie(l)});
    EXPECT_EQ(me.json()["display_name"], "Anna Nowak-Kowalska");
    EXPECT_EQ(me.json()["state"], "available");
    auto ok_logout = http->post("/api/v1/auth/logout", nlohmann::json::object(), {cookie(l), csrf(l)});
    EXPECT_EQ(ok_logout.status, 204) << ok_logout;
}

TEST_F(AuthTest, BearerRequestsNeedNoCsrfHeader) {
    Login l = must_login("anna");
    auto r = http->put("/api/v1/agents/me/state", {{"state", "break"}, {"reason", "kawa"}}, {bearer(l.token)});
    EXPECT_EQ(r.status, 200) << r;
}

TEST_F(AuthTest, LogoutEndsTheSessionAtOnceForBearerAndCookie) {
    Login l = must_login("anna");
    ASSERT_EQ(http->get("/api/v1/me", {bearer(l.token)}).status, 200);
    auto out = http->post("/api/v1/auth/logout", nlohmann::json::object(), {bearer(l.token)});
    EXPECT_EQ(out.status, 204) << out;
    EXPECT_TRUE(out.body.empty()) << out;
    auto again = http->get("/api/v1/me", {bearer(l.token)});
    EXPECT_EQ(again.status, 401) << again;
    error_code(again);
    auto by_cookie = http->get("/api/v1/me", {cookie(l)});
    EXPECT_EQ(by_cookie.status, 401) << by_cookie;
    auto second = http->post("/api/v1/auth/logout", nlohmann::json::object(), {bearer(l.token)});
    EXPECT_EQ(second.status, 401) << second;
}

TEST_F(AuthTest, LogoutByCookieEndsTheSessionAtOnce) {
    Login l = must_login("anna");
    auto out = http->post("/api/v1/auth/logout", nlohmann::json::object(), {cookie(l), csrf(l)});
    EXPECT_EQ(out.status, 204) << out;
    // The browser is told to forget the cookie.
    const auto name = l.cookie.substr(0, l.cookie.find('=') + 1);
    auto clear = out.header("Set-Cookie");
    ASSERT_TRUE(clear.has_value()) << out;
    EXPECT_EQ(clear->rfind(name, 0), 0u) << *clear;
    EXPECT_TRUE(cookie_attributes(*clear).count("max-age=0") || to_lower(*clear).find("expires=") != std::string::npos)
        << *clear;
    EXPECT_EQ(http->get("/api/v1/me", {cookie(l)}).status, 401);
    EXPECT_EQ(http->get("/api/v1/me", {bearer(l.token)}).status, 401);
}

TEST_F(AuthTest, EachLoginIsASeparateSession) {
    Login a = must_login("anna");
    Login b = must_login("anna");
    EXPECT_NE(a.token, b.token);
    EXPECT_NE(a.csrf, b.csrf);
    EXPECT_NE(a.cookie, b.cookie);
    // One session's CSRF token does not unlock the other.
    auto cross = http->patch("/api/v1/me", {{"display_name", "X"}}, {cookie(a), csrf(b)});
    EXPECT_EQ(cross.status, 403) << cross;
    // Logging out one leaves the other alone.
    EXPECT_EQ(http->post("/api/v1/auth/logout", nlohmann::json::object(), {bearer(a.token)}).status, 204);
    EXPECT_EQ(http->get("/api/v1/me", {bearer(a.token)}).status, 401);
    EXPECT_EQ(http->get("/api/v1/me", {bearer(b.token)}).status, 200);
}

TEST_F(AuthTest, PasswordChangeEndsOtherSessionsButKeepsTheCurrentOne) {
    Login current = must_login("anna");
    Login other = must_login("anna");
    const std::string new_password = "a much better passphrase";
    auto r = http->patch("/api/v1/me", {{"current_password", kPassword}, {"password", new_password}},
                         {bearer(current.token)});
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(http->get("/api/v1/me", {bearer(current.token)}).status, 200) << "the session that changed it stays";
    auto old = http->get("/api/v1/me", {bearer(other.token)});
    EXPECT_EQ(old.status, 401) << "the other session must end: " << old;
    EXPECT_EQ(http->get("/api/v1/me", {cookie(other)}).status, 401);
    EXPECT_EQ(login(*http, "anna", kPassword).status, 401) << "the old password no longer works";
    EXPECT_EQ(login(*http, "anna", new_password).status, 200) << "the new password works";
}

TEST_F(AuthTest, PasswordChangeWithWrongCurrentPasswordChangesNothing) {
    Login a = must_login("anna");
    Login other = must_login("anna");
    auto r = http->patch("/api/v1/me", {{"current_password", "this is not it at all"}, {"password", "a new passphrase here"}},
                         {bearer(a.token)});
    EXPECT_GE(r.status, 400) << r;
    EXPECT_LT(r.status, 500) << r;
    EXPECT_NE(r.status, 401) << "a wrong current password must not look like a lost session: " << r;
    error_code(r);
    EXPECT_EQ(http->get("/api/v1/me", {bearer(other.token)}).status, 200) << "other sessions stay";
    EXPECT_EQ(login(*http, "anna", kPassword).status, 200) << "the password is unchanged";
    // Without current_password at all: refused too.
    auto missing = http->patch("/api/v1/me", {{"password", "a new passphrase here"}}, {bearer(a.token)});
    EXPECT_EQ(missing.status, 400) << missing;
    EXPECT_EQ(login(*http, "anna", "a new passphrase here").status, 401);
}

TEST_F(AuthTest, AgentCannotMakeThemselvesAdmin) {
    Login l = must_login("anna");
    auto r = http->patch("/api/v1/me", {{"role", "admin"}}, {bearer(l.token)});
    EXPECT_TRUE(r.status == 200 || r.status == 400 || r.status == 403) << r;
    auto me = http->get("/api/v1/me", {bearer(l.token)});
    EXPECT_EQ(me.json()["role"], "agent") << me;
    EXPECT_EQ(http->get("/api/v1/users", {bearer(l.token)}).status, 403) << "still no admin rights";
    Login again = must_login("anna");
    EXPECT_EQ(again.user["role"], "agent");
    EXPECT_EQ(http->get("/api/v1/users", {bearer(again.token)}).status, 403) << "not even after a new login";
}

// ---- throttling: separate configs, one server each -----------------------

class UserThrottleTest : public ServerTest {
protected:
    void configure(nlohmann::json& c) override {
        c["security"]["login"] = {{"max_failures_per_user", 3}, {"max_failures_per_address", 100},
                                  {"window_seconds", 900}, {"lockout_seconds", 60}};
    }
};

TEST_F(UserThrottleTest, RepeatedFailuresForOneUsernameAreThrottledWith429) {
    for (int i = 0; i < 3; ++i) {
        Login l = login(*http, "anna", "wrong password " + std::to_string(i));
        ASSERT_EQ(l.status, 401) << "attempt " << i + 1 << ": " << l.response;
    }
    Login locked = login(*http, "anna", "wrong password again");
    EXPECT_EQ(locked.status, 429) << locked.response;
    EXPECT_EQ(error_code(locked.response), "rate_limited");
    auto retry = locked.response.header("Retry-After");
    ASSERT_TRUE(retry.has_value()) << locked.response;
    EXPECT_GT(std::stoi(*retry), 0) << *retry;
    EXPECT_LE(std::stoi(*retry), 60) << *retry;

    // The right password does not get through while locked...
    Login right = login(*http, "anna", kPassword);
    EXPECT_EQ(right.status, 429) << right.response;
    EXPECT_TRUE(right.response.header("Retry-After").has_value()) << right.response;
    EXPECT_TRUE(right.token.empty());
    // ...but another person on the same address can still log in.
    Login other = login(*http, "kierownik", kPassword);
    EXPECT_EQ(other.status, 200) << other.response;
}

TEST_F(UserThrottleTest, UnknownUsernamesAreThrottledLikeKnownOnes) {
    for (int i = 0; i < 3; ++i) ASSERT_EQ(login(*http, "ghost", "wrong password").status, 401);
    Login l = login(*http, "ghost", "wrong password");
    EXPECT_EQ(l.status, 429) << "otherwise 401 vs 429 tells which usernames exist: " << l.response;
}

TEST_F(UserThrottleTest, SuccessfulLoginBeforeTheLimitResetsTheCount) {
    for (int i = 0; i < 2; ++i) ASSERT_EQ(login(*http, "anna", "wrong password").status, 401);
    ASSERT_EQ(login(*http, "anna", kPassword).status, 200);
    for (int i = 0; i < 2; ++i) EXPECT_EQ(login(*http, "anna", "wrong password").status, 401);
    EXPECT_EQ(login(*http, "anna", kPassword).status, 200);
}

class AddressThrottleTest : public ServerTest {
protected:
    void configure(nlohmann::json& c) override {
        c["security"]["login"] = {{"max_failures_per_user", 100}, {"max_failures_per_address", 4},
                                  {"window_seconds", 900}, {"lockout_seconds", 60}};
    }
};

TEST_F(AddressThrottleTest, FailuresAcrossManyUsernamesFromOneAddressAreThrottled) {
    // Varying X-Forwarded-For does not spread the failures over several addresses.
    const std::vector<std::string> names = {"ala", "basia", "celina", "anna"};
    for (size_t i = 0; i < names.size(); ++i)
        ASSERT_EQ(login_from(*http, names[i], "wrong password", "198.51.100." + std::to_string(i + 1)).status, 401)
            << names[i];
    Login l = login(*http, "dorota", "wrong password");
    EXPECT_EQ(l.status, 429) << l.response;
    EXPECT_TRUE(l.response.header("Retry-After").has_value()) << l.response;
    error_code(l.response);
    // A client cannot pose as another address: X-Forwarded-For is only
    // believed from configured trusted proxies (none here).
    Login spoofed = login_from(*http, "edyta", "wrong password", "203.0.113.7");
    EXPECT_EQ(spoofed.status, 429) << spoofed.response;
    // The address is locked for everyone, also with a right password.
    Login right = login(*http, "kierownik", kPassword);
    EXPECT_EQ(right.status, 429) << right.response;
    EXPECT_TRUE(right.response.header("Retry-After").has_value()) << right.response;
}

}  // namespace
}  // namespace centrala::testing
