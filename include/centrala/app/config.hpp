// Server configuration. Only the composition root (main) reads it; every other
// class receives plain values. Validation is strict: an unknown key, a wrong
// type or an impossible value is an error naming the key and the file.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "centrala/crypto/crypto.hpp"
#include "centrala/domain/appointments.hpp"
#include "centrala/domain/calendar.hpp"
#include "centrala/domain/organisation.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/domain/ticket.hpp"

namespace centrala::app {

struct Limits {
    size_t body_bytes = 1 << 20;
    size_t header_bytes = 16 * 1024;
    int read_timeout_seconds = 30;        // whole request, headers and body
    int idle_timeout_seconds = 60;        // keep-alive connection with no request
    int max_connections = 2000;
    size_t ws_max_frame_bytes = 64 * 1024;
    size_t ws_queue_frames = 256;         // unsent frames before a slow client is dropped
    int ws_auth_timeout_seconds = 5;
    int ws_ping_seconds = 30;
    int ws_connections_per_user = 8;
    int shutdown_grace_seconds = 5;
};

struct SessionRules {
    int idle_minutes = 30;
    int absolute_hours = 12;
};

struct LoginThrottle {
    int max_failures_per_user = 5;
    int max_failures_per_address = 20;
    int window_seconds = 900;
    int lockout_seconds = 60;
};

struct Tls {
    bool enabled = false;
    std::string certificate;
    std::string private_key;
};

struct Security {
    std::vector<std::string> allowed_origins;  // WebSocket Origin and CORS allow-list
    std::vector<std::string> frame_ancestors;  // pages that may frame the widget
    std::vector<std::string> trusted_proxies;  // addresses whose X-Forwarded-* we believe
    crypto::Argon2Params argon2;
    LoginThrottle login;
    Tls tls;
};

struct Chat {
    int max_message_chars = 4000;
    int messages_per_10s = 20;             // per resident
    int max_open_chats_per_address = 5;    // in 24 hours
    int abandon_grace_seconds = 120;       // a waiting resident gone this long has left
    int agent_return_grace_seconds = 120;  // an offline consultant's chats go back to the queue after this
};

struct Routing {
    int missed_offers_to_break = 2;
    bool voice_excludes_chat = true;
};

// Callbacks booked in the chat (docs/routing.md "Callbacks").
struct Callback {
    int max_attempts = 3;     // calls without an answer, then closed as unreachable
    int retry_seconds = 1800; // after "no answer", the next attempt not before this
    int window_minutes = 240; // length of the time windows offered to the resident
    // In open hours: offer a call back to a resident waiting in the chat whose
    // expected wait (or wait so far) reaches this; 0 = never.
    int offer_after_wait_seconds = 0;
};

struct Bot {
    std::string knowledge_file;     // empty: the knowledge base built into the binary (config/knowledge.json)
    int unsure_before_handoff = 2;  // clarifying questions in a row before a consultant takes over
};

struct Config {
    std::string source;  // file the config came from, for messages
    std::string listen = "127.0.0.1:8080";
    std::string database = "var/centrala.db";
    std::string web_root = "web";
    std::string log_level = "info";
    Limits limits;
    SessionRules sessions;
    Security security;
    Routing routing;
    Chat chat;
    Callback callback;
    Bot bot;
    std::vector<Department> departments;
    std::vector<QueueSettings> queues;
    std::map<std::string, WeeklySchedule> business_hours;
    HolidayCalendar holidays;
    std::string service_number;  // SIP: the number residents dial
    AppointmentsConfig appointments;
    // Case categories (Open311 services) and the rules for cases.
    std::vector<Service> services;
    TicketRules tickets;  // attachments_dir empty: "attachments" beside the database
    WallboardThresholds wallboard;
};

Result<Config> parse_config(const std::string& text, const std::string& source);
Result<Config> load_config_file(const std::string& path);
// The config shipped in config/centrala.json, compiled into the binary so the
// server starts with sane defaults even without the file.
const std::string& embedded_default_config();
// config/knowledge.json as built into the binary: the advisor's knowledge
// base when `bot.knowledge_file` is not set.
const std::string& embedded_default_knowledge();

// "host:port" -> parts; false when malformed.
bool split_host_port(const std::string& text, std::string& host, unsigned short& port);

}  // namespace centrala::app
