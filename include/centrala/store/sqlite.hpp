// Thin RAII wrapper over the SQLite C API. Not thread-safe: one Database is
// used by one thread at a time (the store worker).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "centrala/domain/result.hpp"

namespace centrala::store {

class Statement;

enum class Durability { full, normal };

class Database {
public:
    // Opens (creating if needed) and applies the pragmas the server relies on:
    // WAL, foreign keys, busy timeout and synchronous=FULL so that a write
    // acknowledged to a client survives a power cut.
    static Result<Database> open(const std::string& path, Durability durability = Durability::full);

    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    Result<void> exec(const std::string& sql);
    Result<Statement> prepare(std::string_view sql);
    int64_t last_insert_id() const;
    int changes() const;
    sqlite3* handle() const { return db_; }
    Error error(std::string_view what) const;

private:
    explicit Database(sqlite3* db) : db_(db) {}
    sqlite3* db_ = nullptr;
};

// Runs BEGIN IMMEDIATE; rolls back unless commit() was called.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    bool begun() const { return begun_; }
    Result<void> commit();

private:
    Database& db_;
    bool begun_ = false;
    bool done_ = false;
};

class Statement {
public:
    Statement(Statement&&) noexcept;
    Statement& operator=(Statement&&) noexcept;
    Statement(const Statement&) = delete;
    ~Statement();

    Statement& bind(int index, int64_t v);
    Statement& bind(int index, int v) { return bind(index, int64_t{v}); }
    Statement& bind(int index, double v);
    Statement& bind(int index, std::string_view v);
    Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
    Statement& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
    Statement& bind_null(int index);
    // Bytes as a BLOB (files, images): never read as text.
    Statement& bind_blob(int index, std::string_view bytes);
    template <class T>
    Statement& bind(int index, const std::optional<T>& v) {
        return v ? bind(index, *v) : bind_null(index);
    }

    // true: a row is ready; false: done. Errors come back as values.
    Result<bool> step();
    Result<void> run();  // step to completion, for statements without rows
    // Calls on_row() with each row ready in turn; a failed step ends it with the error.
    template <class OnRow>
    Result<void> for_each_row(OnRow&& on_row) {
        for (;;) {
            auto has = step();
            if (!has) return has.error();
            if (!*has) return Ok{};
            on_row();
        }
    }
    void reset();

    int64_t int64(int col) const;
    double real(int col) const;
    std::string text(int col) const;
    std::string blob(int col) const;
    bool is_null(int col) const;

private:
    friend class Database;
    Statement(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
    sqlite3* db_ = nullptr;
    sqlite3_stmt* s_ = nullptr;
};

// Copies a live database into `path` with SQLite's online backup API, without
// stopping writers for more than a page batch at a time.
Result<void> backup(Database& from, const std::string& path);

}  // namespace centrala::store
