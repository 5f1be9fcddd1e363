#include "centrala/domain/appointments.hpp"

#include <cctype>

namespace centrala {
using namespace std::chrono;

Date warsaw_today(SysTime now) { return to_warsaw(now).date; }

std::vector<TimeRange> opening_ranges(const AppointmentService& s, const HolidayCalendar& holidays, Date d) {
    if (auto it = s.exceptions.find(d); it != s.exceptions.end()) return it->second;
    if (s.hours.closed_on_holidays && holidays.is_holiday(d)) return {};
    const unsigned idx = (weekday{sys_days{d}}.c_encoding() + 6) % 7;  // Monday = 0
    return s.hours.days[idx];
}

std::vector<Slot> calendar_slots(const AppointmentService& s, const HolidayCalendar& holidays, Date from, Date to) {
    std::vector<Slot> out;
    if (s.duration_minutes <= 0) return out;
    for (sys_days day{from}; day <= sys_days{to}; day += days{1}) {
        for (const auto& r : opening_ranges(s, holidays, Date{day})) {
            for (int m = r.start_minute; m + s.duration_minutes <= r.end_minute; m += s.duration_minutes) {
                auto start = warsaw_instant(Date{day}, m);
                if (!start) continue;  // 02:xx on the spring-forward night does not exist
                out.push_back({*start, *start + minutes{s.duration_minutes}});
            }
        }
    }
    return out;
}

bool within_booking_window(const AppointmentService& s, SysTime now, SysTime start) {
    if (start < now + minutes{s.min_notice_minutes}) return false;
    const sys_days last = sys_days{warsaw_today(now)} + days{s.horizon_days};
    return sys_days{to_warsaw(start).date} <= last;
}

std::vector<Slot> bookable_slots(const AppointmentService& s, const HolidayCalendar& holidays, Date from, Date to,
                                 SysTime now) {
    auto all = calendar_slots(s, holidays, from, to);
    std::vector<Slot> out;
    out.reserve(all.size());
    for (const auto& slot : all)
        if (within_booking_window(s, now, slot.start)) out.push_back(slot);
    return out;
}

Result<Slot> check_slot(const AppointmentService& s, const HolidayCalendar& holidays, SysTime now, SysTime start) {
    if (start <= now) return Error::invalid("in_the_past", "This time has already passed. Please choose a later one.");
    const Date d = to_warsaw(start).date;
    const auto ranges = opening_ranges(s, holidays, d);
    if (ranges.empty())
        return Error::invalid("office_closed", "The office does not receive visitors on that day. Please choose another day.");
    std::optional<Slot> found;
    for (const auto& slot : calendar_slots(s, holidays, d, d))
        if (slot.start == start) found = slot;
    if (!found)
        return Error::invalid("outside_hours",
                              "There is no visit starting at that time. Please choose one of the listed times.");
    if (start < now + minutes{s.min_notice_minutes})
        return Error::invalid("too_soon", "Visits must be booked at least " + std::to_string(s.min_notice_minutes) +
                                              " minutes ahead. Please choose a later time.");
    if (!within_booking_window(s, now, start))
        return Error::invalid("beyond_horizon", "Visits can be booked at most " + std::to_string(s.horizon_days) +
                                                    " days ahead. Please choose an earlier day.");
    return *found;
}

std::string make_booking_code(const unsigned char random[8]) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | random[i];
    std::string out;
    for (int i = 0; i < 8; ++i) {
        out.push_back(booking_code_alphabet[v % booking_code_alphabet.size()]);
        v /= booking_code_alphabet.size();
    }
    return out;
}

std::optional<std::string> normalize_code(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '-' || c == ' ') continue;
        const char u = char(std::toupper(static_cast<unsigned char>(c)));
        if (booking_code_alphabet.find(u) == std::string_view::npos) return std::nullopt;
        out.push_back(u);
        if (out.size() > 8) return std::nullopt;
    }
    if (out.size() != 8) return std::nullopt;
    return out;
}

std::string display_code(const std::string& stored) {
    return stored.size() == 8 ? stored.substr(0, 4) + "-" + stored.substr(4) : stored;
}

std::optional<std::string> normalize_phone(std::string_view text) {
    std::string digits;
    bool plus = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c >= '0' && c <= '9') digits.push_back(c);
        else if (c == '+' && digits.empty() && !plus) plus = true;
        else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.') continue;
        else return std::nullopt;
    }
    if (!plus && digits.rfind("00", 0) == 0) {
        digits = digits.substr(2);
        plus = true;
    }
    if (!plus && digits.size() == 9) return "+48" + digits;  // a Polish number without the country code
    if (!plus || digits.size() < 8 || digits.size() > 15) return std::nullopt;
    return "+" + digits;
}

std::optional<std::string> normalize_email(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text.size() < 3 || text.size() > 254) return std::nullopt;
    const auto at = text.find('@');
    if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos) return std::nullopt;
    const auto domain = text.substr(at + 1);
    const auto dot = domain.find('.');
    if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return std::nullopt;
    std::string out;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"') return std::nullopt;
        out.push_back(char(std::tolower(u)));
    }
    return out;
}

}  // namespace centrala
