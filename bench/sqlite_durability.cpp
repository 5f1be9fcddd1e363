// bench_sqlite: what a durable commit costs in centrala's store.
//
// Every acknowledged chat message is one committed SQLite transaction. The
// store opens its database in WAL mode with synchronous=FULL (an fsync of the
// WAL on every commit) so that an acknowledged message survives a power cut;
// synchronous=NORMAL only syncs at checkpoints and may lose the last commits
// on power loss (never on a process crash). This measures the price:
//
//   store_insert/{full,normal}     one INSERT per transaction through
//                                  centrala_store (Database, Transaction, Statement)
//   sqlite3_insert/{full,normal}   the same loop on the bare sqlite3 C API with
//                                  the same pragmas: the baseline for the wrapper
//   store_batch100/{full,normal}   100 INSERTs per transaction, for context
//
// Rates are items (rows) per second of wall-clock time. The database is a
// file in $CENTRALA_BENCH_DIR (default: the system temp directory), which must
// be on the kind of disk the server will use: on tmpfs fsync costs nothing.
//
// Usage: bench_sqlite [Google Benchmark flags, e.g. --benchmark_min_time=2]
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <sys/vfs.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <unistd.h>

#include "centrala/store/sqlite.hpp"

namespace fs = std::filesystem;
using centrala::store::Database;
using centrala::store::Durability;
using centrala::store::Statement;
using centrala::store::Transaction;

namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS bench_message ("
    " id INTEGER PRIMARY KEY,"
    " conversation_id INTEGER NOT NULL,"
    " sender TEXT NOT NULL,"
    " sent_at INTEGER NOT NULL,"
    " body TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS bench_message_conversation ON bench_message(conversation_id, id);";
constexpr const char* kInsert =
    "INSERT INTO bench_message(conversation_id, sender, sent_at, body) VALUES (?1, ?2, ?3, ?4)";
// A typical resident's chat line (115 bytes of UTF-8).
constexpr const char* kBody =
    "Dzień dobry, chciałabym zapytać, jakie dokumenty są potrzebne do rejestracji samochodu sprowadzonego z Niemiec.";

fs::path g_dir;  // the scratch directory, removed at exit

const char* name_of(Durability d) { return d == Durability::full ? "full" : "normal"; }

// A fresh database file for one benchmark run (Google Benchmark calls each
// function several times while it settles on an iteration count).
fs::path fresh_file(const std::string& name) {
    fs::path p = g_dir / (name + ".db");
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + suffix, ec);
    return p;
}

void remove_file(const fs::path& p) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + suffix, ec);
}

template <class T>
T& checked(centrala::Result<T>& r, benchmark::State& state, const char* what) {
    if (!r) {
        state.SkipWithError((std::string(what) + ": " + r.error().message).c_str());
        std::cerr << what << ": " << r.error().message << "\n";
        std::exit(1);
    }
    return *r;
}

void must(const centrala::Result<void>& r, const char* what) {
    if (!r) {
        std::cerr << what << ": " << r.error().message << "\n";
        std::exit(1);
    }
}

// One message, one transaction, one commit: what acknowledging a chat line costs.
void store_insert(benchmark::State& state, Durability durability, int rows_per_tx) {
    const auto path = fresh_file(std::string("store_") + name_of(durability) + "_" + std::to_string(rows_per_tx));
    {
        auto opened = Database::open(path.string(), durability);
        Database& db = checked(opened, state, "open");
        must(db.exec(kSchema), "schema");
        auto prepared = db.prepare(kInsert);
        Statement& insert = checked(prepared, state, "prepare");
        int64_t n = 0;
        for (auto _ : state) {
            Transaction tx(db);
            for (int i = 0; i < rows_per_tx; ++i, ++n) {
                insert.bind(1, n % 500).bind(2, "resident").bind(3, int64_t{1700000000000} + n).bind(4, kBody);
                must(insert.run(), "insert");
                insert.reset();
            }
            must(tx.commit(), "commit");
        }
        state.SetItemsProcessed(state.iterations() * rows_per_tx);
    }
    remove_file(path);
}

void exec_or_die(sqlite3* db, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::cerr << "sqlite3: " << sql << ": " << (err ? err : "?") << "\n";
        std::exit(1);
    }
}

void step_or_die(sqlite3* db, sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_DONE) {
        std::cerr << "sqlite3_step: " << sqlite3_errmsg(db) << "\n";
        std::exit(1);
    }
    sqlite3_reset(s);
}

