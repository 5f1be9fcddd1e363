#include "centrala/routing/core.hpp"

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

namespace centrala::routing {

namespace {

using namespace std::chrono;

// Place in line: higher priority first, then the earlier (effective) enqueue
// time, then arrival order. A contact keeps its key while offered, so a
// rejected or lapsed offer puts it back exactly where it was.
struct WaitKey {
    int neg_priority;
    int64_t enqueued_ms;
    uint64_t seq;
    ContactId id;
    bool operator<(const WaitKey& o) const {
        return std::tie(neg_priority, enqueued_ms, seq, id) < std::tie(o.neg_priority, o.enqueued_ms, o.seq, o.id);
    }
};

// Order-statistics tree: O(log n) insert, erase and rank (queue position).
using WaitSet = __gnu_pbds::tree<WaitKey, __gnu_pbds::null_type, std::less<WaitKey>, __gnu_pbds::rb_tree_tag,
                                 __gnu_pbds::tree_order_statistics_node_update>;

// A ready agent in a queue's index, best first.
struct ReadyKey {
    int64_t k1;
    int64_t k2;
    AgentId id;
    bool operator<(const ReadyKey& o) const { return std::tie(k1, k2, id) < std::tie(o.k1, o.k2, o.id); }
};

enum class TimerKind { offer_expiry, wrap_up_end, overflow, preferred_expiry, decline_expiry };

struct Timer {
    SysTime at;
    TimerKind kind;
    int64_t id;
    bool operator<(const Timer& o) const {
        return std::tie(at, kind, id) < std::tie(o.at, o.kind, o.id);
    }
};

constexpr int64_t ms(SysTime t) { return t.time_since_epoch().count(); }

int channel_index(Channel c) { return static_cast<int>(c); }

// Agent counters per queue for the wallboard.
enum class Category { none, available, busy, wrap_up, on_break };

}  // namespace

struct Core::State {
    struct ContactRec {
        ContactSpec spec;
        int qi = -1;
        ContactState state = ContactState::waiting;
        SysTime enqueued_at{};      // original: the honest waiting time
        SysTime queued_here_at{};   // entered the current queue
        SysTime overflow_at{};      // zero when the queue has no overflow
        uint64_t seq = 0;
        WaitKey key{};
        std::optional<OfferId> offer;
        std::vector<AgentId> agents;
        SysTime assigned_at{};
        std::map<AgentId, SysTime> declined;  // agent -> skip until
        std::optional<std::string> pending_invite;
        std::vector<std::string> history;
        bool answered_here = false;  // counted as answered in the current queue
        std::string group;           // key in QueueRec::groups while waiting
    };

    static constexpr const char* reserved_group = "@reserved";

    std::string group_of(const ContactRec& c) const {
        if (preferred_active(c)) return reserved_group;
        std::string g = c.spec.needs_interpreter ? "+interpreter" : "";
        for (const auto& [skill, level] : c.spec.skills) g += ";" + skill + ":" + std::to_string(level);
        return g;
    }

    struct AgentRec {
        AgentProfile p;
        AgentStatus status = AgentStatus::offline;
        std::string reason;
        SysTime status_since{};
        std::array<int, channel_count> active{};
        std::array<int, channel_count> capacity{};
        std::set<ContactId> contacts;
        std::optional<OfferId> offer;
        SysTime wrap_up_until{};
        SysTime idle_since{};
        uint64_t last_offer_seq = 0;
        int missed = 0;
        std::vector<int> queues;  // eligible queue indexes (the interpreter pool included)
        std::vector<std::tuple<int, int, ReadyKey>> indexed;
        std::vector<std::pair<int, Category>> counted;
        std::vector<std::pair<int, int>> staffed;  // (queue, channel) slot contributions
        AgentActivity activity = AgentActivity::idle;
        SysTime activity_since{};
        int64_t handled_today = 0;
        int64_t total_handle_ms = 0;
        int64_t missed_today = 0;
        // Time spent today in each state word (available, busy, wrap_up, break, ...).
        std::map<std::string, int64_t> state_ms_today;
        std::string state_word = "offline";
        SysTime state_word_since{};
        bool in_wrap_up(SysTime now) const { return wrap_up_until > now; }
    };

    struct QueueRec {
        QueueConfig cfg;
        bool pool = false;  // the interpreter pool, not a real queue
        std::array<WaitSet, channel_count> waiting;  // every waiting contact: positions
        // The same contacts grouped by what they require beyond the queue
        // (extra skills, an interpreter), so an agent looks only at the head
        // of each group it can serve: O(groups x log n), not a scan of the line.
        struct Group {
            Skills skills;
            bool interpreter = false;
            std::set<WaitKey> keys;
        };
        std::array<std::map<std::string, Group>, channel_count> groups;
        std::set<std::pair<SysTime, ContactId>> by_age;
        std::array<std::set<ReadyKey>, channel_count> ready;
        std::array<int, channel_count> staffed_slots{};
        std::array<bool, channel_count> serves{};
        QueueStats stats;
        double aht_ewma_s = 300.0;
    };

    struct OfferRec {
        OfferId id = 0;
        ContactId contact = 0;
        std::vector<AgentId> agents;
        std::set<AgentId> accepted;
        SysTime created{}, expires{};
        bool invite = false;
    };

    State(const Clock& c, CoreConfig cfg) : clock(c), config(std::move(cfg)) {
        for (const auto& q : config.queues) add_queue(q, false);
        QueueConfig pool;
        pool.settings.id = "__interpreters";
        pool.settings.name = "PJM";
        pool.settings.channels = {"video", "chat", "voice"};
        pool.settings.skills = {{config.interpreter_skill, 1}};
        pool.settings.offer_timeout_seconds = 30;
        pool_qi = add_queue(pool, true);
        today = to_warsaw(clock.now()).date;
        day_start = midnight_of(clock.now());
    }

    static SysTime midnight_of(SysTime t) {
        const LocalTime lt = to_warsaw(t);
        return t - minutes(lt.minute_of_day) - (t - floor<minutes>(t));
    }

    int add_queue(const QueueConfig& q, bool is_pool) {
        QueueRec r;
        r.cfg = q;
        r.pool = is_pool;
        for (const auto& ch : q.settings.channels)
            if (auto c = parse_channel(ch)) r.serves[channel_index(*c)] = true;
        r.stats.id = q.settings.id;
        r.stats.name = q.settings.name;
        queues.push_back(std::move(r));
        const int qi = int(queues.size()) - 1;
        if (!is_pool) queue_index[q.settings.id] = qi;
        return qi;
    }

    const Clock& clock;
    CoreConfig config;
    std::vector<QueueRec> queues;
    std::unordered_map<std::string, int> queue_index;
    int pool_qi = -1;
    std::unordered_map<ContactId, ContactRec> contacts;
    std::unordered_map<AgentId, AgentRec> agents;
    std::unordered_map<OfferId, OfferRec> offers;
    std::set<Timer> timers;
    std::set<WaitKey> interpreter_waiting;  // waiting contacts that need an interpreter
    std::set<ContactId> pending_invites;
    // Contacts reserved for a named agent (may sit in queues the agent does
    // not otherwise serve). Stale entries are dropped when looked at.
    std::multimap<AgentId, ContactId> reserved;
    OfferId next_offer = 1;
    uint64_t next_seq = 1;
    uint64_t offer_seq = 0;
    Date today{};
    SysTime day_start{};  // midnight Warsaw time that began `today`

    // Per-command scratch.
    Events out;
    // (queue, channel) whose line changed in this command -> the smallest key
    // that went in or out: only contacts from that key on moved.
    std::map<std::pair<int, int>, WaitKey> dirty_positions;
    std::set<AgentId> dirty_agents;
    std::vector<ContactId> dirty_contacts;
    bool stats_dirty = false;

    SysTime now() const { return clock.now(); }

    // ---------------------------------------------------------------- events

    Event& emit(EventType t) {
        out.push_back(Event{t});
        out.back().at = now();
        return out.back();
    }

    Events finish() {
        dispatch();
        for (const auto& [qc, first] : dirty_positions) {
            const auto [qi, ch] = qc;
            Event& e = emit(EventType::positions_changed);
            e.queue = queues[qi].cfg.settings.id;
            e.channel = Channel(ch);
            // Contacts before this place kept theirs.
            e.position = int(queues[qi].waiting[ch].order_of_key(first)) + 1;
        }
        dirty_positions.clear();
        if (stats_dirty) emit(EventType::stats_changed);
        stats_dirty = false;
        Events r;
        r.swap(out);
        return r;
    }

