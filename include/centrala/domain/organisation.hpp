// How the city's contact center is organised: topics, departments (second
// line) and queues. Seeded from config on first start.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "centrala/domain/staff.hpp"

namespace centrala {

// Fixed topic ids (contract 6a).
inline constexpr std::string_view topic_ids[] = {
    "vehicles", "driving_licence", "id_documents", "civil_registry", "waste",
    "taxes",    "report",          "appointment",  "human",          "other",
};
bool valid_topic(std::string_view s);

struct Department {
    std::string id;
    std::string name;
    std::string queue;        // queue for second-line contacts
    int sla_business_hours = 0;  // time to resolve a case
    std::string hours;           // schedule the SLA counts in ("always" or empty: 24/7); default: its queue's
};

struct Overflow {
    int after_seconds = 0;
    std::string queue;
};

struct QueueSettings {
    std::string id;
    std::string name;
    std::vector<std::string> channels;
    std::vector<std::string> topics;
    Skills skills;  // required skill -> minimum level
    int priority = 0;
    int sla_seconds = 30;
    int offer_timeout_seconds = 20;
    int wrap_up_seconds = 30;
    int max_waiting = 200;
    std::optional<Overflow> overflow;
    std::string hours = "always";  // schedule name or "always"
    std::string strategy = "longest_idle";  // longest_idle | least_occupied | skill_level | round_robin
};

// When a wallboard tile turns amber (warn) or red (alert); service level
// alerts when it falls below the figure (0 turns that check off).
struct WallboardThresholds {
    int waiting_warn = 5;
    int waiting_alert = 15;
    int longest_wait_warn_seconds = 60;
    int longest_wait_alert_seconds = 180;
    int service_level_warn_pct = 80;
    int service_level_alert_pct = 60;
    // How often the "last hours" charts take a sample (seconds).
    int sample_seconds = 60;
};

}  // namespace centrala
