// A resident's earlier contacts (same resident key), for the consultant who
// serves one of them now. Used on the store worker only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "centrala/domain/clock.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/domain/ticket.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::store {

struct PastContact {
    int64_t id = 0;
    std::string channel;
    std::string state;
    std::string topic;
    std::string queue;
    SysTime created_at{};
    std::optional<SysTime> closed_at;
    std::string disposition;
    std::string close_note;
    std::optional<int> rating;
    std::vector<std::string> agents;  // display names, in joining order
    int64_t messages = 0;             // visible to the resident
};

// A case (ticket) filed from one of the resident's conversations.
struct PastCase {
    int64_t id = 0;
    std::string number;
    std::string subject;
    std::string status;
    std::string department;
    SysTime created_at{};
    int64_t contact_id = 0;  // the conversation it came from
};

class HistoryStore {
public:
    explicit HistoryStore(Database& db) : db_(db) {}
    // Is `user_id` serving `contact_id` now?
    Result<bool> serves(int64_t contact_id, int64_t user_id);
    // not_found when the contact does not exist; empty when it has no resident key.
    Result<std::vector<PastContact>> earlier(int64_t contact_id, int limit, int64_t before_id);
    // Cases filed from this conversation or the resident's others (same
    // resident key), newest first, at most `limit`.
    Result<std::vector<PastCase>> cases(int64_t contact_id, int limit, const TicketScope& scope);

private:
    Database& db_;
};

}  // namespace centrala::store
