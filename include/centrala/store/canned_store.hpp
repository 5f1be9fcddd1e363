// Canned responses (reply templates) in the database; used on the store worker only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "centrala/domain/clock.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::store {

struct CannedResponse {
    int64_t id = 0;
    std::optional<std::string> queue;  // none: every queue
    std::string lang = "pl";
    std::string title;
    std::string body;
    std::optional<std::string> shortcut;
    std::optional<int64_t> updated_by;
    SysTime updated_at{};
};

class CannedStore {
public:
    explicit CannedStore(Database& db) : db_(db) {}
    Result<std::vector<CannedResponse>> all();  // not deleted, by id
    // A shortcut already used in the same language and queue → conflict.
    Result<CannedResponse> insert(CannedResponse c, int64_t by, SysTime now);
    Result<CannedResponse> update(const CannedResponse& c, int64_t by, SysTime now);
    Result<void> remove(int64_t id, int64_t by, SysTime now);

private:
    Database& db_;
};

}  // namespace centrala::store
