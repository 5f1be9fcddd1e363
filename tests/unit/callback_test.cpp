#include <gtest/gtest.h>

#include "centrala/domain/callback.hpp"

using namespace centrala;
using namespace std::chrono;

namespace {
SysTime utc(int y, unsigned m, unsigned d, int h, int mi) {
    return SysTime{sys_days{year{y} / m / d}} + hours{h} + minutes{mi};
}
WeeklySchedule office() {
    WeeklySchedule s;
    s.name = "office";
    for (int d = 0; d < 5; ++d) s.days[d] = {TimeRange{8 * 60, 16 * 60}};
    return s;
}
std::vector<std::string> labels(const std::vector<CallbackWindow>& ws, SysTime now, const std::string& lang = "pl") {
    std::vector<std::string> out;
    for (const auto& w : ws) out.push_back(callback_window_label(w, now, lang));
    return out;
}
}  // namespace

TEST(CallbackWindows, FridayEveningSkipsTheWeekendAndTheHoliday) {
    // Friday 6 November 2026, 18:00 in Warsaw (CET, UTC+1). Saturday and
    // Sunday are closed, Wednesday 11 November is Independence Day.
    const SysTime now = utc(2026, 11, 6, 17, 0);
    const HolidayCalendar holidays;
    const auto ws = callback_windows(office(), holidays, now, 240, 6);
    ASSERT_EQ(ws.size(), 6u);
    EXPECT_EQ(labels(ws, now),
              (std::vector<std::string>{"pon. 09.11, 8:00–12:00", "pon. 09.11, 12:00–16:00", "wt. 10.11, 8:00–12:00",
                                        "wt. 10.11, 12:00–16:00", "czw. 12.11, 8:00–12:00", "czw. 12.11, 12:00–16:00"}));
    EXPECT_EQ(ws[0].from, utc(2026, 11, 9, 7, 0));  // 8:00 CET
    EXPECT_EQ(ws[0].to, utc(2026, 11, 9, 11, 0));
    EXPECT_EQ(ws[5].to, utc(2026, 11, 12, 15, 0));
}

TEST(CallbackWindows, TomorrowAndTodayWithTheLeadTime) {
    const HolidayCalendar holidays;
    // Monday 9 November, 17:00 local: tomorrow's windows.
    SysTime now = utc(2026, 11, 9, 16, 0);
    auto ws = callback_windows(office(), holidays, now, 240, 2);
    EXPECT_EQ(labels(ws, now), (std::vector<std::string>{"jutro 8:00–12:00", "jutro 12:00–16:00"}));
    EXPECT_EQ(labels(ws, now, "en"), (std::vector<std::string>{"tomorrow 8:00–12:00", "tomorrow 12:00–16:00"}));
    EXPECT_EQ(labels(ws, now, "uk"), (std::vector<std::string>{"завтра 8:00–12:00", "завтра 12:00–16:00"}));
    // Monday 11:45 local: 15 minutes of the morning window are too few.
    now = utc(2026, 11, 9, 10, 45);
    ws = callback_windows(office(), holidays, now, 240, 2);
    EXPECT_EQ(labels(ws, now), (std::vector<std::string>{"dziś 12:00–16:00", "jutro 8:00–12:00"}));
    // Summer time: 8:00 local is 6:00 UTC.
    now = utc(2026, 6, 1, 20, 0);  // Monday 22:00 CEST
    ws = callback_windows(office(), holidays, now, 240, 1);
    ASSERT_EQ(ws.size(), 1u);
    EXPECT_EQ(ws[0].from, utc(2026, 6, 2, 6, 0));
}

TEST(CallbackWindows, ShortRangesAndNoOpening) {
    WeeklySchedule s = office();
    s.days[0] = {TimeRange{8 * 60, 10 * 60}, TimeRange{13 * 60, 15 * 60 + 30}};
    const SysTime now = utc(2026, 11, 8, 12, 0);  // Sunday
    auto ws = callback_windows(s, HolidayCalendar{}, now, 120, 3);
    EXPECT_EQ(labels(ws, now), (std::vector<std::string>{"jutro 8:00–10:00", "jutro 13:00–15:00", "jutro 15:00–15:30"}));
    EXPECT_TRUE(callback_windows(WeeklySchedule{}, HolidayCalendar{}, now).empty());
}