// The same loop on the C API, with every statement prepared once: the floor
// the wrapper is measured against.
void sqlite3_insert(benchmark::State& state, Durability durability) {
    const auto path = fresh_file(std::string("sqlite3_") + name_of(durability));
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
        std::cerr << "sqlite3_open_v2: " << (db ? sqlite3_errmsg(db) : "out of memory") << "\n";
        std::exit(1);
    }
    sqlite3_busy_timeout(db, 5000);
    exec_or_die(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;");
    exec_or_die(db, durability == Durability::full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
    exec_or_die(db, kSchema);
    sqlite3_stmt *begin = nullptr, *insert = nullptr, *commit = nullptr;
    sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nullptr);
    sqlite3_prepare_v2(db, kInsert, -1, &insert, nullptr);
    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr);
    if (!begin || !insert || !commit) {
        std::cerr << "sqlite3_prepare_v2: " << sqlite3_errmsg(db) << "\n";
        std::exit(1);
    }
    int64_t n = 0;
    for (auto _ : state) {
        step_or_die(db, begin);
        sqlite3_bind_int64(insert, 1, n % 500);
        sqlite3_bind_text(insert, 2, "resident", -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 3, int64_t{1700000000000} + n);
        sqlite3_bind_text(insert, 4, kBody, -1, SQLITE_STATIC);
        step_or_die(db, insert);
        step_or_die(db, commit);
        ++n;
    }
    state.SetItemsProcessed(state.iterations());
    sqlite3_finalize(begin);
    sqlite3_finalize(insert);
    sqlite3_finalize(commit);
    sqlite3_close_v2(db);
    remove_file(path);
}

// Prints the usual console table, remembers rows/s per benchmark, and at the
// end prints NORMAL/FULL for each pair.
class RatioReporter : public benchmark::ConsoleReporter {
public:
    // Colours only on a terminal, as Google Benchmark's own default reporter does.
    RatioReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& run : runs) {
            if (run.error_occurred) continue;
            auto it = run.counters.find("items_per_second");
            if (it == run.counters.end()) continue;
            const std::string name = run.run_name.str();
            if (run.run_type == Run::RT_Aggregate) {
                if (run.aggregate_name == "median") median_[name] = it->second.value;
            } else {
                auto& [sum, count] = mean_[name];
                sum += it->second.value;
                ++count;
            }
        }
    }

    void Finalize() override {
        ConsoleReporter::Finalize();
        std::printf("\nDurability cost (rows per second, wall clock):\n");
        std::printf("  %-16s %14s %14s %14s %13s\n", "benchmark", "FULL rows/s", "NORMAL rows/s", "NORMAL/FULL",
                    "FULL ms/commit");
        for (const char* family : {"store_insert", "sqlite3_insert", "store_batch100"}) {
            const double full = rate(std::string(family) + "/full");
            const double normal = rate(std::string(family) + "/normal");
            if (full <= 0 || normal <= 0) continue;
            const double per_commit_ms = 1000.0 / full * (std::string(family) == "store_batch100" ? 100 : 1);
            std::printf("  %-16s %14.0f %14.0f %13.1fx %13.3f\n", family, full, normal, normal / full, per_commit_ms);
        }
        const double store = rate("store_insert/full"), raw = rate("sqlite3_insert/full");
        if (store > 0 && raw > 0)
            std::printf("  centrala_store vs bare sqlite3 (FULL): %.0f%%\n", 100.0 * store / raw);
        std::fflush(stdout);
    }

private:
    double rate(const std::string& name) const {
        // Names carry "/real_time" since the benchmarks measure wall-clock time.
        for (const std::string& n : {name + "/real_time", name}) {
            if (auto m = median_.find(n); m != median_.end()) return m->second;
            if (auto a = mean_.find(n); a != mean_.end() && a->second.second > 0)
                return a->second.first / a->second.second;
        }
        return 0;
    }
    std::map<std::string, double> median_;
    std::map<std::string, std::pair<double, int>> mean_;
};

std::string filesystem_of(const fs::path& dir) {
    struct statfs s {};
    if (statfs(dir.c_str(), &s) != 0) return "unknown";
    switch (static_cast<unsigned long>(s.f_type)) {
        case 0xEF53: return "ext2/3/4";
        case 0x58465342: return "xfs";
        case 0x9123683E: return "btrfs";
        case 0x01021994: return "tmpfs (fsync is free: figures are meaningless)";
        case 0x794C7630: return "overlayfs";
        default: {
            char b[32];
            std::snprintf(b, sizeof b, "0x%lx", static_cast<unsigned long>(s.f_type));
            return b;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    const char* base_env = std::getenv("CENTRALA_BENCH_DIR");
    const fs::path base = base_env && *base_env ? fs::path(base_env) : fs::temp_directory_path();
    std::error_code ec;
    fs::create_directories(base, ec);
    std::string templ = (base / "centrala-bench-sqlite-XXXXXX").string();
    if (!mkdtemp(templ.data())) {
        std::perror(("bench_sqlite: cannot create a directory in " + base.string()).c_str());
        return 1;
    }
    g_dir = templ;

    for (Durability d : {Durability::full, Durability::normal}) {
        const std::string n = name_of(d);
        benchmark::RegisterBenchmark(("store_insert/" + n).c_str(), store_insert, d, 1)->UseRealTime()->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(("sqlite3_insert/" + n).c_str(), sqlite3_insert, d)->UseRealTime()->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(("store_batch100/" + n).c_str(), store_insert, d, 100)->UseRealTime()->Unit(benchmark::kMicrosecond);
    }

    benchmark::AddCustomContext("sqlite", sqlite3_libversion());
    benchmark::AddCustomContext("db_dir", g_dir.string());
    benchmark::AddCustomContext("db_filesystem", filesystem_of(g_dir));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    fs::remove_all(g_dir, ec);
    return 0;
}
