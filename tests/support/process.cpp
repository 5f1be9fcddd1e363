#include "process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

extern char** environ;

namespace centrala::testing {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + path);
}

Process Process::spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
    if (argv.empty()) throw std::runtime_error("spawn: empty argv");
    auto path_or_null = [](const std::string& p) { return p.empty() ? std::string("/dev/null") : p; };
    const std::string in = path_or_null(options.stdin_file), out = path_or_null(options.stdout_file),
                      err = path_or_null(options.stderr_file);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t parent = ::getpid();
    Process p;
    p.pid_ = ::fork();
    if (p.pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (p.pid_ == 0) {
        // In the child: only async-signal-safe calls until exec. A test that
        // crashes or is killed by its timeout takes its servers with it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        const int fds[3] = {::open(in.c_str(), O_RDONLY), ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644),
                            ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644)};
        for (int i = 0; i < 3; ++i) {
            if (fds[i] < 0 || ::dup2(fds[i], i) < 0) ::_exit(127);
            if (fds[i] > 2) ::close(fds[i]);
        }
        ::execve(argv[0].c_str(), args.data(), environ);
        ::_exit(127);
    }
    return p;
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), exit_code_(std::move(other.exit_code_)) {}

Process& Process::operator=(Process&& other) noexcept {
    if (this != &other) {
        kill_now();
        pid_ = std::exchange(other.pid_, -1);
        exit_code_ = std::move(other.exit_code_);
    }
    return *this;
}

Process::~Process() { kill_now(); }

void Process::kill_now() {
    if (pid_ > 0 && !exit_code_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        exit_code_ = 128 + SIGKILL;
    }
}

static std::optional<int> decode(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return std::nullopt;
}

bool Process::running() {
    if (pid_ <= 0 || exit_code_) return false;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        exit_code_ = decode(status);
        return !exit_code_;
    }
    return r == 0;
}

void Process::signal(int sig) {
    if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
}

std::optional<int> Process::wait_for(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (!running()) return exit_code_;
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

RunResult run(const std::vector<std::string>& argv, const std::string& stdin_text,
              std::chrono::milliseconds timeout) {
    static std::atomic<int> counter{0};
    const auto base = fs::temp_directory_path() /
                      ("centrala-run-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    const std::string in = base.string() + ".in", out = base.string() + ".out", err = base.string() + ".err";
    write_file(in, stdin_text);
    RunResult r;
    {
        auto p = Process::spawn(argv, {in, out, err});
        auto code = p.wait_for(timeout);
        if (!code) {
            p.kill_now();
            r.timed_out = true;
        } else {
            r.exit_code = *code;
        }
    }
    r.out = read_file(out);
    r.err = read_file(err);
    std::error_code ec;
    for (const auto& f : {in, out, err}) fs::remove(f, ec);
    return r;
}

}  // namespace centrala::testing
