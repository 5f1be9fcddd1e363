// Callbacks (table callbacks, one contact each in contacts with channel
// 'callback'). Synchronous: call only on the store worker thread, or before
// serving.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "centrala/domain/clock.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::store {

struct CallbackRow {
    int64_t id = 0;       // the callback's contact id
    int64_t chat_id = 0;  // 0: none
    std::string phone;
    std::string lang = "pl";
    std::string topic = "other";
    std::string queue;
    std::string resident_name;
    std::string summary;
    std::optional<SysTime> window_from, window_to;
    SysTime not_before{};
    int attempts = 0;
    // scheduled | queued | active | done | unreachable (also: cancelled by the
    // resident's erasure, disposition "erased")
    std::string state = "scheduled";
    int64_t agent_id = 0;
    std::string disposition;
    SysTime created_at{};
    // When it became due and entered its queue (contacts.enqueued_at): its
    // waiting time counts from here, not from the booking. Zero while scheduled.
    SysTime queued_at{};
};

class CallbackStore {
public:
    explicit CallbackStore(Database& db) : db_(db) {}
    // The contact (waiting) and the callback in one transaction; the new id.
    // `replaced_chat`: a chat waiting in line whose place the callback takes
    // goes back to the advisor (state bot) in the same transaction.
    Result<int64_t> create(const CallbackRow& c, int64_t replaced_chat = 0);
    // Writes state, attempts, not_before, agent, queue, enqueue time, the
    // resident's name and the summary; the contact follows
    // (scheduled/queued: waiting, active: active, done/unreachable: closed
    // with the disposition).
    Result<void> save(const CallbackRow& c, SysTime now);
    // Callbacks not finished yet (for the start).
    Result<std::vector<CallbackRow>> open();
    Result<std::optional<CallbackRow>> get(int64_t id);

private:
    Database& db_;
};

}  // namespace centrala::store
