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

namespace {

// A migration may rebuild a table (SQLite cannot alter a CHECK): with foreign
// keys on, dropping the old parent table would fail or cascade. The pragma is a
// no-op inside a transaction, so it is switched off around all of them and back
// on whatever happens; each migration checks the keys itself before it commits.
class ForeignKeysOff {
public:
    explicit ForeignKeysOff(Database& db) : db_(db) {
        {
            auto st = db_.prepare("PRAGMA foreign_keys");
            if (st) {
                auto row = st->step();
                was_on_ = row && *row && st->int64(0) != 0;
            }
        }
        if (was_on_) (void)db_.exec("PRAGMA foreign_keys = OFF");
    }
    ~ForeignKeysOff() {
        if (was_on_) (void)db_.exec("PRAGMA foreign_keys = ON");
    }
    ForeignKeysOff(const ForeignKeysOff&) = delete;
    ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;

private:
    Database& db_;
    bool was_on_ = false;
};

// The first row PRAGMA foreign_key_check reports, as "table rowid -> parent".
Result<std::string> broken_foreign_key(Database& db) {
    auto st = db.prepare("PRAGMA foreign_key_check");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return std::string();
    return st->text(0) + " row " + std::to_string(st->int64(1)) + " -> " + st->text(2);
}

}  // namespace

Result<int> migrate(Database& db, const std::vector<Migration>& migrations) {
    auto current = schema_version(db);
    if (!current) return current.error();
    const int newest = migrations.empty() ? 0 : migrations.back().version;
    if (*current > newest)
        return Error{ErrorKind::conflict, "database_too_new",
                     "the database has schema version " + std::to_string(*current) + " but this centrala knows only up to " +
                         std::to_string(newest) + "; run a newer centrala (or restore a backup) instead"};
    int version = *current;
    if (version == newest) return version;
    ForeignKeysOff fk_off(db);
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
        auto broken = broken_foreign_key(db);
        if (!broken) return broken.error();
        if (!broken->empty())
            return Error::internal("migration " + std::to_string(m.version) + " (" + m.name +
                                   ") would break a foreign key: " + *broken);
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
