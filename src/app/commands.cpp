#include "centrala/app/commands.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "centrala/api/api.hpp"
#include "centrala/app/log_sink.hpp"
#include "centrala/app/config.hpp"
#include "centrala/crypto/crypto.hpp"
#include "centrala/net/http_poster.hpp"
#include "centrala/net/server.hpp"
#include "centrala/routing/core.hpp"
#include "centrala/store/canned_store.hpp"
#include "centrala/store/migrations.hpp"
#include "centrala/store/staff_store.hpp"
#include "centrala/store/worker.hpp"

namespace centrala::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// --name value pairs and bare --flags; anything else is an error.
struct Args {
    std::map<std::string, std::string> values;
    std::vector<std::string> flags;
    bool flag(const std::string& f) const { return std::find(flags.begin(), flags.end(), f) != flags.end(); }
    std::optional<std::string> get(const std::string& k) const {
        auto it = values.find(k);
        return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
    }
};

std::optional<Args> parse_args(const std::vector<std::string>& in, const std::vector<std::string>& valued,
                               const std::vector<std::string>& bare) {
    Args a;
    for (size_t i = 0; i < in.size(); ++i) {
        const auto& k = in[i];
        if (std::find(valued.begin(), valued.end(), k) != valued.end()) {
            if (i + 1 >= in.size()) {
                std::cerr << "centrala: " << k << " needs a value\n";
                return std::nullopt;
            }
            a.values[k] = in[++i];
        } else if (std::find(bare.begin(), bare.end(), k) != bare.end()) {
            a.flags.push_back(k);
        } else {
            std::cerr << "centrala: unknown option '" << k << "'\n";
            return std::nullopt;
        }
    }
    return a;
}

Result<Config> load_config(const std::optional<std::string>& path) {
    if (path) return load_config_file(*path);
    if (fs::exists("config/centrala.json")) return load_config_file("config/centrala.json");
    return parse_config(embedded_default_config(), "(built-in config/centrala.json)");
}

Result<store::Database> open_migrated(const std::string& path) {
    std::error_code ec;
    const auto dir = fs::path(path).parent_path();
    if (!dir.empty()) fs::create_directories(dir, ec);
    auto db = store::Database::open(path);
    if (!db) return db.error();
    auto v = store::migrate(*db);
    if (!v) return v.error();
    return db;
}

void setup_logging(const std::string& level) {
    // The network thread formats its line into a buffer and goes on; a writer
    // thread empties the buffer (see log_sink.hpp).
    auto sink = std::make_shared<BatchingSink>();
    auto logger = std::make_shared<spdlog::logger>("centrala", sink);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::level::from_str(level));
    spdlog::set_default_logger(logger);
}

// Posts onto the io_context from any thread.
class LoopExecutor final : public Executor {
public:
    explicit LoopExecutor(boost::asio::io_context& ioc) : ioc_(ioc) {}
    bool post(Task t) override {
        boost::asio::post(ioc_, std::move(t));
        return true;
    }

private:
    boost::asio::io_context& ioc_;
};

struct DemoUser {
    const char* username;
    const char* display_name;
    Role role;
    Skills skills;
};

