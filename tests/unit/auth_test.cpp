#include <gtest/gtest.h>

#include "centrala/api/auth.hpp"
#include "centrala/api/router.hpp"

using namespace centrala;
using namespace centrala::api;
using namespace std::chrono;

namespace {
SysTime t0 = from_unix_ms(1'780'000'000'000);

Session session(const std::string& id, int64_t user, SysTime created, const SessionTable& table) {
    return Session{id, user, "csrf", created, created, created, table.absolute_deadline(created)};
}
}  // namespace

TEST(SessionExpiry, IdleTimeoutEndsAnUnusedSession) {
    ManualClock clock(t0);
    SessionTable table(clock, SessionRules{minutes(30), hours(12)});
    std::vector<std::string> ended;
    table.on_ended = [&](const std::string& id) { ended.push_back(id); };
    table.put(session("a", 1, t0, table));
    clock.advance(minutes(29));
    Session* s = table.find_live("a");
    ASSERT_NE(s, nullptr);
    s->last_seen_at = clock.now();  // the resident of this session made a request
    clock.advance(minutes(2));      // 31 minutes since creation, 2 since last use
    ASSERT_NE(table.find_live("a"), nullptr);
    clock.set(t0 + minutes(29 + 30));
    EXPECT_EQ(table.find_live("a"), nullptr);
    EXPECT_EQ(ended, std::vector<std::string>{"a"});
    EXPECT_EQ(table.size(), 0u);
}

TEST(SessionExpiry, ActivityExtendsIdleButNotAbsoluteLifetime) {
    ManualClock clock(t0);
    SessionTable table(clock, SessionRules{minutes(30), hours(12)});
    table.put(session("a", 1, t0, table));
    for (int i = 0; i < 12 * 3 - 1; ++i) {
        clock.advance(minutes(20));
        Session* s = table.find_live("a");
        ASSERT_NE(s, nullptr) << "after " << (i + 1) * 20 << " minutes";
        s->last_seen_at = clock.now();
    }
    clock.set(t0 + hours(12));
    EXPECT_EQ(table.find_live("a"), nullptr);
}

TEST(SessionExpiry, RemovingAUsersSessionsKeepsTheCurrentOne) {
    ManualClock clock(t0);
    SessionTable table(clock, SessionRules{});
    table.put(session("a", 1, t0, table));
    table.put(session("b", 1, t0, table));
    table.put(session("c", 2, t0, table));
    std::vector<std::string> ended;
    table.on_ended = [&](const std::string& id) { ended.push_back(id); };
    auto removed = table.remove_user(1, "a");
    EXPECT_EQ(removed, std::vector<std::string>{"b"});
    EXPECT_EQ(ended, std::vector<std::string>{"b"});
    EXPECT_NE(table.find_live("a"), nullptr);
    EXPECT_NE(table.find_live("c"), nullptr);
}

TEST(LoginThrottle, LocksAUsernameAfterTooManyFailuresThenLetsGo) {
    ManualClock clock(t0);
    LoginThrottle th(clock, ThrottleRules{3, 100, seconds(900), seconds(60)});
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(th.retry_after("anna", "10.0.0.1"), 0);
        th.failed("anna", "10.0.0.1");
    }
    EXPECT_EQ(th.retry_after("anna", "10.0.0.2"), 60) << "locked for every address";
    EXPECT_EQ(th.retry_after("bartek", "10.0.0.1"), 0) << "other users are unaffected";
    clock.advance(seconds(59));
    EXPECT_EQ(th.retry_after("anna", "10.0.0.1"), 1);
    clock.advance(seconds(1));
    EXPECT_EQ(th.retry_after("anna", "10.0.0.1"), 0) << "the real user is not locked out for long";
    th.failed("anna", "10.0.0.1");
    EXPECT_EQ(th.retry_after("anna", "10.0.0.1"), 60) << "still within the window: one more failure locks again";
    clock.advance(seconds(900 + 61));
    EXPECT_EQ(th.retry_after("anna", "10.0.0.1"), 0);
}

