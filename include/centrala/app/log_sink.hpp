// The process log sink. Every line is formatted by the thread that logs it and
// appended to a memory buffer; a writer thread empties the buffer into the
// file descriptor every `interval`, at once for warnings and errors. So the
// network thread, which logs one line per request, never waits for stderr,
// journald or a wake-up of a logging thread per line (that alone cost more
// than the rest of a small request).
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace centrala {

class BatchingSink final : public spdlog::sinks::sink {
public:
    struct Options {
        int fd = 2;
        std::chrono::milliseconds interval{200};
        size_t wake_at_bytes = 64 * 1024;     // hand over early when this much is waiting
        size_t max_buffered_bytes = 8 << 20;  // beyond this lines are dropped (and counted)
    };
    BatchingSink() : BatchingSink(Options{}) {}
    explicit BatchingSink(Options options);
    ~BatchingSink() override;  // writes what is left

    void log(const spdlog::details::log_msg& msg) override;
    // Writes everything buffered before returning.
    void flush() override;
    void set_pattern(const std::string& pattern) override;
    void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override;

    uint64_t dropped() const { return dropped_.load(); }

private:
    void run();
    void write_out(const std::string& data);

    const Options opt_;
    std::mutex mu_;
    std::condition_variable wake_;
    std::condition_variable written_;
    std::unique_ptr<spdlog::formatter> formatter_;  // guarded by mu_
    spdlog::memory_buf_t scratch_;                  // guarded by mu_
    std::string buffer_;                            // guarded by mu_
    uint64_t appended_ = 0;                         // guarded by mu_: batches handed over
    uint64_t flushed_ = 0;                          // guarded by mu_: batches written
    bool urgent_ = false;                           // guarded by mu_
    bool stopping_ = false;                         // guarded by mu_
    uint64_t reported_drops_ = 0;                   // writer thread only
    std::atomic<uint64_t> dropped_{0};
    std::mutex write_mu_;  // one writer at a time: the thread or flush()
    std::thread thread_;
};

}  // namespace centrala
