#include "centrala/domain/callback.hpp"

#include <array>
#include <cstdio>

namespace centrala {

std::vector<CallbackWindow> callback_windows(const WeeklySchedule& schedule, const HolidayCalendar& holidays,
                                             SysTime now, int window_minutes, int max_windows, int lead_minutes,
                                             int horizon_days) {
    std::vector<CallbackWindow> out;
    if (window_minutes <= 0 || max_windows <= 0) return out;
    const std::chrono::sys_days today{to_warsaw(now).date};
    for (int d = 0; d <= horizon_days && int(out.size()) < max_windows; ++d) {
        const Date date{today + std::chrono::days(d)};
        if (schedule.closed_on_holidays && holidays.is_holiday(date)) continue;
        const std::chrono::weekday wd{std::chrono::sys_days{date}};
        const auto& ranges = schedule.days[(wd.c_encoding() + 6) % 7];
        for (const auto& r : ranges) {
            for (int start = r.start_minute; start < r.end_minute && int(out.size()) < max_windows;
                 start += window_minutes) {
                const int end = std::min(start + window_minutes, r.end_minute);
                CallbackWindow w{from_warsaw(date, start), from_warsaw(date, end), date, start, end};
                if (w.to - now < std::chrono::minutes(lead_minutes)) continue;
                out.push_back(w);
            }
        }
    }
    return out;
}

std::string callback_window_label(const CallbackWindow& w, SysTime now, const std::string& lang) {
    static const std::array<const char*, 7> pl = {"pon.", "wt.", "śr.", "czw.", "pt.", "sob.", "niedz."};
    static const std::array<const char*, 7> en = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const std::array<const char*, 7> uk = {"пн", "вт", "ср", "чт", "пт", "сб", "нд"};
    const auto days = (std::chrono::sys_days{w.date} - std::chrono::sys_days{to_warsaw(now).date}).count();
    char hours[48];
    std::snprintf(hours, sizeof hours, "%d:%02d–%d:%02d", w.start_minute / 60, w.start_minute % 60, w.end_minute / 60,
                  w.end_minute % 60);
    std::string day;
    if (days == 0) day = lang == "en" ? "today" : lang == "uk" ? "сьогодні" : "dziś";
    else if (days == 1) day = lang == "en" ? "tomorrow" : lang == "uk" ? "завтра" : "jutro";
    else {
        const std::chrono::weekday wd{std::chrono::sys_days{w.date}};
        const auto& names = lang == "en" ? en : lang == "uk" ? uk : pl;
        char date[16];
        std::snprintf(date, sizeof date, "%02u.%02u", unsigned(w.date.day()), unsigned(w.date.month()));
        day = std::string(names[(wd.c_encoding() + 6) % 7]) + " " + date + ",";
    }
    return day + " " + hours;
}

}  // namespace centrala
