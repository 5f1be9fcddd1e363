#include "centrala/app/log_sink.hpp"

#include <unistd.h>

#include <cerrno>
#include <spdlog/pattern_formatter.h>

namespace centrala {

BatchingSink::BatchingSink(Options options)
    : opt_(options), formatter_(std::make_unique<spdlog::pattern_formatter>()) {
    buffer_.reserve(opt_.wake_at_bytes * 2);
    thread_ = std::thread([this] { run(); });
}

BatchingSink::~BatchingSink() {
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void BatchingSink::log(const spdlog::details::log_msg& msg) {
    if (!should_log(msg.level)) return;
    bool notify = false;
    {
        std::lock_guard lk(mu_);
        scratch_.clear();
        formatter_->format(msg, scratch_);
        if (buffer_.size() + scratch_.size() > opt_.max_buffered_bytes) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        buffer_.append(scratch_.data(), scratch_.size());
        if (msg.level >= spdlog::level::warn) urgent_ = true;
        notify = urgent_ || buffer_.size() >= opt_.wake_at_bytes;
    }
    if (notify) wake_.notify_one();
}

void BatchingSink::run() {
    std::string batch;
    std::unique_lock lk(mu_);
    for (;;) {
        wake_.wait_for(lk, opt_.interval, [this] {
            return stopping_ || urgent_ || buffer_.size() >= opt_.wake_at_bytes;
        });
        batch.swap(buffer_);
        urgent_ = false;
        const bool stop = stopping_;
        const uint64_t upto = appended_;
        lk.unlock();
        if (const uint64_t d = dropped_.load(); d != reported_drops_) {
            batch += "log: " + std::to_string(d - reported_drops_) + " lines dropped (log output too slow)\n";
            reported_drops_ = d;
        }
        if (!batch.empty()) write_out(batch);
        batch.clear();
        lk.lock();
        if (flushed_ < upto) flushed_ = upto;
        written_.notify_all();
        if (stop && buffer_.empty()) return;
    }
}

void BatchingSink::write_out(const std::string& data) {
    std::lock_guard lk(write_mu_);
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
        ssize_t n = ::write(opt_.fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // nowhere to report a broken log descriptor
        }
        p += n;
        left -= size_t(n);
    }
}

void BatchingSink::flush() {
    // Also waits for a batch the writer has taken but not yet written.
    std::unique_lock lk(mu_);
    const uint64_t ticket = ++appended_;
    urgent_ = true;
    wake_.notify_one();
    written_.wait(lk, [&] { return flushed_ >= ticket || stopping_; });
}

void BatchingSink::set_pattern(const std::string& pattern) {
    set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern, spdlog::pattern_time_type::utc));
}

void BatchingSink::set_formatter(std::unique_ptr<spdlog::formatter> formatter) {
    std::lock_guard lk(mu_);
    formatter_ = std::move(formatter);
}

}  // namespace centrala
