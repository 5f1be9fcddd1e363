#include <gtest/gtest.h>

#include <algorithm>

#include "centrala/domain/calendar.hpp"

using namespace centrala;
using namespace std::chrono;

namespace {
bool contains(const std::vector<Date>& v, Date d) { return std::find(v.begin(), v.end(), d) != v.end(); }
SysTime utc(int y, unsigned m, unsigned d, int h, int mi) {
    return SysTime{sys_days{year{y} / m / d}} + hours{h} + minutes{mi};
}
}  // namespace

TEST(Holidays, EasterDates) {
    EXPECT_EQ(easter_sunday(2024), Date{year{2024} / March / 31});
    EXPECT_EQ(easter_sunday(2025), Date{year{2025} / April / 20});
    EXPECT_EQ(easter_sunday(2026), Date{year{2026} / April / 5});
    EXPECT_EQ(easter_sunday(2027), Date{year{2027} / March / 28});
}

TEST(Holidays, PolishStatutoryDays2026) {
    const auto h = polish_public_holidays(2026);
    EXPECT_TRUE(contains(h, year{2026} / January / 6));     // Trzech Króli
    EXPECT_TRUE(contains(h, year{2026} / April / 6));       // Easter Monday
    EXPECT_TRUE(contains(h, year{2026} / May / 24));        // Pentecost
    EXPECT_TRUE(contains(h, year{2026} / June / 4));        // Corpus Christi
    EXPECT_TRUE(contains(h, year{2026} / November / 11));   // Independence Day
    EXPECT_TRUE(contains(h, year{2026} / December / 24));   // Wigilia, from 2025
    EXPECT_FALSE(contains(h, year{2026} / November / 2));
    EXPECT_FALSE(contains(polish_public_holidays(2024), year{2024} / December / 24));
}

TEST(Holidays, ExtraAndRemovedDaysFromConfig) {
    HolidayCalendar cal(true, {year{2026} / May / 2}, {year{2026} / January / 6});
    EXPECT_TRUE(cal.is_holiday(year{2026} / May / 2));
    EXPECT_FALSE(cal.is_holiday(year{2026} / January / 6));
    EXPECT_TRUE(cal.is_holiday(year{2026} / May / 3));
    HolidayCalendar none(false, {}, {});
    EXPECT_FALSE(none.is_holiday(year{2026} / May / 3));
}

TEST(WarsawTime, FollowsEuSummerTime) {
    // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
    EXPECT_EQ(warsaw_utc_offset(utc(2026, 3, 29, 0, 59)), minutes{60});
    EXPECT_EQ(warsaw_utc_offset(utc(2026, 3, 29, 1, 0)), minutes{120});
    EXPECT_EQ(warsaw_utc_offset(utc(2026, 10, 25, 0, 59)), minutes{120});
    EXPECT_EQ(warsaw_utc_offset(utc(2026, 10, 25, 1, 0)), minutes{60});
    auto lt = to_warsaw(utc(2026, 7, 1, 22, 30));  // 00:30 next day in summer
    EXPECT_EQ(lt.date, Date{year{2026} / July / 2});
    EXPECT_EQ(lt.minute_of_day, 30);
}

TEST(BusinessHours, OpenOnlyWithinRangesAndNotOnHolidays) {
    WeeklySchedule s;
    TimeRange r;
    ASSERT_TRUE(parse_time_range("07:30-15:30", r));
    for (int d = 0; d < 5; ++d) s.days[d].push_back(r);
    HolidayCalendar cal;
    // Monday 2 Nov 2026, winter time: 07:30 local = 06:30 UTC.
    EXPECT_FALSE(is_open(s, cal, utc(2026, 11, 2, 6, 29)));
    EXPECT_TRUE(is_open(s, cal, utc(2026, 11, 2, 6, 30)));
    EXPECT_TRUE(is_open(s, cal, utc(2026, 11, 2, 14, 29)));
    EXPECT_FALSE(is_open(s, cal, utc(2026, 11, 2, 14, 30)));
    // Saturday closed; Wednesday 11 Nov is a holiday.
    EXPECT_FALSE(is_open(s, cal, utc(2026, 11, 7, 10, 0)));
    EXPECT_FALSE(is_open(s, cal, utc(2026, 11, 11, 10, 0)));
    s.closed_on_holidays = false;
    EXPECT_TRUE(is_open(s, cal, utc(2026, 11, 11, 10, 0)));
}

TEST(BusinessHours, ParsesRangesStrictly) {
    TimeRange r;
    EXPECT_TRUE(parse_time_range("00:00-24:00", r));
    EXPECT_EQ(r.end_minute, 1440);
    EXPECT_FALSE(parse_time_range("16:00-08:00", r));
    EXPECT_FALSE(parse_time_range("8:00-16:00", r));
    EXPECT_FALSE(parse_time_range("08:00-16:60", r));
    EXPECT_FALSE(parse_time_range("08:00-16:00x", r));
    Date d;
    EXPECT_TRUE(parse_date("2026-12-24", d));
    EXPECT_FALSE(parse_date("2026-02-29", d));
    EXPECT_FALSE(parse_date("2026-1-5", d));
}

TEST(BusinessHours, NextOpeningSkipsClosedDaysHolidaysAndKnowsSummerTime) {
    WeeklySchedule s;
    TimeRange morning, afternoon;
    ASSERT_TRUE(parse_time_range("07:30-12:00", morning));
    ASSERT_TRUE(parse_time_range("13:00-15:30", afternoon));
    for (int d = 0; d < 5; ++d) s.days[d] = {afternoon, morning};  // order in config does not matter
    HolidayCalendar cal;
    // Open now: now.
    EXPECT_EQ(next_opening(s, cal, utc(2026, 11, 2, 9, 0)), utc(2026, 11, 2, 9, 0));
    // The lunch break: 13:00 local the same day (winter, +1).
    EXPECT_EQ(next_opening(s, cal, utc(2026, 11, 2, 11, 15)), utc(2026, 11, 2, 12, 0));
    // Friday evening: Monday 07:30 local.
    EXPECT_EQ(next_opening(s, cal, utc(2026, 11, 6, 17, 0)), utc(2026, 11, 9, 6, 30));
    // Tuesday 10 Nov evening: Wednesday 11 Nov is a holiday, so Thursday.
    EXPECT_EQ(next_opening(s, cal, utc(2026, 11, 10, 18, 0)), utc(2026, 11, 12, 6, 30));
    // Summer time (+2): Thursday 30 Apr 2026 evening; 1 May is a holiday, 2-3 May a weekend.
    EXPECT_EQ(next_opening(s, cal, utc(2026, 4, 30, 18, 0)), utc(2026, 5, 4, 5, 30));
    // A schedule that never opens.
    EXPECT_FALSE(next_opening(WeeklySchedule{}, cal, utc(2026, 11, 2, 9, 0)).has_value());
    // Local time back to an instant, either side of the change.
    EXPECT_EQ(from_warsaw(year{2026} / March / 28, 12 * 60), utc(2026, 3, 28, 11, 0));
    EXPECT_EQ(from_warsaw(year{2026} / March / 30, 12 * 60), utc(2026, 3, 30, 10, 0));
}
