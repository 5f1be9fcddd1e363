#include "centrala/app/config.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace centrala::app {
namespace {

using nlohmann::json;

// Thrown only inside this file and turned into an Error by parse_config.
struct ConfigError {
    std::string key;
    std::string problem;
};

std::string join(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
}

// Walks one JSON object, remembering which keys were read so unknown keys can
// be reported: a typo such as "lmits" must not silently fall back to defaults.
class Obj {
public:
    Obj(const json& j, std::string path) : j_(j), path_(std::move(path)) {
        if (!j_.is_object()) throw ConfigError{path_.empty() ? "(top level)" : path_, "must be an object"};
    }

    bool has(const std::string& k) const { return j_.contains(k); }
    std::string key(const std::string& k) const { return join(path_, k); }

    const json* raw(const std::string& k) {
        seen_.insert(k);
        auto it = j_.find(k);
        return it == j_.end() ? nullptr : &*it;
    }

    template <class Int>
    void integer(const std::string& k, Int& out, long long lo, long long hi) {
        const json* v = raw(k);
        if (!v) return;
        if (!v->is_number_integer())
            throw ConfigError{key(k), "must be a whole number between " + std::to_string(lo) + " and " + std::to_string(hi)};
        long long n = v->get<long long>();
        if (v->is_number_unsigned() && v->get<unsigned long long>() > (unsigned long long)std::numeric_limits<long long>::max())
            n = std::numeric_limits<long long>::max();
        if (n < lo || n > hi)
            throw ConfigError{key(k), "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                                          " (got " + std::to_string(n) + ")"};
        out = static_cast<Int>(n);
    }

    void string(const std::string& k, std::string& out, bool allow_empty = false) {
        const json* v = raw(k);
        if (!v) return;
        if (!v->is_string()) throw ConfigError{key(k), "must be a string"};
        auto s = v->get<std::string>();
        if (s.empty() && !allow_empty) throw ConfigError{key(k), "must not be empty"};
        out = std::move(s);
    }

    std::string required_string(const std::string& k) {
        if (!has(k)) throw ConfigError{key(k), "is required"};
        std::string s;
        string(k, s);
        return s;
    }

    void boolean(const std::string& k, bool& out) {
        const json* v = raw(k);
        if (!v) return;
        if (!v->is_boolean()) throw ConfigError{key(k), "must be true or false"};
        out = v->get<bool>();
    }

    void strings(const std::string& k, std::vector<std::string>& out) {
        const json* v = raw(k);
        if (!v) return;
        if (!v->is_array()) throw ConfigError{key(k), "must be an array of strings"};
        out.clear();
        for (size_t i = 0; i < v->size(); ++i) {
            if (!(*v)[i].is_string() || (*v)[i].get<std::string>().empty())
                throw ConfigError{key(k) + "[" + std::to_string(i) + "]", "must be a non-empty string"};
            out.push_back((*v)[i].get<std::string>());
        }
    }

    void finish() const {
        for (auto it = j_.begin(); it != j_.end(); ++it)
            if (!seen_.count(it.key())) throw ConfigError{key(it.key()), "is not a known setting"};
    }

    const std::string& path() const { return path_; }

private:
    const json& j_;
    std::string path_;
    std::set<std::string> seen_;
};

void read_limits(Obj o, Limits& l) {
    o.integer("body_bytes", l.body_bytes, 1024, 1LL << 30);
    o.integer("header_bytes", l.header_bytes, 1024, 1 << 20);
    o.integer("read_timeout_seconds", l.read_timeout_seconds, 1, 3600);
    o.integer("idle_timeout_seconds", l.idle_timeout_seconds, 1, 3600);
    o.integer("max_connections", l.max_connections, 1, 1000000);
    o.integer("ws_max_frame_bytes", l.ws_max_frame_bytes, 256, 16 << 20);
    o.integer("ws_queue_frames", l.ws_queue_frames, 1, 100000);
    o.integer("ws_auth_timeout_seconds", l.ws_auth_timeout_seconds, 1, 300);
    o.integer("ws_ping_seconds", l.ws_ping_seconds, 1, 3600);
    o.integer("ws_connections_per_user", l.ws_connections_per_user, 1, 1000);
    o.integer("shutdown_grace_seconds", l.shutdown_grace_seconds, 0, 9);
    o.finish();
}

void read_security(Obj o, Security& s) {
    o.strings("allowed_origins", s.allowed_origins);
    for (size_t i = 0; i < s.allowed_origins.size(); ++i) {
        const auto& v = s.allowed_origins[i];
        if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
            throw ConfigError{o.key("allowed_origins") + "[" + std::to_string(i) + "]",
                              "must be an origin such as https://www.kielce.eu"};
    }
    o.strings("frame_ancestors", s.frame_ancestors);
    for (size_t i = 0; i < s.frame_ancestors.size(); ++i)
        if (s.frame_ancestors[i].find_first_of(" ;,'\"") != std::string::npos)
            throw ConfigError{o.key("frame_ancestors") + "[" + std::to_string(i) + "]",
                              "must be one source expression without spaces, quotes or semicolons"};
    o.strings("trusted_proxies", s.trusted_proxies);
    if (auto* a = o.raw("argon2")) {
        Obj ao(*a, o.key("argon2"));
        ao.integer("memory_kib", s.argon2.memory_kib, 8, 4 << 20);
        ao.integer("iterations", s.argon2.iterations, 1, 100);
        ao.integer("parallelism", s.argon2.parallelism, 1, 16);
        ao.finish();
    }
    if (auto* l = o.raw("login")) {
        Obj lo(*l, o.key("login"));
        lo.integer("max_failures_per_user", s.login.max_failures_per_user, 1, 1000);
        lo.integer("max_failures_per_address", s.login.max_failures_per_address, 1, 100000);
        lo.integer("window_seconds", s.login.window_seconds, 1, 86400);
        lo.integer("lockout_seconds", s.login.lockout_seconds, 1, 86400);
        lo.finish();
    }
    if (auto* t = o.raw("tls")) {
        Obj to(*t, o.key("tls"));
        to.boolean("enabled", s.tls.enabled);
        to.string("certificate", s.tls.certificate, true);
        to.string("private_key", s.tls.private_key, true);
        to.finish();
        if (s.tls.enabled && (s.tls.certificate.empty() || s.tls.private_key.empty()))
            throw ConfigError{to.key(s.tls.certificate.empty() ? "certificate" : "private_key"),
                              "is required when tls.enabled is true"};
    }
    o.finish();
}

Skills read_skills(const json& j, const std::string& key) {
    if (!j.is_object()) throw ConfigError{key, "must be an object of skill -> level 1..5"};
    Skills out;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!valid_skill_id(it.key())) throw ConfigError{join(key, it.key()), "is not a valid skill id ([a-z0-9_])"};
        if (!it->is_number_integer() || it->get<long long>() < 1 || it->get<long long>() > 5)
            throw ConfigError{join(key, it.key()), "must be a level from 1 to 5"};
        out[it.key()] = it->get<int>();
    }
    return out;
}