    void roll_day() {
        const Date d = to_warsaw(now()).date;
        if (d == today) return;
        today = d;
        for (auto& q : queues) {
            auto& st = q.stats;
            st.offered_today = st.answered_today = st.answered_in_sla_today = 0;
            st.abandoned_today = st.abandoned_short_today = 0;
            st.total_wait_answered_ms = st.handled_today = st.total_handle_ms = 0;
        }
        day_start = midnight_of(now());
        for (auto& [id, a] : agents) {
            a.handled_today = 0;
            a.total_handle_ms = 0;
            a.missed_today = 0;
            a.state_ms_today.clear();
        }
        stats_dirty = true;
    }

    // ---------------------------------------------------------------- agents

    bool eligible(const AgentRec& a, const Skills& required) const {
        for (const auto& [skill, level] : required) {
            auto it = a.p.skills.find(skill);
            if (it == a.p.skills.end() || it->second < level) return false;
        }
        return true;
    }

    void compute_queues(AgentRec& a) {
        a.queues.clear();
        for (int qi = 0; qi < int(queues.size()); ++qi)
            if (eligible(a, queues[qi].cfg.settings.skills)) a.queues.push_back(qi);
    }

    void load_capacity(AgentRec& a) {
        a.capacity = {};
        for (const auto& [ch, n] : a.p.capacity)
            if (auto c = parse_channel(ch)) a.capacity[channel_index(*c)] = n;
    }

    int total_active(const AgentRec& a) const {
        int n = 0;
        for (int v : a.active) n += v;
        return n;
    }

    bool ready_for(const AgentRec& a, Channel ch) const {
        if (a.status != AgentStatus::available || a.offer || a.in_wrap_up(now())) return false;
        const int c = channel_index(ch);
        if (a.active[c] >= a.capacity[c]) return false;
        if (config.voice_excludes_chat && ch == Channel::chat &&
            a.active[channel_index(Channel::voice)] + a.active[channel_index(Channel::video)] > 0)
            return false;
        return true;
    }

    AgentActivity activity_of(const AgentRec& a) const {
        if (a.offer) return AgentActivity::offered;
        if (!a.contacts.empty()) return AgentActivity::busy;
        if (a.in_wrap_up(now())) return AgentActivity::wrap_up;
        return AgentActivity::idle;
    }

    Category category_of(const AgentRec& a) const {
        if (a.status == AgentStatus::offline && a.contacts.empty()) return Category::none;
        if (!a.contacts.empty() || a.offer) return Category::busy;
        if (a.in_wrap_up(now())) return Category::wrap_up;
        if (a.status == AgentStatus::on_break) return Category::on_break;
        if (a.status == AgentStatus::offline) return Category::none;
        return Category::available;
    }

    ReadyKey key_for(const AgentRec& a, const QueueRec& q) const {
        switch (q.cfg.strategy) {
            case Strategy::longest_idle: return {ms(a.idle_since), 0, a.p.id};
            case Strategy::least_occupied: {
                int cap = 0;
                for (int c : a.capacity) cap += c;
                return {cap == 0 ? 1000 : 1000 * total_active(a) / cap, ms(a.idle_since), a.p.id};
            }
            case Strategy::skill_level: {
                int level = 0;
                for (const auto& [skill, min] : q.cfg.settings.skills) {
                    auto it = a.p.skills.find(skill);
                    if (it != a.p.skills.end()) level += it->second;
                }
                return {-level, ms(a.idle_since), a.p.id};
            }
            case Strategy::round_robin: return {int64_t(a.last_offer_seq), 0, a.p.id};
        }
        return {0, 0, a.p.id};
    }

    void adjust_category(int qi, Category c, int delta) {
        auto& s = queues[qi].stats;
        switch (c) {
            case Category::available: s.agents_available += delta; break;
            case Category::busy: s.agents_busy += delta; break;
            case Category::wrap_up: s.agents_wrap_up += delta; break;
            case Category::on_break: s.agents_break += delta; break;
            case Category::none: break;
        }
    }

    // Re-files the agent in every index after any change to it.
    void reindex(AgentRec& a, bool status_changed = false) {
        for (auto& [qi, ch, key] : a.indexed) queues[qi].ready[ch].erase(key);
        a.indexed.clear();
        for (auto& [qi, cat] : a.counted) adjust_category(qi, cat, -1);
        a.counted.clear();
        for (auto& [qi, ch] : a.staffed) queues[qi].staffed_slots[ch] -= a.capacity[ch];
        a.staffed.clear();

        const Category cat = category_of(a);
        const bool staffed = a.status == AgentStatus::available;
        for (int qi : a.queues) {
            auto& q = queues[qi];
            const ReadyKey key = key_for(a, q);
            for (int ch = 0; ch < channel_count; ++ch) {
                if (!q.serves[ch]) continue;
                if (ready_for(a, Channel(ch))) {
                    q.ready[ch].insert(key);
                    a.indexed.emplace_back(qi, ch, key);
                }
                if (staffed && a.capacity[ch] > 0) {
                    q.staffed_slots[ch] += a.capacity[ch];
                    a.staffed.emplace_back(qi, ch);
                }
            }
            if (!q.pool) {
                adjust_category(qi, cat, +1);
                a.counted.emplace_back(qi, cat);
            }
        }
        const AgentActivity act = activity_of(a);
        const std::string word = act != AgentActivity::idle ? std::string(to_string(act)) : std::string(to_string(a.status));
        if (word != a.state_word) {
            a.state_ms_today[a.state_word] += ms(now()) - ms(std::max(a.state_word_since, day_start));
            a.state_word = word;
            a.state_word_since = now();
        }
        if (act != a.activity || status_changed) {
            if (act != a.activity) a.activity_since = now();
            a.activity = act;
            emit_agent_state(a);
        }
        if (!a.indexed.empty()) dirty_agents.insert(a.p.id);
        stats_dirty = true;
    }

    void emit_agent_state(const AgentRec& a) {
        Event& e = emit(EventType::agent_state_changed);
        e.agents = {a.p.id};
        e.status = a.status;
        e.activity = a.activity;
        e.reason = a.reason;
    }

    // -------------------------------------------------------------- contacts

    void index_waiting(ContactRec& c) {
        auto& q = queues[c.qi];
        const int ch = channel_index(c.spec.channel);
        q.waiting[ch].insert(c.key);
        c.group = group_of(c);
        auto& g = q.groups[ch][c.group];
        if (g.keys.empty()) {
            g.skills = c.spec.skills;
            g.interpreter = c.spec.needs_interpreter;
        }
        g.keys.insert(c.key);
        q.by_age.emplace(c.enqueued_at, c.spec.id);
        q.stats.waiting++;
        if (c.spec.needs_interpreter) interpreter_waiting.insert(c.key);
        c.state = ContactState::waiting;
        mark_positions(c.qi, ch, c.key);
        dirty_contacts.push_back(c.spec.id);
        stats_dirty = true;
        if (c.overflow_at != SysTime{}) timers.insert({std::max(c.overflow_at, now()), TimerKind::overflow, c.spec.id});
    }

    void mark_positions(int qi, int ch, const WaitKey& key) {
        auto [it, fresh] = dirty_positions.try_emplace({qi, ch}, key);
        if (!fresh && key < it->second) it->second = key;
    }

    void unindex_waiting(ContactRec& c) {
        auto& q = queues[c.qi];
        const int ch = channel_index(c.spec.channel);
        q.waiting[ch].erase(c.key);
        if (auto g = q.groups[ch].find(c.group); g != q.groups[ch].end()) {
            g->second.keys.erase(c.key);
            if (g->second.keys.empty()) q.groups[ch].erase(g);
        }
        q.by_age.erase({c.enqueued_at, c.spec.id});
        q.stats.waiting--;
        interpreter_waiting.erase(c.key);
        mark_positions(c.qi, ch, c.key);
        stats_dirty = true;
    }

    // Puts a contact in line in queue `qi`; enqueued_at is its original time.
    void place(ContactRec& c, int qi) {
        c.qi = qi;
        c.queued_here_at = now();
        c.answered_here = false;
        c.seq = next_seq++;
        c.key = WaitKey{-c.spec.priority, ms(c.enqueued_at), c.seq, c.spec.id};
        const auto& ov = queues[qi].cfg.settings.overflow;
        c.overflow_at = ov ? c.queued_here_at + seconds(ov->after_seconds) : SysTime{};
        index_waiting(c);
    }

    bool passes_contact_rules(const ContactRec& c, const AgentRec& a) const {
        if (c.spec.preferred_agent && c.spec.preferred_until && *c.spec.preferred_until > now() &&
            *c.spec.preferred_agent != a.p.id)
            return false;
        if (!eligible(a, c.spec.skills)) return false;
        auto d = c.declined.find(a.p.id);
        if (d != c.declined.end() && d->second > now()) return false;
        return true;
    }

    bool preferred_active(const ContactRec& c) const {
        return c.spec.preferred_agent && c.spec.preferred_until && *c.spec.preferred_until > now();
    }

