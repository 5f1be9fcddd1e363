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

bool valid_ticket_source(std::string_view s) {
    return std::find(std::begin(ticket_sources), std::end(ticket_sources), s) != std::end(ticket_sources);
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

namespace centrala {

// Supervisors and admins see every case. Everyone else sees the cases they
// created, are assigned to, or that came from a conversation they served;
// second-line staff (with a department) also every case of their department.
TicketScope ticket_scope(const User& u) {
    TicketScope s;
    s.everything = at_least(u.role, Role::supervisor);
    s.user_id = u.id;
    s.department = u.department;
    return s;
}

namespace {

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_phone_separator(char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')'; }

// Every case-insensitive (ASCII) occurrence of `needle` replaced by `mark`.
std::string replace_all_folded(const std::string& text, std::string_view needle, std::string_view mark) {
    if (needle.empty()) return text;
    const std::string hay = lower_ascii(text), key = lower_ascii(needle);
    std::string out;
    size_t from = 0;
    for (size_t at = hay.find(key); at != std::string::npos; at = hay.find(key, from)) {
        out.append(text, from, at - from);
        out += mark;
        from = at + key.size();
    }
    out.append(text, from, std::string::npos);
    return out;
}

bool phone_matches(const std::string& digits, const std::string& phone) {
    if (digits == phone) return true;
    if (phone.size() < 9 || digits.size() < 9 || digits.size() > 14) return false;
    // The national number, with or without a country code (+48, 0048) before it.
    return digits.compare(digits.size() - 9, 9, phone, phone.size() - 9, 9) == 0;
}

std::string redact_phone(const std::string& text, const std::string& phone, std::string_view mark) {
    std::string out;
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        const bool starts = is_digit(text[i]) || ((text[i] == '+' || text[i] == '(') && i + 1 < n && is_digit(text[i + 1]));
        if (!starts) {
            out += text[i++];
            continue;
        }
        std::string digits;
        size_t j = i, end = i;
        if (!is_digit(text[j])) ++j;
        while (j < n) {
            if (is_digit(text[j])) {
                digits += text[j++];
                end = j;
            } else if (is_phone_separator(text[j]) &&
                       ((j + 1 < n && is_digit(text[j + 1])) ||
                        (j + 2 < n && is_phone_separator(text[j + 1]) && is_digit(text[j + 2])))) {
                ++j;
            } else {
                break;
            }
        }
        if (phone_matches(digits, phone)) out += mark;
        else out.append(text, i, end - i);
        i = end;
    }
    return out;
}

}  // namespace

std::vector<std::string> phone_variants(std::string_view phone) {
    std::vector<std::string> out;
    if (phone.empty()) return out;
    out.emplace_back(phone);
    std::string digits;
    for (char c : phone)
        if (is_digit(c)) digits += c;
    const bool polish = digits.size() == 9 || (digits.size() == 11 && digits.rfind("48", 0) == 0) ||
                        (digits.size() == 13 && digits.rfind("0048", 0) == 0);
    if (!polish) return out;
    const std::string national = digits.substr(digits.size() - 9);
    for (const std::string& v : {national, "+48" + national, "48" + national, "0048" + national})
        if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    return out;
}

std::string redact_contact(std::string_view text, std::string_view phone, std::string_view email,
                           std::string_view name, std::string_view mark) {
    std::string out(text);
    // The e-mail first: its digits must not be taken for a phone number.
    if (email.find('@') != std::string_view::npos) out = replace_all_folded(out, email, mark);
    if (name.size() >= 3) out = replace_all_folded(out, name, mark);
    std::string digits;
    for (char c : phone)
        if (is_digit(c)) digits += c;
    if (digits.size() >= 5) out = redact_phone(out, digits, mark);
    return out;
}

namespace {
bool email_local_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' || c == '_' || c == '%' ||
           c == '+' || c == '-';
}
bool email_domain_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' || c == '-';
}
}  // namespace

std::string mask_emails(std::string_view text, std::string_view mark) {
    std::string out;
    size_t copied = 0;
    for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
        if (at < copied) continue;
        size_t b = at;
        while (b > copied && email_local_char(text[b - 1])) --b;
        size_t e = at + 1;
        while (e < text.size() && email_domain_char(text[e])) ++e;
        while (e > at + 1 && (text[e - 1] == '.' || text[e - 1] == '-')) --e;  // "a@b.pl." ends a sentence
        const auto domain = text.substr(at + 1, e - at - 1);
        const auto dot = domain.find('.');
        if (b == at || dot == std::string_view::npos || dot == 0) continue;
        out.append(text.substr(copied, b - copied));
        out += mark;
        copied = e;
        at = e - 1;
    }
    out.append(text.substr(copied));
    return out;
}

std::string phone_like_pattern(std::string_view phone) {
    std::string digits;
    for (char c : phone)
        if (is_digit(c)) digits += c;
    if (digits.size() < 5) return {};
    if (digits.size() > 9) digits = digits.substr(digits.size() - 9);
    std::string out = "%";
    for (char c : digits) {
        out += c;
        out += '%';
    }
    return out;
}

}  // namespace centrala
