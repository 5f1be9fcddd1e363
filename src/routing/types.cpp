#include "centrala/routing/types.hpp"

namespace centrala::routing {

std::string_view to_string(Channel c) {
    switch (c) {
        case Channel::voice: return "voice";
        case Channel::chat: return "chat";
        case Channel::video: return "video";
        case Channel::callback: return "callback";
    }
    return "chat";
}

std::optional<Channel> parse_channel(std::string_view s) {
    if (s == "voice") return Channel::voice;
    if (s == "chat") return Channel::chat;
    if (s == "video") return Channel::video;
    if (s == "callback") return Channel::callback;
    return std::nullopt;
}

std::string_view to_string(AgentStatus s) {
    switch (s) {
        case AgentStatus::offline: return "offline";
        case AgentStatus::available: return "available";
        case AgentStatus::on_break: return "break";
    }
    return "offline";
}

std::string_view to_string(AgentActivity a) {
    switch (a) {
        case AgentActivity::idle: return "idle";
        case AgentActivity::offered: return "offered";
        case AgentActivity::busy: return "busy";
        case AgentActivity::wrap_up: return "wrap_up";
    }
    return "idle";
}

std::string_view to_string(ContactState s) {
    switch (s) {
        case ContactState::waiting: return "waiting";
        case ContactState::offered: return "offered";
        case ContactState::active: return "active";
        case ContactState::closed: return "closed";
    }
    return "waiting";
}

std::optional<Strategy> parse_strategy(std::string_view s) {
    if (s == "longest_idle") return Strategy::longest_idle;
    if (s == "least_occupied") return Strategy::least_occupied;
    if (s == "skill_level") return Strategy::skill_level;
    if (s == "round_robin") return Strategy::round_robin;
    return std::nullopt;
}

std::string_view to_string(Strategy s) {
    switch (s) {
        case Strategy::longest_idle: return "longest_idle";
        case Strategy::least_occupied: return "least_occupied";
        case Strategy::skill_level: return "skill_level";
        case Strategy::round_robin: return "round_robin";
    }
    return "longest_idle";
}

std::string_view to_string(EventType t) {
    switch (t) {
        case EventType::contact_queued: return "contact_queued";
        case EventType::position_changed: return "position_changed";
        case EventType::positions_changed: return "positions_changed";
        case EventType::offer_created: return "offer_created";
        case EventType::offer_revoked: return "offer_revoked";
        case EventType::contact_assigned: return "contact_assigned";
        case EventType::contact_transferred: return "contact_transferred";
        case EventType::contact_abandoned: return "contact_abandoned";
        case EventType::contact_replaced: return "contact_replaced";
        case EventType::contact_closed: return "contact_closed";
        case EventType::participant_joined: return "participant_joined";
        case EventType::agent_state_changed: return "agent_state_changed";
        case EventType::stats_changed: return "stats_changed";
    }
    return "unknown";
}

double QueueStats::service_level_pct() const {
    return offered_today == 0 ? 100.0 : 100.0 * double(answered_in_sla_today) / double(offered_today);
}
double QueueStats::asa_seconds() const {
    return answered_today == 0 ? 0.0 : double(total_wait_answered_ms) / 1000.0 / double(answered_today);
}
double QueueStats::aht_seconds() const {
    return handled_today == 0 ? 0.0 : double(total_handle_ms) / 1000.0 / double(handled_today);
}

}  // namespace centrala::routing
