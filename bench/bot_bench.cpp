// Virtual advisor benchmarks with the full knowledge base (config/knowledge.json)
// over the evaluation phrasings (tests/data/bot_eval.json).
//
//   bench_bot                 (Google Benchmark: ns per Advisor::ask)
//   bench_bot --percentiles   (p50/p90/p99/max per call; goal: p99 well under 2 ms)
//
// Files are found under CENTRALA_SOURCE_DIR (a compile definition), else the
// current directory. One-off build from the repository root:
//   g++ -std=c++20 -O2 -Iinclude bench/bot_bench.cpp src/bot/*.cpp src/domain/*.cpp -lbenchmark -lpthread
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "centrala/bot/advisor.hpp"

#ifndef CENTRALA_SOURCE_DIR
#define CENTRALA_SOURCE_DIR "."
#endif

using namespace centrala::bot;

namespace {

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s (run from the repository root)\n", path.c_str());
        std::exit(2);
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const std::string& knowledge_text() {
    static const std::string t = read(std::string(CENTRALA_SOURCE_DIR) + "/config/knowledge.json");
    return t;
}

const Advisor& advisor() {
    static const Advisor a = [] {
        auto r = Advisor::load(knowledge_text());
        if (!r) {
            std::fprintf(stderr, "knowledge base: %s\n", r.error().message.c_str());
            std::exit(2);
        }
        return std::move(r).value();
    }();
    return a;
}

const std::vector<std::string>& phrasings() {
    static const std::vector<std::string> p = [] {
        std::vector<std::string> out;
        auto j = nlohmann::json::parse(read(std::string(CENTRALA_SOURCE_DIR) + "/tests/data/bot_eval.json"));
        for (const auto& it : j.at("items")) out.push_back(it.at("text"));
        return out;
    }();
    return p;
}

// Worst cases: a message at the length limit, made of words the vocabulary
// does not know (every one goes through the speller), and one of known words.
std::string unknown_words_message() {
    std::string s;
    for (int i = 0; s.size() < 1000; ++i) s += "xqzrtwpl" + std::to_string(i) + "kwvb ";
    return s;
}
std::string known_words_message() {
    std::string s;
    while (s.size() < 1000) s += "kupiłem używany samochód z Niemiec, zgubiłem dowód rejestracyjny i tablice ";
    return s;
}

void BM_AskEvalPhrasings(benchmark::State& state) {
    const auto& adv = advisor();
    const auto& ps = phrasings();
    std::size_t i = 0;
    for (auto _ : state) {
        Reply r = adv.ask(ps[i], Lang::pl);
        benchmark::DoNotOptimize(r);
        i = (i + 1) % ps.size();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AskEvalPhrasings);

void BM_AskLongUnknownWords(benchmark::State& state) {
    const auto& adv = advisor();
    std::string text = unknown_words_message();
    for (auto _ : state) benchmark::DoNotOptimize(adv.ask(text, Lang::pl));
}
BENCHMARK(BM_AskLongUnknownWords);

void BM_AskLongKnownWords(benchmark::State& state) {
    const auto& adv = advisor();
    std::string text = known_words_message();
    for (auto _ : state) benchmark::DoNotOptimize(adv.ask(text, Lang::pl));
}
BENCHMARK(BM_AskLongKnownWords);

void BM_ChooseButton(benchmark::State& state) {
    const auto& adv = advisor();
    for (auto _ : state) benchmark::DoNotOptimize(adv.choose("answer:vehicles.used_car", Lang::pl));
}
BENCHMARK(BM_ChooseButton);

void BM_LoadKnowledgeBase(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(Advisor::load(knowledge_text()));
}
BENCHMARK(BM_LoadKnowledgeBase)->Unit(benchmark::kMillisecond);

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    std::size_t k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    return v[k];
}

// Wall time and this thread's CPU time per call, in microseconds. On a busy
// machine the wall-time tail is the scheduler's (a preempted call waits a
// whole tick); the CPU-time tail is the advisor's own.
struct Timings {
    std::vector<double> wall, cpu;
};

double thread_cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

void report(const char* name, const Timings& t) {
    std::printf("%-32s %7zu %8.1f %8.1f %8.1f %9.1f | %8.1f %8.1f %9.1f\n", name, t.wall.size(), percentile(t.wall, 0.5),
                percentile(t.wall, 0.9), percentile(t.wall, 0.99), *std::max_element(t.wall.begin(), t.wall.end()),
                percentile(t.cpu, 0.5), percentile(t.cpu, 0.99), *std::max_element(t.cpu.begin(), t.cpu.end()));
}

template <class F>
Timings time_calls(int n, F f) {
    Timings t;
    t.wall.reserve(static_cast<std::size_t>(n));
    t.cpu.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        double c0 = thread_cpu_us();
        auto t0 = std::chrono::steady_clock::now();
        f(i);
        auto t1 = std::chrono::steady_clock::now();
        t.cpu.push_back(thread_cpu_us() - c0);
        t.wall.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    return t;
}

void percentiles() {
    const auto& adv = advisor();
    const auto& ps = phrasings();
    for (const auto& p : ps) benchmark::DoNotOptimize(adv.ask(p, Lang::pl));  // warm up
    std::printf("%-32s %7s %8s %8s %8s %9s | %8s %8s %9s\n", "call (microseconds)", "calls", "p50", "p90", "p99", "max",
                "cpu p50", "cpu p99", "cpu max");
    int passes = 200;
    report("ask: evaluation phrasings", time_calls(static_cast<int>(ps.size()) * passes, [&](int i) {
               benchmark::DoNotOptimize(adv.ask(ps[static_cast<std::size_t>(i) % ps.size()], Lang::pl));
           }));
    std::string unknown = unknown_words_message(), known = known_words_message();
    report("ask: 1000 chars, unknown words", time_calls(2000, [&](int) { benchmark::DoNotOptimize(adv.ask(unknown, Lang::pl)); }));
    report("ask: 1000 chars, known words", time_calls(2000, [&](int) { benchmark::DoNotOptimize(adv.ask(known, Lang::pl)); }));
    report("choose: answer button", time_calls(20000, [&](int) {
               benchmark::DoNotOptimize(adv.choose("answer:vehicles.used_car", Lang::pl));
           }));
    auto load = time_calls(10, [&](int) { benchmark::DoNotOptimize(Advisor::load(knowledge_text())); });
    report("load: knowledge base", load);
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--percentiles") == 0) {
            percentiles();
            return 0;
        }
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
