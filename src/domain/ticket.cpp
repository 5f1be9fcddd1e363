#include "centrala/domain/ticket.hpp"

#include <algorithm>
#include <cstdio>

namespace centrala {
using namespace std::chrono;

bool valid_ticket_status(std::string_view s) {
    return std::find(std::begin(ticket_statuses), std::end(ticket_statuses), s) != std::end(ticket_statuses);
}

bool valid_ticket_priority(std::string_view s) {
    return std::find(std::begin(ticket_priorities), std::end(ticket_priorities), s) != std::end(ticket_priorities);
}

std::vector<std::string_view> allowed_transitions(std::string_view from) {
    if (from == "new") return {"assigned"};
    if (from == "assigned") return {"in_progress"};
    if (from == "in_progress") return {"waiting_resident", "resolved"};
    if (from == "waiting_resident") return {"in_progress"};
    if (from == "resolved") return {"in_progress", "closed"};
    return {};
}

bool transition_allowed(std::string_view from, std::string_view to) {
    const auto next = allowed_transitions(from);
    return std::find(next.begin(), next.end(), to) != next.end();
}

bool ticket_open(std::string_view status) { return status != "resolved" && status != "closed"; }

std::string format_ticket_number(std::string_view prefix, int year, int64_t sequence) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "-%04d-%06lld", year, static_cast<long long>(sequence));
    return std::string(prefix) + buf;
}

bool looks_like_ticket_number(std::string_view s) {
    const auto dash = s.find('-');
    if (dash == 0 || dash == std::string_view::npos || dash > 16) return false;
    for (size_t i = 0; i < dash; ++i)
        if (!(s[i] >= 'A' && s[i] <= 'Z')) return false;
    const auto rest = s.substr(dash + 1);
    if (rest.size() < 4 + 1 + 6 || rest.size() > 4 + 1 + 12 || rest[4] != '-') return false;
    for (size_t i = 0; i < rest.size(); ++i)
        if (i != 4 && !(rest[i] >= '0' && rest[i] <= '9')) return false;
    return true;
}

std::optional<SysTime> add_business_hours(SysTime start, int business_hours, const WeeklySchedule* schedule,
                                          const HolidayCalendar& holidays) {
    milliseconds remaining = hours{std::max(0, business_hours)};
    if (!schedule) return start + remaining;
    if (remaining.count() == 0) return start;
    bool any_open = false;
    for (const auto& day : schedule->days) any_open |= !day.empty();
    if (!any_open) return std::nullopt;

    SysTime cursor = start;
    sys_days day{to_warsaw(start).date};
    // Ten years of calendar is far beyond any SLA; a schedule open only on
    // dates that are all holidays ends the search instead of looping forever.
    for (int i = 0; i < 3660; ++i, day += days{1}) {
        const Date date{day};
        if (schedule->closed_on_holidays && holidays.is_holiday(date)) continue;
        const unsigned idx = (weekday{day}.c_encoding() + 6) % 7;  // Monday = 0
        auto ranges = schedule->days[idx];
        std::sort(ranges.begin(), ranges.end(),
                  [](const TimeRange& a, const TimeRange& b) { return a.start_minute < b.start_minute; });
        for (const auto& r : ranges) {
            const SysTime open = from_warsaw(date, r.start_minute);
            const SysTime close =
                r.end_minute >= 24 * 60 ? from_warsaw(Date{day + days{1}}, 0) : from_warsaw(date, r.end_minute);
            const SysTime from = std::max(open, cursor);
            if (from >= close) continue;
            const auto available = close - from;
            if (available >= remaining) return from + remaining;
            remaining -= duration_cast<milliseconds>(available);
            cursor = close;
        }
    }
    return std::nullopt;
}

}  // namespace centrala
