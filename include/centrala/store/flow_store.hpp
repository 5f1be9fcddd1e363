// The advisor's dialogues in progress (bot_flows): their state as JSON and
// the photo held until the case is filed. Synchronous: call only on the
// store worker thread that owns the Database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "centrala/domain/clock.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::store {

struct FlowRow {
    int64_t contact_id = 0;
    std::string state;  // JSON text
    bool has_photo = false;
    SysTime updated_at{};
};

struct HeldPhoto {
    std::string bytes;
    std::string content_type;
};

class FlowStore {
public:
    explicit FlowStore(Database& db) : db_(db) {}

    // Inserts or replaces the state; a held photo stays.
    Result<void> save(int64_t contact_id, const std::string& state, SysTime at);
    // Holds a photo for the dialogue (replacing one held before); not_found without a dialogue.
    Result<void> hold_photo(int64_t contact_id, const std::string& bytes, const std::string& content_type, SysTime at);
    Result<void> drop_photo(int64_t contact_id);
    Result<std::optional<HeldPhoto>> photo(int64_t contact_id);
    Result<void> remove(int64_t contact_id);
    // Dialogues of chats still with the advisor, and callback bookings
    // (kind "callback") of chats waiting in line (for the start).
    Result<std::vector<FlowRow>> open_flows();
    // Removes the dialogues of chats no longer with the advisor and those
    // untouched since `before`; returns how many.
    Result<int> remove_stale(SysTime before);

private:
    Database& db_;
};

}  // namespace centrala::store
