#include "centrala/api/wallboard.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>

#include "centrala/api/json_body.hpp"

namespace centrala::api {

using nlohmann::json;
using namespace std::chrono;

namespace {

double round1(double v) { return std::round(v * 10.0) / 10.0; }

json csat_json(int64_t sum, int64_t count) { return count ? json(round1(double(sum) / double(count))) : json(nullptr); }

// The fields a supervisor may change while running, as stored and as shown.
json editable_json(const QueueSettings& q) {
    return {{"name", q.name},
            {"priority", q.priority},
            {"sla_seconds", q.sla_seconds},
            {"offer_timeout_seconds", q.offer_timeout_seconds},
            {"wrap_up_seconds", q.wrap_up_seconds},
            {"max_waiting", q.max_waiting},
            {"overflow", q.overflow ? json({{"after_seconds", q.overflow->after_seconds}, {"queue", q.overflow->queue}})
                                    : json(nullptr)},
            {"hours", q.hours}};
}

json queue_json(const QueueSettings& q, bool open) {
    json j = editable_json(q);
    j["id"] = q.id;
    j["channels"] = q.channels;
    j["topics"] = q.topics;
    j["skills"] = q.skills;
    j["strategy"] = q.strategy;
    j["open_now"] = open;
    return j;
}

Result<int> int_in(const json& body, const char* name, int lo, int hi) {
    const auto& v = body[name];
    if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
        return Error::invalid("invalid_field", std::string(name) + " must be a whole number from " + std::to_string(lo) +
                                                   " to " + std::to_string(hi));
    return int(v.get<int64_t>());
}

// Applies the editable fields of `body` over `q`. Fields that exist but are
// fixed while running are refused with not_editable; others with unknown_field.
Result<QueueSettings> read_queue_fields(const json& body, QueueSettings q) {
    static const std::set<std::string> fixed = {"id", "channels", "topics", "skills", "strategy"};
    for (auto it = body.begin(); it != body.end(); ++it) {
        const std::string& k = it.key();
        if (fixed.count(k)) return Error::invalid("not_editable", k + " cannot change while the server runs");
        if (k == "name") {
            auto n = string_field(body, "name", 1, 200);
            if (!n) return n.error();
            q.name = *n;
        } else if (k == "priority") {
            auto v = int_in(body, "priority", -100, 100);
            if (!v) return v.error();
            q.priority = *v;
        } else if (k == "sla_seconds") {
            auto v = int_in(body, "sla_seconds", 1, 86400);
            if (!v) return v.error();
            q.sla_seconds = *v;
        } else if (k == "offer_timeout_seconds") {
            auto v = int_in(body, "offer_timeout_seconds", 5, 600);
            if (!v) return v.error();
            q.offer_timeout_seconds = *v;
        } else if (k == "wrap_up_seconds") {
            auto v = int_in(body, "wrap_up_seconds", 0, 3600);
            if (!v) return v.error();
            q.wrap_up_seconds = *v;
        } else if (k == "max_waiting") {
            auto v = int_in(body, "max_waiting", 1, 100000);
            if (!v) return v.error();
            q.max_waiting = *v;
        } else if (k == "hours") {
            auto h = string_field(body, "hours", 1, 32);
            if (!h) return h.error();
            q.hours = *h;
        } else if (k == "overflow") {
            const auto& o = *it;
            if (o.is_null()) {
                q.overflow.reset();
                continue;
            }
            if (!o.is_object() || !o.contains("after_seconds") || !o.contains("queue") || o.size() != 2)
                return Error::invalid("invalid_field", "overflow must be null or {\"after_seconds\",\"queue\"}");
            auto after = int_in(o, "after_seconds", 1, 86400);
            if (!after) return after.error();
            auto target = string_field(o, "queue", 1, 64);
            if (!target) return target.error();
            q.overflow = Overflow{*after, *target};
        } else {
            return Error::invalid("unknown_field", "unknown field '" + k + "'");
        }
    }
    return q;
}

// CSV cell: quoted when needed; a leading = + - @ is defused so a spreadsheet
// does not run a display name as a formula.
std::string csv_cell(const json& v) {
    if (v.is_null()) return "";
    if (!v.is_string()) return v.dump();
    std::string s = v.get<std::string>();
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s = "'" + s;
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return out + "\"";
}

const std::vector<std::string> metric_columns = {
    "offered",      "answered",      "answered_in_sla", "abandoned",  "abandoned_short",
    "service_level_pct", "asa_seconds", "aht_seconds", "handled",     "transfers",
    "overflows",    "closed",        "first_contact_resolved", "fcr_pct", "cases_opened",
    "csat_avg",     "csat_count",    "missed_offers"};

json metrics_json(const store::Counters& c, bool agent_view) {
    json j = {{"offered", c.offered},
              {"answered", c.answered},
              {"answered_in_sla", c.answered_in_sla},
              {"abandoned", c.abandoned},
              {"abandoned_short", c.abandoned_short},
              {"service_level_pct", round1(c.service_level_pct())},
              {"asa_seconds", round1(c.asa_seconds())},
              {"aht_seconds", round1(c.aht_seconds())},
              {"handled", c.handled},
              {"transfers", c.transfers},
              {"overflows", c.overflows},
              {"closed", c.closed},
              {"first_contact_resolved", c.fcr},
              {"fcr_pct", round1(c.fcr_pct())},
              {"cases_opened", c.cases},
              {"csat_avg", c.csat_avg() ? json(round1(*c.csat_avg())) : json(nullptr)},
              {"csat_count", c.csat_count},
              {"missed_offers", c.missed}};
    if (agent_view) {
        // Contacts are offered to queues and abandoned in them, not by agents.
        for (const char* k : {"offered", "abandoned", "abandoned_short", "service_level_pct"}) j[k] = nullptr;
    }
    return j;
}

}  // namespace

WallboardModule::WallboardModule(ModuleContext& ctx) : ctx_(ctx), stats_(ctx.b.db), chats_(ctx.b.db) {}

// ---------------------------------------------------------------- start-up

Result<void> WallboardModule::apply_override(const std::string& queue, const json& settings) {
    for (const auto& q : ctx_.b.routing.queue_settings()) {
        if (q.id != queue) continue;
        auto next = read_queue_fields(settings, q);
        if (!next) return next.error();
        auto r = ctx_.b.routing.update_queue(*next);
        if (!r) return r.error();
        return Ok{};
    }
    return Error::not_found("queue_not_found", "queue '" + queue + "' is no longer configured");
}

Result<void> WallboardModule::load() {
    // Queue settings changed at run time win over config/ (before serving,
    // the database may be read on this thread).
    auto overrides = stats_.queue_overrides();
    if (!overrides) return overrides.error();
    for (const auto& [queue, text] : *overrides) {
        const json j = json::parse(text, nullptr, false);
        if (auto r = j.is_object() ? apply_override(queue, j) : Result<void>(Error::internal("not an object")); !r)
            spdlog::warn("queue settings for '{}' saved at run time not applied: {}", queue, r.error().message);
    }
    // Today's counters from today's stored events; rows stored later are
    // counted as they come (poll_stored).
    const auto now = ctx_.b.clock.now();
    today_ = to_warsaw(now).date;
    auto last = stats_.last_event_id();
    if (!last) return last.error();
    counted_up_to_ = *last;
    auto by_queue = stats_.recount(today_, today_, store::GroupBy::queue);
    if (!by_queue) return by_queue.error();
    auto by_agent = stats_.recount(today_, today_, store::GroupBy::agent);
    if (!by_agent) return by_agent.error();
    routing::TodayCounters t;
    for (const auto& row : *by_queue) {
        const auto& c = row.counters;
        t.queues[row.key] = {c.offered, c.answered, c.answered_in_sla, c.abandoned, c.abandoned_short,
                             c.wait_ms,  c.handled,  c.handle_ms};
        today_queue_[row.key] = c;
    }
    for (const auto& row : *by_agent) {
        const auto& c = row.counters;
        const int64_t id = parse_id(row.key).value_or(0);
        t.agents[id] = {c.handled, c.handle_ms, c.missed};
        today_agent_[id] = c;
    }
    auto r = ctx_.b.routing.restore_today(t);
    if (!r) return r.error();
    ctx_.apply(*r);
    ratings_since_ = now - hours(24);
    // The charts' last hours, as they were shown before the restart.
    auto samples = stats_.samples_since(now - hours(history_hours));
    if (!samples) return samples.error();
    for (const auto& text : *samples) {
        json j = json::parse(text, nullptr, false);
        if (j.is_object()) samples_.push_back(std::move(j));
    }
    last_sample_slot_ = duration_cast<seconds>(now.time_since_epoch()).count() / ctx_.opt.wallboard.sample_seconds;
    return Ok{};
}

// ------------------------------------------------------- events to the store

void WallboardModule::on_routing(const routing::Events& events) {
    auto stat = store::stat_events_from(events, ctx_.b.routing);
    pending_.insert(pending_.end(), std::make_move_iterator(stat.begin()), std::make_move_iterator(stat.end()));
    for (const auto& e : events) {
        if (e.type != routing::EventType::contact_closed && e.type != routing::EventType::contact_abandoned) continue;
        auto w = watchers_.find(e.contact);
        if (w == watchers_.end()) continue;
        const json frame = {{"type", "watch_ended"}, {"contact_id", std::to_string(e.contact)}};
        for (auto user : w->second) ctx_.push_to_user(user, frame);
        watchers_.erase(w);
    }
    // A burst is written at once rather than held in memory.
    if (pending_.size() >= 500) flush_events();
}

namespace {
constexpr int poll_rows = 5000;
}

void WallboardModule::flush_events() {
    if (pending_.empty()) return;
    std::vector<store::StatEvent> batch;
    batch.swap(pending_);
    // What was stored is counted at once (closes get their first-contact
    // flag from the store), not at the next poll.
    on_store_worker(
        ctx_,
        [this, batch = std::move(batch), after = counted_up_to_]() -> Result<std::vector<store::StatsStore::Stored>> {
            auto r = stats_.record(batch);
            if (!r) return r.error();
            if (*r > 0) spdlog::debug("{} statistics event(s) of unknown contacts skipped", *r);
            return stats_.stored_after(after, poll_rows);
        },
        [this](Result<std::vector<store::StatsStore::Stored>> r) {
            if (!r) {
                spdlog::error("statistics events not stored: {}", r.error().message);
                return;
            }
            count_stored(*r);
        });
}

// Ratings become contact_rated rows; then every row stored since the last
// poll (ours, the ratings, cases the tickets store counted) is counted.
void WallboardModule::poll_stored() {
    poll_running_ = true;
    const SysTime since = ratings_since_;
    ratings_since_ = ctx_.b.clock.now() - minutes(1);  // ratings are stamped a moment before they are written
    on_store_worker(
        ctx_,
        [this, since, after = counted_up_to_]() -> Result<std::vector<store::StatsStore::Stored>> {
            auto events = stats_.new_ratings(since);
            if (!events) return events.error();
            if (auto r = stats_.record(*events); !r) return r.error();
            return stats_.stored_after(after, poll_rows);
        },
        [this](Result<std::vector<store::StatsStore::Stored>> r) {
            poll_running_ = false;
            if (!r) {
                spdlog::error("stored statistics not counted: {}", r.error().message);
                return;
            }
            count_stored(*r);
            if (r->size() == size_t(poll_rows)) last_poll_ = SysTime{};  // more to read: at the next tick
        });
}

void WallboardModule::count_stored(const std::vector<store::StatsStore::Stored>& rows) {
    roll_day();
    const int today = store::day_number(today_);
    bool changed = false;
    for (const auto& s : rows) {
        // A flush and a poll may read the same rows: each is counted once.
        if (s.id <= counted_up_to_) continue;
        counted_up_to_ = s.id;
        if (s.local_day != today) continue;
        const auto& e = s.event;
        store::add_to_counters(today_queue_[e.queue], e.type, e.flags, e.waited_ms, e.handled_ms, e.score, false);
        if (e.agent_id)
            store::add_to_counters(today_agent_[*e.agent_id], e.type, e.flags, e.waited_ms, e.handled_ms, e.score, true);
        // Rows the core counted itself change nothing new on the board.
        changed = changed || e.type == store::stat::closed || e.type == store::stat::case_opened ||
                  e.type == store::stat::fcr_revoked || e.type == store::stat::rated;
    }
    if (changed) ctx_.stats_changed();
}

void WallboardModule::roll_day() {
    const Date d = to_warsaw(ctx_.b.clock.now()).date;
    if (d == today_) return;
    today_ = d;
    today_queue_.clear();
    today_agent_.clear();
}

void WallboardModule::take_sample() {
    const auto now = ctx_.b.clock.now();
    const int every = ctx_.opt.wallboard.sample_seconds;
    json queues = json::array();
    int64_t waiting = 0, offered = 0, in_sla = 0;
    for (const auto& q : ctx_.b.routing.queue_stats()) {
        queues.push_back({{"id", q.id}, {"waiting", q.waiting}, {"service_level_pct", round1(q.service_level_pct())}});
        waiting += q.waiting;
        offered += q.offered_today;
        in_sla += q.answered_in_sla_today;
    }
    const SysTime slot{seconds(duration_cast<seconds>(now.time_since_epoch()).count() / every * every)};
    // All queues together: the service level weighted by what each was offered.
    json sample = {{"at", to_rfc3339(slot)},
                   {"waiting", waiting},
                   {"service_level_pct", round1(offered ? 100.0 * double(in_sla) / double(offered) : 100.0)},
                   {"queues", queues}};
    samples_.push_back(sample);
    while (!samples_.empty()) {
        SysTime at{};
        if (parse_rfc3339(samples_.front().value("at", ""), at) && at >= now - hours(history_hours)) break;
        samples_.pop_front();
    }
    ctx_.push_to_supervisors({{"type", "stats_sample"}, {"sample", sample}});
    on_store_worker(
        ctx_, [this, slot, text = sample.dump(), keep = now - hours(history_hours)]() {
            return stats_.save_sample(slot, text, keep);
        },
        [](Result<void> r) {
            if (!r) spdlog::warn("chart sample not stored: {}", r.error().message);
        });
}

void WallboardModule::tick() {
    roll_day();
    flush_events();
    const auto now = ctx_.b.clock.now();
    if (!poll_running_ && now - last_poll_ >= seconds(2)) {
        last_poll_ = now;
        poll_stored();
    }
    const int64_t slot = duration_cast<seconds>(now.time_since_epoch()).count() / ctx_.opt.wallboard.sample_seconds;
    if (slot != last_sample_slot_) {
        last_sample_slot_ = slot;
        take_sample();
    }
}

// ------------------------------------------------------------ live extras

void WallboardModule::extend_stats(json& stats) const {
    const auto& th = ctx_.opt.wallboard;
    // Counted from the stored rows (docs/metrics.md), like the report.
    auto add_counted = [this](json& q, const std::string& id) {
        auto c = today_queue_.find(id);
        const store::Counters counted = c == today_queue_.end() ? store::Counters{} : c->second;
        q["csat_avg"] = csat_json(counted.csat_sum, counted.csat_count);
        q["csat_count"] = counted.csat_count;
        q["closed_today"] = counted.closed;
        q["first_contact_resolved_today"] = counted.fcr;
        q["fcr_pct"] = round1(counted.fcr_pct());
        q["cases_opened_today"] = counted.cases;
    };
    // All of today, also cases of contacts that never reached a queue.
    store::Counters all;
    for (const auto& [queue, c] : today_queue_) all += c;
    stats["today"] = {{"closed", all.closed},
                      {"first_contact_resolved", all.fcr},
                      {"fcr_pct", round1(all.fcr_pct())},
                      {"cases_opened", all.cases}};
    std::map<std::string, int> sla;
    for (const auto& q : ctx_.b.routing.queue_settings()) sla[q.id] = q.sla_seconds;
    for (auto& q : stats["queues"]) {
        const std::string id = q["id"].get<std::string>();
        add_counted(q, id);
        q["sla_seconds"] = sla[id];
        // Levels are decided here so every screen shows the same colours.
        json alerts = json::array();
        int worst = 0;
        auto check = [&](const char* metric, bool warn, bool alert) {
            const int level = alert ? 2 : warn ? 1 : 0;
            if (level) alerts.push_back({{"metric", metric}, {"level", level == 2 ? "alert" : "warn"}});
            worst = std::max(worst, level);
        };
        const int64_t waiting = q["waiting"].get<int64_t>();
        const int64_t longest = q["longest_wait_seconds"].get<int64_t>();
        check("waiting", waiting >= th.waiting_warn, waiting >= th.waiting_alert);
        check("longest_wait", longest >= th.longest_wait_warn_seconds, longest >= th.longest_wait_alert_seconds);
        if (q["offered_today"].get<int64_t>() > 0) {
            const double sl = q["service_level_pct"].get<double>();
            check("service_level", sl < th.service_level_warn_pct, sl < th.service_level_alert_pct);
        }
        q["alerts"] = alerts;
        q["level"] = worst == 2 ? "alert" : worst == 1 ? "warn" : "ok";
    }
    for (auto& a : stats["agents"]) {
        const int64_t id = parse_id(a["id"].get<std::string>()).value_or(0);
        auto c = today_agent_.find(id);
        const store::Counters counted = c == today_agent_.end() ? store::Counters{} : c->second;
        a["csat_avg"] = csat_json(counted.csat_sum, counted.csat_count);
        a["csat_count"] = counted.csat_count;
        a["closed_today"] = counted.closed;
        a["first_contact_resolved_today"] = counted.fcr;
        a["fcr_pct"] = round1(counted.fcr_pct());
        a["cases_opened_today"] = counted.cases;
    }
    stats["thresholds"] = {{"waiting_warn", th.waiting_warn},
                           {"waiting_alert", th.waiting_alert},
                           {"longest_wait_warn_seconds", th.longest_wait_warn_seconds},
                           {"longest_wait_alert_seconds", th.longest_wait_alert_seconds},
                           {"service_level_warn_pct", th.service_level_warn_pct},
                           {"service_level_alert_pct", th.service_level_alert_pct}};
}

void WallboardModule::on_message(const store::StoredMessage& m) {
    auto w = watchers_.find(m.contact_id);
    if (w == watchers_.end()) return;
    const auto serving = ctx_.b.routing.agents_of(m.contact_id);
    json message = {{"id", std::to_string(m.id)},
                    {"contact_id", std::to_string(m.contact_id)},
                    {"author", {{"kind", m.author_kind}, {"name", m.author_name}}},
                    {"text", m.body},
                    {"internal", m.internal},
                    {"created_at", to_rfc3339(m.created_at)}};
    const json frame = {{"type", "message"}, {"contact_id", std::to_string(m.contact_id)}, {"watching", true},
                        {"message", message}};
    for (auto user : w->second)
        if (std::find(serving.begin(), serving.end(), user) == serving.end()) ctx_.push_to_user(user, frame);
}

// ----------------------------------------------------------------- routes

void WallboardModule::add_routes(Router& router) {
    auto bind = [this](void (WallboardModule::*m)(Call)) { return [this, m](Call c) { (this->*m)(std::move(c)); }; };
    router.add("GET", "/api/v1/reports/summary", Access::supervisor, bind(&WallboardModule::report));
    router.add("GET", "/api/v1/stats/history", Access::supervisor, bind(&WallboardModule::history));
    router.add("PUT", "/api/v1/agents/{id}/state", Access::supervisor, bind(&WallboardModule::force_state));
    router.add("POST", "/api/v1/contacts/{id}/priority", Access::supervisor, bind(&WallboardModule::set_priority));
    router.add("POST", "/api/v1/contacts/{id}/move", Access::supervisor, bind(&WallboardModule::move_contact));
    router.add("PATCH", "/api/v1/queues/{id}", Access::supervisor, bind(&WallboardModule::update_queue));
    router.add("POST", "/api/v1/contacts/{id}/watch", Access::supervisor, [this](Call c) { watch(std::move(c), true); });
    router.add("DELETE", "/api/v1/contacts/{id}/watch", Access::supervisor, [this](Call c) { watch(std::move(c), false); });
    router.add("POST", "/api/v1/contacts/{id}/whisper", Access::supervisor, bind(&WallboardModule::whisper));
}

void WallboardModule::report(Call c) {
    const auto& q = c.request.query;
    const Date today = to_warsaw(ctx_.b.clock.now()).date;
    Date from = today, to = today;
    if (auto it = q.find("from"); it != q.end() && !parse_date(it->second, from))
        return c.reply(Response::error(400, "invalid_parameter", "from must be a date YYYY-MM-DD"));
    if (auto it = q.find("to"); it != q.end() && !parse_date(it->second, to))
        return c.reply(Response::error(400, "invalid_parameter", "to must be a date YYYY-MM-DD"));
    if (sys_days{to} < sys_days{from}) return c.reply(Response::error(400, "invalid_parameter", "to must not be before from"));
    if ((sys_days{to} - sys_days{from}).count() > 731)
        return c.reply(Response::error(400, "range_too_long", "a report covers at most two years"));
    store::GroupBy group = store::GroupBy::day;
    if (auto it = q.find("group_by"); it != q.end()) {
        auto g = store::parse_group_by(it->second);
        if (!g) return c.reply(Response::error(400, "invalid_parameter", "group_by must be day, hour, queue, agent, topic or channel"));
        group = *g;
    }
    bool csv = false;
    if (auto it = q.find("format"); it != q.end()) {
        if (it->second != "csv" && it->second != "json")
            return c.reply(Response::error(400, "invalid_parameter", "format must be json or csv"));
        csv = it->second == "csv";
    } else if (const auto* accept = c.request.header("accept"); accept && accept->find("text/csv") != std::string::npos) {
        csv = true;
    }
    bool recount = false;
    if (auto it = q.find("source"); it != q.end()) {
        if (it->second != "events" && it->second != "sums")
            return c.reply(Response::error(400, "invalid_parameter", "source must be sums or events"));
        recount = it->second == "events";
    }
    // The recount reads every raw event on the store worker, where chat
    // messages are written too: a month at most.
    if (recount && (sys_days{to} - sys_days{from}).count() > 31)
        return c.reply(Response::error(400, "range_too_long", "a recount from the events covers at most 31 days"));
    on_store_worker(
        ctx_,
        [this, from, to, group, recount]() { return recount ? stats_.recount(from, to, group) : stats_.summary(from, to, group); },
        [this, reply = c.reply, from, to, group, csv](Result<std::vector<store::ReportRow>> r) {
            if (!r) return reply(Response::error(r.error()));
            const bool agent_view = group == store::GroupBy::agent;
            json items = json::array();
            store::Counters total;
            for (const auto& row : *r) {
                json item;
                switch (group) {
                    case store::GroupBy::day: item["day"] = row.day; break;
                    case store::GroupBy::hour:
                        item["day"] = row.day;
                        item["hour"] = row.hour;
                        break;
                    case store::GroupBy::agent: {
                        item["agent_id"] = row.key;
                        const User* u = ctx_.directory.find(parse_id(row.key).value_or(0));
                        item["display_name"] = u ? json(u->display_name) : json(nullptr);
                        break;
                    }
                    default: item[store::to_string(group)] = row.key; break;
                }
                item.update(metrics_json(row.counters, agent_view));
                items.push_back(std::move(item));
                total += row.counters;
            }
            if (csv) {
                std::vector<std::string> keys;
                switch (group) {
                    case store::GroupBy::day: keys = {"day"}; break;
                    case store::GroupBy::hour: keys = {"day", "hour"}; break;
                    case store::GroupBy::agent: keys = {"agent_id", "display_name"}; break;
                    default: keys = {store::to_string(group)}; break;
                }
                std::string out;
                auto line = [&](const std::vector<std::string>& cells) {
                    for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
                    out += "\r\n";
                };
                std::vector<std::string> header = keys;
                header.insert(header.end(), metric_columns.begin(), metric_columns.end());
                line(header);
                for (const auto& item : items) {
                    std::vector<std::string> cells;
                    for (const auto& k : header) cells.push_back(csv_cell(item[k]));
                    line(cells);
                }
                Response resp;
                resp.status = 200;
                resp.content_type = "text/csv; charset=utf-8";
                resp.body = std::move(out);
                resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"report-" + to_string(from) +
                                                                     "-" + to_string(to) + "-" + store::to_string(group) +
                                                                     ".csv\"");
                return reply(std::move(resp));
            }
            json body = {{"from", to_string(from)},
                         {"to", to_string(to)},
                         {"group_by", store::to_string(group)},
                         {"time_zone", "Europe/Warsaw"},
                         {"items", items},
                         {"next", nullptr}};
            // Agents share contacts (interpreters), so their rows do not add up to a total.
            body["totals"] = agent_view ? json(nullptr) : metrics_json(total, false);
            reply(Response::json(200, body));
        });
}

