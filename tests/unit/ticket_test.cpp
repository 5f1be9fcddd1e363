#include <gtest/gtest.h>
#include <algorithm>

#include "centrala/domain/ticket.hpp"

using namespace centrala;
using namespace std::chrono;

namespace {
SysTime utc(int y, unsigned m, unsigned d, int h, int mi) {
    return SysTime{sys_days{year{y} / m / d}} + hours{h} + minutes{mi};
}
// Monday to Friday 08:00-16:00 Warsaw time: eight business hours a day.
WeeklySchedule weekdays_8_to_16() {
    WeeklySchedule s;
    s.name = "office";
    for (int d = 0; d < 5; ++d) s.days[d] = {TimeRange{8 * 60, 16 * 60}};
    return s;
}
const HolidayCalendar polish;
}  // namespace

TEST(TicketWorkflow, EveryAllowedTransition) {
    const std::vector<std::pair<std::string, std::string>> allowed = {
        {"new", "assigned"},          {"assigned", "in_progress"}, {"in_progress", "waiting_resident"},
        {"waiting_resident", "in_progress"}, {"in_progress", "resolved"}, {"resolved", "closed"},
        {"resolved", "in_progress"}};
    for (const auto& [from, to] : allowed) EXPECT_TRUE(transition_allowed(from, to)) << from << " -> " << to;
    // Everything else is refused, including staying put and leaving closed.
    int refused = 0;
    for (auto from : ticket_statuses)
        for (auto to : ticket_statuses) {
            const bool listed = std::find(allowed.begin(), allowed.end(),
                                          std::make_pair(std::string(from), std::string(to))) != allowed.end();
            EXPECT_EQ(transition_allowed(from, to), listed) << from << " -> " << to;
            refused += !listed;
        }
    EXPECT_EQ(refused, 36 - 7);
    EXPECT_TRUE(allowed_transitions("closed").empty());
    EXPECT_FALSE(transition_allowed("new", "resolved"));
    EXPECT_FALSE(transition_allowed("closed", "in_progress"));
    EXPECT_FALSE(transition_allowed("waiting_resident", "resolved"));
}

TEST(TicketWorkflow, OpenMeansNotResolvedOrClosed) {
    EXPECT_TRUE(ticket_open("new"));
    EXPECT_TRUE(ticket_open("waiting_resident"));
    EXPECT_FALSE(ticket_open("resolved"));
    EXPECT_FALSE(ticket_open("closed"));
}

TEST(TicketNumber, FormatAndShape) {
    EXPECT_EQ(format_ticket_number("MCK", 2026, 123), "MCK-2026-000123");
    EXPECT_EQ(format_ticket_number("MCK", 2026, 1234567), "MCK-2026-1234567");
    EXPECT_TRUE(looks_like_ticket_number("MCK-2026-000123"));
    EXPECT_TRUE(looks_like_ticket_number("MCK-2026-1234567"));
    EXPECT_FALSE(looks_like_ticket_number("MCK-2026-123"));
    EXPECT_FALSE(looks_like_ticket_number("mck-2026-000123"));
    EXPECT_FALSE(looks_like_ticket_number("MCK-26-000123"));
    EXPECT_FALSE(looks_like_ticket_number("../etc/passwd"));
    EXPECT_FALSE(looks_like_ticket_number("-2026-000123"));
}

TEST(BusinessHours, TwentyFourSevenWithoutSchedule) {
    EXPECT_EQ(add_business_hours(utc(2026, 1, 10, 10, 0), 8, nullptr, polish), utc(2026, 1, 10, 18, 0));
}

TEST(BusinessHours, SkipsTheWeekend) {
    const auto s = weekdays_8_to_16();
    // Friday 9 January 2026, 14:00 Warsaw (13:00 UTC): 2 h on Friday, 6 h on Monday.
    EXPECT_EQ(add_business_hours(utc(2026, 1, 9, 13, 0), 8, &s, polish), utc(2026, 1, 12, 13, 0));
    // Opened on Saturday: the clock starts on Monday at 08:00.
    EXPECT_EQ(add_business_hours(utc(2026, 1, 10, 9, 0), 1, &s, polish), utc(2026, 1, 12, 8, 0));
}

