// Routing core benchmarks: the cost of one routing decision with many waiting
// contacts and agents, and a simulated Warsaw-scale day in simulated time.
//
//   build-bench/bench/bench_routing                 (Google Benchmark: ns/op)
//   build-bench/bench/bench_routing --percentiles   (p50/p99 per decision, 1k/10k/100k waiting)
//   build-bench/bench/bench_routing --day           (simulated busy day)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <queue>
#include <random>
#include <vector>

#include "centrala/routing/core.hpp"

using namespace centrala;
using namespace centrala::routing;

namespace {

constexpr int skill_count = 50;
constexpr int queue_count = 10;

std::string skill(int i) { return "s" + std::to_string(i); }

CoreConfig config(int max_waiting) {
    CoreConfig c;
    for (int q = 0; q < queue_count; ++q) {
        QueueConfig qc;
        qc.settings.id = "q" + std::to_string(q);
        qc.settings.name = qc.settings.id;
        qc.settings.channels = {"voice", "chat", "video"};
        qc.settings.topics = {q == 0 ? "other" : "t" + std::to_string(q)};
        qc.settings.skills = {{skill(q), 1}};
        qc.settings.max_waiting = max_waiting;
        qc.settings.offer_timeout_seconds = 20;
        qc.settings.wrap_up_seconds = 0;
        c.queues.push_back(qc);
    }
    return c;
}

// A core with `waiting` contacts that nobody ready can take (they need a skill
// only offline agents have) and `agents` agents, most of them busy.
struct Floor {
    ManualClock clock{SysTime{std::chrono::sys_days{std::chrono::year{2026} / 6 / 3}} + std::chrono::hours{8}};
    Core core;
    ContactId next = 1;
    std::mt19937 rng{42};

