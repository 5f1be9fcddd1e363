// Contacts, messages, participants and ratings in SQLite. Synchronous: call
// only on the store worker thread that owns the Database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "centrala/domain/clock.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/metrics/metrics.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::store {

struct ContactRow {
    int64_t id = 0;
    std::string channel = "chat";
    std::string state = "bot";  // bot | waiting | active | closed | abandoned
    std::string topic = "other";
    std::string queue;
    std::string lang = "pl";
    std::string resident_name;
    bool needs_interpreter = false;
    int priority = 0;
    std::string address;
    SysTime created_at{};
    std::optional<SysTime> enqueued_at;
    std::optional<SysTime> assigned_at;
    std::optional<SysTime> closed_at;
    std::string disposition;
    std::string close_note;
    std::vector<int64_t> agents;  // staff serving it now
    std::string resident_key_hash;  // written on creation only (resident history)
    std::string summary;          // the advisor's handoff summary, for consultants
    std::optional<SysTime> left_message_at;  // a message left outside opening hours: waits without the resident
};

struct NewMessage {
    int64_t contact_id = 0;
    std::string author_kind;  // resident | bot | agent | system
    int64_t author_id = 0;
    std::string author_name;
    std::string body;
    bool internal = false;
    std::string buttons;  // JSON array text, or empty
    std::string client_msg_id;
    SysTime created_at{};
    // Messages of the virtual advisor: what it decided.
    std::string bot_topic;
    int bot_confidence = -1;  // per mille; -1 when not the advisor's
    std::string bot_answer;   // "topic.answer" when one was given
    std::string links;        // JSON array text [{label, url}], or empty
};

struct StoredMessage : NewMessage {
    int64_t id = 0;
    bool duplicate = false;  // the client_msg_id was stored before: this is that row
};

struct ContactFilter {
    std::string state;  // waiting | active | closed (closed includes abandoned), or empty
    std::string queue;
    int64_t agent_id = 0;
    int64_t before_id = 0;
    int limit = 50;
};

class ChatStore {
public:
    explicit ChatStore(Database& db, metrics::Registry* metrics = nullptr) : db_(db), metrics_(metrics) {}

    Result<int64_t> create_contact(const ContactRow& c, const std::string& visitor_token_hash);
    Result<ContactRow> contact(int64_t id);
    Result<ContactRow> contact_by_visitor(const std::string& visitor_token_hash);
    Result<std::vector<ContactRow>> contacts(const ContactFilter& f);
    Result<std::vector<ContactRow>> open_contacts();  // waiting and active, for a restart
    Result<int64_t> open_chats_from(const std::string& address, SysTime since);
    // A consultant may read a contact they serve now, or a closed one they served.
    Result<bool> may_read(int64_t contact_id, int64_t user_id);

    // `summary` and `left_message_at` are kept when empty / absent.
    Result<void> mark_waiting(int64_t id, const std::string& topic, const std::string& queue, SysTime enqueued_at,
                              const std::string& summary = {}, std::optional<SysTime> left_message_at = std::nullopt);
    Result<void> mark_active(int64_t id, const std::vector<int64_t>& agents, SysTime at);
    Result<void> add_participant(int64_t id, int64_t agent, SysTime at);
    Result<void> move_to_queue(int64_t id, const std::string& queue, SysTime at);
    Result<void> mark_ended(int64_t id, const std::string& state, SysTime at, const std::string& disposition,
                            const std::string& note);
    // Ends a chat that is still open (bot, waiting, active) as `state`; false
    // when it had ended already (nothing is changed then).
    Result<bool> end_open(int64_t id, const std::string& state, SysTime at);
    // The topic of a closed conversation that ended without one (the resident
    // ended it); false when it is not closed or has one already.
    Result<bool> set_disposition(int64_t id, const std::string& disposition, const std::string& note);
    Result<void> set_priority(int64_t id, int priority);

    // Every message in one transaction (group commit). A client_msg_id seen
    // before for the same author yields the stored row with duplicate = true.
    std::vector<Result<StoredMessage>> append(const std::vector<NewMessage>& batch);
    Result<std::vector<StoredMessage>> messages_after(int64_t contact_id, int64_t after_id, bool include_internal,
                                                      int limit);
    Result<int64_t> last_message_id(int64_t contact_id, bool include_internal);

    // conflict `already_rated` the second time; `chat_closed` for a chat ended by an erasure.
    Result<void> rate(int64_t contact_id, int score, const std::string& comment, SysTime at);
    Result<void> record_event(int64_t contact_id, SysTime at, const std::string& type, const std::string& queue,
                              std::optional<int64_t> agent, const std::string& details_json);

private:
    Database& db_;
    metrics::Registry* metrics_;
    // append()'s statements, prepared on first use and kept for the next batches.
    std::optional<Statement> insert_message_;
    std::optional<Statement> find_duplicate_;
};

}  // namespace centrala::store
