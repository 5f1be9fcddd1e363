// The routing core: decides which agent serves which waiting contact.
//
// Pure and deterministic: every command takes the current state, reads the
// injected Clock and returns the events it caused; time-based rules (offer
// timeouts, wrap-up, overflow, preferred-agent expiry) run in tick(), which
// the owner calls at next_deadline(). Not thread-safe: one owner (the io
// thread in the server) calls it.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "centrala/domain/result.hpp"
#include "centrala/routing/types.hpp"

namespace centrala::routing {

using Events = std::vector<Event>;

class Core {
public:
    Core(const Clock& clock, CoreConfig config);
    ~Core();
    Core(const Core&) = delete;
    Core& operator=(const Core&) = delete;

    // ---- agents ----
    Result<Events> add_agent(const AgentProfile& profile);  // starts offline
    Result<Events> update_agent(const AgentProfile& profile);
    Result<Events> remove_agent(AgentId id);  // must have no contacts or offer
    // offline | available | break (with reason). Going offline with active
    // contacts is allowed: they stay with the agent until closed or
    // transferred — except callbacks, which go back in line at once (nobody
    // is on the line, and a callback held by an absent agent would never be
    // made): `contact_transferred` with reason `agent_offline`, same queue,
    // original enqueue time, counted like a chat put back in line.
    Result<Events> set_status(AgentId id, AgentStatus status, const std::string& reason = {});
    Result<Events> end_wrap_up(AgentId id);

    // ---- contacts ----
    // Refused (with the reason in the error code) when the queue is closed
    // (`queue_closed`) or full (`queue_full`), or the channel is not served.
    Result<Events> enqueue(const ContactSpec& contact);
    Result<Events> accept(OfferId offer, AgentId agent);
    Result<Events> reject(OfferId offer, AgentId agent);
    // The resident left (hung up, closed the chat) while waiting or offered.
    Result<Events> abandon(ContactId contact);
    // A waiting (or offered) contact gives its place in line to `next` (a
    // callback booked instead of waiting in the chat): `next` joins the same
    // queue with the original enqueue time (unless it brings its own) and the
    // same queue entry — not offered again, and the one it replaces is not
    // abandoned. Emits `contact_replaced` {contact, replaced_by, waited_ms}.
    Result<Events> replace_waiting(ContactId waiting, const ContactSpec& next);
    // The contact ends; its agents go to wrap-up.
    Result<Events> close(ContactId contact);
    Result<Events> transfer_to_queue(ContactId contact, const std::string& queue, const std::string& note);
    Result<Events> transfer_to_agent(ContactId contact, AgentId agent, const std::string& note);
    // Brings a second person (e.g. a PJM interpreter) into an active contact.
    Result<Events> invite(ContactId contact, const std::string& skill);
    // Supervisor actions.
    Result<Events> set_priority(ContactId contact, int priority);
    // Changes a queue's run-time settings: name, priority, sla_seconds,
    // offer_timeout_seconds, wrap_up_seconds, max_waiting, overflow, hours.
    // Its id, channels, topics, skills and strategy are fixed while running
    // (`not_editable`). Waiting contacts get the new overflow rule counted
    // from when they entered the queue; offers already made keep their timeout.
    Result<Events> update_queue(const QueueSettings& settings);

    // ---- time ----
    Events tick();
    std::optional<SysTime> next_deadline() const;

    // ---- restart ----
    // Rebuild from the store: waiting contacts keep their original enqueue
    // time and place; active contacts go back to their agents. Agents are
    // offline after a restart until they choose otherwise.
    Result<Events> restore_waiting(const ContactSpec& contact);
    Result<Events> restore_active(const ActiveAssignment& a);
    // Sets today's counters (Europe/Warsaw day) to what the stored events of
    // today add up to. Unknown queues and agents are ignored.
    Result<Events> restore_today(const TodayCounters& counters);

    // ---- queries ----
    std::optional<int> position_of(ContactId contact) const;  // 1-based within its queue and channel
    std::optional<int> ewt_seconds_of(ContactId contact) const;
    // Every contact of a queue's line for one channel from `from_position` on,
    // with the figures position_of and ewt_seconds_of give, in one walk of the
    // line (O(contacts listed), not O(log n) each); contacts on offer at the
    // place they would have, EWT 0. For pushing positions after a
    // positions_changed event, whose `position` is where changes start.
    struct Place {
        ContactId contact = 0;
        int position = 0;
        int ewt_seconds = 0;
    };
    std::vector<Place> places_in(const std::string& queue, Channel channel, int from_position = 1) const;
    std::optional<ContactState> state_of(ContactId contact) const;
    std::optional<std::string> queue_of(ContactId contact) const;
    std::vector<AgentId> agents_of(ContactId contact) const;
    std::optional<AgentStats> agent(AgentId id) const;
    std::optional<AgentState> agent_state(AgentId id) const;
    std::vector<QueueStats> queue_stats() const;
    std::vector<AgentStats> agent_stats() const;
    std::optional<std::string> queue_for_topic(const std::string& topic) const;
    std::optional<ContactSpec> contact(ContactId id) const;
    struct PendingOffer {
        OfferId offer = 0;
        ContactId contact = 0;
        SysTime expires{};
        bool invite = false;
        std::string queue;
        Channel channel = Channel::chat;
        int64_t waited_ms = 0;
    };
    // The offer an agent has not answered yet (to show it again after a reconnect).
    std::optional<PendingOffer> pending_offer(AgentId agent) const;
    // Transfers and overflows the contact went through, oldest first.
    std::vector<std::string> history_of(ContactId id) const;
    std::vector<QueueSettings> queue_settings() const;
    bool is_open(const std::string& queue) const;
    size_t waiting_count() const;
    size_t contact_count() const;

    // Checks every invariant (capacity, indexes, counts); for tests.
    std::string check_invariants() const;

    struct State;

private:
    std::unique_ptr<State> s_;
};

}  // namespace centrala::routing
