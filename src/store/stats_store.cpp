#include "centrala/store/stats_store.hpp"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

namespace centrala::store {

using namespace std::chrono;

std::vector<StatEvent> stat_events_from(const routing::Events& events, const routing::Core& core) {
    using routing::EventType;
    std::vector<StatEvent> out;
    auto base = [&](const routing::Event& e, const char* type, const std::string& queue) {
        StatEvent s;
        s.contact_id = e.contact;
        s.at = e.at;
        s.type = type;
        s.queue = queue;
        s.channel = std::string(routing::to_string(e.channel));
        if (auto spec = core.contact(e.contact)) s.topic = spec->topic;
        return s;
    };
    // One contact_handled row per agent whose part ended; the first counts for the queue.
    auto handled = [&](const routing::Event& e, const std::string& queue) {
        bool first = true;
        for (auto a : e.agents) {
            auto s = base(e, stat::handled, queue);
            s.agent_id = a;
            s.handled_ms = e.handled_ms;
            s.flags = first ? stat::primary : 0;
            first = false;
            out.push_back(std::move(s));
        }
    };
    auto details = [](std::initializer_list<std::pair<const char*, std::string>> kv) {
        nlohmann::json j = nlohmann::json::object();
        for (const auto& [k, v] : kv) j[k] = v;
        return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    for (const auto& e : events) {
        switch (e.type) {
            case EventType::contact_queued: out.push_back(base(e, stat::queued, e.queue)); break;
            case EventType::contact_assigned: {
                auto s = base(e, stat::assigned, e.queue);
                if (!e.agents.empty()) s.agent_id = e.agents.front();
                s.waited_ms = e.waited_ms;
                if (e.reason == "answered") {
                    s.flags |= stat::answered_flag;
                    for (const auto& q : core.queue_settings())
                        if (q.id == e.queue && e.waited_ms <= int64_t(q.sla_seconds) * 1000) s.flags |= stat::in_sla;
                }
                s.details = details({{"reason", e.reason}});
                out.push_back(std::move(s));
                break;
            }
            case EventType::contact_abandoned: {
                auto s = base(e, stat::abandoned, e.queue);
                s.waited_ms = e.waited_ms;
                if (e.waited_ms < 10'000) s.flags |= stat::short_abandon;
                out.push_back(std::move(s));
                break;
            }
            case EventType::contact_closed: {
                handled(e, e.queue);
                auto s = base(e, stat::closed, e.queue);
                if (!e.agents.empty()) s.agent_id = e.agents.front();
                s.handled_ms = e.handled_ms;
                out.push_back(std::move(s));
                break;
            }
            case EventType::contact_transferred: {
                handled(e, e.from_queue);  // agents only when it had been answered
                auto s = base(e, stat::transferred, e.from_queue);
                if (!e.agents.empty()) s.agent_id = e.agents.front();
                s.handled_ms = e.handled_ms;
                if (e.reason == "transfer" && e.queue != e.from_queue) s.flags |= stat::transfer_queue;
                if (e.reason == "transfer_to_agent") s.flags |= stat::transfer_agent;
                if (e.reason == "overflow") s.flags |= stat::overflow;
                s.details = details({{"to_queue", e.queue}, {"reason", e.reason}});
                out.push_back(std::move(s));
                // Entering another queue (or the same one again) is offered there.
                if (e.reason != "transfer_to_agent") {
                    auto q = base(e, stat::queued, e.queue);
                    q.details = details({{"from_queue", e.from_queue}, {"reason", e.reason}});
                    out.push_back(std::move(q));
                }
                break;
            }
            case EventType::offer_revoked:
                for (auto a : e.missed) {
                    auto s = base(e, stat::missed, e.queue);
                    s.agent_id = a;
                    out.push_back(std::move(s));
                }
                break;
            default: break;
        }
    }
    return out;
}

Counters& Counters::operator+=(const Counters& o) {
    offered += o.offered;
    answered += o.answered;
    answered_in_sla += o.answered_in_sla;
    abandoned += o.abandoned;
    abandoned_short += o.abandoned_short;
    wait_ms += o.wait_ms;
    handled += o.handled;
    handle_ms += o.handle_ms;
    closed += o.closed;
    fcr += o.fcr;
    transfers += o.transfers;
    overflows += o.overflows;
    cases += o.cases;
    missed += o.missed;
    csat_sum += o.csat_sum;
    csat_count += o.csat_count;
    return *this;
}

double Counters::service_level_pct() const {
    return offered == 0 ? 100.0 : 100.0 * double(answered_in_sla) / double(offered);
}
double Counters::asa_seconds() const { return answered == 0 ? 0.0 : double(wait_ms) / 1000.0 / double(answered); }
double Counters::aht_seconds() const { return handled == 0 ? 0.0 : double(handle_ms) / 1000.0 / double(handled); }
double Counters::fcr_pct() const { return closed == 0 ? 0.0 : 100.0 * double(fcr) / double(closed); }
std::optional<double> Counters::csat_avg() const {
    if (csat_count == 0) return std::nullopt;
    return double(csat_sum) / double(csat_count);
}

void add_to_counters(Counters& c, const std::string& type, int flags, int64_t waited_ms, int64_t handled_ms,
                     std::optional<int> score, bool agent_view) {
    const bool counts_for_queue = agent_view || (flags & stat::primary);
    if (type == stat::queued) {
        if (!agent_view) c.offered++;
    } else if (type == stat::assigned) {
        if (flags & stat::answered_flag) {
            c.answered++;
            c.wait_ms += waited_ms;
            if (flags & stat::in_sla) c.answered_in_sla++;
        }
    } else if (type == stat::abandoned) {
        if (!agent_view) {
            c.abandoned++;
            if (flags & stat::short_abandon) c.abandoned_short++;
        }
    } else if (type == stat::handled) {
        if (counts_for_queue) {
            c.handled++;
            c.handle_ms += handled_ms;
        }
    } else if (type == stat::closed) {
        c.closed++;
        if (flags & stat::first_contact) c.fcr++;
    } else if (type == stat::transferred) {
        if (flags & stat::transfer_queue) c.transfers++;
        if (flags & stat::overflow) c.overflows++;
    } else if (type == stat::missed) {
        c.missed++;
    } else if (type == stat::rated) {
        if (counts_for_queue && score) {
            c.csat_sum += *score;
            c.csat_count++;
        }
    } else if (type == stat::case_opened) {
        c.cases++;
    } else if (type == stat::fcr_revoked) {
        c.fcr--;  // the close it corrects counted one
    }
}

std::optional<GroupBy> parse_group_by(const std::string& s) {
    if (s == "day") return GroupBy::day;
    if (s == "hour") return GroupBy::hour;
    if (s == "queue") return GroupBy::queue;
    if (s == "agent") return GroupBy::agent;
    if (s == "topic") return GroupBy::topic;
    if (s == "channel") return GroupBy::channel;
    return std::nullopt;
}

const char* to_string(GroupBy g) {
    switch (g) {
        case GroupBy::day: return "day";
        case GroupBy::hour: return "hour";
        case GroupBy::queue: return "queue";
        case GroupBy::agent: return "agent";
        case GroupBy::topic: return "topic";
        case GroupBy::channel: return "channel";
    }
    return "day";
}

int day_number(Date d) {
    return int(d.year()) * 10000 + int(unsigned(d.month())) * 100 + int(unsigned(d.day()));
}

Date day_of_number(int n) { return Date{year{n / 10000}, month{unsigned(n / 100 % 100)}, day{unsigned(n % 100)}}; }

SysTime warsaw_midnight(Date d) {
    // Summer time changes at 01:00 UTC, never near local midnight, so the
    // offset two hours before UTC midnight is the offset at local midnight.
    const SysTime utc_midnight{sys_days{d}};
    return utc_midnight - warsaw_utc_offset(utc_midnight - hours(2));
}

namespace {

constexpr const char* counter_columns =
    "offered, answered, answered_in_sla, abandoned, abandoned_short, wait_ms, handled, handle_ms, closed, fcr, "
    "transfers, overflows, cases, missed, csat_sum, csat_count";

std::string sums() {
    std::string out;
    const char* p = counter_columns;
    while (*p) {
        const char* e = std::strchr(p, ',');
        std::string col = e ? std::string(p, e) : std::string(p);
        out += (out.empty() ? "" : ", ") + std::string("sum(") + col + ")";
        if (!e) break;
        p = e + 2;
    }
    return out;
}

void bind_counters(Statement& st, int first, const Counters& c) {
    const int64_t v[] = {c.offered, c.answered, c.answered_in_sla, c.abandoned, c.abandoned_short, c.wait_ms,
                         c.handled, c.handle_ms, c.closed,   c.fcr,       c.transfers,       c.overflows,
                         c.cases,   c.missed,  c.csat_sum, c.csat_count};
    for (int i = 0; i < 16; ++i) st.bind(first + i, v[i]);
}

Counters read_counters(const Statement& st, int first) {
    Counters c;
    int64_t* v[] = {&c.offered, &c.answered, &c.answered_in_sla, &c.abandoned, &c.abandoned_short, &c.wait_ms,
                    &c.handled, &c.handle_ms, &c.closed,   &c.fcr,       &c.transfers,       &c.overflows,
                    &c.cases,   &c.missed,  &c.csat_sum, &c.csat_count};
    for (int i = 0; i < 16; ++i) *v[i] = st.int64(first + i);
    return c;
}

std::string upsert_sql(const std::string& table, const std::string& keys, int nkeys) {
    std::string sql = "INSERT INTO " + table + " (" + keys + ", " + counter_columns + ") VALUES (";
    for (int i = 0; i < nkeys + 16; ++i) sql += i ? ", ?" : "?";
    sql += ") ON CONFLICT (" + keys + ") DO UPDATE SET ";
    const char* p = counter_columns;
    bool first = true;
    while (*p) {
        const char* e = std::strchr(p, ',');
        std::string col = e ? std::string(p, e) : std::string(p);
        sql += (first ? "" : ", ") + col + " = " + col + " + excluded." + col;
        first = false;
        if (!e) break;
        p = e + 2;
    }
    return sql;
}

std::string day_text(int n) { return centrala::to_string(day_of_number(n)); }

// Fills a row's key fields from the group key columns.
void set_key(ReportRow& r, GroupBy g, int day, int hour, const std::string& text, int64_t agent) {
    switch (g) {
        case GroupBy::day:
            r.day = day_text(day);
            r.key = r.day;
            break;
        case GroupBy::hour:
            r.day = day_text(day);
            r.hour = hour;
            r.key = r.day + "T" + (hour < 10 ? "0" : "") + std::to_string(hour);
            break;
        case GroupBy::agent: r.key = std::to_string(agent); break;
        default: r.key = text; break;
    }
}

}  // namespace

Result<int> StatsStore::record(const std::vector<StatEvent>& events) {
    if (events.empty()) return 0;
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto r = record_in_transaction(events);
    if (!r) return r.error();
    if (auto c = tx.commit(); !c) return c.error();
    return r;
}

Result<int> StatsStore::record_in_transaction(const std::vector<StatEvent>& events) {
    if (events.empty()) return 0;
    auto last_queued = db_.prepare(
        "SELECT channel, topic, queue FROM contact_events WHERE contact_id = ? AND type = 'contact_queued' "
        "AND local_day IS NOT NULL ORDER BY id DESC LIMIT 1");
    auto contact = db_.prepare("SELECT channel, topic, coalesce(queue, '') FROM contacts WHERE id = ?");
    // First-contact resolution: never transferred, and no case opened.
    auto not_first = db_.prepare(
        "SELECT 1 FROM contact_events WHERE contact_id = ? AND ((type = 'contact_transferred' AND (flags & ?) != 0) "
        "OR type = 'case_opened') LIMIT 1");
    // Closes of this contact counted as resolved at first contact and not taken back yet.
    auto resolved_closes = db_.prepare(
        "SELECT c.id, c.at, c.queue, c.agent_id, c.channel, c.topic FROM contact_events c WHERE c.contact_id = ? "
        "AND c.type = 'contact_closed' AND (c.flags & ?) != 0 AND c.local_day IS NOT NULL AND NOT EXISTS (SELECT 1 "
        "FROM contact_events r WHERE r.contact_id = c.contact_id AND r.type = 'fcr_revoked' AND "
        "json_extract(r.details, '$.closed_event') = c.id) ORDER BY c.id");
    auto insert = db_.prepare(
        "INSERT INTO contact_events (contact_id, at, type, queue, agent_id, details, local_day, local_hour, channel, "
        "topic, waited_ms, handled_ms, flags, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    auto hourly = db_.prepare(upsert_sql("stats_hourly", "local_day, local_hour, queue, topic, channel", 5));
    auto daily = db_.prepare(upsert_sql("stats_agent_daily", "local_day, agent_id, queue", 3));
    for (auto* st : {&last_queued, &contact, &not_first, &resolved_closes, &insert, &hourly, &daily})
        if (!*st) return st->error();

    // One row: stored, and added to the sums through add_to_counters.
    auto store_row = [&](const StatEvent& e, const std::string& channel, const std::string& topic,
                         int flags) -> Result<int64_t> {
        const LocalTime lt = to_warsaw(e.at);
        const int day = day_number(lt.date);
        const int hour = lt.minute_of_day / 60;
        insert->reset();
        insert->bind(1, e.contact_id).bind(2, to_unix_ms(e.at)).bind(3, e.type).bind(4, e.queue).bind(5, e.agent_id);
        insert->bind(6, e.details.empty() ? std::string("{}") : e.details).bind(7, day).bind(8, hour);
        insert->bind(9, channel).bind(10, topic).bind(11, e.waited_ms).bind(12, e.handled_ms).bind(13, flags);
        insert->bind(14, e.score);
        if (auto r = insert->run(); !r) return r.error();
        const int64_t id = db_.last_insert_id();

        Counters q;
        add_to_counters(q, e.type, flags, e.waited_ms, e.handled_ms, e.score, false);
        if (!(q == Counters{})) {
            hourly->reset();
            hourly->bind(1, day).bind(2, hour).bind(3, e.queue).bind(4, topic).bind(5, channel);
            bind_counters(*hourly, 6, q);
            if (auto r = hourly->run(); !r) return r.error();
        }
        if (e.agent_id) {
            Counters a;
            add_to_counters(a, e.type, flags, e.waited_ms, e.handled_ms, e.score, true);
            if (!(a == Counters{})) {
                daily->reset();
                daily->bind(1, day).bind(2, *e.agent_id).bind(3, e.queue);
                bind_counters(*daily, 4, a);
                if (auto r = daily->run(); !r) return r.error();
            }
        }
        return id;
    };

    int skipped = 0;
    for (const auto& event : events) {
        StatEvent e = event;
        contact->reset();
        contact->bind(1, e.contact_id);
        auto found = contact->step();
        if (!found) return found.error();
        if (!*found) {
            ++skipped;
            continue;
        }
        std::string channel = e.channel, topic = e.topic;
        if (channel.empty() || topic.empty() || e.queue.empty()) {
            last_queued->reset();
            last_queued->bind(1, e.contact_id);
            auto q = last_queued->step();
            if (!q) return q.error();
            const Statement& src = *q ? *last_queued : *contact;
            if (channel.empty()) channel = src.text(0);
            if (topic.empty()) topic = src.text(1);
            if (e.queue.empty()) e.queue = src.text(2);
        }
        int flags = e.flags;
        if (e.type == stat::closed) {
            not_first->reset();
            not_first->bind(1, e.contact_id).bind(2, int64_t(stat::transfer_queue | stat::transfer_agent));
            auto t = not_first->step();
            if (!t) return t.error();
            if (!*t) flags |= stat::first_contact;
        }
        auto id = store_row(e, channel, topic, flags);
        if (!id) return id.error();
        if (e.type != stat::case_opened) continue;
        // A case after the close: the close no longer counts as resolved.
        std::vector<StatEvent> revoked;
        resolved_closes->reset();
        resolved_closes->bind(1, e.contact_id).bind(2, int64_t(stat::first_contact));
        auto rows = resolved_closes->for_each_row([&] {
            StatEvent r;
            r.contact_id = e.contact_id;
            r.type = stat::fcr_revoked;
            r.at = from_unix_ms(resolved_closes->int64(1));
            r.queue = resolved_closes->text(2);
            if (!resolved_closes->is_null(3)) r.agent_id = resolved_closes->int64(3);
            r.channel = resolved_closes->text(4);
            r.topic = resolved_closes->text(5);
            r.details = nlohmann::json{{"closed_event", resolved_closes->int64(0)}, {"case_event", *id}}.dump();
            revoked.push_back(std::move(r));
        });
        if (!rows) return rows.error();
        for (const auto& r : revoked)
            if (auto rid = store_row(r, r.channel, r.topic, 0); !rid) return rid.error();
    }
    return skipped;
}

Result<std::vector<StatsStore::Stored>> StatsStore::stored_after(int64_t after_id, int limit) {
    auto st = db_.prepare(
        "SELECT id, local_day, contact_id, at, type, queue, agent_id, channel, topic, waited_ms, handled_ms, flags, "
        "score FROM contact_events WHERE id > ? AND local_day IS NOT NULL ORDER BY id LIMIT ?");
    if (!st) return st.error();
    st->bind(1, after_id).bind(2, int64_t{limit});
    std::vector<Stored> out;
    auto rows = st->for_each_row([&] {
        Stored s;
        s.id = st->int64(0);
        s.local_day = int(st->int64(1));
        auto& e = s.event;
        e.contact_id = st->int64(2);
        e.at = from_unix_ms(st->int64(3));
        e.type = st->text(4);
        e.queue = st->text(5);
        if (!st->is_null(6)) e.agent_id = st->int64(6);
        e.channel = st->text(7);
        e.topic = st->text(8);
        e.waited_ms = st->int64(9);
        e.handled_ms = st->int64(10);
        e.flags = int(st->int64(11));
        if (!st->is_null(12)) e.score = int(st->int64(12));
        out.push_back(std::move(s));
    });
    if (!rows) return rows.error();
    return out;
}

Result<int64_t> StatsStore::last_event_id() {
    auto st = db_.prepare("SELECT coalesce(max(id), 0) FROM contact_events");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return st->int64(0);
}

Result<void> StatsStore::save_sample(SysTime minute, const std::string& sample_json, SysTime keep_from) {
    auto put = db_.prepare("INSERT OR REPLACE INTO stats_samples (at, sample) VALUES (?, ?)");
    auto prune = db_.prepare("DELETE FROM stats_samples WHERE at < ?");
    if (!put) return put.error();
    if (!prune) return prune.error();
    put->bind(1, to_unix_ms(minute)).bind(2, sample_json);
    if (auto r = put->run(); !r) return r.error();
    prune->bind(1, to_unix_ms(keep_from));
    return prune->run();
}

Result<std::vector<std::string>> StatsStore::samples_since(SysTime from) {
    auto st = db_.prepare("SELECT sample FROM stats_samples WHERE at >= ? ORDER BY at");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(from));
    std::vector<std::string> out;
    auto rows = st->for_each_row([&] { out.push_back(st->text(0)); });
    if (!rows) return rows.error();
    return out;
}

Result<std::vector<ReportRow>> StatsStore::summary(Date from, Date to, GroupBy group) {
    std::string key;
    std::string table = "stats_hourly";
    switch (group) {
        case GroupBy::day: key = "local_day, 0, ''"; break;
        case GroupBy::hour: key = "local_day, local_hour, ''"; break;
        case GroupBy::queue: key = "0, 0, queue"; break;
        case GroupBy::topic: key = "0, 0, topic"; break;
        case GroupBy::channel: key = "0, 0, channel"; break;
        case GroupBy::agent:
            key = "0, agent_id, ''";
            table = "stats_agent_daily";
            break;
    }
    const std::string group_cols = group == GroupBy::agent ? "agent_id"
                                   : group == GroupBy::day  ? "local_day"
                                   : group == GroupBy::hour ? "local_day, local_hour"
                                                            : std::string(to_string(group));
    auto st = db_.prepare("SELECT " + key + ", " + sums() + " FROM " + table +
                          " WHERE local_day BETWEEN ? AND ? GROUP BY " + group_cols + " ORDER BY " + group_cols);
    if (!st) return st.error();
    st->bind(1, day_number(from)).bind(2, day_number(to));
    std::vector<ReportRow> out;
    auto rows = st->for_each_row([&] {
        ReportRow r;
        set_key(r, group, int(st->int64(0)), int(st->int64(1)), st->text(2), st->int64(1));
        r.counters = read_counters(*st, 3);
        out.push_back(std::move(r));
    });
    if (!rows) return rows.error();
    return out;
}

Result<std::vector<ReportRow>> StatsStore::recount(Date from, Date to, GroupBy group) {
    auto st = db_.prepare(
        "SELECT local_day, local_hour, queue, agent_id, topic, channel, type, flags, waited_ms, handled_ms, score "
        "FROM contact_events WHERE at >= ? AND at < ? AND local_day IS NOT NULL");
    if (!st) return st.error();
    const Date after{sys_days{to} + days{1}};
    st->bind(1, to_unix_ms(warsaw_midnight(from))).bind(2, to_unix_ms(warsaw_midnight(after)));
    // Sort keys: (day, hour) for time, the agent id as a number, else the text.
    std::map<std::tuple<int, int64_t, std::string>, Counters> groups;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        const bool agent_view = group == GroupBy::agent;
        if (agent_view && st->is_null(3)) continue;
        std::tuple<int, int64_t, std::string> k{0, 0, ""};
        switch (group) {
            case GroupBy::day: k = {int(st->int64(0)), 0, ""}; break;
            case GroupBy::hour: k = {int(st->int64(0)), st->int64(1), ""}; break;
            case GroupBy::queue: k = {0, 0, st->text(2)}; break;
            case GroupBy::agent: k = {0, st->int64(3), ""}; break;
            case GroupBy::topic: k = {0, 0, st->text(4)}; break;
            case GroupBy::channel: k = {0, 0, st->text(5)}; break;
        }
        std::optional<int> score;
        if (!st->is_null(10)) score = int(st->int64(10));
        add_to_counters(groups[k], st->text(6), int(st->int64(7)), st->int64(8), st->int64(9), score, agent_view);
    }
    std::vector<ReportRow> out;
    for (const auto& [k, c] : groups) {
        if (c == Counters{}) continue;  // e.g. a queue whose only events count for agents
        ReportRow r;
        set_key(r, group, std::get<0>(k), int(std::get<1>(k)), std::get<2>(k), std::get<1>(k));
        r.counters = c;
        out.push_back(std::move(r));
    }
    return out;
}

Result<std::vector<StatEvent>> StatsStore::new_ratings(SysTime since) {
    auto st = db_.prepare(
        "SELECT r.contact_id, r.score, r.created_at, coalesce((SELECT e.queue FROM contact_events e WHERE e.contact_id = "
        "r.contact_id AND e.type = 'contact_queued' AND e.local_day IS NOT NULL ORDER BY e.id DESC LIMIT 1), c.queue, '') "
        "FROM ratings r JOIN contacts c ON c.id = r.contact_id WHERE r.created_at >= ? AND NOT EXISTS (SELECT 1 FROM contact_events e WHERE e.contact_id = "
        "r.contact_id AND e.type = 'contact_rated') ORDER BY r.created_at, r.contact_id");
    auto agents = db_.prepare(
        "SELECT user_id FROM contact_agents WHERE contact_id = ? GROUP BY user_id ORDER BY min(joined_at), user_id");
    if (!st) return st.error();
    if (!agents) return agents.error();
    st->bind(1, to_unix_ms(since));
    std::vector<StatEvent> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        StatEvent e;
        e.contact_id = st->int64(0);
        e.score = int(st->int64(1));
        e.at = from_unix_ms(st->int64(2));
        e.queue = st->text(3);
        e.type = stat::rated;
        agents->reset();
        agents->bind(1, e.contact_id);
        bool first = true;
        for (;;) {
            auto a = agents->step();
            if (!a) return a.error();
            if (!*a) break;
            StatEvent ev = e;
            ev.agent_id = agents->int64(0);
            ev.flags = first ? stat::primary : 0;
            first = false;
            out.push_back(std::move(ev));
        }
        if (first) {
            e.flags = stat::primary;
            out.push_back(std::move(e));
        }
    }
    return out;
}

Result<std::map<std::string, std::string>> StatsStore::queue_overrides() {
    auto st = db_.prepare("SELECT queue, settings FROM queue_overrides ORDER BY queue");
    if (!st) return st.error();
    std::map<std::string, std::string> out;
    auto rows = st->for_each_row([&] { out[st->text(0)] = st->text(1); });
    if (!rows) return rows.error();
    return out;
}

Result<void> StatsStore::save_queue_override(const std::string& queue, const std::string& settings_json,
                                             std::optional<int64_t> by, SysTime at) {
    auto st = db_.prepare(
        "INSERT INTO queue_overrides (queue, settings, updated_by, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (queue) DO UPDATE SET settings = excluded.settings, updated_by = excluded.updated_by, "
        "updated_at = excluded.updated_at");
    if (!st) return st.error();
    st->bind(1, queue).bind(2, settings_json).bind(3, by).bind(4, to_unix_ms(at));
    return st->run();
}

}  // namespace centrala::store