    // An interpreter ready for `ch` who is not `except`.
    AgentRec* find_interpreter(const ContactRec& c, AgentId except) {
        for (const auto& key : queues[pool_qi].ready[channel_index(c.spec.channel)]) {
            if (key.id == except) continue;
            auto& i = agents.at(key.id);
            auto d = c.declined.find(i.p.id);
            if (d != c.declined.end() && d->second > now()) continue;
            return &i;
        }
        return nullptr;
    }

    struct Match {
        std::vector<AgentId> agents;
        std::string why;
    };

    // The best ready agent (and interpreter) for a waiting contact.
    std::optional<Match> find_agents_for(const ContactRec& c, std::optional<AgentId> fixed_interpreter = {}) {
        const auto& q = queues[c.qi];
        const int ch = channel_index(c.spec.channel);
        int considered = 0;
        if (preferred_active(c)) {
            auto it = agents.find(*c.spec.preferred_agent);
            if (it == agents.end() || !ready_for(it->second, c.spec.channel) || !eligible(it->second, c.spec.skills))
                return std::nullopt;
            Match m{{it->first}, "preferred agent " + std::to_string(it->first)};
            if (c.spec.needs_interpreter) {
                AgentRec* i = fixed_interpreter ? &agents.at(*fixed_interpreter) : find_interpreter(c, it->first);
                if (!i || i->p.id == it->first) return std::nullopt;
                m.agents.push_back(i->p.id);
            }
            return m;
        }
        for (const auto& key : q.ready[ch]) {
            ++considered;
            const auto& a = agents.at(key.id);
            if (!passes_contact_rules(c, a)) continue;
            if (fixed_interpreter && *fixed_interpreter == a.p.id) continue;
            Match m{{a.p.id}, {}};
            if (c.spec.needs_interpreter) {
                AgentRec* i = fixed_interpreter ? &agents.at(*fixed_interpreter) : find_interpreter(c, a.p.id);
                if (!i) return std::nullopt;  // no interpreter free: nobody is reserved alone
                m.agents.push_back(i->p.id);
            }
            m.why = "strategy " + std::string(to_string(q.cfg.strategy)) + ", " + std::to_string(q.ready[ch].size()) +
                    " ready agent(s) in queue " + q.cfg.settings.id + ", chose agent " + std::to_string(a.p.id) +
                    " after considering " + std::to_string(considered);
            return m;
        }
        return std::nullopt;
    }

    // The best waiting contact for a ready agent, across its queues.
    std::optional<ContactId> find_contact_for(const AgentRec& a, std::string& why) {
        const ContactRec* best = nullptr;
        int best_queue_priority = 0;
        int candidates = 0;
        for (int qi : a.queues) {
            const auto& q = queues[qi];
            if (q.pool) continue;
            for (int ch = 0; ch < channel_count; ++ch) {
                if (!q.serves[ch] || q.waiting[ch].empty() || !ready_for(a, Channel(ch))) continue;
                for (const auto& [name, g] : q.groups[ch]) {
                    if (name == reserved_group || !eligible(a, g.skills)) continue;
                    for (const auto& key : g.keys) {
                        const auto& c = contacts.at(key.id);
                        if (!passes_contact_rules(c, a)) continue;  // declined by this agent lately
                        if (c.spec.needs_interpreter && !find_interpreter(c, a.p.id)) break;
                        ++candidates;
                        const int qp = q.cfg.settings.priority;
                        if (!best || qp > best_queue_priority || (qp == best_queue_priority && c.key < best->key)) {
                            best = &c;
                            best_queue_priority = qp;
                        }
                        break;  // the first passing contact is this group's best
                    }
                }
            }
        }
        // Contacts reserved for a named agent are served by serve_reserved(),
        // since they may sit in queues this agent is not otherwise eligible for.
        if (!best) return std::nullopt;
        why = "agent " + std::to_string(a.p.id) + " ready; " + std::to_string(candidates) +
              " queue head(s) considered; longest-waiting highest-priority contact " + std::to_string(best->spec.id);
        return best->spec.id;
    }

    void make_offer(ContactRec& c, const Match& m, bool invite = false) {
        OfferRec o;
        o.id = next_offer++;
        o.contact = c.spec.id;
        o.agents = m.agents;
        o.created = now();
        const int timeout = invite ? queues[pool_qi].cfg.settings.offer_timeout_seconds
                                   : queues[c.qi].cfg.settings.offer_timeout_seconds;
        o.expires = now() + seconds(timeout);
        o.invite = invite;
        if (!invite) {
            unindex_waiting(c);
            c.state = ContactState::offered;
        }
        c.offer = o.id;
        for (AgentId id : o.agents) {
            auto& a = agents.at(id);
            a.offer = o.id;
            a.idle_since = now();
            a.last_offer_seq = ++offer_seq;
            reindex(a);
        }
        timers.insert({o.expires, TimerKind::offer_expiry, o.id});
        Event& e = emit(EventType::offer_created);
        e.contact = c.spec.id;
        e.offer = o.id;
        e.agents = o.agents;
        e.queue = queues[c.qi].cfg.settings.id;
        e.channel = c.spec.channel;
        e.expires_in = timeout;
        e.waited_ms = ms(now()) - ms(c.enqueued_at);
        e.why = m.why;
        e.reason = invite ? "invite" : "";
        e.note = c.pending_invite.value_or("");
        offers.emplace(o.id, std::move(o));
    }

    // Matches everything that can be matched after a change. Only contacts
    // that became waiting and agents that became ready can create a match, so
    // looking at those is complete.
    void dispatch() {
        for (;;) {
            bool progress = false;
            // Contacts first, oldest first, so arrival order decides ties.
            std::vector<ContactId> cs;
            cs.swap(dirty_contacts);
            std::sort(cs.begin(), cs.end(), [&](ContactId x, ContactId y) {
                auto ix = contacts.find(x), iy = contacts.find(y);
                if (ix == contacts.end() || iy == contacts.end()) return x < y;
                return ix->second.key < iy->second.key;
            });
            for (ContactId id : cs) {
                auto it = contacts.find(id);
                if (it == contacts.end() || it->second.state != ContactState::waiting) continue;
                if (auto m = find_agents_for(it->second)) {
                    make_offer(it->second, *m);
                    progress = true;
                }
            }
            std::vector<AgentId> as(dirty_agents.begin(), dirty_agents.end());
            dirty_agents.clear();
            for (AgentId id : as) {
                auto it = agents.find(id);
                if (it == agents.end()) continue;
                auto& a = it->second;
                if (a.indexed.empty()) continue;
                serve_invites(a);
                if (a.indexed.empty()) continue;
                if (serve_reserved(a)) {
                    progress = true;
                    continue;
                }
                std::string why;
                if (auto cid = find_contact_for(a, why)) {
                    auto& c = contacts.at(*cid);
                    Match m{{a.p.id}, why};
                    if (c.spec.needs_interpreter) {
                        AgentRec* i = find_interpreter(c, a.p.id);
                        if (!i) continue;
                        m.agents.push_back(i->p.id);
                    }
                    make_offer(c, m);
                    progress = true;
                } else if (std::find(a.queues.begin(), a.queues.end(), pool_qi) != a.queues.end()) {
                    // An interpreter became free: pair them with the oldest
                    // interpreter contact whose consultant side is ready.
                    for (const auto& key : interpreter_waiting) {
                        auto& c = contacts.at(key.id);
                        if (!ready_for(a, c.spec.channel)) continue;
                        auto d = c.declined.find(a.p.id);
                        if (d != c.declined.end() && d->second > now()) continue;
                        if (auto m = find_agents_for(c, a.p.id)) {
                            m->why += "; interpreter " + std::to_string(a.p.id) + " became free";
                            make_offer(c, *m);
                            progress = true;
                            break;
                        }
                    }
                }
            }
            if (!progress && dirty_contacts.empty() && dirty_agents.empty()) break;
        }
    }

    bool serve_reserved(AgentRec& a) {
        auto [lo, hi] = reserved.equal_range(a.p.id);
        const ContactRec* best = nullptr;
        for (auto it = lo; it != hi;) {
            auto c = contacts.find(it->second);
            if (c == contacts.end() || !preferred_active(c->second) || *c->second.spec.preferred_agent != a.p.id) {
                it = reserved.erase(it);
                continue;
            }
            if (c->second.state == ContactState::waiting && ready_for(a, c->second.spec.channel) &&
                (!best || c->second.key < best->key))
                best = &c->second;
            ++it;
        }
        if (!best) return false;
        auto m = find_agents_for(*best);
        if (!m) return false;
        make_offer(contacts.at(best->spec.id), *m);
        return true;
    }

