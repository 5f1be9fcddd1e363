// The routing core as the server's one owner of routing state: agents' state
// changes through the API reach it, and the live statistics come from it.
#include "common.hpp"

namespace centrala::testing {
namespace {

class RoutingWiringTest : public ServerTest {
protected:
    void configure(nlohmann::json& config) override {
        // Every queue open around the clock, so the test does not depend on the hour.
        for (auto& q : config["queues"]) q["hours"] = "always";
    }

    static const nlohmann::json* find_by(const nlohmann::json& list, const std::string& key, const std::string& value) {
        for (const auto& item : list)
            if (item.contains(key) && item[key] == value) return &item;
        return nullptr;
    }
};

TEST_F(RoutingWiringTest, AgentStateChangesShowInLiveStats) {
    Login boss = must_login("kierownik");
    Login anna = must_login("anna");
    auto before_r = http->get("/api/v1/stats/live", {bearer(boss.token)});
    ASSERT_EQ(before_r.status, 200) << before_r;
    const auto before = before_r.json();
    const auto* general = find_by(before["queues"], "id", "general");
    ASSERT_NE(general, nullptr) << before;
    const int available_before = (*general)["agents_available"].get<int>();
    const auto* anna_row = find_by(before["agents"], "display_name", "Anna Nowak");
    ASSERT_NE(anna_row, nullptr) << before;
    EXPECT_EQ((*anna_row)["state"], "offline");

    auto put = http->put("/api/v1/agents/me/state", {{"state", "available"}}, {bearer(anna.token)});
    ASSERT_EQ(put.status, 200) << put;
    EXPECT_EQ(put.json()["state"], "available");

    const auto after = http->get("/api/v1/stats/live", {bearer(boss.token)}).json();
    const auto* general_after = find_by(after["queues"], "id", "general");
    ASSERT_NE(general_after, nullptr);
    EXPECT_EQ((*general_after)["agents_available"].get<int>(), available_before + 1) << after;
    EXPECT_EQ((*find_by(after["agents"], "display_name", "Anna Nowak"))["state"], "available");
    EXPECT_TRUE(is_rfc3339_utc(after["at"].get<std::string>()));

    // A break with a reason shows too, and /me agrees.
    ASSERT_EQ(http->put("/api/v1/agents/me/state", {{"state", "break"}, {"reason", "przerwa"}}, {bearer(anna.token)}).status,
              200);
    auto me = http->get("/api/v1/me", {bearer(anna.token)}).json();
    EXPECT_EQ(me["state"], "break");
    EXPECT_EQ(me["state_reason"], "przerwa");
    auto third = http->get("/api/v1/stats/live", {bearer(boss.token)}).json();
    EXPECT_EQ((*find_by(third["agents"], "display_name", "Anna Nowak"))["state"], "break");
    EXPECT_EQ((*find_by(third["queues"], "id", "general"))["agents_break"].get<int>(), 1);
}

TEST_F(RoutingWiringTest, LiveStatsAreForSupervisors) {
    Login anna = must_login("anna");
    EXPECT_EQ(http->get("/api/v1/stats/live", {bearer(anna.token)}).status, 403);
    EXPECT_EQ(http->get("/api/v1/stats/live").status, 401);
}

TEST_F(RoutingWiringTest, SupervisorSocketGetsStatsPushedOnChange) {
    Login boss = must_login("kierownik");
    Login anna = must_login("anna");
    WsClient ws;
    ASSERT_EQ(ws.connect(server->port(), "/ws/agent", {cookie(boss)}), 101);
    ASSERT_TRUE(ws.next_of_type("hello").has_value());
    ASSERT_TRUE(ws.next_of_type("stats").has_value()) << "a snapshot right after hello";
    ASSERT_EQ(http->put("/api/v1/agents/me/state", {{"state", "available"}}, {bearer(anna.token)}).status, 200);
    bool seen = false;
    for (int i = 0; i < 5 && !seen; ++i) {
        auto stats = ws.next_of_type("stats", std::chrono::seconds(2));
        ASSERT_TRUE(stats.has_value());
        const auto* row = find_by((*stats)["stats"]["agents"], "display_name", "Anna Nowak");
        seen = row && (*row)["state"] == "available";
    }
    EXPECT_TRUE(seen) << "the change reached the supervisor's socket";
}

TEST_F(RoutingWiringTest, QueuesComeFromConfig) {
    Login boss = must_login("kierownik");
    auto r = http->get("/api/v1/queues", {bearer(boss.token)});
    ASSERT_EQ(r.status, 200) << r;
    const auto body = r.json();
    const auto* vehicles = find_by(body["items"], "id", "vehicles");
    ASSERT_NE(vehicles, nullptr);
    EXPECT_EQ((*vehicles)["name"], "Rejestracja pojazdów");
    EXPECT_EQ((*vehicles)["overflow"]["queue"], "general");
    EXPECT_EQ(http->get("/api/v1/queues/vehicles", {bearer(boss.token)}).status, 200);
    EXPECT_EQ(http->get("/api/v1/queues/nope", {bearer(boss.token)}).status, 404);
    EXPECT_EQ(http->get("/api/v1/queues", {bearer(must_login("anna").token)}).status, 403);
}

TEST_F(RoutingWiringTest, UnknownOffersAreNotFound) {
    Login anna = must_login("anna");
    auto r = http->post("/api/v1/offers/12345/accept", nlohmann::json::object(), {bearer(anna.token)});
    EXPECT_EQ(r.status, 404) << r;
    EXPECT_EQ(error_code(r), "offer_not_found");
    WsClient ws;
    ASSERT_EQ(ws.connect(server->port(), "/ws/agent"), 101);
    ASSERT_TRUE(ws.send_json({{"type", "auth"}, {"token", anna.token}}));
    ASSERT_TRUE(ws.next_of_type("hello").has_value());
    ASSERT_TRUE(ws.send_json({{"type", "accept"}, {"offer_id", "999"}, {"client_msg_id", "c1"}}));
    auto err = ws.next_of_type("error");
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ((*err)["code"], "offer_not_found");
    EXPECT_EQ((*err)["client_msg_id"], "c1");
}

TEST_F(RoutingWiringTest, NewAndDeactivatedUsersJoinAndLeaveRouting) {
    Login admin = must_login("admin");
    Login boss = must_login("kierownik");
    auto created = http->post("/api/v1/users",
                              {{"username", "tlumacz"}, {"password", kPassword}, {"role", "agent"},
                               {"display_name", "Ewa Kowalczyk"}, {"skills", {{"pjm", 5}}}},
                              {bearer(admin.token)});
    ASSERT_EQ(created.status, 201) << created;
    auto stats = http->get("/api/v1/stats/live", {bearer(boss.token)}).json();
    EXPECT_NE(find_by(stats["agents"], "display_name", "Ewa Kowalczyk"), nullptr);
    ASSERT_EQ(http->del("/api/v1/users/" + created.json()["id"].get<std::string>(), {bearer(admin.token)}).status, 200);
    stats = http->get("/api/v1/stats/live", {bearer(boss.token)}).json();
    EXPECT_EQ(find_by(stats["agents"], "display_name", "Ewa Kowalczyk"), nullptr);
}

}  // namespace
}  // namespace centrala::testing
