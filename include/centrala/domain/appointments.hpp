// Office appointments: services with their own calendar, the slots that
// calendar yields, and the rules a booking must pass. Pure functions of the
// service, the holiday calendar and an injected "now"; all office times are
// Europe/Warsaw local time and every instant handed out is UTC.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "centrala/domain/calendar.hpp"
#include "centrala/domain/result.hpp"

namespace centrala {

struct AppointmentService {
    std::string id;
    std::string name;
    std::string department;
    int duration_minutes = 15;
    int counters = 1;  // residents served in parallel
    WeeklySchedule hours;  // closed_on_holidays applies the city's holiday calendar
    // A date's own opening ranges (shortened day) or none (closed that day).
    std::map<Date, std::vector<TimeRange>> exceptions;
    int horizon_days = 30;         // last bookable day: today (Warsaw) + horizon
    int min_notice_minutes = 60;   // a visit starts at least this long after booking
    int max_future_bookings = 2;   // per resident (phone or e-mail) and service
    std::string location;          // for the calendar file and the confirmation
};

// Reminders of tomorrow's visits, posted to the city's SMS/e-mail gateway.
struct AppointmentReminders {
    std::string webhook_url;     // http://host[:port]/path; empty: no reminders are sent
    std::string secret;          // when set, X-Centrala-Signature: sha256=HMAC(secret, body)
    int send_from_minute = 16 * 60;  // Warsaw local time from which tomorrow's reminders go out
    int max_attempts = 6;
    int retry_base_seconds = 60;     // then doubled after each failure
    int timeout_seconds = 10;
};

// The appointments part of the configuration.
struct AppointmentsConfig {
    std::vector<AppointmentService> services;
    std::map<std::string, std::string> topics;  // contact topic -> service id
    int public_bookings_per_hour = 10;           // per client address: book, move, cancel
    int public_lookups_per_hour = 120;           // per client address: reading by code
    AppointmentReminders reminders;
};

struct Slot {
    SysTime start{};
    SysTime end{};
};

// The opening ranges of one local date after exceptions and holidays.
std::vector<TimeRange> opening_ranges(const AppointmentService& s, const HolidayCalendar& holidays, Date d);

// Every slot the calendar gives on local dates [from, to], in order,
// regardless of notice and horizon.
std::vector<Slot> calendar_slots(const AppointmentService& s, const HolidayCalendar& holidays, Date from, Date to);

// Whether a slot starting at `start` may be booked at `now`: notice and horizon.
bool within_booking_window(const AppointmentService& s, SysTime now, SysTime start);

// Slots on [from, to] that may be booked at `now` (notice and horizon applied).
std::vector<Slot> bookable_slots(const AppointmentService& s, const HolidayCalendar& holidays, Date from, Date to,
                                 SysTime now);

// Checks that `start` begins a slot of the service that may be booked now.
// Errors carry resident-readable messages and stable codes:
// in_the_past, too_soon, beyond_horizon, office_closed (holiday/closed day),
// outside_hours (not the start of a slot).
Result<Slot> check_slot(const AppointmentService& s, const HolidayCalendar& holidays, SysTime now, SysTime start);

// Today's local date in Warsaw.
Date warsaw_today(SysTime now);

// Booking codes: 8 characters from an alphabet without look-alikes
// (no 0/O, 1/I/L), shown as "ABCD-EFGH". normalize_code accepts either form in
// any case and returns the 8 stored characters, or nullopt when malformed.
inline constexpr std::string_view booking_code_alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
std::string make_booking_code(const unsigned char random[8]);
std::optional<std::string> normalize_code(std::string_view text);
std::string display_code(const std::string& stored);

// Contact details as a resident types them -> the form used to count a
// resident's bookings; nullopt when not plausible.
std::optional<std::string> normalize_phone(std::string_view text);
std::optional<std::string> normalize_email(std::string_view text);

}  // namespace centrala
