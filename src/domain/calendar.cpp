#include "centrala/domain/calendar.hpp"

#include <cstdio>

namespace centrala {
using namespace std::chrono;

Date easter_sunday(int y) {
    // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
    int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month_ = (h + l - 7 * m + 114) / 31, day_ = ((h + l - 7 * m + 114) % 31) + 1;
    return Date{year{y}, month{unsigned(month_)}, day{unsigned(day_)}};
}

std::vector<Date> polish_public_holidays(int y) {
    const year yy{y};
    std::vector<Date> out = {
        yy / January / 1,  yy / January / 6,  yy / May / 1,       yy / May / 3,
        yy / August / 15,  yy / November / 1, yy / November / 11, yy / December / 25,
        yy / December / 26,
    };
    if (y >= 2025) out.push_back(yy / December / 24);
    const sys_days easter{easter_sunday(y)};
    out.push_back(Date{easter});
    out.push_back(Date{easter + days{1}});   // Easter Monday
    out.push_back(Date{easter + days{49}});  // Pentecost Sunday
    out.push_back(Date{easter + days{60}});  // Corpus Christi
    return out;
}

namespace {
sys_days last_sunday(year y, month m) {
    const sys_days end{y / m / std::chrono::last};
    return end - (weekday{end} - Sunday);
}
}  // namespace

minutes warsaw_utc_offset(SysTime t) {
    const auto d = floor<days>(t);
    const year y = year_month_day{d}.year();
    // EU rule: summer time from 01:00 UTC on the last Sunday of March to
    // 01:00 UTC on the last Sunday of October.
    const auto start = sys_time<milliseconds>{last_sunday(y, March)} + hours{1};
    const auto end = sys_time<milliseconds>{last_sunday(y, October)} + hours{1};
    return (t >= start && t < end) ? minutes{120} : minutes{60};
}

LocalTime to_warsaw(SysTime t) {
    const auto local = t + warsaw_utc_offset(t);
    const auto d = floor<days>(local);
    LocalTime out;
    out.date = Date{d};
    out.weekday = weekday{d};
    out.minute_of_day = int(duration_cast<minutes>(local - d).count());
    return out;
}

bool HolidayCalendar::is_holiday(Date d) const {
    if (removed_.count(d)) return false;
    if (extra_.count(d)) return true;
    if (!statutory_) return false;
    for (const auto& h : polish_public_holidays(int(d.year())))
        if (h == d) return true;
    return false;
}

bool is_open(const WeeklySchedule& s, const HolidayCalendar& holidays, SysTime t) {
    const LocalTime lt = to_warsaw(t);
    if (s.closed_on_holidays && holidays.is_holiday(lt.date)) return false;
    const unsigned idx = (lt.weekday.c_encoding() + 6) % 7;  // Monday = 0
    for (const auto& r : s.days[idx])
        if (lt.minute_of_day >= r.start_minute && lt.minute_of_day < r.end_minute) return true;
    return false;
}

std::optional<SysTime> warsaw_instant(Date date, int minute_of_day) {
    const SysTime as_utc = SysTime{sys_days{date}} + minutes{minute_of_day};
    // Summer time first, so the repeated autumn hour resolves to its first pass;
    // the right offset maps back to the same local time.
    for (const auto offset : {minutes{120}, minutes{60}}) {
        const SysTime t = as_utc - offset;
        if (warsaw_utc_offset(t) == offset) return t;
    }
    return std::nullopt;
}

SysTime from_warsaw(Date date, int minute_of_day) {
    if (auto t = warsaw_instant(date, minute_of_day)) return *t;
    return SysTime{sys_days{date}} + minutes{minute_of_day} - minutes{60};
}

std::optional<SysTime> next_opening(const WeeklySchedule& s, const HolidayCalendar& holidays, SysTime t,
                                    int horizon_days) {
    if (is_open(s, holidays, t)) return t;
    const LocalTime now = to_warsaw(t);
    for (int i = 0; i <= horizon_days; ++i) {
        const Date d{sys_days{now.date} + days{i}};
        if (s.closed_on_holidays && holidays.is_holiday(d)) continue;
        const unsigned idx = (weekday{sys_days{d}}.c_encoding() + 6) % 7;  // Monday = 0
        std::optional<int> first;
        for (const auto& r : s.days[idx])
            if ((i > 0 || r.start_minute > now.minute_of_day) && (!first || r.start_minute < *first))
                first = r.start_minute;
        if (first) return from_warsaw(d, *first);
    }
    return std::nullopt;
}

bool parse_time_range(const std::string& text, TimeRange& out) {
    int h1, m1, h2, m2;
    char tail;
    if (text.size() != 11 || std::sscanf(text.c_str(), "%2d:%2d-%2d:%2d%c", &h1, &m1, &h2, &m2, &tail) != 4)
        return false;
    if (h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59) return false;
    out.start_minute = h1 * 60 + m1;
    out.end_minute = h2 * 60 + m2;
    return out.end_minute <= 24 * 60 && out.start_minute < out.end_minute;
}

bool parse_date(const std::string& text, Date& out) {
    int y, m, d;
    char tail;
    if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return false;
    out = Date{year{y}, month{unsigned(m)}, day{unsigned(d)}};
    return out.ok();
}

std::string to_string(Date d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()), unsigned(d.day()));
    return buf;
}

}  // namespace centrala
