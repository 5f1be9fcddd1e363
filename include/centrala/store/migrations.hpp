// Schema migrations: numbered files migrations/NNNN_name.sql, compiled into
// the binary, applied in order, one transaction each.
#pragma once

#include <string>
#include <vector>

#include "centrala/domain/result.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::store {

struct Migration {
    int version;
    std::string name;
    std::string sql;
};

// The migrations shipped with this binary, ordered by version.
const std::vector<Migration>& embedded_migrations();

Result<int> schema_version(Database& db);
// Applies every migration newer than the database. A database with a version
// this binary does not know is refused: an older binary must not write to it.
Result<int> migrate(Database& db, const std::vector<Migration>& migrations);
inline Result<int> migrate(Database& db) { return migrate(db, embedded_migrations()); }

}  // namespace centrala::store