    Floor(int waiting, int agents) : core(clock, config(waiting + 1000)) {
        for (AgentId a = 1; a <= agents; ++a) {
            Skills sk;
            for (int k = 0; k < 5; ++k) sk[skill(int(rng() % skill_count))] = 1 + int(rng() % 5);
            sk[skill(int(a % queue_count))] = 3;  // everyone serves at least one queue
            (void)core.add_agent({a, "a", sk, {{"voice", 1}, {"chat", 3}, {"video", 1}}});
        }
        // Waiting contacts need an extra skill no agent has: they stay in line
        // and every decision has to look past them honestly.
        for (int i = 0; i < waiting; ++i) {
            ContactSpec s;
            s.id = next++;
            s.channel = Channel::chat;
            s.topic = "t" + std::to_string(1 + i % (queue_count - 1));
            s.skills = {{"nobody_has_this", 1}};
            s.priority = int(rng() % 3);
            clock.advance(std::chrono::milliseconds(10));
            (void)core.enqueue(s);
        }
        // Most agents are available; their chats will be the decisions we time.
        for (AgentId a = 1; a <= agents; ++a)
            if (a % 10 != 0) (void)core.set_status(a, AgentStatus::available);
    }
};

// Enqueue -> offer: a new contact arrives and is offered to the best ready agent.
void BM_EnqueueToOffer(benchmark::State& state) {
    Floor f(int(state.range(0)), 1000);
    for (auto _ : state) {
        ContactSpec s;
        s.id = f.next++;
        s.channel = Channel::voice;
        s.topic = "t3";
        auto ev = f.core.enqueue(s);
        benchmark::DoNotOptimize(ev);
        state.PauseTiming();
        (void)f.core.abandon(s.id);  // keep the floor unchanged
        state.ResumeTiming();
    }
    state.SetLabel(std::to_string(state.range(0)) + " waiting, 1000 agents, 50 skills");
}
BENCHMARK(BM_EnqueueToOffer)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

// Agent available -> offer: an agent comes back and is offered the best contact.
void BM_AgentAvailableToOffer(benchmark::State& state) {
    Floor f(int(state.range(0)), 1000);
    // One servable contact at the back of a long line.
    ContactSpec s;
    s.id = f.next++;
    s.channel = Channel::voice;
    s.topic = "t3";
    (void)f.core.set_status(3, AgentStatus::offline);
    for (AgentId a = 1; a <= 1000; ++a)
        if (a != 13) (void)f.core.set_status(a, AgentStatus::offline);
    (void)f.core.enqueue(s);
    (void)f.core.update_agent({13, "a", {{skill(3), 3}}, {{"voice", 1}}});
    for (auto _ : state) {
        auto ev = f.core.set_status(13, AgentStatus::available);
        benchmark::DoNotOptimize(ev);
        state.PauseTiming();
        (void)f.core.set_status(13, AgentStatus::offline);  // revokes the offer, contact back in place
        state.ResumeTiming();
    }
    state.SetLabel(std::to_string(state.range(0)) + " waiting, 1000 agents, 50 skills");
}
BENCHMARK(BM_AgentAvailableToOffer)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

double percentile(std::vector<double>& v, double p) {
    std::sort(v.begin(), v.end());
    return v[size_t(p * double(v.size() - 1))];
}

// p50/p99 of single decisions, timed one by one; each timed call makes an offer.
void percentiles() {
    std::printf("%-28s %10s %10s %10s %8s\n", "decision", "waiting", "p50 us", "p99 us", "offers");
    for (int waiting : {1000, 10000, 100000}) {
        Floor f(waiting, 1000);
        std::vector<double> enq, avail;
        int enq_offers = 0, avail_offers = 0;
        auto offered = [](const Result<Events>& r) {
            if (!r) return false;
            for (const auto& e : *r)
                if (e.type == EventType::offer_created) return true;
            return false;
        };
        // Enqueue -> offer, with 900 agents ready.
        for (int i = 0; i < 2000; ++i) {
            ContactSpec s;
            s.id = f.next++;
            s.channel = Channel::voice;
            s.topic = "t" + std::to_string(1 + i % (queue_count - 1));
            const auto t0 = std::chrono::steady_clock::now();
            auto ev = f.core.enqueue(s);
            const auto t1 = std::chrono::steady_clock::now();
            enq_offers += offered(ev);
            enq.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
            (void)f.core.abandon(s.id);
        }
        // Agent available -> offer: everybody offline, 500 servable contacts in
        // line behind the unservable ones; one agent at a time comes back.
        for (AgentId a = 1; a <= 1000; ++a) (void)f.core.set_status(a, AgentStatus::offline);
        for (int i = 0; i < 500; ++i) {
            ContactSpec s;
            s.id = f.next++;
            s.channel = Channel::voice;
            s.topic = "t" + std::to_string(1 + i % (queue_count - 1));
            (void)f.core.enqueue(s);
        }
        for (int i = 0; i < 2000; ++i) {
            const AgentId a = 1 + (i * 37) % 1000;
            const auto t0 = std::chrono::steady_clock::now();
            auto ev = f.core.set_status(a, AgentStatus::available);
            const auto t1 = std::chrono::steady_clock::now();
            avail_offers += offered(ev);
            avail.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
            (void)f.core.set_status(a, AgentStatus::offline);  // the contact goes back to its place
        }
        std::printf("%-28s %10d %10.2f %10.2f %8d\n", "enqueue -> offer", waiting, percentile(enq, 0.5),
                    percentile(enq, 0.99), enq_offers);
        std::printf("%-28s %10d %10.2f %10.2f %8d\n", "agent available -> offer", waiting, percentile(avail, 0.5),
                    percentile(avail, 0.99), avail_offers);
    }
}

// A busy day at Warsaw scale in simulated time: 3,000 contacts an hour,
// 150 agents, mixed channels, agents answering after a few seconds.
void busy_day() {
    using namespace std::chrono;
    ManualClock clock(SysTime{sys_days{year{2026} / 6 / 3}} + hours{6});
    CoreConfig c;
    const char* topics[] = {"vehicles", "waste", "taxes", "other"};
    for (int q = 0; q < 4; ++q) {
        QueueConfig qc;
        qc.settings.id = topics[q];
        qc.settings.name = topics[q];
        qc.settings.channels = {"voice", "chat", "video"};
        qc.settings.topics = {topics[q]};
        if (q < 3) qc.settings.skills = {{topics[q], 1}};
        qc.settings.max_waiting = 100000;
        qc.settings.wrap_up_seconds = 20;
        qc.settings.sla_seconds = 60;
        c.queues.push_back(qc);
    }
    Core core(clock, c);
    std::mt19937 rng(7);
    for (AgentId a = 1; a <= 150; ++a) {
        Skills sk = {{topics[a % 3], 4}, {topics[(a + 1) % 3], 2}};
        (void)core.add_agent({a, "a", sk, {{"voice", 1}, {"chat", 3}, {"video", 1}}});
        (void)core.set_status(a, AgentStatus::available);
    }
    std::exponential_distribution<double> arrival(3000.0 / 3600.0);  // per second
    std::exponential_distribution<double> handle_voice(1.0 / 200.0), handle_chat(1.0 / 360.0);
    struct Pending {
        SysTime at;
        int kind;  // 0 accept offer, 1 close contact
        int64_t id;
        AgentId agent;
        bool operator>(const Pending& o) const { return at > o.at; }
    };
    std::priority_queue<Pending, std::vector<Pending>, std::greater<>> agenda;
    auto absorb = [&](const Events& es) {
        for (const auto& e : es) {
            if (e.type == EventType::offer_created)
                for (AgentId a : e.agents) agenda.push({clock.now() + seconds(2 + rng() % 4), 0, e.offer, a});
            if (e.type == EventType::contact_assigned) {
                const double h = e.channel == Channel::voice ? handle_voice(rng) : handle_chat(rng);
                agenda.push({clock.now() + milliseconds(int64_t(h * 1000)), 1, e.contact, 0});
            }
        }
    };
    const SysTime end = clock.now() + hours(12);
    SysTime next_arrival = clock.now();
    ContactId next = 1;
    size_t decisions = 0;
    const auto wall0 = steady_clock::now();
    while (clock.now() < end) {
        SysTime t = next_arrival;
        if (!agenda.empty() && agenda.top().at < t) t = agenda.top().at;
        if (auto d = core.next_deadline(); d && *d < t) t = *d;
        clock.set(std::max(clock.now(), t));
        absorb(core.tick());
        while (!agenda.empty() && agenda.top().at <= clock.now()) {
            const auto p = agenda.top();
            agenda.pop();
            auto r = p.kind == 0 ? core.accept(p.id, p.agent) : core.close(p.id);
            if (r) absorb(*r);
            ++decisions;
        }
        if (next_arrival <= clock.now()) {
            ContactSpec s;
            s.id = next++;
            const uint32_t pick = rng() % 100;
            s.channel = pick < 55 ? Channel::voice : pick < 95 ? Channel::chat : Channel::video;
            const uint32_t tp = rng() % 100;
            s.topic = tp < 50 ? "vehicles" : tp < 70 ? "waste" : tp < 85 ? "taxes" : "other";
            auto r = core.enqueue(s);
            if (r) absorb(*r);
            ++decisions;
            next_arrival = clock.now() + milliseconds(int64_t(arrival(rng) * 1000));
        }
    }
    const double wall = duration<double>(steady_clock::now() - wall0).count();
    int64_t offered = 0, answered = 0, in_sla = 0, abandoned = 0;
    double asa = 0;
    for (const auto& q : core.queue_stats()) {
        offered += q.offered_today;
        answered += q.answered_today;
        in_sla += q.answered_in_sla_today;
        abandoned += q.abandoned_today;
        asa += q.asa_seconds() * double(q.answered_today);
    }
    std::printf("simulated busy day: 12 h, %lld contacts, 150 agents, %zu commands in %.2f s wall\n",
                static_cast<long long>(next - 1), decisions, wall);
    std::printf("  %.0f simulated hours per wall second; %.2f us per command\n", 12.0 / wall, wall * 1e6 / double(decisions));
    std::printf("  offered %lld, answered %lld, within SLA %.1f%%, ASA %.1f s, still waiting %zu\n",
                static_cast<long long>(offered), static_cast<long long>(answered),
                offered ? 100.0 * double(in_sla) / double(offered) : 0.0, answered ? asa / double(answered) : 0.0,
                core.waiting_count());
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--percentiles") == 0) {
            percentiles();
            return 0;
        }
        if (std::strcmp(argv[i], "--day") == 0) {
            busy_day();
            return 0;
        }
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
