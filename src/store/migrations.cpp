#include "centrala/store/migrations.hpp"

#include <chrono>

namespace centrala::store {

Result<int> schema_version(Database& db) {
    auto st = db.prepare("PRAGMA user_version");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return static_cast<int>(st->int64(0));
}

Result<int> migrate(Database& db, const std::vector<Migration>& migrations) {
    auto current = schema_version(db);
    if (!current) return current.error();
    const int newest = migrations.empty() ? 0 : migrations.back().version;
    if (*current > newest)
        return Error{ErrorKind::conflict, "database_too_new",
                     "the database has schema version " + std::to_string(*current) + " but this centrala knows only up to " +
                         std::to_string(newest) + "; run a newer centrala (or restore a backup) instead"};
    int version = *current;
    for (const auto& m : migrations) {
        if (m.version <= version) continue;
        Transaction tx(db);
        if (!tx.begun()) return db.error("begin migration");
        if (auto r = db.exec(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at INTEGER NOT NULL)");
            !r)
            return r.error();
        if (auto r = db.exec(m.sql); !r) {
            Error e = r.error();
            e.message = "migration " + std::to_string(m.version) + " (" + m.name + ") failed: " + e.message;
            return e;
        }
        auto ins = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
        if (!ins) return ins.error();
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        ins->bind(1, m.version).bind(2, m.name).bind(3, int64_t(now));
        if (auto r = ins->run(); !r) return r.error();
        if (auto r = db.exec("PRAGMA user_version = " + std::to_string(m.version)); !r) return r.error();
        if (auto r = tx.commit(); !r) return r.error();
        version = m.version;
    }
    return version;
}

}  // namespace centrala::store
