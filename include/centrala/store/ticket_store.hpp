// Cases (tickets), their comments, history and attachments in SQLite, with
// the full-text index. Synchronous: call only on the store worker thread that
// owns the Database. Attachment bytes are files under `attachments_dir`
// (named by attachment id, never by the uploaded name).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "centrala/domain/clock.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/domain/ticket.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::store {

struct TicketRow {
    int64_t id = 0;
    std::string number;
    std::string subject;
    std::string description;
    std::string category;
    std::string department;
    std::string priority = "normal";
    std::string status = "new";
    std::optional<int64_t> assignee_id;
    std::optional<int64_t> created_by;
    std::string source = "staff";  // staff | open311 | chat (ticket_sources)
    std::optional<int64_t> contact_id;
    std::optional<double> lat, lon;
    std::string address;
    std::string attributes = "{}";  // JSON object text (Open311 attributes)
    std::string media_url;          // Open311 media_url (http/https), or empty
    std::string resident_name, resident_phone, resident_email;
    std::optional<SysTime> resident_erased_at;
    std::string access_key_hash;
    SysTime created_at{};
    SysTime updated_at{};
    SysTime due_at{};
    std::optional<SysTime> resolved_at;
    std::optional<SysTime> closed_at;
};

struct TicketComment {
    int64_t id = 0;
    int64_t ticket_id = 0;
    std::optional<int64_t> author_id;
    std::string author_name;
    std::string body;
    bool internal = false;
    SysTime created_at{};
};

struct TicketChangeRecord {
    int64_t id = 0;
    int64_t ticket_id = 0;
    SysTime at{};
    std::optional<int64_t> actor_id;
    std::string actor;
    std::string field;
    std::optional<std::string> old_value, new_value;
};

struct TicketAttachment {
    int64_t id = 0;
    int64_t ticket_id = 0;
    std::string file_name;  // sanitised
    std::string content_type;
    int64_t size = 0;
    std::string sha256;
    bool is_public = false;
    std::optional<int64_t> uploaded_by;
    SysTime created_at{};
};

struct TicketFilter {
    std::string status;  // one status, "open" (not resolved/closed), "done" (resolved or closed) or empty
    std::string department;
    std::optional<int64_t> assignee_id;  // 0: unassigned
    std::string category;
    std::string source;  // one of ticket_sources, or empty
    std::optional<int64_t> contact_id;
    bool overdue = false;  // open and past due at `now`
    std::optional<SysTime> created_from, created_to;  // [from, to)
    std::string q;  // full text
    std::vector<std::string> numbers;  // any of these numbers
    // Open311 shows only reports filed through it or of these (public-space) categories.
    std::optional<std::vector<std::string>> open311_categories;
    // Unset: every case (Open311, which has its own rule above; the admin's
    // personal-data requests). Staff lists always set it (ticket_scope).
    std::optional<TicketScope> scope;
    std::string sort = "created";  // created (newest first) | due (earliest due first)
    SysTime now{};
    size_t offset = 0;
    int limit = 50;
};

// What a PATCH changes; unset fields stay.
struct TicketChange {
    std::optional<std::string> status;
    std::optional<std::optional<int64_t>> assignee_id;  // set to nullopt: unassign
    std::optional<std::string> department;
    std::optional<std::string> priority;
    std::optional<SysTime> due_at;  // recomputed by the caller when the department changes
};

struct Actor {
    std::optional<int64_t> id;
    std::string name;  // username, "resident", "system"
};

// Folded words of a text and their stems, as the index stores them.
std::string search_terms(std::string_view text);
// A user's search text as an FTS5 query (every word must match, by its folded
// form or by its stem); empty when the text has no words.
std::string fts_query(std::string_view text);

// ticket_scope (domain/ticket.hpp) in SQL: " AND (...)" over a tickets row
// aliased `t`, nothing for supervisors and admins; bind_scope binds its
// parameters from `i` on. Every query that shows staff a case uses these.
std::string scope_sql(const TicketScope& s);
void bind_scope(Statement& st, int& i, const TicketScope& s);

class TicketStore {
public:
    TicketStore(Database& db, std::string attachments_dir) : db_(db), attachments_dir_(std::move(attachments_dir)) {}

    // Allocates the next number of `year` and inserts, in one transaction.
    Result<TicketRow> create(TicketRow t, const std::string& number_prefix, int year, const Actor& actor);
    Result<TicketRow> get(int64_t id);
    // The case only when `scope` may see it; otherwise not_found, exactly as
    // for a case that does not exist.
    Result<TicketRow> get(int64_t id, const TicketScope& scope);
    Result<TicketRow> by_number(const std::string& number);
    Result<std::vector<TicketRow>> list(const TicketFilter& f);
    // Applies a change, checking the workflow against the stored status; the
    // history gets one row per changed field. conflict `invalid_transition`
    // names the allowed statuses.
    Result<TicketRow> update(int64_t id, const TicketChange& change, const Actor& actor, SysTime now);
    Result<TicketComment> add_comment(TicketComment c);
    Result<std::vector<TicketComment>> comments(int64_t ticket_id, bool include_internal);
    Result<std::vector<TicketChangeRecord>> history(int64_t ticket_id);

    // Writes the file (fsynced) and its row in one step; too many
    // attachments is a conflict.
    Result<TicketAttachment> add_attachment(TicketAttachment a, const std::string& bytes, int max_per_ticket);
    Result<std::vector<TicketAttachment>> attachments(int64_t ticket_id);
    Result<TicketAttachment> attachment(int64_t ticket_id, int64_t attachment_id);
    Result<std::string> attachment_bytes(int64_t attachment_id);

    // Retention: erases the resident contact data of tickets closed longer
    // ago than their category's retention (`default_days` unless listed),
    // also where it appears in the case's own text (redact_contact).
    // Returns the numbers of the tickets it erased (at most `batch`).
    Result<std::vector<std::string>> erase_expired(SysTime now, int default_days,
                                                   const std::map<std::string, int>& days_by_category, int batch);
    // Every ticket that names this resident (phone and/or email, exact;
    // email case-insensitive).
    Result<std::vector<TicketRow>> by_resident(const std::string& phone, const std::string& email);
    // Erases everything about the resident on those tickets (docs/tickets.md,
    // "Personal data"): the contact fields, the phone/e-mail/name in the
    // subject, description and comments, the media_url, and the linked
    // conversations' messages, rating comment, name, address and browser key.
    // Returns the numbers touched.
    Result<std::vector<std::string>> erase_resident(const std::string& phone, const std::string& email, SysTime now);
    // The same for cases already found (by_resident), inside the caller's
    // transaction (the erasure across cases, bookings and chats).
    Result<std::vector<std::string>> erase_residents_cases(const std::vector<TicketRow>& found, SysTime now);

private:
    Result<void> add_history(int64_t ticket_id, SysTime at, const Actor& actor, const std::string& field,
                             const std::optional<std::string>& old_value, const std::optional<std::string>& new_value);
    // Clears the contact fields of one case and redacts them from its free
    // text; `on_request` (the admin's erasure, not retention) also clears the
    // media_url and wipes the linked conversation.
    Result<void> erase_ticket_resident(const TicketRow& t, SysTime now, bool on_request);
    Result<void> redact_ticket_text(const TicketRow& t);
    Database& db_;
    std::string attachments_dir_;
};

}  // namespace centrala::store