TEST(BusinessHours, StartsAtOpeningWhenFiledEarly) {
    const auto s = weekdays_8_to_16();
    // Monday 12 January 2026, 06:00 Warsaw: counts from 08:00.
    EXPECT_EQ(add_business_hours(utc(2026, 1, 12, 5, 0), 3, &s, polish), utc(2026, 1, 12, 10, 0));
    // Filed after closing: the next morning.
    EXPECT_EQ(add_business_hours(utc(2026, 1, 12, 17, 0), 2, &s, polish), utc(2026, 1, 13, 9, 0));
}

TEST(BusinessHours, SkipsPolishPublicHolidays) {
    const auto s = weekdays_8_to_16();
    // Monday 5 January 2026, 15:00 Warsaw: 1 h, then Epiphany (Tuesday 6 January) is skipped.
    EXPECT_EQ(add_business_hours(utc(2026, 1, 5, 14, 0), 8, &s, polish), utc(2026, 1, 7, 14, 0));
    // Easter 2026: Thursday 2 April 10:00 CEST, 16 h: Thu 6 h, Fri 8 h, then the
    // weekend and Easter Monday (6 April) are skipped, Tuesday 2 h -> 10:00 CEST.
    EXPECT_EQ(add_business_hours(utc(2026, 4, 2, 8, 0), 16, &s, polish), utc(2026, 4, 7, 8, 0));
    // Christmas Eve is a holiday from 2025: 23 December 2025 15:00 CET + 2 h.
    EXPECT_EQ(add_business_hours(utc(2025, 12, 23, 14, 0), 2, &s, polish), utc(2025, 12, 29, 8, 0));
}

TEST(BusinessHours, ConfigurableCalendar) {
    const auto s = weekdays_8_to_16();
    // An extra day off (a "bridge" Friday) and a removed statutory holiday.
    HolidayCalendar cal(true, {Date{year{2026} / January / 9}}, {Date{year{2026} / January / 6}});
    EXPECT_EQ(add_business_hours(utc(2026, 1, 5, 14, 0), 8, &s, cal), utc(2026, 1, 6, 14, 0));
    // Thursday 8 January 15:00 Warsaw: 1 h, the extra Friday off, 3 h on Monday.
    EXPECT_EQ(add_business_hours(utc(2026, 1, 8, 14, 0), 4, &s, cal), utc(2026, 1, 12, 10, 0));
    // A schedule that stays open on holidays counts them.
    auto open = s;
    open.closed_on_holidays = false;
    EXPECT_EQ(add_business_hours(utc(2026, 1, 5, 14, 0), 8, &open, polish), utc(2026, 1, 6, 14, 0));
}

TEST(BusinessHours, AcrossTheSummerTimeChange) {
    const auto s = weekdays_8_to_16();
    // Friday 27 March 2026 12:00 CET (11:00 UTC): 4 h Friday, 4 h on Monday 30
    // March, now CEST: 12:00 local is 10:00 UTC.
    EXPECT_EQ(add_business_hours(utc(2026, 3, 27, 11, 0), 8, &s, polish), utc(2026, 3, 30, 10, 0));
}

TEST(BusinessHours, SplitDaysAndEmptySchedules) {
    WeeklySchedule split;
    for (int d = 0; d < 5; ++d) split.days[d] = {TimeRange{13 * 60, 15 * 60}, TimeRange{8 * 60, 10 * 60}};
    // Monday 12 January 2026 09:00 Warsaw: 1 h before the break, 2 h after it.
    EXPECT_EQ(add_business_hours(utc(2026, 1, 12, 8, 0), 3, &split, polish), utc(2026, 1, 12, 14, 0));
    WeeklySchedule never;
    EXPECT_FALSE(add_business_hours(utc(2026, 1, 12, 8, 0), 3, &never, polish).has_value());
    EXPECT_EQ(add_business_hours(utc(2026, 1, 12, 8, 0), 0, &split, polish), utc(2026, 1, 12, 8, 0));
}

