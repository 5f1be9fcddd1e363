// A dedicated thread that runs blocking work (SQLite, password hashing) in
// submission order, so the network thread never waits on disk or on Argon2.
// Thread-safe: post() may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace centrala {

using Task = std::function<void()>;

// Where a continuation runs: the network thread posts results back through one.
class Executor {
public:
    virtual ~Executor() = default;
    // false when the executor is full or stopped; the task was not queued.
    virtual bool post(Task task) = 0;
};

class Worker final : public Executor {
public:
    Worker(std::string name, size_t max_queued);
    ~Worker() override;
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    bool post(Task task) override;
    // Runs every task already queued, then joins. Idempotent.
    void stop();
    size_t queued() const;

private:
    void run();

    const std::string name_;
    const size_t max_queued_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Task> tasks_;  // guarded by mu_
    bool stopping_ = false;   // guarded by mu_
    std::thread thread_;
};

}  // namespace centrala