    void serve_invites(AgentRec& a) {
        for (auto it = pending_invites.begin(); it != pending_invites.end();) {
            auto& c = contacts.at(*it);
            const std::string skill = *c.pending_invite;
            if (c.state != ContactState::active || c.offer) {
                ++it;
                continue;
            }
            auto d = c.declined.find(a.p.id);
            const bool declined = d != c.declined.end() && d->second > now();
            if (!declined && std::find(c.agents.begin(), c.agents.end(), a.p.id) == c.agents.end() &&
                eligible(a, {{skill, 1}}) && ready_for(a, c.spec.channel)) {
                it = pending_invites.erase(it);
                make_offer(c, Match{{a.p.id}, "invited skill " + skill + "; agent " + std::to_string(a.p.id) + " free"},
                           true);
                return;
            }
            ++it;
        }
    }

    void revoke_offer(OfferRec& o, const std::string& reason, const std::set<AgentId>& missed) {
        auto& c = contacts.at(o.contact);
        c.offer.reset();
        for (AgentId id : o.agents) {
            auto& a = agents.at(id);
            a.offer.reset();
            if (missed.count(id)) {
                a.missed++;
                a.missed_today++;
                c.declined[id] = now() + seconds(30);
                timers.insert({now() + seconds(30), TimerKind::decline_expiry, c.spec.id});
                if (a.missed >= config.missed_offers_to_break && a.status == AgentStatus::available) {
                    a.status = AgentStatus::on_break;
                    a.reason = "missed";
                    a.status_since = now();
                    reindex(a, true);
                    continue;
                }
            }
            reindex(a);
        }
        Event& e = emit(EventType::offer_revoked);
        e.contact = o.contact;
        e.offer = o.id;
        e.agents = o.agents;
        e.missed.assign(missed.begin(), missed.end());
        e.queue = queues[c.qi].cfg.settings.id;
        e.reason = reason;
        if (o.invite) {
            // A declined or lapsed invitation stays pending for the next free
            // agent with the skill; every such ready agent is looked at again.
            if (reason != "closed" && c.pending_invite) {
                pending_invites.insert(c.spec.id);
                for (auto& [aid, ag] : agents)
                    if (!ag.indexed.empty() && eligible(ag, {{*c.pending_invite, 1}})) dirty_agents.insert(aid);
            }
        } else if (c.state == ContactState::offered) {
            index_waiting(c);  // same key: back to its original place
        }
        offers.erase(o.id);
    }

    void release_agent_from(ContactRec& c, AgentRec& a, bool wrap_up) {
        a.contacts.erase(c.spec.id);
        a.active[channel_index(c.spec.channel)]--;
        if (wrap_up) {
            const int w = queues[c.qi].cfg.settings.wrap_up_seconds;
            if (w > 0) {
                a.wrap_up_until = std::max(a.wrap_up_until, now() + seconds(w));
                timers.insert({a.wrap_up_until, TimerKind::wrap_up_end, a.p.id});
            }
        }
        reindex(a);
    }

    // Before a transfer: the agents serving the contact are released (their
    // part counts as handled, wrap-up follows), a pending offer is revoked, and
    // a waiting contact leaves its line. Returns who served it.
    std::vector<AgentId> take_out_of_service(ContactRec& c, int64_t& handled_ms) {
        std::vector<AgentId> previous = c.agents;
        handled_ms = 0;
        if (c.state == ContactState::active) {
            if (c.offer) revoke_offer(offers.at(*c.offer), "closed", {});
            handled_ms = count_handled(c);
            for (AgentId aid : previous) release_agent_from(c, agents.at(aid), true);
            c.agents.clear();
        } else if (c.offer) {
            auto& o = offers.at(*c.offer);
            c.state = ContactState::closed;  // so the revoke does not put it back in line
            revoke_offer(o, "transferred", {});
        } else {
            unindex_waiting(c);
        }
        return previous;
    }

    // Callbacks held by an agent who went offline go back in line in their
    // queue with their original enqueue time (like a chat whose consultant
    // left: handled, then offered again).
    void requeue_callbacks_of(AgentRec& a) {
        std::vector<ContactId> held;
        for (ContactId id : a.contacts) {
            auto it = contacts.find(id);
            if (it != contacts.end() && it->second.spec.channel == Channel::callback) held.push_back(id);
        }
        for (ContactId id : held) {
            auto& c = contacts.at(id);
            const std::string queue = queues[c.qi].cfg.settings.id;
            int64_t handled_ms = 0;
            const std::vector<AgentId> previous = take_out_of_service(c, handled_ms);
            c.history.push_back("back in line in " + queue + ": agent " + std::to_string(a.p.id) + " went offline");
            c.spec.preferred_agent.reset();
            c.spec.preferred_until.reset();
            queues[c.qi].stats.offered_today++;
            place(c, c.qi);
            Event& e = emit(EventType::contact_transferred);
            e.contact = id;
            e.from_queue = queue;
            e.queue = queue;
            e.agents = previous;
            e.channel = c.spec.channel;
            e.reason = "agent_offline";
            e.handled_ms = handled_ms;
            emit_position(c);
        }
    }

    int64_t count_handled(ContactRec& c) {
        const int64_t handled = ms(now()) - ms(c.assigned_at);
        auto& q = queues[c.qi];
        q.stats.handled_today++;
        q.stats.total_handle_ms += handled;
        q.aht_ewma_s = 0.8 * q.aht_ewma_s + 0.2 * (double(handled) / 1000.0);
        for (AgentId id : c.agents) {
            auto& a = agents.at(id);
            a.handled_today++;
            a.total_handle_ms += handled;
        }
        return handled;
    }

    Result<int> queue_for(const ContactSpec& spec) const {
        if (!spec.queue.empty()) {
            auto it = queue_index.find(spec.queue);
            if (it == queue_index.end()) return Error::not_found("unknown_queue", "no queue '" + spec.queue + "'");
            return it->second;
        }
        int fallback = -1;
        for (int qi = 0; qi < int(queues.size()); ++qi) {
            if (queues[qi].pool) continue;
            for (const auto& t : queues[qi].cfg.settings.topics) {
                if (t == spec.topic) return qi;
                if (t == "other" && fallback < 0) fallback = qi;
            }
        }
        if (fallback < 0) return Error::not_found("unknown_queue", "no queue serves topic '" + spec.topic + "'");
        return fallback;
    }

    bool open_now(int qi) const {
        const auto& h = queues[qi].cfg.settings.hours;
        if (h == "always") return true;
        auto it = config.schedules.find(h);
        if (it == config.schedules.end()) return true;
        return centrala::is_open(it->second, config.holidays, now());
    }

    std::optional<int> position(const ContactRec& c) const {
        if (c.state != ContactState::waiting && c.state != ContactState::offered) return std::nullopt;
        const auto& set = queues[c.qi].waiting[channel_index(c.spec.channel)];
        return int(set.order_of_key(c.key)) + 1;
    }

    // EWT = position x AHT / staffed slots. AHT is the queue's moving average
    // of recent handle times; slots are the simultaneous contacts of this
    // channel that logged-in (available) eligible agents can carry.
    int ewt(const ContactRec& c) const {
        auto p = position(c);
        if (!p) return 0;
        const auto& q = queues[c.qi];
        const int slots = std::max(1, q.staffed_slots[channel_index(c.spec.channel)]);
        return int(std::ceil(double(*p) * q.aht_ewma_s / double(slots)));
    }

    void emit_position(const ContactRec& c) {
        Event& e = emit(EventType::position_changed);
        e.contact = c.spec.id;
        e.queue = queues[c.qi].cfg.settings.id;
        e.channel = c.spec.channel;
        e.position = position(c).value_or(0);
        e.ewt_seconds = ewt(c);
    }

