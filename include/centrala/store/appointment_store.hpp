// Booked office visits and their reminder deliveries in SQLite. Synchronous:
// call only on the store worker thread that owns the Database. Because that
// one thread runs every booking in its own transaction, two requests for the
// last place of a slot are serialised and exactly one gets it; a partial
// unique index on (service, start, counter) backs this up on disk.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "centrala/domain/clock.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::store {

struct AppointmentRow {
    int64_t id = 0;
    std::string code;  // 8 characters, without the dash
    std::string service_id;
    SysTime start{};
    SysTime end{};
    int counter = 1;  // 1..counters of the service
    std::string state = "booked";  // booked | cancelled | arrived | no_show
    std::string name;
    std::string phone;  // normalised (+48...), or empty
    std::string email;  // lower-case, or empty
    std::string lang = "pl";
    std::optional<int64_t> contact_id;
    std::optional<int64_t> booked_by;  // staff user, or none when the resident booked
    std::string address;
    int sequence = 0;  // bumped on each move, for calendar updates
    SysTime created_at{};
    SysTime updated_at{};
};

struct NewBooking {
    AppointmentRow row;  // code, id, counter and sequence are filled in by book()
    int counters = 1;
    int max_future_bookings = 0;  // 0: no limit (staff may override)
    SysTime now{};
};

struct DayFilter {
    std::vector<std::string> service_ids;  // empty: every service
    SysTime from{};
    SysTime to{};  // exclusive
    bool include_cancelled = false;
};

struct ReminderDue {
    AppointmentRow appointment;
    int attempts = 0;  // made so far
};

struct ReminderRow {
    int64_t appointment_id = 0;
    std::string code;
    std::string service_id;
    SysTime start{};
    std::string name, phone, email;
    std::string state;  // pending | sent | failed (gave up)
    int attempts = 0;
    std::optional<SysTime> last_attempt_at;
    std::optional<SysTime> next_attempt_at;
    int last_http_status = 0;
    std::string last_error;
};

class AppointmentStore {
public:
    // `new_code` makes a random booking code; called again on the rare clash.
    AppointmentStore(Database& db, std::function<std::string()> new_code)
        : db_(db), new_code_(std::move(new_code)) {}

    // conflict `slot_full` when every counter is taken, `too_many_bookings`
    // when the resident already holds max_future_bookings upcoming visits.
    Result<AppointmentRow> book(NewBooking b);
    // Moves a booked visit to another start of the same service, keeping its code.
    Result<AppointmentRow> move(const std::string& code, SysTime start, SysTime end, int counters, SysTime now);
    // conflict `not_cancellable` unless booked and not yet started.
    Result<AppointmentRow> cancel(const std::string& code, SysTime now);
    // Arrival and no-show marks by staff (booked/arrived/no_show among themselves).
    Result<AppointmentRow> set_state(int64_t id, const std::string& state, SysTime now);

    Result<AppointmentRow> by_code(const std::string& code);
    Result<AppointmentRow> by_id(int64_t id);
    // The chat (contact) a resident's visitor token belongs to, if any.
    Result<std::optional<int64_t>> contact_for_visitor(const std::string& token_hash);
    // Taken places per slot start (Unix ms) of one service on [from, to).
    Result<std::map<int64_t, int>> taken(const std::string& service_id, SysTime from, SysTime to);
    Result<std::vector<AppointmentRow>> day(const DayFilter& f);

    // Booked visits starting in [from, to) whose reminder is due at `now`.
    Result<std::vector<ReminderDue>> due_reminders(SysTime from, SysTime to, SysTime now, int limit);
    // One delivery attempt; next_attempt empty means: done (sent, or given up).
    Result<void> record_attempt(int64_t appointment_id, SysTime at, bool delivered, int http_status,
                                const std::string& error, std::optional<SysTime> next_attempt);
    Result<std::vector<ReminderRow>> reminders(SysTime from, SysTime to, int limit, size_t offset);

    // Personal data (docs/appointments.md, "Personal data"). Every booking
    // whose phone is one of `phones` (the stored forms, phone_variants) or
    // whose e-mail is `email` (case-insensitive), oldest first.
    Result<std::vector<AppointmentRow>> by_resident(const std::vector<std::string>& phones, const std::string& email);
    // Erases the personal data of those bookings: name becomes `[usunięto]`,
    // phone, e-mail and client address are cleared; a booked visit that has
    // not started by `now` is also cancelled (its place is free again). The
    // shell (code, service, times, counter, state, contact) stays. Runs in
    // the caller's transaction. Returns the codes it cancelled.
    Result<std::vector<std::string>> erase_resident(const std::vector<AppointmentRow>& rows, SysTime now);

private:
    Result<int> free_counter(const std::string& service_id, SysTime start, int counters, int64_t except_id);

    Database& db_;
    std::function<std::string()> new_code_;
};

}  // namespace centrala::store
