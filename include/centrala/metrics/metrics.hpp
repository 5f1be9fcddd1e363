// Prometheus-style counters, gauges and histograms. Thread-safe: the network
// thread and the store worker both record. No personal data goes into labels.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace centrala::metrics {

class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double value);
    // Appends the _bucket/_sum/_count lines for `name{labels}`.
    void render(std::string& out, const std::string& name, const std::string& labels) const;

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // one per bound, plus +Inf
    std::atomic<uint64_t> count_{0};
    std::atomic<uint64_t> sum_micro_{0};
};

std::vector<double> latency_buckets();  // seconds, 0.5 ms .. 10 s

class Registry {
public:
    // label text is the inside of {...}, e.g. route="/healthz",status="200".
    void count(const std::string& family, const std::string& labels, uint64_t n = 1);
    void observe(const std::string& family, const std::string& labels, double value);
    // Stable handles for hot paths: look up once, then record without the lock.
    std::atomic<uint64_t>& counter(const std::string& family, const std::string& labels);
    Histogram& histogram(const std::string& family, const std::string& labels);
    void set_gauge(const std::string& family, const std::string& labels, int64_t value);
    void add_gauge(const std::string& family, const std::string& labels, int64_t delta);
    void describe(const std::string& family, const std::string& type, const std::string& help);
    // Gauges computed at scrape time (e.g. contacts waiting per queue).
    using Collector = std::function<void(std::string& out)>;
    void add_collector(Collector c);

    std::string render() const;

private:
    struct Family {
        std::string type = "counter";
        std::string help;
        std::map<std::string, std::unique_ptr<std::atomic<uint64_t>>> counters;
        std::map<std::string, int64_t> gauges;
        std::map<std::string, std::unique_ptr<Histogram>> histograms;
    };
    mutable std::mutex mu_;
    std::map<std::string, Family> families_;  // guarded by mu_
    std::vector<Collector> collectors_;        // guarded by mu_
};

// Escapes a label value per the text exposition format.
std::string label_value(const std::string& v);

}  // namespace centrala::metrics