TEST(Warsaw, LocalToUtc) {
    EXPECT_EQ(from_warsaw(Date{year{2026} / January / 12}, 8 * 60), utc(2026, 1, 12, 7, 0));
    EXPECT_EQ(from_warsaw(Date{year{2026} / July / 1}, 8 * 60), utc(2026, 7, 1, 6, 0));
}

namespace centrala {

TEST(RedactContact, PhoneInAnyWritingEmailAndName) {
    const std::string t =
        "Dzwonić: +48 600-100-200 albo 600 100 200 lub 0048600100200, (600) 100 200. "
        "Mail: Jan.Kowalski@Example.PL, pisze JAN KOWALSKI. Konto 12600100200999 i kod 600100.";
    const auto r = redact_contact(t, "+48600100200", "jan.kowalski@example.pl", "Jan Kowalski", "#");
    EXPECT_EQ(r,
              "Dzwonić: # albo # lub #, #. "
              "Mail: #, pisze #. Konto 12600100200999 i kod 600100.");
}

TEST(RedactContact, NothingToMatchLeavesTheTextAlone) {
    const std::string t = "Latarnia przy ul. Sienkiewicza 12 nie świeci od 3 dni (tel. 41 367 60 00).";
    EXPECT_EQ(redact_contact(t, "", "", ""), t);
    EXPECT_EQ(redact_contact(t, "600100200", "ola@example.pl", "Ola"), t);
    // Too short to be a name or a number of its own.
    EXPECT_EQ(redact_contact("Al. 12", "12", "", "Al"), "Al. 12");
    // A phone stored without a country code still matches one written with it.
    EXPECT_EQ(redact_contact("numer +48 600 100 200.", "600100200", "", ""), "numer [usunięto].");
}

TEST(TicketScope, SupervisorsSeeAllOthersTheirOwnAndTheirDepartment) {
    User agent;
    agent.id = 7;
    agent.role = Role::agent;
    EXPECT_FALSE(ticket_scope(agent).everything);
    EXPECT_EQ(ticket_scope(agent).user_id, 7);
    EXPECT_EQ(ticket_scope(agent).department, "");
    agent.department = "odpady";
    EXPECT_EQ(ticket_scope(agent).department, "odpady");
    User boss = agent;
    boss.role = Role::supervisor;
    EXPECT_TRUE(ticket_scope(boss).everything);
    boss.role = Role::admin;
    EXPECT_TRUE(ticket_scope(boss).everything);
}

}  // namespace centrala

namespace centrala {
TEST(PhoneVariants, APolishNumberInEveryStoredForm) {
    const std::vector<std::string> all = {"600100200", "+48600100200", "48600100200", "0048600100200"};
    for (const auto& p : all) {
        auto v = phone_variants(p);
        std::sort(v.begin(), v.end());
        auto want = all;
        std::sort(want.begin(), want.end());
        EXPECT_EQ(v, want) << p;
    }
    EXPECT_EQ(phone_variants("+380501234567"), std::vector<std::string>{"+380501234567"});
    EXPECT_TRUE(phone_variants("").empty());
}
}  // namespace centrala

namespace centrala {
TEST(MaskEmails, EveryAddressGoesTheRestStays) {
    EXPECT_EQ(mask_emails("pisz na Jan.Kowalski+x@Example.com.pl. dzięki"), "pisz na [e-mail]. dzięki");
    EXPECT_EQ(mask_emails("a@b.pl i c_d@e-f.org"), "[e-mail] i [e-mail]");
    EXPECT_EQ(mask_emails("@ nic, x@y, @b.pl, mail@"), "@ nic, x@y, @b.pl, mail@");
    EXPECT_EQ(mask_emails(""), "");
}

TEST(PhoneLikePattern, TheLastNineDigitsInOrder) {
    EXPECT_EQ(phone_like_pattern("+48600100200"), "%6%0%0%1%0%0%2%0%0%");
    EXPECT_EQ(phone_like_pattern("12345"), "%1%2%3%4%5%");
    EXPECT_EQ(phone_like_pattern("1234"), "");
}
}  // namespace centrala