    Error no_contact(ContactId id) const {
        return Error::not_found("contact_not_found", "no contact " + std::to_string(id) + " in routing");
    }
    Error no_agent(AgentId id) const {
        return Error::not_found("agent_not_found", "no agent " + std::to_string(id) + " in routing");
    }
};

// ------------------------------------------------------------------ commands

Core::Core(const Clock& clock, CoreConfig config) : s_(std::make_unique<State>(clock, std::move(config))) {}
Core::~Core() = default;

Result<Events> Core::add_agent(const AgentProfile& profile) {
    auto& s = *s_;
    s.roll_day();
    if (s.agents.count(profile.id)) return Error::conflict("agent_exists", "agent already in routing");
    State::AgentRec a;
    a.p = profile;
    a.status_since = s.now();
    a.idle_since = s.now();
    a.activity_since = s.now();
    a.state_word_since = s.now();
    s.load_capacity(a);
    s.compute_queues(a);
    auto& ref = s.agents.emplace(profile.id, std::move(a)).first->second;
    s.reindex(ref);
    return s.finish();
}

Result<Events> Core::update_agent(const AgentProfile& profile) {
    auto& s = *s_;
    s.roll_day();
    auto it = s.agents.find(profile.id);
    if (it == s.agents.end()) return s.no_agent(profile.id);
    auto& a = it->second;
    // Un-index with the old capacity, then re-index with the new one.
    for (auto& [qi, ch, key] : a.indexed) s.queues[qi].ready[ch].erase(key);
    a.indexed.clear();
    for (auto& [qi, cat] : a.counted) s.adjust_category(qi, cat, -1);
    a.counted.clear();
    for (auto& [qi, ch] : a.staffed) s.queues[qi].staffed_slots[ch] -= a.capacity[ch];
    a.staffed.clear();
    a.p = profile;
    s.load_capacity(a);
    s.compute_queues(a);
    s.reindex(a);
    return s.finish();
}

Result<Events> Core::remove_agent(AgentId id) {
    auto& s = *s_;
    auto it = s.agents.find(id);
    if (it == s.agents.end()) return s.no_agent(id);
    auto& a = it->second;
    if (!a.contacts.empty() || a.offer)
        return Error::conflict("agent_has_contacts", "the agent still has contacts or an offer");
    a.status = AgentStatus::offline;
    a.wrap_up_until = SysTime{};
    a.queues.clear();
    s.reindex(a);  // with no queues: out of every index and counter
    s.dirty_agents.erase(id);
    s.agents.erase(it);
    return s.finish();
}

Result<Events> Core::set_status(AgentId id, AgentStatus status, const std::string& reason) {
    auto& s = *s_;
    s.roll_day();
    auto it = s.agents.find(id);
    if (it == s.agents.end()) return s.no_agent(id);
    auto& a = it->second;
    const std::string r = status == AgentStatus::on_break ? reason : std::string();
    if (a.status == status && a.reason == r) return s.finish();
    if (a.status != AgentStatus::available && status == AgentStatus::available) {
        a.idle_since = s.now();
        a.missed = 0;
    }
    a.status = status;
    a.reason = r;
    a.status_since = s.now();
    if (status != AgentStatus::available && a.offer) {
        auto& o = s.offers.at(*a.offer);
        s.revoke_offer(o, "agent_unavailable", {});
    }
    s.reindex(a, true);
    if (status == AgentStatus::offline) s.requeue_callbacks_of(a);
    return s.finish();
}

Result<Events> Core::end_wrap_up(AgentId id) {
    auto& s = *s_;
    auto it = s.agents.find(id);
    if (it == s.agents.end()) return s.no_agent(id);
    if (!it->second.in_wrap_up(s.now())) return Error::conflict("not_in_wrap_up", "the agent is not in wrap-up");
    it->second.wrap_up_until = s.now();
    s.reindex(it->second);
    return s.finish();
}

Result<Events> Core::enqueue(const ContactSpec& spec) {
    auto& s = *s_;
    s.roll_day();
    if (s.contacts.count(spec.id)) return Error::conflict("contact_exists", "the contact is already in routing");
    auto qi = s.queue_for(spec);
    if (!qi) return qi.error();
    auto& q = s.queues[*qi];
    // A refusal changes nothing; the caller tells the resident why.
    auto refuse = [](const std::string& code, const std::string& msg) -> Result<Events> {
        return Error::conflict(code, msg);
    };
    if (!q.serves[channel_index(spec.channel)])
        return refuse("channel_not_served", "queue " + q.cfg.settings.id + " does not take " +
                                                std::string(to_string(spec.channel)) + " contacts");
    if (!spec.leave_message && !s.open_now(*qi))
        return refuse("queue_closed", "queue " + q.cfg.settings.id + " is closed now");
    if (q.stats.waiting >= q.cfg.settings.max_waiting)
        return refuse("queue_full", "queue " + q.cfg.settings.id + " has no room");
    State::ContactRec c;
    c.spec = spec;
    c.enqueued_at = spec.enqueued_at.value_or(s.now());
    auto& ref = s.contacts.emplace(spec.id, std::move(c)).first->second;
    q.stats.offered_today++;
    s.place(ref, *qi);
    if (ref.spec.preferred_until && ref.spec.preferred_agent) {
        s.timers.insert({*ref.spec.preferred_until, TimerKind::preferred_expiry, spec.id});
        s.reserved.emplace(*ref.spec.preferred_agent, spec.id);
    }
    Event& e = s.emit(EventType::contact_queued);
    e.contact = spec.id;
    e.queue = q.cfg.settings.id;
    e.channel = spec.channel;
    e.reason = spec.topic;
    s.emit_position(ref);
    return s.finish();
}

Result<Events> Core::accept(OfferId offer, AgentId agent) {
    auto& s = *s_;
    s.roll_day();
    auto it = s.offers.find(offer);
    if (it == s.offers.end()) return Error::not_found("offer_not_found", "the offer does not exist or has ended");
    auto& o = it->second;
    if (std::find(o.agents.begin(), o.agents.end(), agent) == o.agents.end())
        return Error::not_found("offer_not_found", "the offer does not exist or has ended");
    if (o.accepted.count(agent)) return Error::conflict("already_accepted", "you have already accepted this offer");
    o.accepted.insert(agent);
    if (o.accepted.size() < o.agents.size()) return s.finish();  // waiting for the other side
    auto& c = s.contacts.at(o.contact);
    const bool invite = o.invite;
    const auto agents_of_offer = o.agents;
    c.offer.reset();
    for (AgentId id : agents_of_offer) {
        auto& a = s.agents.at(id);
        a.offer.reset();
        a.missed = 0;
        a.contacts.insert(c.spec.id);
        a.active[channel_index(c.spec.channel)]++;
        c.agents.push_back(id);
        s.reindex(a);
    }
    s.timers.erase({o.expires, TimerKind::offer_expiry, o.id});
    s.offers.erase(it);
    if (invite) {
        Event& e = s.emit(EventType::participant_joined);
        e.contact = c.spec.id;
        e.agents = agents_of_offer;
        e.queue = s.queues[c.qi].cfg.settings.id;
        e.channel = c.spec.channel;
        c.pending_invite.reset();
        return s.finish();
    }
    c.state = ContactState::active;
    c.assigned_at = s.now();
    c.spec.preferred_agent.reset();
    c.spec.preferred_until.reset();
    auto& q = s.queues[c.qi];
    const int64_t waited = ms(s.now()) - ms(c.enqueued_at);
    // Answered once per queue entry: a hand-over to a named colleague within
    // the queue is not a second answer.
    const bool first = !c.answered_here;
    if (first) {
        c.answered_here = true;
        q.stats.answered_today++;
        q.stats.total_wait_answered_ms += waited;
        if (waited <= int64_t(q.cfg.settings.sla_seconds) * 1000) q.stats.answered_in_sla_today++;
    }
    s.stats_dirty = true;
    Event& e = s.emit(EventType::contact_assigned);
    e.reason = first ? "answered" : "reassigned";
    e.contact = c.spec.id;
    e.agents = agents_of_offer;
    e.queue = q.cfg.settings.id;
    e.channel = c.spec.channel;
    e.waited_ms = waited;
    return s.finish();
}

Result<Events> Core::reject(OfferId offer, AgentId agent) {
    auto& s = *s_;
    s.roll_day();
    auto it = s.offers.find(offer);
    if (it == s.offers.end() ||
        std::find(it->second.agents.begin(), it->second.agents.end(), agent) == it->second.agents.end())
        return Error::not_found("offer_not_found", "the offer does not exist or has ended");
    auto& c = s.contacts.at(it->second.contact);
    c.declined[agent] = s.now() + seconds(30);
    s.timers.insert({s.now() + seconds(30), TimerKind::decline_expiry, c.spec.id});
    s.revoke_offer(it->second, "rejected", {});
    return s.finish();
}

Result<Events> Core::abandon(ContactId id) {
    auto& s = *s_;
    s.roll_day();
    auto it = s.contacts.find(id);
    if (it == s.contacts.end()) return s.no_contact(id);
    auto& c = it->second;
    if (c.state == ContactState::active)
        return Error::conflict("contact_active", "an answered contact is closed, not abandoned");
    if (c.offer) {
        auto& o = s.offers.at(*c.offer);
        c.state = ContactState::closed;  // so revoke does not put it back in line
        s.revoke_offer(o, "abandoned", {});
    } else {
        s.unindex_waiting(c);
    }
    auto& q = s.queues[c.qi];
    const int64_t waited = ms(s.now()) - ms(c.enqueued_at);
    q.stats.abandoned_today++;
    if (waited < 10'000) q.stats.abandoned_short_today++;
    Event& e = s.emit(EventType::contact_abandoned);
    e.contact = id;
    e.queue = q.cfg.settings.id;
    e.channel = c.spec.channel;
    e.waited_ms = waited;
    s.pending_invites.erase(id);
    s.contacts.erase(it);
    return s.finish();
}

Result<Events> Core::replace_waiting(ContactId id, const ContactSpec& next) {
    auto& s = *s_;
    s.roll_day();
    auto it = s.contacts.find(id);
    if (it == s.contacts.end()) return s.no_contact(id);
    if (s.contacts.count(next.id)) return Error::conflict("contact_exists", "the contact is already in routing");
    auto& c = it->second;
    if (c.state == ContactState::active) return Error::conflict("contact_active", "an answered contact has no place in line");
    const int qi = c.qi;
    if (!next.queue.empty() && next.queue != s.queues[qi].cfg.settings.id)
        return Error::conflict("queue_mismatch", "the place is in queue " + s.queues[qi].cfg.settings.id);
    if (!s.queues[qi].serves[channel_index(next.channel)])
        return Error::conflict("channel_not_served", "queue " + s.queues[qi].cfg.settings.id + " does not take " +
                                                         std::string(to_string(next.channel)) + " contacts");
    if (c.offer) {
        auto& o = s.offers.at(*c.offer);
        c.state = ContactState::closed;  // so revoke does not put it back in line
        s.revoke_offer(o, "replaced", {});
    } else {
        s.unindex_waiting(c);
    }
    const SysTime enqueued = next.enqueued_at.value_or(c.enqueued_at);
    const int64_t waited = ms(s.now()) - ms(c.enqueued_at);
    const Channel old_channel = c.spec.channel;
    s.pending_invites.erase(id);
    s.contacts.erase(it);
    State::ContactRec n;
    n.spec = next;
    n.spec.queue = s.queues[qi].cfg.settings.id;
    n.enqueued_at = enqueued;
    auto& ref = s.contacts.emplace(next.id, std::move(n)).first->second;
    s.place(ref, qi);  // the same queue entry: not offered again
    Event& e = s.emit(EventType::contact_replaced);
    e.contact = id;
    e.replaced_by = next.id;
    e.queue = s.queues[qi].cfg.settings.id;
    e.channel = old_channel;
    e.waited_ms = waited;
    s.emit_position(ref);
    return s.finish();
}

Result<Events> Core::close(ContactId id) {
    auto& s = *s_;
    s.roll_day();
    auto it = s.contacts.find(id);
    if (it == s.contacts.end()) return s.no_contact(id);
    auto& c = it->second;
    if (c.state != ContactState::active)
        return Error::conflict("contact_not_active", "only an answered contact can be closed; use abandon");
    if (c.offer) s.revoke_offer(s.offers.at(*c.offer), "closed", {});  // a pending invite
    s.count_handled(c);
    const auto agents = c.agents;
    for (AgentId aid : agents) s.release_agent_from(c, s.agents.at(aid), true);
    Event& e = s.emit(EventType::contact_closed);
    e.contact = id;
    e.agents = agents;
    e.queue = s.queues[c.qi].cfg.settings.id;
    e.channel = c.spec.channel;
    e.handled_ms = ms(s.now()) - ms(c.assigned_at);
    s.pending_invites.erase(id);
    s.contacts.erase(it);
    s.stats_dirty = true;
    return s.finish();
}

Result<Events> Core::transfer_to_queue(ContactId id, const std::string& queue, const std::string& note) {
    auto& s = *s_;
    s.roll_day();
    auto it = s.contacts.find(id);
    if (it == s.contacts.end()) return s.no_contact(id);
    auto qit = s.queue_index.find(queue);
    if (qit == s.queue_index.end()) return Error::not_found("unknown_queue", "no queue '" + queue + "'");
    auto& c = it->second;
    auto& target = s.queues[qit->second];
    if (!target.serves[channel_index(c.spec.channel)])
        return Error::conflict("channel_not_served", "queue " + queue + " does not take this channel");
    if (!s.open_now(qit->second)) return Error::conflict("queue_closed", "queue " + queue + " is closed now");
    if (target.stats.waiting >= target.cfg.settings.max_waiting)
        return Error::conflict("queue_full", "queue " + queue + " has no room");
    const std::string from = s.queues[c.qi].cfg.settings.id;
    int64_t handled_ms = 0;
    const std::vector<AgentId> previous = s.take_out_of_service(c, handled_ms);
    c.history.push_back("transferred from " + from + " to " + queue + (note.empty() ? "" : ": " + note));
    c.spec.queue = queue;
    c.spec.preferred_agent.reset();
    c.spec.preferred_until.reset();
    c.declined.clear();
    target.stats.offered_today++;
    s.place(c, qit->second);
    Event& e = s.emit(EventType::contact_transferred);
    e.contact = id;
    e.from_queue = from;
    e.queue = queue;
    e.agents = previous;
    e.channel = c.spec.channel;
    e.note = note;
    e.reason = "transfer";
    e.handled_ms = handled_ms;
    s.emit_position(c);
    return s.finish();
}

Result<Events> Core::transfer_to_agent(ContactId id, AgentId agent, const std::string& note) {
    auto& s = *s_;
    s.roll_day();
    auto it = s.contacts.find(id);
    if (it == s.contacts.end()) return s.no_contact(id);
    if (!s.agents.count(agent)) return s.no_agent(agent);
    auto& c = it->second;
    if (std::find(c.agents.begin(), c.agents.end(), agent) != c.agents.end())
        return Error::conflict("already_assigned", "the agent already serves this contact");
    const std::string from = s.queues[c.qi].cfg.settings.id;
    int64_t handled_ms = 0;
    const std::vector<AgentId> previous = s.take_out_of_service(c, handled_ms);
    c.history.push_back("transferred from " + from + " to agent " + std::to_string(agent) +
                        (note.empty() ? "" : ": " + note));
    c.spec.preferred_agent = agent;
    c.spec.preferred_until = s.now() + s.config.transfer_to_agent_timeout;
    s.reserved.emplace(agent, id);
    c.declined.erase(agent);
    s.timers.insert({*c.spec.preferred_until, TimerKind::preferred_expiry, id});
    const bool answered = c.answered_here;
    s.place(c, c.qi);
    c.answered_here = answered;
    Event& e = s.emit(EventType::contact_transferred);
    e.contact = id;
    e.from_queue = from;
    e.queue = from;
    e.agents = previous;
    e.to_agent = agent;
    e.channel = c.spec.channel;
    e.note = note;
    e.reason = "transfer_to_agent";
    e.handled_ms = handled_ms;
    s.emit_position(c);
    return s.finish();
}

Result<Events> Core::invite(ContactId id, const std::string& skill) {
    auto& s = *s_;
    s.roll_day();
    auto it = s.contacts.find(id);
    if (it == s.contacts.end()) return s.no_contact(id);
    auto& c = it->second;
    if (c.state != ContactState::active) return Error::conflict("contact_not_active", "invite into an answered contact");
    if (c.offer || c.pending_invite) return Error::conflict("invite_pending", "an invitation is already pending");
    if (!valid_skill_id(skill)) return Error::invalid("invalid_skill", "unknown skill id");
    c.pending_invite = skill;
    s.pending_invites.insert(id);
    // Try every ready agent with the skill now, best (longest idle) first.
    std::vector<std::pair<int64_t, AgentId>> candidates;
    for (auto& [aid, a] : s.agents)
        if (std::find(c.agents.begin(), c.agents.end(), aid) == c.agents.end() && s.eligible(a, {{skill, 1}}) &&
            s.ready_for(a, c.spec.channel))
            candidates.emplace_back(ms(a.idle_since), aid);
    std::sort(candidates.begin(), candidates.end());
    if (!candidates.empty()) {
        s.pending_invites.erase(id);
        s.make_offer(c,
                     State::Match{{candidates.front().second},
                                  "invited skill " + skill + "; " + std::to_string(candidates.size()) +
                                      " ready agent(s) with it; longest idle first"},
                     true);
    }
    return s.finish();
}

Result<Events> Core::set_priority(ContactId id, int priority) {
    auto& s = *s_;
    auto it = s.contacts.find(id);
    if (it == s.contacts.end()) return s.no_contact(id);
    auto& c = it->second;
    if (c.state == ContactState::waiting) {
        s.unindex_waiting(c);
        c.spec.priority = priority;
        c.key.neg_priority = -priority;
        s.index_waiting(c);
        s.emit_position(c);
    } else {
        c.spec.priority = priority;
        if (c.state == ContactState::offered) c.key.neg_priority = -priority;
    }
    return s.finish();
}

Result<Events> Core::update_queue(const QueueSettings& next) {
    auto& s = *s_;
    s.roll_day();
    auto qit = s.queue_index.find(next.id);
    if (qit == s.queue_index.end()) return Error::not_found("queue_not_found", "no queue '" + next.id + "'");
    const int qi = qit->second;
    auto& q = s.queues[qi];
    const auto& cur = q.cfg.settings;
    if (next.channels != cur.channels || next.topics != cur.topics || next.skills != cur.skills ||
        next.strategy != cur.strategy)
        return Error::invalid("not_editable", "channels, topics, skills and strategy cannot change while running");
    if (next.sla_seconds < 1 || next.offer_timeout_seconds < 5 || next.wrap_up_seconds < 0 || next.max_waiting < 1)
        return Error::invalid("invalid_field", "sla_seconds >= 1, offer_timeout_seconds >= 5, wrap_up_seconds >= 0, "
                                               "max_waiting >= 1");
    if (next.overflow) {
        if (next.overflow->queue == next.id || !s.queue_index.count(next.overflow->queue) ||
            next.overflow->after_seconds < 1)
            return Error::invalid("invalid_field", "overflow needs another existing queue and after_seconds >= 1");
    }
    if (next.hours != "always" && !s.config.schedules.count(next.hours))
        return Error::invalid("invalid_field", "hours must be 'always' or a business-hours schedule");
    q.cfg.settings = next;
    q.stats.name = next.name;
    // The overflow rule is counted from when each contact entered this queue.
    for (auto& [id, c] : s.contacts) {
        if (c.qi != qi || (c.state != ContactState::waiting && c.state != ContactState::offered)) continue;
        c.overflow_at = next.overflow ? c.queued_here_at + seconds(next.overflow->after_seconds) : SysTime{};
        if (c.state == ContactState::waiting && c.overflow_at != SysTime{})
            s.timers.insert({std::max(c.overflow_at, s.now()), TimerKind::overflow, id});
    }
    s.stats_dirty = true;
    return s.finish();
}

Result<Events> Core::restore_today(const TodayCounters& counters) {
    auto& s = *s_;
    s.roll_day();
    for (const auto& [id, in] : counters.queues) {
        auto it = s.queue_index.find(id);
        if (it == s.queue_index.end()) continue;
        auto& st = s.queues[it->second].stats;
        st.offered_today = in.offered;
        st.answered_today = in.answered;
        st.answered_in_sla_today = in.answered_in_sla;
        st.abandoned_today = in.abandoned;
        st.abandoned_short_today = in.abandoned_short;
        st.total_wait_answered_ms = in.total_wait_answered_ms;
        st.handled_today = in.handled;
        st.total_handle_ms = in.total_handle_ms;
    }
    for (const auto& [id, in] : counters.agents) {
        auto it = s.agents.find(id);
        if (it == s.agents.end()) continue;
        it->second.handled_today = in.handled;
        it->second.total_handle_ms = in.total_handle_ms;
        it->second.missed_today = in.missed;
    }
    s.stats_dirty = true;
    return s.finish();
}

Events Core::tick() {
    auto& s = *s_;
    s.roll_day();
    const auto now = s.now();
    while (!s.timers.empty() && s.timers.begin()->at <= now) {
        const Timer t = *s.timers.begin();
        s.timers.erase(s.timers.begin());
        switch (t.kind) {
            case TimerKind::offer_expiry: {
                auto it = s.offers.find(t.id);
                if (it == s.offers.end() || it->second.expires != t.at) break;
                std::set<AgentId> missed;
                for (AgentId a : it->second.agents)
                    if (!it->second.accepted.count(a)) missed.insert(a);
                s.revoke_offer(it->second, "timeout", missed);
                break;
            }
            case TimerKind::wrap_up_end: {
                auto it = s.agents.find(t.id);
                if (it == s.agents.end() || it->second.wrap_up_until != t.at) break;
                s.reindex(it->second);
                break;
            }
            case TimerKind::overflow: {
                auto it = s.contacts.find(t.id);
                if (it == s.contacts.end()) break;
                auto& c = it->second;
                if (c.state != ContactState::waiting || c.overflow_at == SysTime{} || c.overflow_at > now) break;
                const auto& ov = s.queues[c.qi].cfg.settings.overflow;
                auto target = ov ? s.queue_index.find(ov->queue) : s.queue_index.end();
                c.overflow_at = SysTime{};
                if (target == s.queue_index.end() || !s.open_now(target->second) ||
                    !s.queues[target->second].serves[channel_index(c.spec.channel)])
                    break;
                const std::string from = s.queues[c.qi].cfg.settings.id;
                s.unindex_waiting(c);
                c.history.push_back("overflowed from " + from + " to " + ov->queue);
                s.queues[target->second].stats.offered_today++;
                s.place(c, target->second);
                Event& e = s.emit(EventType::contact_transferred);
                e.contact = c.spec.id;
                e.from_queue = from;
                e.queue = ov->queue;
                e.channel = c.spec.channel;
                e.reason = "overflow";
                s.emit_position(c);
                break;
            }
            case TimerKind::preferred_expiry:
            case TimerKind::decline_expiry: {
                auto it = s.contacts.find(t.id);
                if (it == s.contacts.end() || it->second.state != ContactState::waiting) break;
                auto& c = it->second;
                if (c.group != s.group_of(c)) {
                    // The reservation ended: same key, so the same place in line.
                    s.unindex_waiting(c);
                    s.index_waiting(c);
                } else {
                    s.dirty_contacts.push_back(t.id);
                }
                break;
            }
        }
    }
    return s.finish();
}

std::optional<SysTime> Core::next_deadline() const {
    if (s_->timers.empty()) return std::nullopt;
    return s_->timers.begin()->at;
}

Result<Events> Core::restore_waiting(const ContactSpec& spec) {
    auto& s = *s_;
    if (s.contacts.count(spec.id)) return Error::conflict("contact_exists", "the contact is already in routing");
    auto qi = s.queue_for(spec);
    if (!qi) return qi.error();
    State::ContactRec c;
    c.spec = spec;
    c.enqueued_at = spec.enqueued_at.value_or(s.now());
    auto& ref = s.contacts.emplace(spec.id, std::move(c)).first->second;
    s.place(ref, *qi);
    if (ref.spec.preferred_until && ref.spec.preferred_agent) {
        s.timers.insert({*ref.spec.preferred_until, TimerKind::preferred_expiry, spec.id});
        s.reserved.emplace(*ref.spec.preferred_agent, spec.id);
    }
    s.emit_position(ref);
    return s.finish();
}

Result<Events> Core::restore_active(const ActiveAssignment& a) {
    auto& s = *s_;
    if (s.contacts.count(a.contact.id)) return Error::conflict("contact_exists", "the contact is already in routing");
    ContactSpec spec = a.contact;
    spec.queue = a.queue;
    auto qi = s.queue_for(spec);
    if (!qi) return qi.error();
    for (AgentId id : a.agents)
        if (!s.agents.count(id)) return s.no_agent(id);
    State::ContactRec c;
    c.spec = spec;
    c.qi = *qi;
    c.state = ContactState::active;
    c.enqueued_at = spec.enqueued_at.value_or(a.assigned_at);
    c.assigned_at = a.assigned_at;
    c.seq = s.next_seq++;
    c.key = WaitKey{-spec.priority, ms(c.enqueued_at), c.seq, spec.id};
    auto& ref = s.contacts.emplace(spec.id, std::move(c)).first->second;
    for (AgentId id : a.agents) {
        auto& ag = s.agents.at(id);
        ag.contacts.insert(spec.id);
        ag.active[channel_index(spec.channel)]++;
        ref.agents.push_back(id);
        s.reindex(ag);
    }
    return s.finish();
}

// ------------------------------------------------------------------- queries

std::optional<int> Core::position_of(ContactId id) const {
    auto it = s_->contacts.find(id);
    if (it == s_->contacts.end()) return std::nullopt;
    return s_->position(it->second);
}

std::vector<Core::Place> Core::places_in(const std::string& queue, Channel channel, int from_position) const {
    std::vector<Place> out;
    auto qit = s_->queue_index.find(queue);
    if (qit == s_->queue_index.end()) return out;
    const auto& q = s_->queues[qit->second];
    const int ch = channel_index(channel);
    const auto& line = q.waiting[ch];
    const int from = std::max(1, from_position);
    const int slots = std::max(1, q.staffed_slots[ch]);
    int pos = from;
    // The same figures as position_of and ewt_seconds_of, in one walk of the line.
    for (auto it = line.find_by_order(size_t(from - 1)); it != line.end(); ++it, ++pos)
        out.push_back({it->id, pos, int(std::ceil(double(pos) * q.aht_ewma_s / double(slots)))});
    // Contacts on offer are out of the line for the moment; they keep the place they would have.
    for (const auto& [oid, o] : s_->offers) {
        if (o.invite) continue;
        auto c = s_->contacts.find(o.contact);
        if (c == s_->contacts.end() || c->second.qi != qit->second || c->second.spec.channel != channel ||
            c->second.state != ContactState::offered)
            continue;
        const int p = int(line.order_of_key(c->second.key)) + 1;
        if (p >= from) out.push_back({o.contact, p, 0});
    }
    return out;
}

std::optional<int> Core::ewt_seconds_of(ContactId id) const {
    auto it = s_->contacts.find(id);
    if (it == s_->contacts.end() || it->second.state != ContactState::waiting) return std::nullopt;
    return s_->ewt(it->second);
}

std::optional<ContactState> Core::state_of(ContactId id) const {
    auto it = s_->contacts.find(id);
    if (it == s_->contacts.end()) return std::nullopt;
    return it->second.state;
}

std::optional<std::string> Core::queue_of(ContactId id) const {
    auto it = s_->contacts.find(id);
    if (it == s_->contacts.end()) return std::nullopt;
    return s_->queues[it->second.qi].cfg.settings.id;
}

std::vector<AgentId> Core::agents_of(ContactId id) const {
    auto it = s_->contacts.find(id);
    if (it == s_->contacts.end()) return {};
    return it->second.agents;
}

std::optional<AgentState> Core::agent_state(AgentId id) const {
    auto it = s_->agents.find(id);
    if (it == s_->agents.end()) return std::nullopt;
    const auto& a = it->second;
    return AgentState{a.status, a.reason, s_->activity_of(a), std::max(a.status_since, a.activity_since)};
}

std::optional<AgentStats> Core::agent(AgentId id) const {
    auto it = s_->agents.find(id);
    if (it == s_->agents.end()) return std::nullopt;
    const auto& a = it->second;
    AgentStats st;
    st.id = a.p.id;
    st.name = a.p.name;
    st.status = a.status;
    st.reason = a.reason;
    st.activity = s_->activity_of(a);
    st.since = std::max(a.status_since, a.activity_since);
    st.active_contacts = int(a.contacts.size());
    for (int ch = 0; ch < channel_count; ++ch)
        if (a.active[ch] > 0) st.active_by_channel[std::string(to_string(Channel(ch)))] = a.active[ch];
    st.handled_today = a.handled_today;
    st.total_handle_ms = a.total_handle_ms;
    st.missed_offers = a.missed;
    st.missed_today = a.missed_today;
    st.state_seconds_today.clear();
    for (const auto& [word, total] : a.state_ms_today) st.state_seconds_today[word] = total / 1000;
    const auto since = std::max(a.state_word_since, s_->day_start);
    st.state_seconds_today[a.state_word] += (ms(s_->now()) - ms(since)) / 1000;
    return st;
}

std::vector<QueueStats> Core::queue_stats() const {
    std::vector<QueueStats> out;
    const auto now = s_->now();
    for (const auto& q : s_->queues) {
        if (q.pool) continue;
        QueueStats st = q.stats;
        st.longest_wait_seconds =
            q.by_age.empty() ? 0 : duration_cast<seconds>(now - q.by_age.begin()->first).count();
        out.push_back(std::move(st));
    }
    return out;
}

std::vector<AgentStats> Core::agent_stats() const {
    std::vector<AgentStats> out;
    for (const auto& [id, a] : s_->agents) out.push_back(*agent(id));
    std::sort(out.begin(), out.end(), [](const AgentStats& x, const AgentStats& y) { return x.id < y.id; });
    return out;
}

std::optional<std::string> Core::queue_for_topic(const std::string& topic) const {
    ContactSpec spec;
    spec.topic = topic;
    auto qi = s_->queue_for(spec);
    if (!qi) return std::nullopt;
    return s_->queues[*qi].cfg.settings.id;
}

std::optional<ContactSpec> Core::contact(ContactId id) const {
    auto it = s_->contacts.find(id);
    if (it == s_->contacts.end()) return std::nullopt;
    return it->second.spec;
}

std::optional<Core::PendingOffer> Core::pending_offer(AgentId agent) const {
    auto a = s_->agents.find(agent);
    if (a == s_->agents.end() || !a->second.offer) return std::nullopt;
    auto o = s_->offers.find(*a->second.offer);
    if (o == s_->offers.end() || o->second.accepted.count(agent)) return std::nullopt;
    const auto& c = s_->contacts.at(o->second.contact);
    return PendingOffer{o->first, c.spec.id, o->second.expires, o->second.invite, s_->queues[c.qi].cfg.settings.id,
                        c.spec.channel, ms(s_->now()) - ms(c.enqueued_at)};
}

std::vector<std::string> Core::history_of(ContactId id) const {
    auto it = s_->contacts.find(id);
    if (it == s_->contacts.end()) return {};
    return it->second.history;
}

std::vector<QueueSettings> Core::queue_settings() const {
    std::vector<QueueSettings> out;
    for (const auto& q : s_->queues)
        if (!q.pool) out.push_back(q.cfg.settings);
    return out;
}

bool Core::is_open(const std::string& queue) const {
    auto it = s_->queue_index.find(queue);
    return it != s_->queue_index.end() && s_->open_now(it->second);
}

size_t Core::waiting_count() const {
    size_t n = 0;
    for (const auto& q : s_->queues) n += size_t(q.stats.waiting);
    return n;
}

size_t Core::contact_count() const { return s_->contacts.size(); }

std::string Core::check_invariants() const {
    const auto& s = *s_;
    std::ostringstream err;
    const auto now = s.now();
    for (const auto& [id, a] : s.agents) {
        std::array<int, channel_count> counted{};
        for (ContactId cid : a.contacts) {
            auto it = s.contacts.find(cid);
            if (it == s.contacts.end()) {
                err << "agent " << id << " holds unknown contact " << cid << "; ";
                continue;
            }
            counted[channel_index(it->second.spec.channel)]++;
            if (it->second.state != ContactState::active) err << "agent " << id << " holds non-active contact; ";
        }
        for (int ch = 0; ch < channel_count; ++ch) {
            if (counted[ch] != a.active[ch]) err << "agent " << id << " active count mismatch; ";
            if (a.active[ch] > a.capacity[ch]) err << "agent " << id << " over capacity on channel " << ch << "; ";
        }
        if (a.offer && !s.offers.count(*a.offer)) err << "agent " << id << " has a dangling offer; ";
        for (int qi : a.queues)
            for (int ch = 0; ch < channel_count; ++ch) {
                if (!s.queues[qi].serves[ch]) continue;
                const bool indexed = s.queues[qi].ready[ch].count(s.key_for(a, s.queues[qi]));
                if (indexed != s.ready_for(a, Channel(ch))) err << "agent " << id << " ready index stale; ";
            }
    }
    size_t waiting = 0;
    for (const auto& [id, c] : s.contacts) {
        const auto& q = s.queues[c.qi];
        const bool in_set = q.waiting[channel_index(c.spec.channel)].find(c.key) !=
                            q.waiting[channel_index(c.spec.channel)].end();
        if ((c.state == ContactState::waiting) != in_set) err << "contact " << id << " waiting index mismatch; ";
        if (c.state == ContactState::waiting) ++waiting;
        if (c.state == ContactState::offered && (!c.offer || !s.offers.count(*c.offer)))
            err << "contact " << id << " offered without offer; ";
        if (c.state == ContactState::active && c.agents.empty()) err << "contact " << id << " active without agents; ";
        // Nothing that could be matched is left unmatched.
        if (c.state == ContactState::waiting && const_cast<State&>(s).find_agents_for(c))
            err << "contact " << id << " waits while an eligible agent is ready; ";
        for (AgentId aid : c.agents)
            if (!s.agents.count(aid) || !s.agents.at(aid).contacts.count(id))
                err << "contact " << id << " lists agent " << aid << " who does not hold it; ";
    }
    size_t counted_waiting = 0;
    for (const auto& q : s.queues) {
        size_t n = 0;
        for (const auto& w : q.waiting) n += w.size();
        if (int(n) != q.stats.waiting) err << "queue " << q.cfg.settings.id << " waiting count mismatch; ";
        if (q.by_age.size() != n) err << "queue " << q.cfg.settings.id << " age index mismatch; ";
        counted_waiting += n;
    }
    if (counted_waiting != waiting) err << "waiting total mismatch; ";
    for (const auto& [oid, o] : s.offers) {
        auto it = s.contacts.find(o.contact);
        if (it == s.contacts.end() || it->second.offer != oid) err << "offer " << oid << " dangling; ";
        for (AgentId aid : o.agents)
            if (!s.agents.count(aid) || s.agents.at(aid).offer != oid) err << "offer " << oid << " agent mismatch; ";
        if (o.expires < now) err << "offer " << oid << " past its expiry; ";
    }
    return err.str();
}

}  // namespace centrala::routing
