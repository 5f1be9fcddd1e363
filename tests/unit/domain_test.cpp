#include <gtest/gtest.h>

#include "centrala/domain/clock.hpp"
#include "centrala/domain/organisation.hpp"
#include "centrala/domain/staff.hpp"

using namespace centrala;

TEST(Roles, OrderedAgentSupervisorAdmin) {
    EXPECT_TRUE(at_least(Role::admin, Role::supervisor));
    EXPECT_TRUE(at_least(Role::supervisor, Role::agent));
    EXPECT_FALSE(at_least(Role::agent, Role::supervisor));
    EXPECT_FALSE(at_least(Role::supervisor, Role::admin));
    EXPECT_EQ(parse_role("supervisor"), Role::supervisor);
    EXPECT_FALSE(parse_role("root").has_value());
    EXPECT_FALSE(parse_role("Admin").has_value());
}

TEST(Usernames, AcceptOnlySafeNames) {
    EXPECT_TRUE(valid_username("anna.nowak"));
    EXPECT_TRUE(valid_username("k2_x-y"));
    EXPECT_FALSE(valid_username("ab"));
    EXPECT_FALSE(valid_username("Anna"));
    EXPECT_FALSE(valid_username(".anna"));
    EXPECT_FALSE(valid_username("anna nowak"));
    EXPECT_FALSE(valid_username("żaneta"));
    EXPECT_FALSE(valid_username(std::string(65, 'a')));
}

TEST(Skills, ParsesCommandLineList) {
    auto s = parse_skills_list("vehicles:5,waste:3,pjm:5");
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ((*s)["vehicles"], 5);
    EXPECT_EQ((*s)["pjm"], 5);
    EXPECT_EQ(s->size(), 3u);
    EXPECT_FALSE(parse_skills_list("vehicles:6").has_value());
    EXPECT_FALSE(parse_skills_list("vehicles:0").has_value());
    EXPECT_FALSE(parse_skills_list("vehicles").has_value());
    EXPECT_FALSE(parse_skills_list("Vehicles:3").has_value());
    EXPECT_FALSE(parse_skills_list("vehicles:3x").has_value());
    EXPECT_TRUE(parse_skills_list("")->empty());
}

TEST(Topics, FixedIdsFromContract) {
    EXPECT_TRUE(valid_topic("vehicles"));
    EXPECT_TRUE(valid_topic("other"));
    EXPECT_FALSE(valid_topic("cars"));
}

TEST(Rfc3339, RoundTripsAndRejectsGarbage) {
    SysTime t;
    ASSERT_TRUE(parse_rfc3339("2026-02-13T09:15:00Z", t));
    EXPECT_EQ(to_rfc3339(t), "2026-02-13T09:15:00Z");
    ASSERT_TRUE(parse_rfc3339("2026-02-13T09:15:00.250Z", t));
    EXPECT_EQ(to_unix_ms(t) % 1000, 250);
    EXPECT_FALSE(parse_rfc3339("2026-02-30T09:15:00Z", t));
    EXPECT_FALSE(parse_rfc3339("2026-02-13 09:15:00", t));
    EXPECT_FALSE(parse_rfc3339("2026-02-13T09:15:00+01:00", t));
    EXPECT_FALSE(parse_rfc3339("", t));
}

TEST(ManualClock, MovesOnlyWhenTold) {
    ManualClock c(from_unix_ms(1000));
    EXPECT_EQ(to_unix_ms(c.now()), 1000);
    c.advance(std::chrono::seconds(5));
    EXPECT_EQ(to_unix_ms(c.now()), 6000);
}
