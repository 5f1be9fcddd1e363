// Value types of the routing core (the ACD): contacts, agents, offers and the
// events the core emits. No I/O anywhere in routing/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "centrala/domain/calendar.hpp"
#include "centrala/domain/clock.hpp"
#include "centrala/domain/organisation.hpp"
#include "centrala/domain/staff.hpp"

namespace centrala::routing {

using ContactId = int64_t;
using AgentId = int64_t;
using OfferId = int64_t;

enum class Channel { voice = 0, chat = 1, video = 2, callback = 3 };
inline constexpr int channel_count = 4;
std::string_view to_string(Channel c);
std::optional<Channel> parse_channel(std::string_view s);

// What the agent chose.
enum class AgentStatus { offline, available, on_break };
// What the system sees.
enum class AgentActivity { idle, offered, busy, wrap_up };
std::string_view to_string(AgentStatus s);
std::string_view to_string(AgentActivity a);

enum class ContactState { waiting, offered, active, closed };
std::string_view to_string(ContactState s);

// How a queue picks among ready agents: a sort key, best first.
enum class Strategy { longest_idle, least_occupied, skill_level, round_robin };
std::optional<Strategy> parse_strategy(std::string_view s);
std::string_view to_string(Strategy s);

struct QueueConfig {
    QueueSettings settings;
    Strategy strategy = Strategy::longest_idle;
};

struct CoreConfig {
    std::vector<QueueConfig> queues;
    std::map<std::string, WeeklySchedule> schedules;
    HolidayCalendar holidays;
    int missed_offers_to_break = 2;
    bool voice_excludes_chat = true;
    std::chrono::seconds transfer_to_agent_timeout{60};  // then anyone in the queue may take it
    std::string interpreter_skill = "pjm";
};

struct AgentProfile {
    AgentId id = 0;
    std::string name;
    Skills skills;
    Capacity capacity;  // channel name -> simultaneous contacts
};

struct ContactSpec {
    ContactId id = 0;
    Channel channel = Channel::chat;
    std::string topic = "other";
    std::string queue;  // empty: the queue serving `topic`
    int priority = 0;   // higher first
    Skills skills;      // beyond the queue's own requirement
    bool needs_interpreter = false;
    std::optional<SysTime> enqueued_at;  // kept across transfers and restarts
    std::optional<AgentId> preferred_agent;
    std::optional<SysTime> preferred_until;
    std::string resident_name;
    std::string summary;
    // A message left outside opening hours: it waits in a closed queue and is
    // offered to whoever is available (normally once the office opens).
    bool leave_message = false;
};

enum class EventType {
    contact_queued,
    position_changed,
    positions_changed,
    offer_created,
    offer_revoked,
    contact_assigned,
    contact_transferred,
    contact_abandoned,
    contact_replaced,
    contact_closed,
    participant_joined,
    agent_state_changed,
    stats_changed,
};
std::string_view to_string(EventType t);

// One flat event; fields unused by a type stay empty. Decisions carry `why`.
struct Event {
    EventType type;
    SysTime at{};
    ContactId contact = 0;
    OfferId offer = 0;
    std::vector<AgentId> agents;  // offered, assigned or affected agents
    AgentId to_agent = 0;         // transfer to a named agent
    std::string queue;
    std::string from_queue;
    Channel channel = Channel::chat;
    std::string reason;  // refused/revoked/transferred/abandoned/state reasons
    std::string why;     // explanation of a decision: strategy and candidates
    int position = 0;
    int ewt_seconds = 0;
    int64_t waited_ms = 0;  // queued -> assigned/abandoned/replaced
    ContactId replaced_by = 0;  // contact_replaced: the contact that took the place
    int64_t handled_ms = 0; // assigned -> closed, or -> transferred away when it was answered
    std::vector<AgentId> missed;  // offer_revoked: the agents who let the offer lapse
    int expires_in = 0;     // offer timeout in seconds
    AgentStatus status = AgentStatus::offline;
    AgentActivity activity = AgentActivity::idle;
    std::string note;
};

struct QueueStats {
    std::string id;
    std::string name;
    int waiting = 0;
    int64_t longest_wait_seconds = 0;
    int agents_available = 0;  // ready for at least one channel of the queue
    int agents_busy = 0;       // serving at least one contact
    int agents_wrap_up = 0;
    int agents_break = 0;
    int64_t offered_today = 0;  // contacts that entered the queue
    int64_t answered_today = 0;
    int64_t answered_in_sla_today = 0;
    int64_t abandoned_today = 0;
    int64_t abandoned_short_today = 0;  // within 10 s, reported apart
    int64_t total_wait_answered_ms = 0;
    int64_t handled_today = 0;
    int64_t total_handle_ms = 0;
    double service_level_pct() const;
    double asa_seconds() const;
    double aht_seconds() const;
};

// Just the agent's state, for hot paths (GET /me).
struct AgentState {
    AgentStatus status = AgentStatus::offline;
    std::string reason;
    AgentActivity activity = AgentActivity::idle;
    SysTime since{};

    bool operator==(const AgentState&) const = default;
};

struct AgentStats {
    AgentId id = 0;
    std::string name;
    AgentStatus status = AgentStatus::offline;
    std::string reason;
    AgentActivity activity = AgentActivity::idle;
    SysTime since{};
    int active_contacts = 0;
    std::map<std::string, int> active_by_channel;
    int64_t handled_today = 0;
    int64_t total_handle_ms = 0;
    int missed_offers = 0;  // in a row (reset on accept or becoming available)
    int64_t missed_today = 0;
    std::map<std::string, int64_t> state_seconds_today;  // state word -> seconds today
};

// Today's counters as recounted from the stored events, so a restart does not
// zero the wallboard (Core::restore_today).
struct TodayCounters {
    struct Queue {
        int64_t offered = 0, answered = 0, answered_in_sla = 0, abandoned = 0, abandoned_short = 0;
        int64_t total_wait_answered_ms = 0, handled = 0, total_handle_ms = 0;
    };
    struct Agent {
        int64_t handled = 0, total_handle_ms = 0, missed = 0;
    };
    std::map<std::string, Queue> queues;
    std::map<AgentId, Agent> agents;
};

// What the store keeps so the core can be rebuilt after a restart.
struct ActiveAssignment {
    ContactSpec contact;
    std::string queue;
    std::vector<AgentId> agents;
    SysTime assigned_at{};
};

}  // namespace centrala::routing
