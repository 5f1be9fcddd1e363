#include "centrala/store/worker.hpp"

#include <pthread.h>

namespace centrala {

Worker::Worker(std::string name, size_t max_queued) : name_(std::move(name)), max_queued_(max_queued) {
    thread_ = std::thread([this] { run(); });
    pthread_setname_np(thread_.native_handle(), name_.substr(0, 15).c_str());
}

Worker::~Worker() { stop(); }

bool Worker::post(Task task) {
    {
        std::lock_guard lk(mu_);
        if (stopping_ || tasks_.size() >= max_queued_) return false;
        tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
}

void Worker::stop() {
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

size_t Worker::queued() const {
    std::lock_guard lk(mu_);
    return tasks_.size();
}

void Worker::run() {
    for (;;) {
        Task t;
        {
            std::unique_lock lk(mu_);
            cv_.wait(lk, [this] { return stopping_ || !tasks_.empty(); });
            if (tasks_.empty()) return;  // stopping and drained
            t = std::move(tasks_.front());
            tasks_.pop_front();
        }
        t();
    }
}

}  // namespace centrala