void seed_demo(store::Database& db, const crypto::Argon2Params& params) {
    store::StaffStore staff(db);
    auto n = staff.count_users();
    if (!n || *n > 0) {
        std::cout << "demo: the database already has users; nothing seeded\n";
        return;
    }
    const std::vector<DemoUser> users = {
        {"admin", "Administrator", Role::admin, {}},
        {"kierownik", "Marta Zielińska", Role::supervisor, {{"vehicles", 3}, {"waste", 3}, {"taxes", 3}}},
        {"konsultant1", "Anna Nowak", Role::agent, {{"vehicles", 5}, {"waste", 3}, {"report", 2}}},
        {"konsultant2", "Piotr Wiśniewski", Role::agent, {{"taxes", 4}, {"waste", 4}, {"vehicles", 2}}},
        {"tlumacz", "Ewa Kowalczyk (PJM)", Role::agent, {{"pjm", 5}}},
    };
    std::cout << "demo logins (shown once; change them after the first login):\n";
    const auto now = SystemClock().now();
    int64_t admin_id = 0;
    for (const auto& d : users) {
        const std::string password = crypto::random_token(12);
        auto hash = crypto::hash_password(password, params);
        if (!hash) continue;
        User u;
        u.username = d.username;
        u.display_name = d.display_name;
        u.role = d.role;
        u.skills = d.skills;
        u.capacity = default_capacity();
        if (auto r = staff.insert_user(u, *hash, now); r) {
            std::cout << "  " << std::string(to_string(d.role)) << "\t" << d.username << "\t" << password << "\n";
            if (d.role == Role::admin && admin_id == 0) admin_id = r->user.id;
            (void)staff.audit({0, now, std::nullopt, "demo", "user_created", "user:" + std::to_string(r->user.id), "", "{}"});
        }
    }
    std::cout.flush();
    // A few reply templates, so the console's template search has something to find.
    store::CannedStore canned(db);
    const std::vector<store::CannedResponse> templates = {
        {0, std::nullopt, "pl", "Powitanie", "Dzień dobry, nazywam się {agent}. W czym mogę pomóc?", "witam"},
        {0, std::nullopt, "pl", "Chwila na sprawdzenie", "Proszę o chwilę cierpliwości, sprawdzam to w systemie.", "chwila"},
        {0, std::nullopt, "pl", "Zakończenie", "Dziękuję za rozmowę. Czy mogę jeszcze w czymś pomóc?", "koniec"},
        {0, std::string("vehicles"), "pl", "Rejestracja używanego auta — dokumenty",
         "Do rejestracji potrzebne są: dowód własności (umowa lub faktura), dowód rejestracyjny, tablice rejestracyjne, "
         "aktualne badanie techniczne i potwierdzenie zapłaty opłat. Na rejestrację jest 30 dni od zakupu.",
         "rejestracja"},
        {0, std::string("waste"), "pl", "Nieodebrane odpady",
         "Przykro mi, że odpady nie zostały odebrane. Zgłoszę to firmie odbierającej; proszę podać adres i rodzaj odpadów.",
         "odpady"},
        {0, std::nullopt, "en", "Greeting", "Good morning, my name is {agent}. How can I help you?", "hello"},
        {0, std::nullopt, "uk", "Привітання", "Доброго дня, мене звати {agent}. Чим можу допомогти?", "vitayu"},
    };
    if (admin_id != 0)
        for (const auto& t : templates) (void)canned.insert(t, admin_id, now);
}

// web_root is relative to the working directory: started outside the checkout,
// centrala serves the API but every page is a 404, which looks like a bug in
// the pages. Empty when the root looks servable.
std::string web_root_problem(const Config& c) {
    std::error_code ec;
    fs::path abs = fs::absolute(c.web_root, ec);
    if (ec) abs = c.web_root;
    abs = abs.lexically_normal();
    std::string why;
    if (!fs::is_directory(abs, ec)) why = "does not exist";
    else if (!fs::is_regular_file(abs / "index.html", ec)) why = "has no index.html";
    else return {};
    return "web_root '" + c.web_root + "' (" + c.source + ") resolves to " + abs.string() + ", which " + why +
           ": the API works, but the staff app, the widget and every other page answer 404. Set web_root to the "
           "absolute path of the web/ directory, or start centrala in the directory that holds web/.";
}

routing::CoreConfig routing_config(const Config& c) {
    routing::CoreConfig rc;
    for (const auto& q : c.queues) {
        routing::QueueConfig qc;
        qc.settings = q;
        qc.strategy = routing::parse_strategy(q.strategy).value_or(routing::Strategy::longest_idle);
        rc.queues.push_back(std::move(qc));
    }
    rc.schedules = c.business_hours;
    rc.holidays = c.holidays;
    rc.missed_offers_to_break = c.routing.missed_offers_to_break;
    rc.voice_excludes_chat = c.routing.voice_excludes_chat;
    return rc;
}

}  // namespace

