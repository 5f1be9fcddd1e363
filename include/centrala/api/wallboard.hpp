// The supervisor's module: statistics that agree everywhere, reports, the
// wallboard's live extras and the supervisor's actions.
//
// - Every routing event that a figure counts is stored as a typed row in
//   contact_events (batched, written a few times a second), with the hourly
//   and per-agent daily sums updated in the same transaction.
// - At start, today's counters of the routing core are rebuilt from the
//   stored events of today (Europe/Warsaw), so a restart does not zero them.
// - What the core does not count (closed, first-contact resolution, cases
//   opened, CSAT) is counted here from the stored rows: today's recount at
//   start, then every row stored since (read after each batch the module
//   stores, and polled every 2 s, so cases opened by the tickets store and
//   ratings count like everything else) through the same add_to_counters as
//   the report; added to the `stats` body.
// - A per-minute ring of samples (waiting, service level) for the charts,
//   stored too, so a restart keeps the last hours.
// - Actions, each audited: force an agent's state, move or prioritise a
//   waiting contact, change a queue's settings (persisted, applied to the
//   core), watch a chat read-only, whisper an internal note.
// Runs on the network thread; SQLite work goes to the store worker.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "centrala/api/module.hpp"
#include "centrala/store/chat_store.hpp"
#include "centrala/store/stats_store.hpp"

namespace centrala::api {

class WallboardModule final : public Module {
public:
    explicit WallboardModule(ModuleContext& ctx);
    void add_routes(Router& router) override;
    Result<void> load() override;
    void tick() override;
    void on_routing(const routing::Events& events) override;
    void on_message(const store::StoredMessage& m) override;
    void extend_stats(nlohmann::json& stats) const override;

    // How many hours of samples are kept.
    static constexpr int history_hours = 8;

private:

    void report(Call c);
    void history(Call c);
    void force_state(Call c);
    void set_priority(Call c);
    void move_contact(Call c);
    void update_queue(Call c);
    void watch(Call c, bool start);
    void whisper(Call c);

    void flush_events();
    void poll_stored();
    void count_stored(const std::vector<store::StatsStore::Stored>& rows);
    void take_sample();
    void roll_day();
    Result<void> apply_override(const std::string& queue, const nlohmann::json& settings);

    ModuleContext& ctx_;
    store::StatsStore stats_;  // store worker only
    store::ChatStore chats_;   // store worker only
    // Network thread:
    std::vector<store::StatEvent> pending_;
    Date today_{};
    std::map<std::string, store::Counters> today_queue_;  // every stored row of today, queue view
    std::map<int64_t, store::Counters> today_agent_;       // agent view
    int64_t counted_up_to_ = 0;                            // the last contact_events id counted
    SysTime ratings_since_{};
    SysTime last_poll_{};
    bool poll_running_ = false;
    std::deque<nlohmann::json> samples_;
    int64_t last_sample_slot_ = 0;
    std::unordered_map<int64_t, std::set<int64_t>> watchers_;  // contact -> supervisors watching it
};

}  // namespace centrala::api
