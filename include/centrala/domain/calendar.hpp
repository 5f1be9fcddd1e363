// Business hours and Polish public holidays. Office times are local to
// Europe/Warsaw; the EU summer-time rule is applied here so the core does not
// depend on the host's time-zone database.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "centrala/domain/clock.hpp"

namespace centrala {

using Date = std::chrono::year_month_day;

// Statutory non-working days in Poland (ustawa o dniach wolnych od pracy),
// including Wigilia (24 December) from 2025 on.
std::vector<Date> polish_public_holidays(int year);
Date easter_sunday(int year);

struct LocalTime {
    Date date;
    std::chrono::weekday weekday;
    int minute_of_day = 0;  // 0..1439
};
LocalTime to_warsaw(SysTime t);
// Offset of Warsaw local time from UTC at instant t (+1h or +2h).
std::chrono::minutes warsaw_utc_offset(SysTime t);

struct TimeRange {
    int start_minute = 0;  // inclusive
    int end_minute = 0;    // exclusive
};

// One named schedule ("office"): ranges per weekday, Monday = index 0.
struct WeeklySchedule {
    std::string name;
    std::array<std::vector<TimeRange>, 7> days;
    bool closed_on_holidays = true;
};

class HolidayCalendar {
public:
    HolidayCalendar() = default;
    HolidayCalendar(bool polish_statutory, std::set<Date> extra, std::set<Date> removed)
        : statutory_(polish_statutory), extra_(std::move(extra)), removed_(std::move(removed)) {}
    bool is_holiday(Date d) const;

private:
    bool statutory_ = true;
    std::set<Date> extra_;
    std::set<Date> removed_;
};

bool is_open(const WeeklySchedule& s, const HolidayCalendar& holidays, SysTime t);
// The next instant at or after t when the schedule opens (t itself when it is
// open then), looking at most `horizon_days` ahead; nullopt when it never opens.
std::optional<SysTime> next_opening(const WeeklySchedule& s, const HolidayCalendar& holidays, SysTime t,
                                    int horizon_days = 31);
// Warsaw local wall time on a date -> UTC. nullopt inside the spring-forward
// gap; inside the autumn overlap the first (summer-time) instant.
std::optional<SysTime> warsaw_instant(Date date, int minute_of_day);
// The same, where a time skipped by the spring change counts as the hour after.
SysTime from_warsaw(Date date, int minute_of_day);

// "08:00-16:00" -> range; false when malformed or empty.
bool parse_time_range(const std::string& text, TimeRange& out);
// "2026-12-24" -> date; false when malformed or impossible.
bool parse_date(const std::string& text, Date& out);
std::string to_string(Date d);

}  // namespace centrala