int run_serve(const std::vector<std::string>& argv) {
    auto args = parse_args(argv, {"--config", "--listen", "--db"}, {"--demo"});
    if (!args) return 2;
    auto cfg = load_config(args->get("--config"));
    if (!cfg) {
        std::cerr << "centrala: " << cfg.error().message << "\n";
        return 2;
    }
    Config c = std::move(*cfg);
    if (auto l = args->get("--listen")) c.listen = *l;
    if (auto d = args->get("--db")) c.database = *d;
    std::string host;
    unsigned short port = 0;
    if (!split_host_port(c.listen, host, port)) {
        std::cerr << "centrala: --listen must be HOST:PORT, got '" << c.listen << "'\n";
        return 2;
    }
    setup_logging(c.log_level);
    std::signal(SIGPIPE, SIG_IGN);

    auto db = open_migrated(c.database);
    if (!db) {
        std::cerr << "centrala: " << c.database << ": " << db.error().message << "\n";
        return 1;
    }
    if (args->flag("--demo")) seed_demo(*db, c.security.argon2);

    boost::asio::io_context ioc(1);
    LoopExecutor loop(ioc);
    metrics::Registry registry;
    SystemClock clock;
    // The one owner of routing state; touched only on the io thread.
    routing::Core routing_core(clock, routing_config(c));
    registry.add_collector([&routing_core](std::string& out) {
        out += "# HELP centrala_contacts_waiting Contacts waiting per queue\n# TYPE centrala_contacts_waiting gauge\n";
        for (const auto& q : routing_core.queue_stats())
            out += "centrala_contacts_waiting{queue=" + metrics::label_value(q.id) + "} " + std::to_string(q.waiting) + "\n";
        out += "# HELP centrala_agents Agents by state\n# TYPE centrala_agents gauge\n";
        std::map<std::string, int> by_state;
        for (const auto& a : routing_core.agent_stats())
            by_state[a.activity != routing::AgentActivity::idle ? std::string(routing::to_string(a.activity))
                                                                : std::string(routing::to_string(a.status))]++;
        for (const auto& [state, n] : by_state)
            out += "centrala_agents{state=" + metrics::label_value(state) + "} " + std::to_string(n) + "\n";
    });
    int exit_code = 0;
    {
        Worker db_worker("store", 100000);
        Worker hash_worker("hash", 1000);
        api::Options opt;
        opt.sessions.idle = std::chrono::minutes(c.sessions.idle_minutes);
        opt.sessions.absolute = std::chrono::hours(c.sessions.absolute_hours);
        opt.throttle.max_failures_per_user = c.security.login.max_failures_per_user;
        opt.throttle.max_failures_per_address = c.security.login.max_failures_per_address;
        opt.throttle.window = std::chrono::seconds(c.security.login.window_seconds);
        opt.throttle.lockout = std::chrono::seconds(c.security.login.lockout_seconds);
        opt.argon2 = c.security.argon2;
        opt.tls = c.security.tls.enabled;
        opt.allowed_origins = c.security.allowed_origins;
        opt.ws_connections_per_user = c.limits.ws_connections_per_user;
        opt.max_message_chars = size_t(c.chat.max_message_chars);
        opt.resident_messages_per_10s = c.chat.messages_per_10s;
        opt.max_open_chats_per_address = c.chat.max_open_chats_per_address;
        opt.abandon_grace = std::chrono::seconds(c.chat.abandon_grace_seconds);
        opt.agent_return_grace = std::chrono::seconds(c.chat.agent_return_grace_seconds);
        opt.callback_max_attempts = c.callback.max_attempts;
        opt.callback_retry = std::chrono::seconds(c.callback.retry_seconds);
        opt.callback_window_minutes = c.callback.window_minutes;
        opt.callback_offer_after_wait = std::chrono::seconds(c.callback.offer_after_wait_seconds);
        opt.departments = c.departments;
        opt.schedules = c.business_hours;
        opt.holidays = c.holidays;
        opt.services = c.services;
        opt.tickets = c.tickets;
        // Uploaded files live beside the database, never under the web root.
        if (opt.tickets.attachments_dir.empty())
            opt.tickets.attachments_dir = (fs::path(c.database).parent_path() / "attachments").string();
        opt.appointments = c.appointments;
        opt.bot_unsure_before_handoff = c.bot.unsure_before_handoff;
        if (c.bot.knowledge_file.empty()) {
            opt.bot_knowledge = embedded_default_knowledge();
            opt.bot_knowledge_source = "(built-in config/knowledge.json)";
        } else {
            std::ifstream in(c.bot.knowledge_file, std::ios::binary);
            if (!in) {
                std::cerr << "centrala: " << c.source << ": bot.knowledge_file: " << c.bot.knowledge_file
                          << " cannot be read\n";
                return 2;
            }
            std::ostringstream text;
            text << in.rdbuf();
            opt.bot_knowledge = text.str();
            opt.bot_knowledge_source = c.bot.knowledge_file;
        }
        opt.wallboard = c.wallboard;
        net::HttpPoster webhooks(ioc);
        api::Api api({loop, db_worker, hash_worker, *db, registry, clock, routing_core, &webhooks}, opt);
        if (auto r = api.load(); !r) {
            std::cerr << "centrala: loading: " << r.error().message << "\n";
            return r.error().kind == ErrorKind::invalid ? 2 : 1;
        }

        net::ServerOptions so;
        so.web_root = c.web_root;
        so.body_limit = c.limits.body_bytes;
        so.header_limit = c.limits.header_bytes;
        so.read_timeout_seconds = c.limits.read_timeout_seconds;
        so.idle_timeout_seconds = c.limits.idle_timeout_seconds;
        so.max_connections = c.limits.max_connections;
        so.ws_max_frame_bytes = c.limits.ws_max_frame_bytes;
        so.ws_queue_frames = c.limits.ws_queue_frames;
        so.ws_auth_timeout_seconds = c.limits.ws_auth_timeout_seconds;
        so.ws_ping_seconds = c.limits.ws_ping_seconds;
        so.frame_ancestors = c.security.frame_ancestors;
        so.trusted_proxies = c.security.trusted_proxies;
        so.tls = c.security.tls.enabled;
        so.tls_certificate = c.security.tls.certificate;
        so.tls_private_key = c.security.tls.private_key;
        net::Server server(ioc, so, api, registry);
        auto bound = server.listen(host, port);
        if (!bound) {
            std::cerr << "centrala: " << bound.error().message << "\n";
            return 1;
        }
        if (const std::string problem = web_root_problem(c); !problem.empty()) {
            spdlog::warn("{}", problem);
            // --demo is run by hand: say it where the person looks, beside the logins.
            if (args->flag("--demo")) std::cout << "warning: " << problem << "\n";
        }

        // Old sessions are pruned hourly, on the store worker.
        boost::asio::steady_timer housekeeping(ioc);
        std::function<void()> prune = [&] {
            housekeeping.expires_after(std::chrono::hours(1));
            housekeeping.async_wait([&](const boost::system::error_code& ec) {
                if (ec) return;
                db_worker.post([&db, &clock] { (void)store::StaffStore(*db).delete_expired_sessions(clock.now()); });
                prune();
            });
        };
        prune();

        // Routing timers (offer timeouts, wrap-up, overflow) and throttled
        // statistics pushes run on the io thread four times a second.
        boost::asio::steady_timer routing_timer(ioc);
        std::function<void()> routing_tick = [&] {
            routing_timer.expires_after(std::chrono::milliseconds(250));
            routing_timer.async_wait([&](const boost::system::error_code& ec) {
                if (ec) return;
                api.routing_tick();
                routing_tick();
            });
        };
        routing_tick();

        boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            spdlog::info("signal {}: shutting down", sig);
            routing_timer.cancel();
            housekeeping.cancel();
            server.shutdown(std::chrono::seconds(c.limits.shutdown_grace_seconds), [&] { ioc.stop(); });
        });

        std::cout << (c.security.tls.enabled ? "listening on https://" : "listening on http://")
                  << (host.find(':') != std::string::npos ? "[" + host + "]" : host) << ":" << *bound << std::endl;
        spdlog::info("centrala {} serving {} (database {}, web root {})", "0.1.0", c.listen, c.database, c.web_root);

        try {
            ioc.run();
            // Let the handlers of force-closed connections finish, so every
            // session ends while the API it points to still exists.
            ioc.restart();
            ioc.run_for(std::chrono::seconds(2));
        } catch (const std::exception& e) {
            spdlog::critical("network loop stopped: {}", e.what());
            exit_code = 1;
        }
        // Every write already queued reaches the disk before we exit.
        hash_worker.stop();
        db_worker.stop();
    }
    spdlog::info("stopped");
    spdlog::shutdown();
    return exit_code;
}

