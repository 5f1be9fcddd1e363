// bare_sqlite_batch: the storage baseline of the chat benchmarks.
//
// A bare insert loop on the sqlite3 C API into centrala's own schema (the
// migrations of this checkout are applied to a fresh file), with the pragmas
// of store::Database at Durability::full (WAL, foreign_keys=ON,
// synchronous=FULL) and the INSERT of ChatStore::append (ON CONFLICT on the
// client_msg_id key), prepared once. Rows look like the load client's chat
// messages (1,000 conversations, resident and agent authors alternating, an
// ~80-byte Polish text, a client_msg_id). `batch` rows share one
// BEGIN IMMEDIATE ... COMMIT, i.e. one fsync of the WAL.
//
// Usage: bare_sqlite_batch DIR [SECONDS=3] [ROUNDS=3] [BATCH,...=1,10,100,1000]
// Prints the median rows/s per batch size over ROUNDS interleaved rounds and a
// `RESULT kind=sqlite ...` line per batch size.
#include <sqlite3.h>
#include <sys/vfs.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#ifndef CENTRALA_SOURCE_DIR
#error "CENTRALA_SOURCE_DIR must name the checkout (for migrations/)"
#endif

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

void check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::cerr << "bare_sqlite_batch: " << what << ": " << sqlite3_errmsg(db) << "\n";
        std::exit(1);
    }
}

void exec(sqlite3* db, const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::cerr << "bare_sqlite_batch: " << (err ? err : "?") << "\n";
        std::exit(1);
    }
}

std::string read_file(const fs::path& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

struct Db {
    sqlite3* db = nullptr;
    sqlite3_stmt* ins = nullptr;
    int64_t seq = 0;
};

Db open_db(const fs::path& path) {
    fs::remove(path);
    fs::remove(path.string() + "-wal");
    fs::remove(path.string() + "-shm");
    Db d;
    check(sqlite3_open(path.c_str(), &d.db), d.db, "open");
    sqlite3_busy_timeout(d.db, 5000);
    exec(d.db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;");
    std::vector<fs::path> migrations;
    for (auto& e : fs::directory_iterator(fs::path(CENTRALA_SOURCE_DIR) / "migrations"))
        if (e.path().extension() == ".sql") migrations.push_back(e.path());
    std::sort(migrations.begin(), migrations.end());
    for (auto& m : migrations) exec(d.db, read_file(m));
    exec(d.db, "BEGIN");
    for (int i = 1; i <= 1000; ++i)
        exec(d.db, "INSERT INTO contacts (id, channel, state, created_at) VALUES (" + std::to_string(i) +
                       ", 'chat', 'active', 0)");
    exec(d.db, "COMMIT");
    check(sqlite3_prepare_v2(d.db,
                             "INSERT INTO messages (contact_id, author_kind, author_id, author_name, body, internal, buttons, "
                             "client_msg_id, created_at) VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), ?) "
                             "ON CONFLICT (contact_id, author_kind, author_id, client_msg_id) DO NOTHING",
                             -1, &d.ins, nullptr),
          d.db, "prepare");
    return d;
}

const std::string kBody =
    "B|123456|987654321012345|r| Dzień dobry, chciałbym zapytać o termin odbioru odpadów wielkogabaryt";

// Rows per second for `seconds` of batches of `batch` rows.
double run(Db& d, int batch, double seconds) {
    const auto t0 = Clock::now();
    const auto end = t0 + std::chrono::duration<double>(seconds);
    int64_t rows = 0;
    while (Clock::now() < end) {
        exec(d.db, "BEGIN IMMEDIATE");
        for (int i = 0; i < batch; ++i) {
            const int64_t s = ++d.seq;
            const bool agent = s % 2;
            const std::string cmid = "K|" + std::to_string(s);
            sqlite3_reset(d.ins);
            sqlite3_bind_int64(d.ins, 1, 1 + s % 1000);
            sqlite3_bind_text(d.ins, 2, agent ? "agent" : "resident", -1, SQLITE_STATIC);
            sqlite3_bind_int64(d.ins, 3, agent ? 2 + s % 56 : 0);
            sqlite3_bind_text(d.ins, 4, agent ? "Konsultant 7" : "Mieszkaniec 42", -1, SQLITE_STATIC);
            sqlite3_bind_text(d.ins, 5, kBody.data(), int(kBody.size()), SQLITE_STATIC);
            sqlite3_bind_int(d.ins, 6, 0);
            sqlite3_bind_text(d.ins, 7, "", 0, SQLITE_STATIC);
            sqlite3_bind_text(d.ins, 8, cmid.data(), int(cmid.size()), SQLITE_TRANSIENT);
            sqlite3_bind_int64(d.ins, 9, 1764400000000 + s);
            check(sqlite3_step(d.ins), d.db, "insert");
        }
        exec(d.db, "COMMIT");
        rows += batch;
    }
    return double(rows) / std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: bare_sqlite_batch DIR [SECONDS=3] [ROUNDS=3] [BATCH,...=1,10,100,1000]\n";
        return 2;
    }
    const fs::path dir = argv[1];
    const double seconds = argc > 2 ? std::stod(argv[2]) : 3;
    const int rounds = argc > 3 ? std::stoi(argv[3]) : 3;
    std::vector<int> batches = {1, 10, 100, 1000};
    if (argc > 4) {
        batches.clear();
        std::stringstream ss(argv[4]);
        std::string b;
        while (std::getline(ss, b, ',')) batches.push_back(std::stoi(b));
    }
    struct statfs sf {};
    if (statfs(dir.c_str(), &sf) == 0 && sf.f_type == 0x01021994)
        std::cout << "  WARNING: " << dir << " is tmpfs, where fsync costs nothing\n";
    Db d = open_db(dir / "bare_sqlite_batch.db");
    std::map<int, std::vector<double>> rates;
    for (int r = 0; r < rounds; ++r)
        for (size_t k = 0; k < batches.size(); ++k) {
            // Interleaved, and the order turns each round, so drift hits all sizes alike.
            const int b = batches[(k + size_t(r)) % batches.size()];
            rates[b].push_back(run(d, b, seconds));
        }
    for (int b : batches) {
        auto v = rates[b];
        std::sort(v.begin(), v.end());
        const double med = v[v.size() / 2];
        std::printf("  batch %5d rows/commit: %9.0f rows/s  (%.0f commits/s; rounds:", b, med, med / b);
        for (double x : rates[b]) std::printf(" %.0f", x);
        std::printf(")\n");
        std::printf("RESULT kind=sqlite batch=%d rows_per_s=%.1f min=%.1f max=%.1f\n", b, med, v.front(), v.back());
    }
    sqlite3_finalize(d.ins);
    sqlite3_close(d.db);
    fs::remove(dir / "bare_sqlite_batch.db");
    fs::remove(dir / "bare_sqlite_batch.db-wal");
    fs::remove(dir / "bare_sqlite_batch.db-shm");
    return 0;
}
