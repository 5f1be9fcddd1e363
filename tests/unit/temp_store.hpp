// The database a store test works on: a real SQLite file, migrated to the
// shipped schema, in a directory of its own (so tests run in parallel never
// share a file) with a folder beside it for attachments. The directory goes,
// -wal and -shm with it, when the fixture does.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "../support/temp_dir.hpp"
#include "centrala/store/migrations.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::testing {

// Used like the std::optional<store::Database> it replaces: *db_, db_->exec(...),
// and close() to let go of the file (e.g. before opening path() again).
// Throws when the database cannot be opened or migrated, which gtest reports
// as a failure of the test.
class TempStore {
public:
    explicit TempStore(store::Durability durability = store::Durability::full) {
        auto db = store::Database::open(path(), durability);
        if (!db.ok()) throw std::runtime_error(db.error().message);  // it names the file
        db_.emplace(std::move(*db));
        auto migrated = store::migrate(*db_);
        if (!migrated.ok()) throw std::runtime_error("migrating " + path() + ": " + migrated.error().message);
    }

    store::Database& operator*() { return *db_; }
    store::Database* operator->() { return &*db_; }
    void close() { db_.reset(); }

    std::string path() const { return dir_.file("centrala.db"); }
    std::string attachments_dir() const { return dir_.file("attachments"); }

private:
    TempDir dir_;
    std::optional<store::Database> db_;  // after dir_: closed before the directory is removed
};

}  // namespace centrala::testing