int run_migrate(const std::vector<std::string>& argv) {
    auto args = parse_args(argv, {"--db"}, {});
    if (!args) return 2;
    auto path = args->get("--db");
    if (!path) {
        std::cerr << "centrala migrate: --db PATH is required\n";
        return 2;
    }
    auto db = open_migrated(*path);
    if (!db) {
        std::cerr << "centrala migrate: " << *path << ": " << db.error().message << "\n";
        return 1;
    }
    auto v = store::schema_version(*db);
    std::cout << *path << ": schema version " << (v ? *v : -1) << "\n";
    return 0;
}

int run_user_add(const std::vector<std::string>& argv) {
    auto args = parse_args(argv, {"--db", "--username", "--role", "--display-name", "--skills", "--department", "--config"},
                           {});
    if (!args) return 2;
    auto path = args->get("--db");
    if (!path || !args->get("--username") || !args->get("--role")) {
        std::cerr << "centrala user add: --db, --username and --role are required\n";
        return 2;
    }
    crypto::Argon2Params params;
    std::optional<std::vector<Department>> departments;  // known only with --config
    if (auto cfg_path = args->get("--config")) {
        auto cfg = load_config_file(*cfg_path);
        if (!cfg) {
            std::cerr << "centrala: " << cfg.error().message << "\n";
            return 2;
        }
        params = cfg->security.argon2;
        departments = cfg->departments;
    }
    std::string password;
    if (!std::getline(std::cin, password)) {
        std::cerr << "centrala user add: the password is read from standard input (one line)\n";
        return 2;
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
    json body = {{"username", *args->get("--username")}, {"role", *args->get("--role")}, {"password", password}};
    if (auto dn = args->get("--display-name")) body["display_name"] = *dn;
    if (auto sk = args->get("--skills")) {
        auto skills = parse_skills_list(*sk);
        if (!skills) {
            std::cerr << "centrala user add: --skills must look like vehicles:5,waste:3 (levels 1 to 5)\n";
            return 2;
        }
        body["skills"] = *skills;
    }
    if (auto dep = args->get("--department")) {
        body["department"] = *dep;
        bool known = !departments;
        for (const auto& d : departments.value_or(std::vector<Department>{})) known |= d.id == *dep;
        if (!known) {
            std::cerr << "centrala user add: --department " << *dep << " is not a department of the configuration\n";
            return 2;
        }
    }
    std::string pw;
    auto user = api::Api::validate_new_user(body, pw);
    if (!user) {
        std::cerr << "centrala user add: " << user.error().message << "\n";
        return 2;
    }
    auto db = open_migrated(*path);
    if (!db) {
        std::cerr << "centrala user add: " << *path << ": " << db.error().message << "\n";
        return 1;
    }
    auto hash = crypto::hash_password(pw, params);
    if (!hash) {
        std::cerr << "centrala user add: " << hash.error().message << "\n";
        return 1;
    }
    store::StaffStore staff(*db);
    const auto now = SystemClock().now();
    auto stored = staff.insert_user(*user, *hash, now);
    if (!stored) {
        std::cerr << "centrala user add: " << stored.error().message << "\n";
        return stored.error().kind == ErrorKind::conflict ? 3 : 1;
    }
    (void)staff.audit({0, now, std::nullopt, "cli", "user_created", "user:" + std::to_string(stored->user.id), "",
                       json({{"username", stored->user.username}, {"role", std::string(to_string(stored->user.role))}}).dump()});
    std::cout << "user " << stored->user.username << " (" << to_string(stored->user.role) << ") created with id "
              << stored->user.id << "\n";
    return 0;
}

int run_backup(const std::vector<std::string>& argv) {
    auto args = parse_args(argv, {"--db", "--to"}, {});
    if (!args) return 2;
    auto path = args->get("--db");
    auto to = args->get("--to");
    if (!path || !to) {
        std::cerr << "centrala backup: --db PATH and --to FILE are required\n";
        return 2;
    }
    if (!fs::exists(*path)) {
        std::cerr << "centrala backup: " << *path << " does not exist\n";
        return 1;
    }
    auto db = store::Database::open(*path);
    if (!db) {
        std::cerr << "centrala backup: " << db.error().message << "\n";
        return 1;
    }
    if (auto r = store::backup(*db, *to); !r) {
        std::cerr << "centrala backup: " << r.error().message << "\n";
        return 1;
    }
    std::cout << "backed up " << *path << " to " << *to << "\n";
    return 0;
}

}  // namespace centrala::app