WeeklySchedule read_schedule(const std::string& name, const json& j, const std::string& key) {
    static const char* day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    Obj o(j, key);
    WeeklySchedule s;
    s.name = name;
    for (int d = 0; d < 7; ++d) {
        std::vector<std::string> ranges;
        o.strings(day_names[d], ranges);
        for (size_t i = 0; i < ranges.size(); ++i) {
            TimeRange r;
            if (!parse_time_range(ranges[i], r))
                throw ConfigError{o.key(day_names[d]) + "[" + std::to_string(i) + "]",
                                  "must be a range such as \"08:00-16:00\" with start before end"};
            s.days[d].push_back(r);
        }
    }
    o.boolean("closed_on_holidays", s.closed_on_holidays);
    o.finish();
    return s;
}

std::set<Date> read_dates(Obj& o, const std::string& k) {
    std::vector<std::string> texts;
    o.strings(k, texts);
    std::set<Date> out;
    for (size_t i = 0; i < texts.size(); ++i) {
        Date d;
        if (!parse_date(texts[i], d))
            throw ConfigError{o.key(k) + "[" + std::to_string(i) + "]", "must be a date YYYY-MM-DD"};
        out.insert(d);
    }
    return out;
}

QueueSettings read_queue(const json& j, const std::string& key) {
    Obj o(j, key);
    QueueSettings q;
    q.id = o.required_string("id");
    if (!valid_skill_id(q.id)) throw ConfigError{o.key("id"), "must be 1..32 of [a-z0-9_]"};
    q.name = o.required_string("name");
    o.strings("channels", q.channels);
    if (q.channels.empty()) throw ConfigError{o.key("channels"), "must list at least one channel"};
    for (size_t i = 0; i < q.channels.size(); ++i)
        if (!valid_channel(q.channels[i]))
            throw ConfigError{o.key("channels") + "[" + std::to_string(i) + "]",
                              "must be one of voice, chat, video, callback"};
    o.strings("topics", q.topics);
    for (size_t i = 0; i < q.topics.size(); ++i)
        if (!valid_topic(q.topics[i]))
            throw ConfigError{o.key("topics") + "[" + std::to_string(i) + "]",
                              "is not a known topic (vehicles, driving_licence, id_documents, civil_registry, "
                              "waste, taxes, report, appointment, human, other)"};
    if (auto* s = o.raw("skills")) q.skills = read_skills(*s, o.key("skills"));
    o.integer("priority", q.priority, -100, 100);
    o.integer("sla_seconds", q.sla_seconds, 1, 86400);
    o.integer("offer_timeout_seconds", q.offer_timeout_seconds, 5, 600);
    o.integer("wrap_up_seconds", q.wrap_up_seconds, 0, 3600);
    o.integer("max_waiting", q.max_waiting, 1, 100000);
    if (auto* ov = o.raw("overflow")) {
        Obj oo(*ov, o.key("overflow"));
        Overflow f;
        oo.integer("after_seconds", f.after_seconds, 1, 86400);
        if (!oo.has("after_seconds")) throw ConfigError{oo.key("after_seconds"), "is required"};
        f.queue = oo.required_string("queue");
        oo.finish();
        q.overflow = f;
    }
    o.string("hours", q.hours);
    o.string("strategy", q.strategy);
    if (q.strategy != "longest_idle" && q.strategy != "least_occupied" && q.strategy != "skill_level" &&
        q.strategy != "round_robin")
        throw ConfigError{o.key("strategy"), "must be longest_idle, least_occupied, skill_level or round_robin"};
    o.finish();
    return q;
}

