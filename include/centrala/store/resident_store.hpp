// A resident's conversations and the advisor's phrases, found by phone,
// e-mail and browser key for the personal-data export and erasure
// (docs/tickets.md, "Personal data (RODO)"). Synchronous: call only on the
// store worker thread that owns the Database; the erasure runs inside the
// caller's transaction.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "centrala/domain/clock.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::store {

// What identifies the resident.
struct ResidentKeys {
    std::string phone;               // normalised (+ and digits), or empty
    std::string email;               // as given, or empty
    std::vector<std::string> names;  // the names their cases and bookings carry
    // Conversations known to be theirs: a case's or a booking's contact.
    std::set<int64_t> own_contacts;
};

struct ResidentMessage {
    int64_t id = 0;
    std::string author_kind, author_name, body;
    SysTime created_at{};
};

struct ResidentChat {
    int64_t id = 0;
    std::string channel, state, topic, lang, resident_name;
    SysTime created_at{};
    std::optional<SysTime> closed_at;
    // Why it belongs to the resident: "case" (a case's or booking's own
    // conversation), "browser" (the same browser key as one of those),
    // "text" (a message holds the phone or e-mail).
    std::vector<std::string> found_by;
    std::vector<ResidentMessage> messages;  // not internal notes; filled for the export only
    bool wiped() const;  // "case" or "browser": every message goes, not only the mentions
};

// A call back the resident booked (callbacks table): `phone` is personal data.
struct ResidentCallback {
    int64_t contact_id = 0;          // the callback's own contact
    std::optional<int64_t> chat_id;  // the chat it was booked in
    std::string phone, state;
    SysTime created_at{};
};

struct ChatScanStats {
    int64_t candidates = 0;  // messages the LIKE pre-filter passed
    int64_t matches = 0;     // of them, those redact_contact changes
};

class ResidentStore {
public:
    explicit ResidentStore(Database& db) : db_(db) {}

    // The resident's conversations: their own (keys.own_contacts), every
    // conversation of the same browsers (resident_key_hash), and every one
    // whose messages hold the phone (any writing) or the e-mail — one LIKE
    // scan over all messages, confirmed by redact_contact.
    Result<std::vector<ResidentChat>> chats(const ResidentKeys& keys, bool with_messages,
                                            ChatScanStats* stats = nullptr);
    // A conversation found by its text only: the phone, e-mail and names
    // become `[usunięto]` in its messages, summary, closing note and rating
    // comment, and the resident name goes when it is one of theirs. A wiped
    // one ("case"/"browser") loses every message's text and buttons, the
    // resident's author name, the rating comment, the name, summary, client
    // address and browser key; the closing note is redacted. Returns the
    // number of messages changed.
    Result<int64_t> erase_chats(const std::vector<ResidentChat>& chats, const ResidentKeys& keys);
    // Ends those of `chats` still open on disk (with the advisor, waiting or
    // served), so none comes back into a queue after a restart: one waiting
    // is abandoned (it was never served), the others are closed; disposition
    // "erased" (kept when one was set). Returns the ids it ended.
    Result<std::vector<int64_t>> end_open_chats(const std::vector<ResidentChat>& chats, SysTime at);

    // The advisor's unanswered phrases holding the e-mail (from before
    // e-mails were masked there): `normalized` is the e-mail as the phrase
    // stores it (bot::normalize). count_ counts, erase_ deletes them.
    Result<int64_t> count_advisor_phrases(const std::string& email, const std::string& normalized);
    Result<int64_t> erase_advisor_phrases(const std::string& email, const std::string& normalized);

    // The callbacks booked for this phone (any stored form of it), and their
    // erasure: the phone becomes `[usunięto]` (the row and its times stay for
    // statistics). Returns the number of callbacks changed.
    Result<std::vector<ResidentCallback>> callbacks(const std::string& phone);
    Result<int64_t> erase_callbacks(const std::vector<ResidentCallback>& callbacks);

private:
    Database& db_;
};

}  // namespace centrala::store
