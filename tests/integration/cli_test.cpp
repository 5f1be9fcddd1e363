// The command line (contract §1): migrate, user add, config validation.
#include <csignal>
#include <filesystem>
#include <thread>

#include "common.hpp"

namespace centrala::testing {
namespace {

namespace fs = std::filesystem;

TEST(Cli, MigrateOnANewFilePrintsTheSchemaVersion) {
    TestEnv env;
    const std::string db = (env.dir() / "nested" / "dir" / "fresh.db").string();
    auto r = env.cli({"migrate", "--db", db});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    static const std::regex version(R"(schema version ([1-9][0-9]*))");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, version)) << "stdout: " << r.out << "\nstderr: " << r.err;
    EXPECT_TRUE(fs::exists(db));
    // Running it again is harmless and reports the same version.
    auto again = env.cli({"migrate", "--db", db});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    std::smatch m2;
    ASSERT_TRUE(std::regex_search(again.out, m2, version)) << again.out;
    EXPECT_EQ(m[1].str(), m2[1].str());
}

TEST(Cli, MigrateWithoutDbFails) {
    TestEnv env;
    auto r = env.cli({"migrate"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_FALSE(r.err.empty());
}

TEST(Cli, UserAddWithATooShortPasswordFailsAndCreatesNothing) {
    TestEnv env;
    auto r = env.cli({"user", "add", "--db", env.db_path(), "--username", "anna", "--role", "agent", "--config",
                      env.config_path()},
                     "short\n");
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_NE(r.err.find("password"), std::string::npos) << "the message should say what is wrong: " << r.err;
    EXPECT_EQ(r.out.find("created"), std::string::npos) << r.out;
    // Nobody was created: the same username can still be added, and the
    // weak password does not log in.
    env.add_user("anna", "agent", kPassword);
    auto server = env.start();
    HttpClient http(server->port());
    EXPECT_EQ(login(http, "anna", "short").status, 401);
    EXPECT_EQ(login(http, "anna", kPassword).status, 200);
    EXPECT_EQ(server->terminate(), std::optional<int>(0)) << server->stderr_text();
}

TEST(Cli, UserAddRefusesBadInput) {
    TestEnv env;
    auto add = [&](std::vector<std::string> extra, const std::string& stdin_text) {
        std::vector<std::string> args{"user", "add", "--db", env.db_path(), "--config", env.config_path()};
        args.insert(args.end(), extra.begin(), extra.end());
        return env.cli(args, stdin_text);
    };
    EXPECT_NE(add({"--username", "anna", "--role", "agent"}, "").exit_code, 0) << "no password on stdin";
    EXPECT_NE(add({"--username", "anna", "--role", "emperor"}, std::string(kPassword) + "\n").exit_code, 0);
    EXPECT_NE(add({"--username", "Anna Nowak", "--role", "agent"}, std::string(kPassword) + "\n").exit_code, 0);
    EXPECT_NE(add({"--username", "anna", "--role", "agent", "--skills", "vehicles:9"}, std::string(kPassword) + "\n")
                  .exit_code,
              0);
    EXPECT_NE(add({"--role", "agent"}, std::string(kPassword) + "\n").exit_code, 0) << "no username";
    auto ok = add({"--username", "anna", "--role", "agent", "--skills", "vehicles:5,waste:3"}, std::string(kPassword) + "\n");
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    auto dup = add({"--username", "anna", "--role", "admin"}, std::string(kPassword) + "\n");
    EXPECT_NE(dup.exit_code, 0) << "a duplicate username must fail";
    EXPECT_FALSE(dup.err.empty());
}

TEST(Cli, ServeRefusesAConfigWithAnUnknownKeyNamingKeyAndFile) {
    TestEnv env;
    env.config["limits"]["bodybytes"] = 5;
    env.write_config();
    auto r = env.cli({"serve", "--config", env.config_path(), "--listen", "127.0.0.1:0", "--db", env.db_path()}, "",
                     std::chrono::seconds(20));
    ASSERT_FALSE(r.timed_out) << "serve started despite the unknown key";
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("limits.bodybytes"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(env.config_path()), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("listening"), std::string::npos) << r.out;

    TestEnv top;
    top.config["lmits"] = nlohmann::json::object();
    top.write_config();
    auto t = top.cli({"serve", "--config", top.config_path(), "--listen", "127.0.0.1:0", "--db", top.db_path()}, "",
                     std::chrono::seconds(20));
    ASSERT_FALSE(t.timed_out);
    EXPECT_NE(t.exit_code, 0);
    EXPECT_NE(t.err.find("lmits"), std::string::npos) << t.err;
    EXPECT_NE(t.err.find(top.config_path()), std::string::npos) << t.err;
}

TEST(Cli, ServeRefusesAConfigWithAWrongValue) {
    TestEnv env;
    env.config["limits"]["ws_auth_timeout_seconds"] = "five";
    env.write_config();
    auto r = env.cli({"serve", "--config", env.config_path(), "--listen", "127.0.0.1:0", "--db", env.db_path()}, "",
                     std::chrono::seconds(20));
    ASSERT_FALSE(r.timed_out);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("limits.ws_auth_timeout_seconds"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(env.config_path()), std::string::npos) << r.err;
}

// web_root is relative to the working directory: a server started elsewhere
// serves the API but no page. It says so at start-up, with the absolute path
// it looked in and the config key, in the log and in --demo's banner.
TEST(Cli, ServeWarnsWhenWebRootHoldsNoPages) {
    TestEnv env;
    const std::string relative = "no-web-here-" + std::to_string(::getpid());
    const std::string resolved = fs::absolute(relative).lexically_normal().string();
    ASSERT_FALSE(fs::exists(resolved));
    env.config["web_root"] = relative;
    auto server = env.start();
    HttpClient http(server->port());
    EXPECT_EQ(http.get("/healthz").status, 200) << "the API is served all the same";
    EXPECT_EQ(http.get("/").status, 404);
    EXPECT_EQ(server->terminate(), std::optional<int>(0));
    const std::string err = server->stderr_text();
    EXPECT_NE(err.find(" warning "), std::string::npos) << err;
    EXPECT_NE(err.find("web_root '" + relative + "'"), std::string::npos) << "names the config key: " << err;
    EXPECT_NE(err.find(resolved + ", which does not exist"), std::string::npos) << "the resolved path: " << err;

    // A directory without index.html is no web root either; --demo prints it beside the logins.
    const fs::path empty = env.dir() / "empty-web";
    fs::create_directories(empty);
    env.config["web_root"] = empty.string();
    env.write_config();
    const std::string out = (env.dir() / "demo.out").string(), errf = (env.dir() / "demo.err").string();
    auto demo = Process::spawn({centrala_binary(), "serve", "--demo", "--config", env.config_path(), "--listen",
                                "127.0.0.1:0", "--db", env.db_path()},
                               {"", out, errf});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (read_file(out).find("listening on") == std::string::npos && demo.running() &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    demo.signal(SIGTERM);
    EXPECT_EQ(demo.wait_for(std::chrono::seconds(10)), std::optional<int>(0)) << read_file(errf);
    const std::string banner = read_file(out);
    EXPECT_NE(banner.find("listening on"), std::string::npos) << banner;
    EXPECT_NE(banner.find("warning: web_root '" + empty.string() + "'"), std::string::npos) << banner;
    EXPECT_NE(banner.find("which has no index.html"), std::string::npos) << banner;
    EXPECT_NE(read_file(errf).find("has no index.html"), std::string::npos) << read_file(errf);
}

// The repository's own web/ gives no warning.
TEST(Cli, ServeWithTheRepositoryWebRootDoesNotWarn) {
    TestEnv env;
    auto server = env.start();
    EXPECT_EQ(server->terminate(), std::optional<int>(0));
    EXPECT_EQ(server->stderr_text().find("web_root"), std::string::npos) << server->stderr_text();
}

}  // namespace
}  // namespace centrala::testing