void check_no_overlap(std::vector<TimeRange> ranges, const std::string& key) {
    std::sort(ranges.begin(), ranges.end(), [](auto& a, auto& b) { return a.start_minute < b.start_minute; });
    for (size_t i = 1; i < ranges.size(); ++i)
        if (ranges[i].start_minute < ranges[i - 1].end_minute) throw ConfigError{key, "has overlapping ranges"};
}

std::vector<TimeRange> read_ranges(const json& j, const std::string& key) {
    if (!j.is_array()) throw ConfigError{key, "must be an array of ranges such as \"08:00-16:00\""};
    std::vector<TimeRange> out;
    for (size_t i = 0; i < j.size(); ++i) {
        TimeRange r;
        if (!j[i].is_string() || !parse_time_range(j[i].get<std::string>(), r))
            throw ConfigError{key + "[" + std::to_string(i) + "]",
                              "must be a range such as \"08:00-16:00\" with start before end"};
        out.push_back(r);
    }
    check_no_overlap(out, key);
    return out;
}

AppointmentService read_appointment_service(const json& j, const std::string& key, const Config& c) {
    Obj o(j, key);
    AppointmentService s;
    s.id = o.required_string("id");
    if (!valid_skill_id(s.id)) throw ConfigError{o.key("id"), "must be 1..32 of [a-z0-9_]"};
    s.name = o.required_string("name");
    s.department = o.required_string("department");
    bool known = false;
    for (const auto& d : c.departments) known |= d.id == s.department;
    if (!known) throw ConfigError{o.key("department"), "names department '" + s.department + "', which does not exist"};
    if (!o.has("duration_minutes")) throw ConfigError{o.key("duration_minutes"), "is required"};
    o.integer("duration_minutes", s.duration_minutes, 5, 480);
    o.integer("counters", s.counters, 1, 100);
    const json* hours = o.raw("hours");
    if (!hours) throw ConfigError{o.key("hours"), "is required (a business_hours name or weekday ranges)"};
    if (hours->is_string()) {
        auto it = c.business_hours.find(hours->get<std::string>());
        if (it == c.business_hours.end())
            throw ConfigError{o.key("hours"), "names schedule '" + hours->get<std::string>() +
                                                  "', which business_hours does not define"};
        s.hours = it->second;
    } else {
        s.hours = read_schedule(s.id, *hours, o.key("hours"));
    }
    static const char* day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (int d = 0; d < 7; ++d) check_no_overlap(s.hours.days[d], o.key("hours") + "." + day_names[d]);
    if (const json* ex = o.raw("exceptions")) {
        if (!ex->is_object())
            throw ConfigError{o.key("exceptions"), "must map dates YYYY-MM-DD to opening ranges ([] = closed)"};
        for (auto it = ex->begin(); it != ex->end(); ++it) {
            Date d;
            if (!parse_date(it.key(), d)) throw ConfigError{o.key("exceptions") + "." + it.key(), "is not a date YYYY-MM-DD"};
            s.exceptions[d] = read_ranges(*it, o.key("exceptions") + "." + it.key());
        }
    }
    o.integer("horizon_days", s.horizon_days, 1, 366);
    o.integer("min_notice_minutes", s.min_notice_minutes, 0, 60 * 24 * 14);
    o.integer("max_future_bookings", s.max_future_bookings, 0, 100);
    o.string("location", s.location, true);
    if (s.location.size() > 500) throw ConfigError{o.key("location"), "must have at most 500 bytes"};
    o.finish();
    return s;
}

