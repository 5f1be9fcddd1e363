#include "centrala/store/sqlite.hpp"

#include <utility>

namespace centrala::store {

Result<Database> Database::open(const std::string& path, Durability durability) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
        sqlite3_close(raw);
        return Error::internal("cannot open database " + path + ": " + msg);
    }
    Database db(raw);
    sqlite3_busy_timeout(raw, 5000);
    sqlite3_extended_result_codes(raw, 1);
    // cache_size: 32 MiB of pages (the default is 2 MiB), so the message
    // table's indexes stay in memory under load instead of being read back
    // from the file for every batch.
    const std::string pragmas = std::string("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; ") +
                                (durability == Durability::full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
    if (auto r = db.exec(pragmas); !r) return r.error();
    return db;
}

Database::Database(Database&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
Database& Database::operator=(Database&& o) noexcept {
    if (this != &o) {
        if (db_) sqlite3_close_v2(db_);
        db_ = std::exchange(o.db_, nullptr);
    }
    return *this;
}
Database::~Database() {
    if (db_) sqlite3_close_v2(db_);
}

Error Database::error(std::string_view what) const {
    const int code = sqlite3_extended_errcode(db_);
    if ((code & 0xff) == SQLITE_CONSTRAINT) return Error::conflict("constraint", std::string(what) + ": " + sqlite3_errmsg(db_));
    if ((code & 0xff) == SQLITE_BUSY) return {ErrorKind::unavailable, "database_busy", std::string(what) + ": database busy"};
    return Error::internal(std::string(what) + ": " + sqlite3_errmsg(db_));
}

Result<void> Database::exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        Error e = error("exec");
        if (err) {
            e.message = std::string("sql: ") + err;
            sqlite3_free(err);
        }
        return e;
    }
    return Ok{};
}

Result<Statement> Database::prepare(std::string_view sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), int(sql.size()), &s, nullptr) != SQLITE_OK) return error("prepare");
    return Statement(db_, s);
}

int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

Transaction::Transaction(Database& db) : db_(db) { begun_ = db_.exec("BEGIN IMMEDIATE").ok(); }
Transaction::~Transaction() {
    if (begun_ && !done_) (void)db_.exec("ROLLBACK");
}
Result<void> Transaction::commit() {
    if (!begun_) return Error::internal("transaction was not started");
    auto r = db_.exec("COMMIT");
    if (r) done_ = true;
    return r;
}

Statement::Statement(Statement&& o) noexcept : db_(o.db_), s_(std::exchange(o.s_, nullptr)) {}
Statement& Statement::operator=(Statement&& o) noexcept {
    if (this != &o) {
        if (s_) sqlite3_finalize(s_);
        db_ = o.db_;
        s_ = std::exchange(o.s_, nullptr);
    }
    return *this;
}
Statement::~Statement() {
    if (s_) sqlite3_finalize(s_);
}

Statement& Statement::bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
}
Statement& Statement::bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::bind_blob(int i, std::string_view v) {
    sqlite3_bind_blob64(s_, i, v.data(), sqlite3_uint64(v.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::bind_null(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
}

Result<bool> Statement::step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Error e = Error::internal(std::string("step: ") + sqlite3_errmsg(db_));
    if ((rc & 0xff) == SQLITE_CONSTRAINT) e = Error::conflict("constraint", sqlite3_errmsg(db_));
    if ((rc & 0xff) == SQLITE_BUSY) e = Error{ErrorKind::unavailable, "database_busy", "database busy"};
    sqlite3_reset(s_);
    return e;
}

Result<void> Statement::run() {
    for (;;) {
        auto r = step();
        if (!r) return r.error();
        if (!*r) return Ok{};
    }
}

void Statement::reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
}

int64_t Statement::int64(int col) const { return sqlite3_column_int64(s_, col); }
double Statement::real(int col) const { return sqlite3_column_double(s_, col); }
std::string Statement::text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, size_t(sqlite3_column_bytes(s_, col))) : std::string();
}
std::string Statement::blob(int col) const {
    auto p = static_cast<const char*>(sqlite3_column_blob(s_, col));
    return p ? std::string(p, size_t(sqlite3_column_bytes(s_, col))) : std::string();
}
bool Statement::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

Result<void> backup(Database& from, const std::string& path) {
    sqlite3* dest = nullptr;
    if (sqlite3_open(path.c_str(), &dest) != SQLITE_OK) {
        std::string msg = dest ? sqlite3_errmsg(dest) : "out of memory";
        sqlite3_close(dest);
        return Error::internal("cannot open backup file " + path + ": " + msg);
    }
    sqlite3_backup* b = sqlite3_backup_init(dest, "main", from.handle(), "main");
    if (!b) {
        std::string msg = sqlite3_errmsg(dest);
        sqlite3_close(dest);
        return Error::internal("backup: " + msg);
    }
    int rc;
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    std::string msg = sqlite3_errmsg(dest);
    sqlite3_close(dest);
    if (rc != SQLITE_DONE) return Error::internal("backup failed: " + msg);
    return Ok{};
}

}  // namespace centrala::store
