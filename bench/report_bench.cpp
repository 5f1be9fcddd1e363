// Report query time over a year of Warsaw-size traffic.
//
// Generates N contacts (default 700 000) spread over the 365 days before
// 2026-01-01 in office hours, stores their statistics events the way the
// server does (StatsStore::record: the typed contact_events rows plus the
// hourly and per-agent daily sums), then times:
//   - the report for the whole year, grouped by day, hour, queue, agent, topic, channel;
//   - the recount over the raw events for one day (what a start-up costs) and one month.
// Prints the median of 5 runs of each. Usage: bench_report [contacts] [db path]
// (an existing db path is reused without generating; UNMAPPED=1 spreads topics
// over every queue, which multiplies the rows of the hourly sums).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "centrala/store/migrations.hpp"
#include "centrala/store/stats_store.hpp"

using namespace centrala;
using namespace std::chrono;

namespace {

const char* queues[] = {"vehicles", "waste", "taxes", "general", "dept_komunikacja", "dept_odpady", "dept_podatki",
                        "dept_interwencje"};
const char* topics[] = {"vehicles", "driving_licence", "waste", "taxes", "id_documents", "civil_registry", "report",
                        "appointment", "other"};

template <class F>
double median_ms(F f) {
    std::vector<double> t;
    for (int i = 0; i < 5; ++i) {
        const auto a = steady_clock::now();
        f();
        t.push_back(duration<double, std::milli>(steady_clock::now() - a).count());
    }
    std::sort(t.begin(), t.end());
    return t[2];
}

}  // namespace

int main(int argc, char** argv) {
    const long n = argc > 1 ? std::stol(argv[1]) : 700'000;
    const std::string path = argc > 2 ? argv[2] : (std::filesystem::temp_directory_path() / "centrala-report-bench.db").string();
    const bool fresh = !std::filesystem::exists(path);
    const bool unmapped = std::getenv("UNMAPPED") && std::string(std::getenv("UNMAPPED")) == "1";
    auto db = store::Database::open(path, store::Durability::normal);
    if (!db) {
        std::fprintf(stderr, "%s\n", db.error().message.c_str());
        return 1;
    }
    if (!store::migrate(*db)) return 1;
    store::StatsStore stats(*db);
    const Date first{year{2025}, January, day{1}};
    if (fresh) {
        const auto t0 = steady_clock::now();
        (void)db->exec("PRAGMA foreign_keys = OFF");  // staff rows are not generated
        std::mt19937_64 rng(7);
        std::vector<store::StatEvent> batch;
        auto ins = db->prepare("INSERT INTO contacts (id, channel, state, topic, queue, created_at) VALUES (?, ?, 'closed', ?, ?, ?)");
        (void)db->exec("BEGIN");
        for (long i = 1; i <= n; ++i) {
            const int d = int(rng() % 365);
            const SysTime start = store::warsaw_midnight(Date{sys_days{first} + days{d}}) + hours(8) +
                                  seconds(int64_t(rng() % (10 * 3600)));
            // The topic decides the queue, as in config/centrala.json; with
            // UNMAPPED=1 any topic lands in any queue (the worst case for the sums).
            const int ti = int(rng() % 9);
            const char* topic = topics[ti];
            const int qi = unmapped ? int(rng() % 8) : ti <= 1 ? 0 : ti == 2 ? 1 : ti == 3 ? 2 : 3;
            const char* channel = rng() % 3 ? "chat" : "voice";
            ins->reset();
            ins->bind(1, int64_t(i)).bind(2, channel).bind(3, topic).bind(4, queues[qi]).bind(5, to_unix_ms(start));
            (void)ins->run();
            const int64_t agent = 1 + int64_t(rng() % 60);
            store::StatEvent e;
            e.contact_id = i;
            e.queue = queues[qi];
            e.topic = topic;
            e.channel = channel;
            e.at = start;
            e.type = store::stat::queued;
            batch.push_back(e);
            const int64_t wait = int64_t(rng() % 120'000);
            e.at = start + milliseconds(wait);
            if (rng() % 10 == 0) {
                e.type = store::stat::abandoned;
                e.waited_ms = wait;
                e.flags = wait < 10'000 ? store::stat::short_abandon : 0;
                batch.push_back(e);
            } else {
                e.type = store::stat::assigned;
                e.agent_id = agent;
                e.waited_ms = wait;
                e.flags = store::stat::answered_flag | (wait <= 30'000 ? store::stat::in_sla : 0);
                batch.push_back(e);
                const int64_t handle = 60'000 + int64_t(rng() % 600'000);
                e.at += milliseconds(handle);
                e.type = store::stat::handled;
                e.handled_ms = handle;
                e.waited_ms = 0;
                e.flags = store::stat::primary;
                batch.push_back(e);
                e.type = store::stat::closed;
                e.flags = 0;
                batch.push_back(e);
                if (rng() % 7 == 0) {
                    e.type = store::stat::rated;
                    e.score = 1 + int(rng() % 5);
                    e.flags = store::stat::primary;
                    batch.push_back(e);
                }
            }
            if (batch.size() >= 20'000) {
                (void)db->exec("COMMIT");
                if (auto r = stats.record(batch); !r) {
                    std::fprintf(stderr, "record: %s\n", r.error().message.c_str());
                    return 1;
                }
                batch.clear();
                (void)db->exec("BEGIN");
            }
        }
        (void)db->exec("COMMIT");
        if (auto r = stats.record(batch); !r) return 1;
        std::printf("generated %ld contacts in %.1f s\n", n, duration<double>(steady_clock::now() - t0).count());
    }
    auto count = db->prepare("SELECT count(*), (SELECT count(*) FROM stats_hourly), (SELECT count(*) FROM stats_agent_daily) FROM contact_events");
    (void)count->step();
    std::printf("events %lld, hourly sums %lld, agent-day sums %lld\n", (long long)count->int64(0),
                (long long)count->int64(1), (long long)count->int64(2));
    const Date last{year{2025}, December, day{31}};
    for (auto g : {store::GroupBy::day, store::GroupBy::hour, store::GroupBy::queue, store::GroupBy::agent,
                   store::GroupBy::topic, store::GroupBy::channel}) {
        size_t rows = 0;
        const double ms = median_ms([&] { rows = stats.summary(first, last, g)->size(); });
        std::printf("report year group_by=%-7s %4zu rows  %8.1f ms\n", store::to_string(g), rows, ms);
    }
    const Date mid{year{2025}, June, day{16}};
    std::printf("recount one day (start-up)      %8.1f ms\n",
                median_ms([&] { (void)stats.recount(mid, mid, store::GroupBy::queue); }));
    std::printf("recount one day by agent        %8.1f ms\n",
                median_ms([&] { (void)stats.recount(mid, mid, store::GroupBy::agent); }));
    const Date june{year{2025}, June, day{1}}, june_end{year{2025}, June, day{30}};
    std::printf("recount one month by day        %8.1f ms\n",
                median_ms([&] { (void)stats.recount(june, june_end, store::GroupBy::day); }));
    return 0;
}