void read_appointments(Obj o, Config& c) {
    auto& a = c.appointments;
    o.integer("public_bookings_per_hour", a.public_bookings_per_hour, 1, 1000000);
    o.integer("public_lookups_per_hour", a.public_lookups_per_hour, 1, 1000000);
    if (const json* v = o.raw("services")) {
        if (!v->is_array()) throw ConfigError{o.key("services"), "must be an array"};
        std::set<std::string> ids;
        for (size_t i = 0; i < v->size(); ++i) {
            auto s = read_appointment_service((*v)[i], o.key("services") + "[" + std::to_string(i) + "]", c);
            if (!ids.insert(s.id).second)
                throw ConfigError{o.key("services") + "[" + std::to_string(i) + "].id", "duplicates service '" + s.id + "'"};
            a.services.push_back(std::move(s));
        }
    }
    if (const json* v = o.raw("topics")) {
        if (!v->is_object()) throw ConfigError{o.key("topics"), "must map topic ids to service ids"};
        for (auto it = v->begin(); it != v->end(); ++it) {
            const std::string key = o.key("topics") + "." + it.key();
            if (!valid_topic(it.key())) throw ConfigError{key, "is not a known topic"};
            if (!it->is_string()) throw ConfigError{key, "must be a service id"};
            bool known = false;
            for (const auto& s : a.services) known |= s.id == it->get<std::string>();
            if (!known) throw ConfigError{key, "names service '" + it->get<std::string>() + "', which does not exist"};
            a.topics[it.key()] = it->get<std::string>();
        }
    }
    if (const json* v = o.raw("reminders")) {
        Obj r(*v, o.key("reminders"));
        r.string("webhook_url", a.reminders.webhook_url, true);
        const auto& url = a.reminders.webhook_url;
        if (!url.empty() && ((url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) ||
                             url.find_first_of(" \t\r\n") != std::string::npos || url.size() < 10))
            throw ConfigError{r.key("webhook_url"), "must be an http:// or https:// URL, or empty"};
        r.string("secret", a.reminders.secret, true);
        std::string send_from = "16:00";
        r.string("send_from", send_from);
        TimeRange tr;
        if (!parse_time_range(send_from + "-24:00", tr))
            throw ConfigError{r.key("send_from"), "must be a local time HH:MM"};
        a.reminders.send_from_minute = tr.start_minute;
        r.integer("max_attempts", a.reminders.max_attempts, 1, 20);
        r.integer("retry_base_seconds", a.reminders.retry_base_seconds, 1, 86400);
        r.integer("timeout_seconds", a.reminders.timeout_seconds, 1, 120);
        r.finish();
    }
    o.finish();
}

