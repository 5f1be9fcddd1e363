// Sessions are durable: a restart with the same database keeps live sessions
// and keeps ended ones ended.
#include "common.hpp"

namespace centrala::testing {
namespace {

class RestartTest : public ServerTest {
protected:
    void restart() {
        stop_server();
        ASSERT_FALSE(HasFailure()) << "the first server did not stop cleanly";
        start_server();
    }
};

TEST_F(RestartTest, SessionsSurviveARestartAndLoggedOutOnesStayDead) {
    Login kept = must_login("anna");
    Login ended = must_login("anna");
    Login supervisor = must_login("kierownik");
    ASSERT_EQ(http->post("/api/v1/auth/logout", nlohmann::json::object(), {bearer(ended.token)}).status, 204);
    restart();

    auto me = http->get("/api/v1/me", {bearer(kept.token)});
    EXPECT_EQ(me.status, 200) << "a token from before the restart still works: " << me;
    EXPECT_EQ(me.json()["username"], "anna");
    EXPECT_EQ(http->get("/api/v1/me", {cookie(kept)}).status, 200) << "and so does its cookie";
    // The CSRF token belongs to the session and survives with it.
    auto put = http->put("/api/v1/agents/me/state", {{"state", "available"}}, {cookie(kept), csrf(kept)});
    EXPECT_EQ(put.status, 200) << put;
    EXPECT_EQ(http->get("/api/v1/users", {bearer(supervisor.token)}).status, 200);

    auto dead = http->get("/api/v1/me", {bearer(ended.token)});
    EXPECT_EQ(dead.status, 401) << "a logged-out token must stay dead after a restart: " << dead;
    EXPECT_EQ(http->get("/api/v1/me", {cookie(ended)}).status, 401);
}

TEST_F(RestartTest, SessionsEndedByAPasswordChangeOrDeactivationStayDead) {
    Login changer = must_login("anna");
    Login other = must_login("anna");
    Login boss = must_login("kierownik");
    Login admin = must_login("admin");
    ASSERT_EQ(http->patch("/api/v1/me", {{"current_password", kPassword}, {"password", "the new anna passphrase"}},
                          {bearer(changer.token)})
                  .status,
              200);
    ASSERT_EQ(http->get("/api/v1/me", {bearer(other.token)}).status, 401);
    const std::string boss_id = user_id(admin, "kierownik");
    ASSERT_EQ(http->del("/api/v1/users/" + boss_id, {bearer(admin.token)}).status, 200);
    ASSERT_EQ(http->get("/api/v1/me", {bearer(boss.token)}).status, 401);

    restart();

    EXPECT_EQ(http->get("/api/v1/me", {bearer(changer.token)}).status, 200);
    EXPECT_EQ(http->get("/api/v1/me", {bearer(other.token)}).status, 401)
        << "a session ended by a password change came back after the restart";
    EXPECT_EQ(http->get("/api/v1/me", {bearer(boss.token)}).status, 401)
        << "a deactivated user's session came back after the restart";
    EXPECT_EQ(login(*http, "kierownik").status, 401);
    EXPECT_EQ(login(*http, "anna", "the new anna passphrase").status, 200);
}

}  // namespace
}  // namespace centrala::testing