TEST(LoginThrottle, LocksAnAddressSprayingManyUsernames) {
    ManualClock clock(t0);
    LoginThrottle th(clock, ThrottleRules{100, 5, seconds(900), seconds(60)});
    for (int i = 0; i < 5; ++i) th.failed("user" + std::to_string(i), "10.0.0.9");
    EXPECT_GT(th.retry_after("someone-else", "10.0.0.9"), 0);
    EXPECT_EQ(th.retry_after("someone-else", "10.0.0.10"), 0);
}

TEST(LoginThrottle, SuccessClearsTheUsernameCount) {
    ManualClock clock(t0);
    LoginThrottle th(clock, ThrottleRules{3, 100, seconds(900), seconds(60)});
    th.failed("anna", "a");
    th.failed("anna", "a");
    th.succeeded("anna");
    th.failed("anna", "a");
    th.failed("anna", "a");
    EXPECT_EQ(th.retry_after("anna", "a"), 0);
}

TEST(Router, MatchesPatternsAndReportsAllowedMethods) {
    Router r;
    int hit = 0;
    r.add("GET", "/api/v1/users", Access::supervisor, [&](Call) { hit = 1; });
    r.add("GET", "/api/v1/users/{id}", Access::supervisor, [&](Call) { hit = 2; });
    r.add("PATCH", "/api/v1/users/{id}", Access::admin, [&](Call) { hit = 3; });
    auto m = r.match("GET", "/api/v1/users/42");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.params["id"], "42");
    EXPECT_EQ(m.route->access, Access::supervisor);
    m = r.match("PATCH", "/api/v1/users/42");
    EXPECT_EQ(m.route->access, Access::admin);
    m = r.match("DELETE", "/api/v1/users/42");
    EXPECT_EQ(m.route, nullptr);
    EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "PATCH"}));
    EXPECT_EQ(r.match("GET", "/api/v1/users/").route, nullptr);
    EXPECT_EQ(r.match("GET", "/api/v1/users/42/x").route, nullptr);
    EXPECT_NE(r.match("HEAD", "/api/v1/users").route, nullptr);
}

TEST(Router, FirstAddedRouteWinsAndLongPathsAreNotFound) {
    Router r;
    r.add("GET", "/api/v1/tickets/export", Access::agent, [](Call) {});
    r.add("GET", "/api/v1/tickets/{id}", Access::agent, [](Call) {});
    r.add("GET", "/api/v1/tickets/{id}/comments/{comment}", Access::agent, [](Call) {});
    auto m = r.match("GET", "/api/v1/tickets/export");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->pattern, "/api/v1/tickets/export");
    EXPECT_TRUE(m.params.empty());
    m = r.match("GET", "/api/v1/tickets/7/comments/9");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.params.at("id"), "7");
    EXPECT_EQ(m.params.at("comment"), "9");
    EXPECT_EQ(r.match("GET", "/api/v1/tickets/7/attachments/9").route, nullptr);
    std::string deep = "/api";
    for (int i = 0; i < 40; ++i) deep += "/x";
    m = r.match("GET", deep);
    EXPECT_EQ(m.route, nullptr);
    EXPECT_TRUE(m.allowed_methods.empty());
    EXPECT_EQ(r.match("GET", "/").route, nullptr);
}

TEST(Directory, CountsActiveAdmins) {
    Directory d;
    User a;
    a.id = 1;
    a.username = "a";
    a.role = Role::admin;
    d.put(a);
    a.id = 2;
    a.username = "b";
    d.put(a);
    EXPECT_EQ(d.active_admins(), 2u);
    a.active = false;
    d.put(a);
    EXPECT_EQ(d.active_admins(), 1u);
    a.username = "renamed";
    d.put(a);
    EXPECT_EQ(d.find_by_username("b"), nullptr);
    EXPECT_EQ(d.find_by_username("renamed")->id, 2);
}
