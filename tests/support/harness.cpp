#include "harness.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

#ifndef CENTRALA_BINARY
#error "CENTRALA_BINARY must be defined (path of the centrala executable)"
#endif
#ifndef CENTRALA_SOURCE_DIR
#error "CENTRALA_SOURCE_DIR must be defined"
#endif

namespace centrala::testing {

namespace fs = std::filesystem;

std::string centrala_binary() {
    // CENTRALA_TEST_BINARY runs the suite against another build of the server.
    if (const char* other = std::getenv("CENTRALA_TEST_BINARY"); other && *other) return other;
    return CENTRALA_BINARY;
}
fs::path source_dir() { return fs::path(CENTRALA_SOURCE_DIR); }

std::optional<int> ServerProcess::terminate(std::chrono::milliseconds timeout) {
    process_.signal(SIGTERM);
    return process_.wait_for(timeout);
}

TestEnv::TestEnv() {
    config = nlohmann::json::parse(read_file((source_dir() / "config" / "centrala.json").string()));
    config["database"] = db_path();
    config["web_root"] = (source_dir() / "web").string();
    config["log_level"] = "warn";
    config["listen"] = "127.0.0.1:0";
    config["security"]["argon2"] = {{"memory_kib", 64}, {"iterations", 1}, {"parallelism", 1}};
    write_config();
}

void TestEnv::write_config() const { write_file(config_path(), config.dump(2)); }

RunResult TestEnv::cli(const std::vector<std::string>& args, const std::string& stdin_text,
                       std::chrono::milliseconds timeout) const {
    std::vector<std::string> argv{centrala_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, stdin_text, timeout);
}

void TestEnv::add_user(const std::string& username, const std::string& role, const std::string& password,
                       const std::string& display_name) const {
    write_config();
    std::vector<std::string> args{"user", "add", "--db", db_path(), "--username", username, "--role", role,
                                  "--config", config_path()};
    if (!display_name.empty()) {
        args.push_back("--display-name");
        args.push_back(display_name);
    }
    auto r = cli(args, password + "\n");
    if (r.exit_code != 0)
        throw std::runtime_error("centrala user add " + username + " failed (" + std::to_string(r.exit_code) +
                                 "): " + r.err);
}

std::unique_ptr<ServerProcess> TestEnv::start(std::chrono::milliseconds timeout) {
    write_config();
    const int n = ++servers_started_;
    const std::string out = (dir() / ("server-" + std::to_string(n) + ".out")).string();
    const std::string err = (dir() / ("server-" + std::to_string(n) + ".err")).string();
    auto p = Process::spawn({centrala_binary(), "serve", "--config", config_path(), "--listen", "127.0.0.1:0", "--db",
                             db_path()},
                            {"", out, err});
    static const std::regex line(R"(listening on https?://127\.0\.0\.1:([0-9]+)\n)");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const std::string text = read_file(out);
        std::smatch m;
        if (std::regex_search(text, m, line)) {
            const int port = std::stoi(m[1].str());
            return std::make_unique<ServerProcess>(std::move(p), static_cast<unsigned short>(port), out, err);
        }
        if (!p.running())
            throw std::runtime_error("centrala serve exited with " + std::to_string(p.exit_code().value_or(-1)) +
                                     " before listening; stderr:\n" + read_file(err));
        if (std::chrono::steady_clock::now() >= deadline)
            throw std::runtime_error("centrala serve did not print its listening line in time; stdout:\n" + text +
                                     "\nstderr:\n" + read_file(err));
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

Login login(const HttpClient& http, const std::string& username, const std::string& password) {
    Login l;
    l.response = http.post("/api/v1/auth/login", {{"username", username}, {"password", password}});
    l.status = l.response.status;
    auto j = l.response.json();
    if (l.status == 200 && j.is_object()) {
        l.token = j.value("token", "");
        l.csrf = j.value("csrf_token", "");
        if (j.contains("user")) l.user = j["user"];
    }
    if (auto sc = l.response.header("Set-Cookie")) l.cookie = sc->substr(0, sc->find(';'));
    return l;
}

bool is_error_body(const nlohmann::json& body) {
    static const std::regex snake("^[a-z][a-z0-9_]*$");
    if (!body.is_object() || body.size() != 1 || !body.contains("error")) return false;
    const auto& e = body["error"];
    if (!e.is_object() || !e.contains("code") || !e.contains("message")) return false;
    if (!e["code"].is_string() || !e["message"].is_string()) return false;
    return std::regex_match(e["code"].get<std::string>(), snake) && !e["message"].get<std::string>().empty();
}

}  // namespace centrala::testing
