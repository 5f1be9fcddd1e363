// Statistics in SQLite: the routing events the wallboard counts (typed rows
// in contact_events), the hourly and per-agent daily sums kept beside them in
// the same transaction, the recount over the raw events, and queue settings
// changed at run time. Definitions and formulas: docs/metrics.md.
// Synchronous: call only on the store worker thread that owns the Database
// (or before serving, as the module's load does).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "centrala/domain/calendar.hpp"
#include "centrala/domain/clock.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/routing/core.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::store {

// Event types stored for statistics; each maps onto counters in one place
// (add_to_counters), used by the sums and by the recount alike.
namespace stat {
inline constexpr const char* queued = "contact_queued";            // entered a queue: offered
inline constexpr const char* assigned = "contact_assigned";        // answered (flag answered)
inline constexpr const char* abandoned = "contact_abandoned";
inline constexpr const char* handled = "contact_handled";          // one agent's part ended
inline constexpr const char* closed = "contact_closed";
inline constexpr const char* transferred = "contact_transferred";  // left the queue for another
inline constexpr const char* missed = "offer_missed";              // an agent let an offer lapse
inline constexpr const char* rated = "contact_rated";
inline constexpr const char* case_opened = "case_opened";          // a case (ticket) opened from the contact
// A correction: a case was opened from a contact after its contact_closed row
// had counted as first-contact resolution. Stored with that row's time, day,
// hour, queue, agent, topic and channel, so it takes the resolution back
// wherever the close was counted (sums, recount and the live board alike).
inline constexpr const char* fcr_revoked = "fcr_revoked";

enum Flags : int {
    answered_flag = 1,     // contact_assigned: the first answer in this queue entry
    in_sla = 2,            // contact_assigned: waited <= the queue's SLA at that moment
    short_abandon = 4,     // contact_abandoned: waited < 10 s
    primary = 8,           // handled/rated: the row that counts for the queue (one per contact)
    transfer_queue = 16,   // contact_transferred: by a person to another queue (second line)
    overflow = 32,         // contact_transferred: by the overflow rule
    first_contact = 64,    // contact_closed: never transferred before, no case (set by the store)
    transfer_agent = 128,  // contact_transferred: to a named colleague
};
}  // namespace stat

struct StatEvent {
    int64_t contact_id = 0;
    SysTime at{};
    std::string type;
    std::string queue;
    std::optional<int64_t> agent_id;
    std::string channel;  // empty: the contact's last queued event, else the contact row
    std::string topic;    // likewise
    int64_t waited_ms = 0;
    int64_t handled_ms = 0;
    int flags = 0;
    std::optional<int> score;      // contact_rated
    std::string details = "{}";    // JSON: from/to queue, reason, note
};

// The statistics events a batch of routing events stands for (the one place
// that decides what counts); `core` is asked for the topic and the queue's SLA
// right after the command that emitted the events.
std::vector<StatEvent> stat_events_from(const routing::Events& events, const routing::Core& core);

// Additive counters; the derived figures divide them (docs/metrics.md).
struct Counters {
    int64_t offered = 0, answered = 0, answered_in_sla = 0, abandoned = 0, abandoned_short = 0, wait_ms = 0;
    int64_t handled = 0, handle_ms = 0, closed = 0, fcr = 0, transfers = 0, overflows = 0, cases = 0, missed = 0;
    int64_t csat_sum = 0, csat_count = 0;
    Counters& operator+=(const Counters& o);
    bool operator==(const Counters&) const = default;
    double service_level_pct() const;  // 100 when nothing was offered, as on the wallboard
    double asa_seconds() const;
    double aht_seconds() const;
    double fcr_pct() const;
    std::optional<double> csat_avg() const;
};

// How one stored event adds to a group's counters. The queue view counts a
// contact once (primary rows); the agent view counts every agent's row and
// leaves out what belongs to no agent (offered, abandoned).
void add_to_counters(Counters& c, const std::string& type, int flags, int64_t waited_ms, int64_t handled_ms,
                     std::optional<int> score, bool agent_view);

enum class GroupBy { day, hour, queue, agent, topic, channel };
std::optional<GroupBy> parse_group_by(const std::string& s);
const char* to_string(GroupBy g);

struct ReportRow {
    // The key: day "YYYY-MM-DD" (day, hour), hour 0..23 (hour), or the
    // queue / agent id / topic / channel.
    std::string key;
    std::string day;
    int hour = -1;
    Counters counters;
};

// One Europe/Warsaw day as an integer YYYYMMDD, and the instant it starts.
int day_number(Date d);
Date day_of_number(int n);
SysTime warsaw_midnight(Date d);

class StatsStore {
public:
    explicit StatsStore(Database& db) : db_(db) {}

    // Stores the events and adds them to the sums, all in one transaction.
    // Events of contacts not in the database are skipped (their count returned).
    // An event with an empty queue is counted for the queue the contact was
    // last queued in (else the contact's queue, else "").
    // A case_opened event takes back the first-contact resolution of the
    // contact's close if that was already counted (an fcr_revoked row).
    Result<int> record(const std::vector<StatEvent>& events);
    // The same inside a transaction the caller holds (a case is counted in the
    // transaction that creates it: TicketStore::create).
    Result<int> record_in_transaction(const std::vector<StatEvent>& events);

    // Stored statistics rows after `after_id` (oldest first, at most `limit`),
    // for counting what others stored (cases, ratings) into the live figures.
    struct Stored {
        int64_t id = 0;
        int local_day = 0;  // YYYYMMDD, Europe/Warsaw
        StatEvent event;    // flags as stored
    };
    Result<std::vector<Stored>> stored_after(int64_t after_id, int limit);
    Result<int64_t> last_event_id();

    // The per-minute samples behind the wallboard's "last hours" charts:
    // kept so a restart does not blank them (JSON text per minute).
    Result<void> save_sample(SysTime minute, const std::string& sample_json, SysTime keep_from);
    Result<std::vector<std::string>> samples_since(SysTime from);

    // The report: the stored sums for Warsaw days from..to (inclusive), grouped.
    Result<std::vector<ReportRow>> summary(Date from, Date to, GroupBy group);
    // The same figures recounted from the raw events, to check the sums and
    // the live counters against (and to rebuild today's counters at start).
    Result<std::vector<ReportRow>> recount(Date from, Date to, GroupBy group);

    // Ratings not yet counted (from `since` on), as contact_rated events to
    // record: one row per agent who served the contact, the first primary.
    Result<std::vector<StatEvent>> new_ratings(SysTime since);

    // Queue settings changed at run time: queue id -> settings JSON text.
    Result<std::map<std::string, std::string>> queue_overrides();
    Result<void> save_queue_override(const std::string& queue, const std::string& settings_json,
                                     std::optional<int64_t> by, SysTime at);

private:
    Database& db_;
};

}  // namespace centrala::store
