// Cases (tickets): the workflow, human numbers, the services (case
// categories) a department handles and the due time counted in business
// hours. Pure functions and plain values; safe from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "centrala/domain/calendar.hpp"
#include "centrala/domain/clock.hpp"
#include "centrala/domain/staff.hpp"

namespace centrala {

// Contract §7: new → assigned → in_progress ⇄ waiting_resident → resolved →
// closed; resolved may be reopened (→ in_progress); closed is final.
inline constexpr std::string_view ticket_statuses[] = {"new",      "assigned", "in_progress", "waiting_resident",
                                                       "resolved", "closed"};
inline constexpr std::string_view ticket_priorities[] = {"low", "normal", "high", "urgent"};
// Who filed a case: staff (the API), open311 (GeoReport v2), chat (the
// virtual advisor, for a resident in the chat). The tickets table's CHECK
// holds the same list (migrations/0013).
inline constexpr std::string_view ticket_sources[] = {"staff", "open311", "chat"};
bool valid_ticket_status(std::string_view s);
bool valid_ticket_priority(std::string_view s);
bool valid_ticket_source(std::string_view s);
// The statuses a ticket in `from` may move to, in workflow order.
std::vector<std::string_view> allowed_transitions(std::string_view from);
bool transition_allowed(std::string_view from, std::string_view to);
// Open311 knows only open and closed.
bool ticket_open(std::string_view status);

// "MCK-2026-000123"; the sequence is per year and at least six digits wide.
std::string format_ticket_number(std::string_view prefix, int year, int64_t sequence);
bool looks_like_ticket_number(std::string_view s);  // PREFIX-YYYY-NNNNNN, 1..16 letters of prefix

// An extra field a service asks for (GeoReport v2 service definition attribute).
struct ServiceAttribute {
    std::string code;         // [a-z0-9_]
    std::string description;  // the question shown to the resident
    std::string datatype = "string";  // string | number | datetime | text | singlevaluelist | multivaluelist
    bool required = false;
    std::vector<std::pair<std::string, std::string>> values;  // key, name (for the list types)
};

// A case category: one list for staff and Open311 alike.
struct Service {
    std::string code;  // service_code
    std::string name;
    std::map<std::string, std::string> names;  // the name for residents in "en" and "uk" (Polish is `name`)
    std::string description;
    std::string department;
    std::string topic = "other";      // the chat topic it belongs to, for the console's suggestion
    std::vector<std::string> keywords;  // Open311 "keywords"
    bool location_required = false;    // a report needs lat/lon or an address
    std::vector<ServiceAttribute> attributes;
    int retention_days = 0;  // 0: the default from tickets.retention_days
};

// Which cases a staff member may see and work on (docs/tickets.md, "Who sees
// which case"). The one rule, used for lists, search, reading, changes,
// comments, attachments and the CSV export; a case outside it is "not found".
struct TicketScope {
    bool everything = false;  // supervisors and admins
    int64_t user_id = 0;      // cases this user created, is assigned to, or whose chat they served
    std::string department;   // and every case of this department (second-line staff)
};
TicketScope ticket_scope(const User& u);

// The resident's phone number, e-mail address and name where they appear in
// free text, replaced by `mark`. A phone matches however it is written
// ("+48 600-100-200", "600 100 200", "0048600100200"): a run of digits with
// single spaces, dashes, dots or brackets between them whose digits are the
// number, or end in its last nine digits with at most a country code before.
// E-mail and name match case-insensitively (ASCII letters). Empty keys are
// ignored; a name shorter than three bytes is not matched.
std::string redact_contact(std::string_view text, std::string_view phone, std::string_view email,
                           std::string_view name, std::string_view mark = "[usunięto]");

// Every e-mail address in free text (local@domain.tld, ASCII) replaced by
// `mark`: for text kept for other purposes (the advisor's unanswered
// phrases), where no address may survive.
std::string mask_emails(std::string_view text, std::string_view mark = "[e-mail]");

// A LIKE pattern that every text holding this phone number in some writing
// matches (its last nine digits, or all of them when fewer, with `%` before,
// between and after): a cheap pre-filter for redact_contact, which decides.
// Empty when the phone has fewer than five digits (redact_contact ignores it).
std::string phone_like_pattern(std::string_view phone);

// The stored forms (`+` and digits, as normalise_phone keeps them) under
// which one phone number may have been saved: as given, and for a number of
// at least nine digits its nine national digits alone and after +48, 48 and
// 0048 (the office is Polish; a foreign number is matched as given).
std::vector<std::string> phone_variants(std::string_view normalised_phone);

struct TicketRules {
    std::string number_prefix = "MCK";
    std::string attachments_dir;  // absolute or relative to the working directory
    size_t attachment_max_bytes = 1000000;
    int max_attachments_per_ticket = 20;
    int retention_days = 730;  // resident contact data is erased this long after closing
    int retention_interval_seconds = 3600;  // how often the retention job runs (the first pass: at most a minute after start)
    int public_lookups_per_minute = 20;  // per address, status page and Open311 reads
    int public_creates_per_hour = 20;    // per address, Open311 POST
    std::string open311_jurisdiction_id;
    std::string open311_api_key;  // empty: POST needs no key
};

// The instant `business_hours` hours of open time after `start`: time counts
// only while `schedule` is open (Warsaw local time), skipping holidays when
// the schedule closes on them. No schedule means 24/7. A schedule with no open
// time at all yields nullopt.
std::optional<SysTime> add_business_hours(SysTime start, int business_hours, const WeeklySchedule* schedule,
                                          const HolidayCalendar& holidays);

}  // namespace centrala
