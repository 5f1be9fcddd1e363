// The supervisor's module: statistics that agree everywhere, reports, the
// wallboard's live extras and the supervisor's actions.
//
// - Every routing event that a figure counts is stored as a typed row in
//   contact_events (batched, written a few times a second), with the hourly
//   and per-agent daily sums updated in the same transaction.
// - At start, today's counters of the routing core are rebuilt from the
//   stored events of today (Europe/Warsaw), so a restart does not zero them.
// - CSAT today per queue and agent: ratings become contact_rated events
//   (polled every 2 s), counted here and added to the `stats` body.
// - A per-minute ring of samples (waiting, service level) for the charts.
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

    // How many hours of per-minute samples are kept.
    static constexpr int history_minutes = 8 * 60;

private:
    struct Csat {
        int64_t sum = 0, count = 0;
    };

    void report(Call c);
    void history(Call c);
    void force_state(Call c);
    void set_priority(Call c);
    void move_contact(Call c);
    void update_queue(Call c);
    void watch(Call c, bool start);
    void whisper(Call c);

    void flush_events();
    void poll_ratings();
    void take_sample();
    void roll_day();
    Result<void> apply_override(const std::string& queue, const nlohmann::json& settings);

    ModuleContext& ctx_;
    store::StatsStore stats_;  // store worker only
    store::ChatStore chats_;   // store worker only
    // Network thread:
    std::vector<store::StatEvent> pending_;
    Date today_{};
    std::map<std::string, Csat> csat_queue_;
    std::map<int64_t, Csat> csat_agent_;
    SysTime ratings_since_{};
    SysTime last_rating_poll_{};
    bool rating_poll_running_ = false;
    std::deque<nlohmann::json> samples_;
    int64_t last_sample_minute_ = 0;
    std::unordered_map<int64_t, std::set<int64_t>> watchers_;  // contact -> supervisors watching it
};

}  // namespace centrala::api
