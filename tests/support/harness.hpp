// Runs the real `centrala` binary for integration tests: a temporary
// directory with a config file and a database, CLI commands, and a server
// started on a free port and stopped with SIGTERM.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

namespace centrala::testing {

// Path of the built binary (environment variable CENTRALA_TEST_BINARY, else
// the one built with the tests) and of the source tree (compile definitions).
std::string centrala_binary();
std::filesystem::path source_dir();

class ServerProcess {
public:
    ServerProcess(Process process, unsigned short port, std::string stdout_path, std::string stderr_path)
        : process_(std::move(process)), port_(port), stdout_path_(std::move(stdout_path)),
          stderr_path_(std::move(stderr_path)) {}

    unsigned short port() const { return port_; }
    bool running() { return process_.running(); }
    // Sends SIGTERM and waits; the exit code, or nullopt when still running after `timeout`.
    std::optional<int> terminate(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    std::string stdout_text() const { return read_file(stdout_path_); }
    std::string stderr_text() const { return read_file(stderr_path_); }
    Process& process() { return process_; }

private:
    Process process_;
    unsigned short port_;
    std::string stdout_path_, stderr_path_;
};

inline constexpr const char* kPassword = "correct horse battery staple";

class TestEnv {
public:
    // Config: the repository's config/centrala.json with the database in the
    // temp dir, web_root the repository's web/, log level warn and cheap Argon2.
    TestEnv();

    nlohmann::json config;  // edit before start()/add_user(); written by write_config()

    const std::filesystem::path& dir() const { return dir_.path(); }
    std::string config_path() const { return (dir() / "centrala.json").string(); }
    std::string db_path() const { return (dir() / "centrala.db").string(); }
    void write_config() const;

    // `centrala ARGS...` to completion.
    RunResult cli(const std::vector<std::string>& args, const std::string& stdin_text = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
    // `centrala user add`; throws std::runtime_error when it fails.
    void add_user(const std::string& username, const std::string& role, const std::string& password = kPassword,
                  const std::string& display_name = {}) const;

    // `centrala serve --config CFG --listen 127.0.0.1:0 --db DB`, once it prints
    // its listening line; throws std::runtime_error when it does not start.
    std::unique_ptr<ServerProcess> start(std::chrono::milliseconds timeout = std::chrono::seconds(30));

private:
    TempDir dir_{"centrala-it"};
    int servers_started_ = 0;
};

struct Login {
    HttpResponse response;
    int status = 0;
    std::string token;
    std::string csrf;
    std::string cookie;  // "name=value" from Set-Cookie, ready for a Cookie header
    nlohmann::json user;
};

Login login(const HttpClient& http, const std::string& username, const std::string& password = kPassword);

inline Header bearer(const std::string& token) { return {"Authorization", "Bearer " + token}; }
inline Header cookie(const Login& l) { return {"Cookie", l.cookie}; }
inline Header csrf(const Login& l) { return {"X-CSRF-Token", l.csrf}; }

// True when the body has exactly the contract's error shape
// {"error":{"code":"snake_case","message":"..."}}.
bool is_error_body(const nlohmann::json& body);

}  // namespace centrala::testing