void read_tickets(Obj o, TicketRules& t, const Limits& limits) {
    o.string("number_prefix", t.number_prefix);
    if (t.number_prefix.size() > 16 ||
        t.number_prefix.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
        throw ConfigError{o.key("number_prefix"), "must be 1 to 16 capital letters A-Z"};
    o.string("attachments_dir", t.attachments_dir, true);
    o.integer("attachment_max_bytes", t.attachment_max_bytes, 1024, 1LL << 30);
    // The whole upload must pass the HTTP body limit, multipart framing included.
    if (o.has("attachment_max_bytes") && t.attachment_max_bytes + 4096 > limits.body_bytes)
        throw ConfigError{o.key("attachment_max_bytes"),
                          "must be at least 4096 bytes below limits.body_bytes (" + std::to_string(limits.body_bytes) +
                              ")"};
    o.integer("max_attachments_per_ticket", t.max_attachments_per_ticket, 0, 1000);
    o.integer("retention_days", t.retention_days, 1, 36500);
    o.integer("retention_interval_seconds", t.retention_interval_seconds, 1, 86400);
    o.integer("public_lookups_per_minute", t.public_lookups_per_minute, 1, 100000);
    o.integer("public_creates_per_hour", t.public_creates_per_hour, 1, 100000);
    if (auto* v = o.raw("open311")) {
        Obj oo(*v, o.key("open311"));
        oo.string("jurisdiction_id", t.open311_jurisdiction_id, true);
        oo.string("api_key", t.open311_api_key, true);
        oo.finish();
        if (!t.open311_api_key.empty() && t.open311_api_key.size() < 16)
            throw ConfigError{oo.key("api_key"), "must have at least 16 characters (or be empty for no key)"};
    }
    o.finish();
}

Service read_service(const json& j, const std::string& key) {
    Obj o(j, key);
    Service s;
    s.code = o.required_string("service_code");
    if (!valid_skill_id(s.code)) throw ConfigError{o.key("service_code"), "must be 1..32 of [a-z0-9_]"};
    s.name = o.required_string("name");
    if (auto* v = o.raw("names")) {
        // What residents read in English and Ukrainian (the advisor's buttons).
        if (!v->is_object()) throw ConfigError{o.key("names"), "must be an object {\"en\": text, \"uk\": text}"};
        for (auto it = v->begin(); it != v->end(); ++it) {
            if (it.key() != "en" && it.key() != "uk")
                throw ConfigError{o.key("names") + "." + it.key(), "unknown language (en, uk; Polish is \"name\")"};
            if (!it->is_string() || it->get<std::string>().empty() || it->get<std::string>().size() > 200)
                throw ConfigError{o.key("names") + "." + it.key(), "must be a text of 1..200 bytes"};
            s.names[it.key()] = it->get<std::string>();
        }
    }
    o.string("description", s.description, true);
    s.department = o.required_string("department");
    o.string("topic", s.topic);
    if (!valid_topic(s.topic)) throw ConfigError{o.key("topic"), "is not a known topic"};
    o.strings("keywords", s.keywords);
    o.boolean("location_required", s.location_required);
    o.integer("retention_days", s.retention_days, 1, 36500);
    if (auto* v = o.raw("attributes")) {
        if (!v->is_array()) throw ConfigError{o.key("attributes"), "must be an array"};
        std::set<std::string> codes;
        for (size_t i = 0; i < v->size(); ++i) {
            Obj a((*v)[i], o.key("attributes") + "[" + std::to_string(i) + "]");
            ServiceAttribute attr;
            attr.code = a.required_string("code");
            if (!valid_skill_id(attr.code) || !codes.insert(attr.code).second)
                throw ConfigError{a.key("code"), "must be a unique id of 1..32 of [a-z0-9_]"};
            attr.description = a.required_string("description");
            a.string("datatype", attr.datatype);
            static const std::set<std::string> types = {"string", "number", "datetime", "text", "singlevaluelist",
                                                        "multivaluelist"};
            if (!types.count(attr.datatype))
                throw ConfigError{a.key("datatype"),
                                  "must be string, number, datetime, text, singlevaluelist or multivaluelist"};
            a.boolean("required", attr.required);
            if (auto* vals = a.raw("values")) {
                if (!vals->is_array()) throw ConfigError{a.key("values"), "must be an array of {key, name}"};
                for (size_t k = 0; k < vals->size(); ++k) {
                    Obj vo((*vals)[k], a.key("values") + "[" + std::to_string(k) + "]");
                    std::string vk = vo.required_string("key"), vn = vo.required_string("name");
                    vo.finish();
                    attr.values.emplace_back(vk, vn);
                }
            }
            a.finish();
            const bool list = attr.datatype == "singlevaluelist" || attr.datatype == "multivaluelist";
            if (list != !attr.values.empty())
                throw ConfigError{a.key("values"), "are required for the list datatypes and only for them"};
            s.attributes.push_back(std::move(attr));
        }
    }
    o.finish();
    return s;
}

Config parse(const json& root, const std::string& source) {
    Config c;
    c.source = source;
    Obj o(root, "");
    o.string("listen", c.listen);
    {
        std::string h;
        unsigned short p;
        if (!split_host_port(c.listen, h, p)) throw ConfigError{"listen", "must be HOST:PORT, e.g. 0.0.0.0:8080"};
    }
    o.string("database", c.database);
    o.string("web_root", c.web_root);
    o.string("log_level", c.log_level);
    static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
    if (!levels.count(c.log_level))
        throw ConfigError{"log_level", "must be one of trace, debug, info, warn, error, critical, off"};
    o.string("service_number", c.service_number, true);
    if (auto* v = o.raw("limits")) read_limits(Obj(*v, "limits"), c.limits);
    if (auto* v = o.raw("sessions")) {
        Obj so(*v, "sessions");
        so.integer("idle_minutes", c.sessions.idle_minutes, 1, 24 * 60);
        so.integer("absolute_hours", c.sessions.absolute_hours, 1, 24 * 31);
        so.finish();
        if (c.sessions.idle_minutes > c.sessions.absolute_hours * 60)
            throw ConfigError{"sessions.idle_minutes", "must not exceed sessions.absolute_hours"};
    }
    if (auto* v = o.raw("security")) read_security(Obj(*v, "security"), c.security);
    if (auto* v = o.raw("routing")) {
        Obj ro(*v, "routing");
        ro.integer("missed_offers_to_break", c.routing.missed_offers_to_break, 1, 100);
        ro.boolean("voice_excludes_chat", c.routing.voice_excludes_chat);
        ro.finish();
    }
    if (auto* v = o.raw("wallboard")) {
        Obj wo(*v, "wallboard");
        auto& w = c.wallboard;
        wo.integer("waiting_warn", w.waiting_warn, 1, 100000);
        wo.integer("waiting_alert", w.waiting_alert, 1, 100000);
        wo.integer("longest_wait_warn_seconds", w.longest_wait_warn_seconds, 1, 86400);
        wo.integer("longest_wait_alert_seconds", w.longest_wait_alert_seconds, 1, 86400);
        wo.integer("service_level_warn_pct", w.service_level_warn_pct, 0, 100);
        wo.integer("service_level_alert_pct", w.service_level_alert_pct, 0, 100);
        wo.integer("sample_seconds", w.sample_seconds, 1, 3600);
        wo.finish();
        if (w.waiting_alert < w.waiting_warn)
            throw ConfigError{"wallboard.waiting_alert", "must not be below wallboard.waiting_warn"};
        if (w.longest_wait_alert_seconds < w.longest_wait_warn_seconds)
            throw ConfigError{"wallboard.longest_wait_alert_seconds",
                              "must not be below wallboard.longest_wait_warn_seconds"};
        if (w.service_level_alert_pct > w.service_level_warn_pct)
            throw ConfigError{"wallboard.service_level_alert_pct", "must not be above wallboard.service_level_warn_pct"};
    }
    if (auto* v = o.raw("chat")) {
        Obj co(*v, "chat");
        co.integer("max_message_chars", c.chat.max_message_chars, 1, 100000);
        co.integer("messages_per_10s", c.chat.messages_per_10s, 1, 10000);
        co.integer("max_open_chats_per_address", c.chat.max_open_chats_per_address, 1, 100000);
        co.integer("abandon_grace_seconds", c.chat.abandon_grace_seconds, 5, 86400);
        co.integer("agent_return_grace_seconds", c.chat.agent_return_grace_seconds, 5, 86400);
        co.finish();
    }
    if (auto* v = o.raw("callback")) {
        Obj cb(*v, "callback");
        cb.integer("max_attempts", c.callback.max_attempts, 1, 10);
        cb.integer("retry_seconds", c.callback.retry_seconds, 1, 86400);
        cb.integer("window_minutes", c.callback.window_minutes, 30, 720);
        cb.integer("offer_after_wait_seconds", c.callback.offer_after_wait_seconds, 0, 86400);
        cb.finish();
    }
    if (auto* v = o.raw("bot")) {
        Obj bo(*v, "bot");
        bo.string("knowledge_file", c.bot.knowledge_file, true);
        bo.integer("unsure_before_handoff", c.bot.unsure_before_handoff, 1, 10);
        bo.finish();
    }
    if (auto* v = o.raw("business_hours")) {
        if (!v->is_object()) throw ConfigError{"business_hours", "must be an object of schedule name -> weekdays"};
        for (auto it = v->begin(); it != v->end(); ++it) {
            if (it.key() == "always") throw ConfigError{"business_hours.always", "is reserved for 24/7 queues"};
            if (!valid_skill_id(it.key()))
                throw ConfigError{"business_hours." + it.key(), "schedule names are 1..32 of [a-z0-9_]"};
            c.business_hours[it.key()] = read_schedule(it.key(), *it, "business_hours." + it.key());
        }
    }
    if (auto* v = o.raw("holidays")) {
        Obj ho(*v, "holidays");
        bool statutory = true;
        ho.boolean("polish_statutory", statutory);
        auto extra = read_dates(ho, "extra");
        auto removed = read_dates(ho, "removed");
        ho.finish();
        c.holidays = HolidayCalendar(statutory, std::move(extra), std::move(removed));
    }
    if (auto* v = o.raw("queues")) {
        if (!v->is_array()) throw ConfigError{"queues", "must be an array"};
        std::set<std::string> ids;
        for (size_t i = 0; i < v->size(); ++i) {
            auto q = read_queue((*v)[i], "queues[" + std::to_string(i) + "]");
            if (!ids.insert(q.id).second)
                throw ConfigError{"queues[" + std::to_string(i) + "].id", "duplicates queue '" + q.id + "'"};
            c.queues.push_back(std::move(q));
        }
    }
    if (auto* v = o.raw("departments")) {
        if (!v->is_array()) throw ConfigError{"departments", "must be an array"};
        std::set<std::string> ids;
        for (size_t i = 0; i < v->size(); ++i) {
            const std::string key = "departments[" + std::to_string(i) + "]";
            Obj d((*v)[i], key);
            Department dep;
            dep.id = d.required_string("id");
            if (!valid_skill_id(dep.id)) throw ConfigError{d.key("id"), "must be 1..32 of [a-z0-9_]"};
            if (!ids.insert(dep.id).second) throw ConfigError{d.key("id"), "duplicates department '" + dep.id + "'"};
            dep.name = d.required_string("name");
            dep.queue = d.required_string("queue");
            d.integer("sla_business_hours", dep.sla_business_hours, 1, 24 * 365);
            if (!d.has("sla_business_hours")) throw ConfigError{d.key("sla_business_hours"), "is required"};
            d.string("hours", dep.hours);
            d.finish();
            c.departments.push_back(std::move(dep));
        }
    }
    // After departments and business hours, which services refer to.
    if (auto* v = o.raw("appointments")) read_appointments(Obj(*v, "appointments"), c);
    if (auto* v = o.raw("tickets")) read_tickets(Obj(*v, "tickets"), c.tickets, c.limits);
    // Left at its default, the attachment limit follows a smaller body limit.
    if (c.tickets.attachment_max_bytes + 4096 > c.limits.body_bytes)
        c.tickets.attachment_max_bytes = c.limits.body_bytes > 4096 + 1024 ? c.limits.body_bytes - 4096 : 1024;
    if (auto* v = o.raw("services")) {
        if (!v->is_array()) throw ConfigError{"services", "must be an array"};
        std::set<std::string> codes;
        for (size_t i = 0; i < v->size(); ++i) {
            auto sv = read_service((*v)[i], "services[" + std::to_string(i) + "]");
            if (!codes.insert(sv.code).second)
                throw ConfigError{"services[" + std::to_string(i) + "].service_code",
                                  "duplicates service '" + sv.code + "'"};
            c.services.push_back(std::move(sv));
        }
    }
    o.finish();

    // Cross references: every name used must exist.
    std::set<std::string> queue_ids;
    for (const auto& q : c.queues) queue_ids.insert(q.id);
    for (size_t i = 0; i < c.queues.size(); ++i) {
        const auto& q = c.queues[i];
        const std::string key = "queues[" + std::to_string(i) + "]";
        if (q.hours != "always" && !c.business_hours.count(q.hours))
            throw ConfigError{key + ".hours", "names schedule '" + q.hours + "', which business_hours does not define"};
        if (q.overflow && !queue_ids.count(q.overflow->queue))
            throw ConfigError{key + ".overflow.queue", "names queue '" + q.overflow->queue + "', which does not exist"};
        if (q.overflow && q.overflow->queue == q.id)
            throw ConfigError{key + ".overflow.queue", "must name another queue"};
    }
    for (size_t i = 0; i < c.departments.size(); ++i) {
        auto& dep = c.departments[i];
        if (!queue_ids.count(dep.queue))
            throw ConfigError{"departments[" + std::to_string(i) + "].queue",
                              "names queue '" + dep.queue + "', which does not exist"};
        if (dep.hours.empty())
            for (const auto& q : c.queues)
                if (q.id == dep.queue) dep.hours = q.hours;
        if (dep.hours != "always" && !c.business_hours.count(dep.hours))
            throw ConfigError{"departments[" + std::to_string(i) + "].hours",
                              "names schedule '" + dep.hours + "', which business_hours does not define"};
    }
    for (size_t i = 0; i < c.services.size(); ++i) {
        bool found = false;
        for (const auto& d : c.departments) found |= d.id == c.services[i].department;
        if (!found)
            throw ConfigError{"services[" + std::to_string(i) + "].department",
                              "names department '" + c.services[i].department + "', which does not exist"};
    }
    if (!c.queues.empty()) {
        bool fallback = false;
        for (const auto& q : c.queues)
            for (const auto& t : q.topics) fallback |= (t == "other");
        if (!fallback) throw ConfigError{"queues", "one queue must serve topic 'other' (the fallback)"};
    }
    return c;
}

}  // namespace

bool split_host_port(const std::string& text, std::string& host, unsigned short& port) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return false;
    host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const std::string p = text.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || value > 65535) return false;
    port = static_cast<unsigned short>(value);
    return true;
}

Result<Config> parse_config(const std::string& text, const std::string& source) {
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& e) {
        return Error::invalid("config_syntax", source + ": not valid JSON: " + e.what());
    }
    try {
        return parse(root, source);
    } catch (const ConfigError& e) {
        return Error::invalid("config_invalid", source + ": " + e.key + ": " + e.problem);
    } catch (const json::exception& e) {
        return Error::invalid("config_invalid", source + ": " + e.what());
    }
}

Result<Config> load_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::invalid("config_missing", path + ": cannot be read");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_config(ss.str(), path);
}

}  // namespace centrala::app
