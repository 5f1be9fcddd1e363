#include "centrala/metrics/metrics.hpp"

#include <cstdio>

namespace centrala::metrics {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
    for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::observe(double v) {
    size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_micro_.fetch_add(uint64_t(v * 1e6), std::memory_order_relaxed);
}

static std::string fmt(double d) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", d);
    return b;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
    const std::string sep = labels.empty() ? "" : ",";
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
        cumulative += counts_[i].load(std::memory_order_relaxed);
        out += name + "_bucket{" + labels + sep + "le=\"" + (i < bounds_.size() ? fmt(bounds_[i]) : "+Inf") +
               "\"} " + std::to_string(cumulative) + "\n";
    }
    const std::string l = labels.empty() ? "" : "{" + labels + "}";
    out += name + "_sum" + l + " " + fmt(double(sum_micro_.load()) / 1e6) + "\n";
    out += name + "_count" + l + " " + std::to_string(count_.load()) + "\n";
}

std::vector<double> latency_buckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

void Registry::count(const std::string& family, const std::string& labels, uint64_t n) {
    counter(family, labels).fetch_add(n, std::memory_order_relaxed);
}

std::atomic<uint64_t>& Registry::counter(const std::string& family, const std::string& labels) {
    std::lock_guard lk(mu_);
    auto& c = families_[family].counters[labels];
    if (!c) c = std::make_unique<std::atomic<uint64_t>>(0);
    return *c;
}

Histogram& Registry::histogram(const std::string& family, const std::string& labels) {
    std::lock_guard lk(mu_);
    auto& f = families_[family];
    f.type = "histogram";
    auto& h = f.histograms[labels];
    if (!h) h = std::make_unique<Histogram>(latency_buckets());
    return *h;
}

void Registry::observe(const std::string& family, const std::string& labels, double value) {
    histogram(family, labels).observe(value);
}

void Registry::set_gauge(const std::string& family, const std::string& labels, int64_t value) {
    std::lock_guard lk(mu_);
    auto& f = families_[family];
    f.type = "gauge";
    f.gauges[labels] = value;
}

void Registry::add_gauge(const std::string& family, const std::string& labels, int64_t delta) {
    std::lock_guard lk(mu_);
    auto& f = families_[family];
    f.type = "gauge";
    f.gauges[labels] += delta;
}

void Registry::describe(const std::string& family, const std::string& type, const std::string& help) {
    std::lock_guard lk(mu_);
    auto& f = families_[family];
    f.type = type;
    f.help = help;
}

void Registry::add_collector(Collector c) {
    std::lock_guard lk(mu_);
    collectors_.push_back(std::move(c));
}

std::string Registry::render() const {
    std::string out;
    std::lock_guard lk(mu_);
    for (const auto& [name, f] : families_) {
        if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
        out += "# TYPE " + name + " " + f.type + "\n";
        for (const auto& [labels, v] : f.counters)
            out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(v->load(std::memory_order_relaxed)) + "\n";
        for (const auto& [labels, v] : f.gauges)
            out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(v) + "\n";
        for (const auto& [labels, h] : f.histograms) h->render(out, name, labels);
    }
    for (const auto& c : collectors_) c(out);
    return out;
}

std::string label_value(const std::string& v) {
    std::string out = "\"";
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out + "\"";
}

}  // namespace centrala::metrics