void WallboardModule::history(Call c) {
    json items = json::array();
    for (const auto& s : samples_) items.push_back(s);
    c.reply(Response::json(
        200, {{"interval_seconds", ctx_.opt.wallboard.sample_seconds}, {"items", items}, {"next", nullptr}}));
}

// ----------------------------------------------------------------- actions

void WallboardModule::force_state(Call c) {
    auto id = parse_id(c.params["id"]);
    auto& core = ctx_.b.routing;
    auto before = id ? core.agent_state(*id) : std::nullopt;
    if (!before) return c.reply(Response::error(404, "agent_not_found", "No such agent."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto state = string_field(*body, "state", 1, 16);
    if (!state || (*state != "offline" && *state != "break"))
        return c.reply(Response::error(400, "invalid_state", "a supervisor may set an agent offline or on break"));
    std::string reason = "supervisor";
    if (body->contains("reason") && !(*body)["reason"].is_null()) {
        auto r = string_field(*body, "reason", 1, 100);
        if (!r) return c.reply(Response::error(r.error()));
        reason = *r;
    }
    const auto status = *state == "offline" ? routing::AgentStatus::offline : routing::AgentStatus::on_break;
    auto r = core.set_status(*id, status, reason);
    if (!r) return c.reply(Response::error(r.error()));
    ctx_.apply(*r);
    ctx_.audit(c.who, "agent_state_forced", "user:" + std::to_string(*id), c.request.remote_address,
               {{"from", std::string(routing::to_string(before->status))}, {"to", *state}, {"reason", reason}});
    auto now = core.agent_state(*id);
    c.reply(Response::json(200, {{"id", std::to_string(*id)},
                                 {"status", std::string(routing::to_string(now->status))},
                                 {"activity", std::string(routing::to_string(now->activity))},
                                 {"reason", now->reason.empty() ? json(nullptr) : json(now->reason)},
                                 {"since", to_rfc3339(now->since)}}));
}

namespace {
bool waiting_in_core(const routing::Core& core, int64_t id) {
    auto st = core.state_of(id);
    return st && (*st == routing::ContactState::waiting || *st == routing::ContactState::offered);
}
}  // namespace

void WallboardModule::set_priority(Call c) {
    auto id = parse_id(c.params["id"]);
    auto& core = ctx_.b.routing;
    if (!id || !waiting_in_core(core, *id))
        return c.reply(Response::error(404, "contact_not_found", "No waiting contact with that id."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    if (!body->contains("priority")) return c.reply(Response::error(400, "missing_field", "priority is required"));
    auto p = int_in(*body, "priority", -100, 100);
    if (!p) return c.reply(Response::error(p.error()));
    const int before = core.contact(*id)->priority;
    auto r = core.set_priority(*id, *p);
    if (!r) return c.reply(Response::error(r.error()));
    ctx_.apply(*r);
    ctx_.stats_changed();
    // On disk too, so the place in line survives a restart.
    on_store_worker(ctx_, [this, id = *id, p = *p]() { return chats_.set_priority(id, p); },
                    [](Result<void> r) {
                        if (!r) spdlog::error("priority not stored: {}", r.error().message);
                    });
    ctx_.audit(c.who, "contact_priority", "contact:" + std::to_string(*id), c.request.remote_address,
               {{"from", before}, {"to", *p}});
    c.reply(Response::json(200, {{"id", std::to_string(*id)},
                                 {"priority", *p},
                                 {"position", core.position_of(*id) ? json(*core.position_of(*id)) : json(nullptr)}}));
}

void WallboardModule::move_contact(Call c) {
    auto id = parse_id(c.params["id"]);
    auto& core = ctx_.b.routing;
    if (!id || !waiting_in_core(core, *id))
        return c.reply(Response::error(404, "contact_not_found", "No waiting contact with that id."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto queue = string_field(*body, "queue", 1, 64);
    if (!queue) return c.reply(Response::error(queue.error()));
    const std::string from = core.queue_of(*id).value_or("");
    if (*queue == from) return c.reply(Response::error(409, "same_queue", "The contact already waits in that queue."));
    auto r = core.transfer_to_queue(*id, *queue, "moved by a supervisor");
    if (!r) return c.reply(Response::error(r.error()));
    ctx_.apply(*r);
    ctx_.audit(c.who, "contact_moved", "contact:" + std::to_string(*id), c.request.remote_address,
               {{"from", from}, {"to", *queue}});
    c.reply(Response::json(200, {{"id", std::to_string(*id)},
                                 {"queue", *queue},
                                 {"position", core.position_of(*id) ? json(*core.position_of(*id)) : json(nullptr)}}));
}

void WallboardModule::update_queue(Call c) {
    const std::string id = c.params["id"];
    auto& core = ctx_.b.routing;
    std::optional<QueueSettings> current;
    for (const auto& q : core.queue_settings())
        if (q.id == id) current = q;
    if (!current) return c.reply(Response::error(404, "queue_not_found", "No such queue."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto next = read_queue_fields(*body, *current);
    if (!next) return c.reply(Response::error(next.error()));
    auto r = core.update_queue(*next);
    if (!r) return c.reply(Response::error(r.error()));
    ctx_.apply(*r);
    const json before = editable_json(*current), after = editable_json(*next);
    on_store_worker(
        ctx_,
        [this, id, text = after.dump(), by = c.who->user.id, at = ctx_.b.clock.now()]() {
            return stats_.save_queue_override(id, text, by, at);
        },
        [this, id, old = *current, next = *next, before, after, who = *c.who, address = c.request.remote_address,
         reply = c.reply](Result<void> saved) {
            auto& core = ctx_.b.routing;
            if (!saved) {
                // Not on disk: not applied either, or a restart would undo it silently.
                if (auto undo = core.update_queue(old)) ctx_.apply(*undo);
                return reply(Response::error(saved.error()));
            }
            json changes = json::object();
            for (auto it = after.begin(); it != after.end(); ++it)
                if (before[it.key()] != *it) changes[it.key()] = {{"from", before[it.key()]}, {"to", *it}};
            ctx_.audit(who, "queue_updated", "queue:" + id, address, changes);
            reply(Response::json(200, queue_json(next, core.is_open(id))));
        });
}

void WallboardModule::watch(Call c, bool start) {
    auto id = parse_id(c.params["id"]);
    auto& core = ctx_.b.routing;
    const int64_t user = c.who->user.id;
    if (!start) {
        if (id) {
            auto w = watchers_.find(*id);
            if (w != watchers_.end() && w->second.erase(user) && w->second.empty()) watchers_.erase(w);
        }
        return c.reply(Response::no_content());
    }
    if (!id || !core.state_of(*id)) return c.reply(Response::error(404, "contact_not_found", "No open conversation with that id."));
    size_t mine = 0;
    for (const auto& [cid, users] : watchers_) mine += users.count(user);
    if (mine >= 20) return c.reply(Response::error(409, "too_many_watched", "Stop watching a conversation first (at most 20)."));
    watchers_[*id].insert(user);
    ctx_.audit(c.who, "chat_watched", "contact:" + std::to_string(*id), c.request.remote_address, json::object());
    c.reply(Response::json(200, {{"contact_id", std::to_string(*id)}, {"watching", true}}));
}

void WallboardModule::whisper(Call c) {
    auto id = parse_id(c.params["id"]);
    if (!id || !ctx_.b.routing.state_of(*id))
        return c.reply(Response::error(404, "contact_not_found", "No open conversation with that id."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto text = string_field(*body, "text", 1, 4 * ctx_.opt.max_message_chars);
    if (!text) return c.reply(Response::error(text.error()));
    if (text->find_first_not_of(" \t\r\n") == std::string::npos)
        return c.reply(Response::error(400, "empty_message", "The message is empty."));
    if (utf8_chars(*text) > ctx_.opt.max_message_chars)
        return c.reply(Response::error(413, "message_too_long", "The message is too long."));
    ctx_.staff_note(*id, *c.who, *text,
                    [this, id = *id, who = *c.who, address = c.request.remote_address, reply = c.reply](Result<json> r) {
                        if (!r) return reply(Response::error(r.error()));
                        // The text itself is in the conversation; the audit says who whispered where.
                        ctx_.audit(who, "whisper", "contact:" + std::to_string(id), address,
                                   {{"message_id", (*r)["id"]}});
                        reply(Response::json(201, *r));
                    });
}

}  // namespace centrala::api
