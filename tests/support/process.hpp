// Child processes for tests: spawn a program with its standard streams
// redirected to files, wait for it with a timeout, signal it. Linux only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace centrala::testing {

struct SpawnOptions {
    std::string stdin_file;   // empty: /dev/null
    std::string stdout_file;  // empty: /dev/null
    std::string stderr_file;  // empty: /dev/null
};

class Process {
public:
    // Starts argv[0] (a path) with the given arguments; throws std::runtime_error
    // when it cannot fork (a failed exec shows as exit code 127). The child is
    // killed if the test process dies first (Linux PR_SET_PDEATHSIG).
    static Process spawn(const std::vector<std::string>& argv, const SpawnOptions& options = {});

    Process() = default;
    Process(Process&& other) noexcept;
    Process& operator=(Process&& other) noexcept;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    // A child still running is killed (SIGKILL) and reaped.
    ~Process();

    pid_t pid() const { return pid_; }
    bool running();
    void signal(int sig);
    // The exit code (128 + signal number when killed by a signal), or nullopt
    // when the process is still running after `timeout`.
    std::optional<int> wait_for(std::chrono::milliseconds timeout);
    // Reaps the child if it ended on its own; the exit code when known.
    std::optional<int> exit_code() const { return exit_code_; }
    void kill_now();

private:
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

struct RunResult {
    int exit_code = -1;  // -1 when it timed out (and was killed)
    bool timed_out = false;
    std::string out;
    std::string err;
};

// Runs a program to completion with `stdin_text` on its standard input.
RunResult run(const std::vector<std::string>& argv, const std::string& stdin_text = {},
              std::chrono::milliseconds timeout = std::chrono::seconds(30));

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

}  // namespace centrala::testing
