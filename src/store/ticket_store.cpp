#include "centrala/store/ticket_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "centrala/bot/text.hpp"
#include "centrala/domain/ticket.hpp"
#include "centrala/store/stats_store.hpp"

namespace centrala::store {
namespace {

namespace fs = std::filesystem;

constexpr const char* kColumns =
    "t.id, t.number, t.subject, t.description, t.category, t.department, t.priority, t.status, t.assignee_id, "
    "t.created_by, t.source, t.contact_id, t.lat, t.lon, t.address, t.attributes, t.resident_name, "
    "t.resident_phone, t.resident_email, t.resident_erased_at, t.access_key_hash, t.created_at, t.updated_at, "
    "t.due_at, t.resolved_at, t.closed_at, t.media_url";

std::optional<int64_t> opt_int(const Statement& s, int col) {
    return s.is_null(col) ? std::nullopt : std::optional<int64_t>(s.int64(col));
}
std::optional<SysTime> opt_time(const Statement& s, int col) {
    return s.is_null(col) ? std::nullopt : std::optional<SysTime>(from_unix_ms(s.int64(col)));
}
std::optional<int64_t> ms(const std::optional<SysTime>& t) {
    return t ? std::optional<int64_t>(to_unix_ms(*t)) : std::nullopt;
}

TicketRow read_row(const Statement& s) {
    TicketRow t;
    t.id = s.int64(0);
    t.number = s.text(1);
    t.subject = s.text(2);
    t.description = s.text(3);
    t.category = s.text(4);
    t.department = s.text(5);
    t.priority = s.text(6);
    t.status = s.text(7);
    t.assignee_id = opt_int(s, 8);
    t.created_by = opt_int(s, 9);
    t.source = s.text(10);
    t.contact_id = opt_int(s, 11);
    if (!s.is_null(12)) t.lat = s.real(12);
    if (!s.is_null(13)) t.lon = s.real(13);
    t.address = s.text(14);
    t.attributes = s.text(15);
    t.resident_name = s.text(16);
    t.resident_phone = s.text(17);
    t.resident_email = s.text(18);
    t.resident_erased_at = opt_time(s, 19);
    t.access_key_hash = s.text(20);
    t.created_at = from_unix_ms(s.int64(21));
    t.updated_at = from_unix_ms(s.int64(22));
    t.due_at = from_unix_ms(s.int64(23));
    t.resolved_at = opt_time(s, 24);
    t.closed_at = opt_time(s, 25);
    t.media_url = s.text(26);
    return t;
}

std::string stem_word(const std::string& w) {
    const auto cps = bot::utf8_decode(w);
    if (!cps.empty() && bot::is_cyrillic(cps[0])) return bot::stem_uk(w);
    return bot::stem_pl(w);
}

std::string lower_ascii(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string id_text(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : std::string(); }

// Writes the whole buffer and fsyncs, so an acknowledged upload survives a crash.
Result<void> write_file_durably(const fs::path& path, const std::string& bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return Error::internal("cannot create attachment file " + path.string());
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) {
            ::close(fd);
            return Error::internal("cannot write attachment file " + path.string());
        }
        done += size_t(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) return Error::internal("cannot sync attachment file " + path.string());
    return Ok{};
}

void sync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fsync(fd);
    ::close(fd);
}

// The SQL form of ticket_scope (domain/ticket.hpp): " AND (...)" over the
// tickets row `t`, with its parameters bound from `i` on. Nothing for
// supervisors and admins.
}  // namespace

std::string scope_sql(const TicketScope& s) {
    if (s.everything) return {};
    std::string sql =
        " AND (t.created_by = ? OR t.assignee_id = ? OR "
        "t.contact_id IN (SELECT ca.contact_id FROM contact_agents ca WHERE ca.user_id = ?) OR "
        // the cases of the resident one serves now (their other conversations)
        "t.contact_id IN (SELECT e.id FROM contact_agents ca JOIN contacts cur ON cur.id = ca.contact_id "
        "JOIN contacts e ON e.resident_key_hash = cur.resident_key_hash WHERE ca.user_id = ? AND "
        "ca.left_at IS NULL AND cur.state = 'active' AND cur.resident_key_hash IS NOT NULL)";
    if (!s.department.empty()) sql += " OR t.department = ?";
    return sql + ")";
}
void bind_scope(Statement& st, int& i, const TicketScope& s) {
    if (s.everything) return;
    for (int k = 0; k < 4; ++k) st.bind(i++, s.user_id);
    if (!s.department.empty()) st.bind(i++, s.department);
}

std::string search_terms(std::string_view text) {
    std::string out;
    for (const auto& w : bot::tokenize(text)) {
        out += w;
        out += ' ';
        const auto st = stem_word(w);
        if (!st.empty() && st != w) {
            out += st;
            out += ' ';
        }
    }
    if (!out.empty()) out.pop_back();
    return out;
}

std::string fts_query(std::string_view text) {
    std::string q;
    int words = 0;
    for (const auto& w : bot::tokenize(text)) {
        if (++words > 12) break;  // a bounded query keeps a search cheap
        const auto st = stem_word(w);
        // Tokens are letters and digits only, so quoting is safe. No prefix
        // queries: FTS5 merges every term of a prefix in full, which at a
        // million cases costs more than the stems win.
        q += (q.empty() ? "" : " AND ") + std::string("(\"") + w + "\"";
        if (!st.empty() && st != w) q += " OR \"" + st + "\"";
        q += ")";
    }
    return q;
}

Result<void> TicketStore::add_history(int64_t ticket_id, SysTime at, const Actor& actor, const std::string& field,
                                      const std::optional<std::string>& old_value,
                                      const std::optional<std::string>& new_value) {
    auto st = db_.prepare(
        "INSERT INTO ticket_history (ticket_id, at, actor_id, actor, field, old_value, new_value) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) return st.error();
    st->bind(1, ticket_id).bind(2, to_unix_ms(at)).bind(3, actor.id).bind(4, actor.name).bind(5, field);
    st->bind(6, old_value).bind(7, new_value);
    return st->run();
}

Result<TicketRow> TicketStore::create(TicketRow t, const std::string& number_prefix, int year, const Actor& actor) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto seq = db_.prepare(
        "INSERT INTO ticket_numbers (year, last) VALUES (?, 1) "
        "ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last");
    if (!seq) return seq.error();
    seq->bind(1, int64_t{year});
    auto has = seq->step();
    if (!has) return has.error();
    if (!*has) return Error::internal("ticket number counter returned nothing");
    t.number = format_ticket_number(number_prefix, year, seq->int64(0));
    (void)seq->run();

    const std::string terms = search_terms(t.subject + "\n" + t.description);
    auto st = db_.prepare(
        "INSERT INTO tickets (number, subject, description, category, department, priority, status, assignee_id, "
        "created_by, source, contact_id, lat, lon, address, attributes, resident_name, resident_phone, "
        "resident_email, access_key_hash, created_at, updated_at, due_at, search_terms, media_url) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!st) return st.error();
    st->bind(1, t.number).bind(2, t.subject).bind(3, t.description).bind(4, t.category).bind(5, t.department);
    st->bind(6, t.priority).bind(7, t.status).bind(8, t.assignee_id).bind(9, t.created_by).bind(10, t.source);
    st->bind(11, t.contact_id).bind(12, t.lat).bind(13, t.lon).bind(14, t.address).bind(15, t.attributes);
    st->bind(16, t.resident_name).bind(17, t.resident_phone).bind(18, t.resident_email);
    st->bind(19, t.access_key_hash).bind(20, to_unix_ms(t.created_at)).bind(21, to_unix_ms(t.created_at));
    st->bind(22, to_unix_ms(t.due_at)).bind(23, terms).bind(24, t.media_url);
    if (auto r = st->run(); !r) return r.error();
    t.id = db_.last_insert_id();
    t.updated_at = t.created_at;
    if (auto r = add_history(t.id, t.created_at, actor, "status", std::nullopt, t.status); !r) return r.error();
    if (t.contact_id) {
        // Counted for the statistics in the same transaction, whoever opens the
        // case (a consultant, the virtual advisor): "cases opened", and the
        // contact is no longer resolved at first contact (docs/metrics.md).
        StatEvent e;
        e.contact_id = *t.contact_id;
        e.at = t.created_at;
        e.type = stat::case_opened;
        e.agent_id = t.created_by;
        nlohmann::json details = {{"ticket_id", std::to_string(t.id)}, {"number", t.number}, {"source", t.source}};
        e.details = details.dump();
        if (auto r = StatsStore(db_).record_in_transaction({e}); !r) return r.error();
    }
    if (auto r = tx.commit(); !r) return r.error();
    return t;
}

Result<TicketRow> TicketStore::get(int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + kColumns + " FROM tickets t WHERE t.id = ?");
    if (!st) return st.error();
    st->bind(1, id);
    auto has = st->step();
    if (!has) return has.error();
    if (!*has) return Error::not_found("ticket_not_found", "No such case.");
    return read_row(*st);
}

Result<TicketRow> TicketStore::get(int64_t id, const TicketScope& scope) {
    auto st = db_.prepare(std::string("SELECT ") + kColumns + " FROM tickets t WHERE t.id = ?" + scope_sql(scope));
    if (!st) return st.error();
    int i = 1;
    st->bind(i++, id);
    bind_scope(*st, i, scope);
    auto has = st->step();
    if (!has) return has.error();
    if (!*has) return Error::not_found("ticket_not_found", "No such case.");
    return read_row(*st);
}

Result<TicketRow> TicketStore::by_number(const std::string& number) {
    auto st = db_.prepare(std::string("SELECT ") + kColumns + " FROM tickets t WHERE t.number = ?");
    if (!st) return st.error();
    st->bind(1, number);
    auto has = st->step();
    if (!has) return has.error();
    if (!*has) return Error::not_found("ticket_not_found", "No such case.");
    return read_row(*st);
}

Result<std::vector<TicketRow>> TicketStore::list(const TicketFilter& f) {
    std::string sql = std::string("SELECT ") + kColumns;
    const std::string match = f.q.empty() ? std::string() : fts_query(f.q);
    if (!f.q.empty() && match.empty()) return std::vector<TicketRow>{};
    // With a search, the index drives the scan in id order and stops at the
    // page: a common word does not make SQLite sort every match.
    if (!match.empty())
        sql += " FROM tickets_fts JOIN tickets t ON t.id = tickets_fts.rowid WHERE tickets_fts MATCH ?";
    else
        sql += " FROM tickets t WHERE 1";
    if (f.status == "open") sql += " AND t.status NOT IN ('resolved', 'closed')";
    else if (f.status == "done") sql += " AND t.status IN ('resolved', 'closed')";
    else if (!f.status.empty()) sql += " AND t.status = ?";
    auto placeholders = [](size_t n) {
        std::string p;
        for (size_t k = 0; k < n; ++k) p += k ? ",?" : "?";
        return p;
    };
    if (!f.numbers.empty()) sql += " AND t.number IN (" + placeholders(f.numbers.size()) + ")";
    if (f.open311_categories)
        sql += " AND (t.source = 'open311' OR t.category IN (" + placeholders(f.open311_categories->size()) + "))";
    if (!f.department.empty()) sql += " AND t.department = ?";
    if (f.assignee_id) sql += *f.assignee_id == 0 ? " AND t.assignee_id IS NULL" : " AND t.assignee_id = ?";
    if (!f.category.empty()) sql += " AND t.category = ?";
    if (!f.source.empty()) sql += " AND t.source = ?";
    if (f.contact_id) sql += " AND t.contact_id = ?";
    if (f.overdue) sql += " AND t.status NOT IN ('resolved', 'closed') AND t.due_at < ?";
    if (f.created_from) sql += " AND t.created_at >= ?";
    if (f.created_to) sql += " AND t.created_at < ?";
    if (f.scope) sql += scope_sql(*f.scope);
    if (f.sort == "due")
        sql += " ORDER BY t.due_at, t.id";
    else
        sql += match.empty() ? " ORDER BY t.id DESC" : " ORDER BY tickets_fts.rowid DESC";
    sql += " LIMIT ? OFFSET ?";
    auto st = db_.prepare(sql);
    if (!st) return st.error();
    int i = 1;
    if (!match.empty()) st->bind(i++, match);
    if (!f.status.empty() && f.status != "open" && f.status != "done") st->bind(i++, f.status);
    for (const auto& n : f.numbers) st->bind(i++, n);
    if (f.open311_categories)
        for (const auto& c : *f.open311_categories) st->bind(i++, c);
    if (!f.department.empty()) st->bind(i++, f.department);
    if (f.assignee_id && *f.assignee_id != 0) st->bind(i++, *f.assignee_id);
    if (!f.category.empty()) st->bind(i++, f.category);
    if (!f.source.empty()) st->bind(i++, f.source);
    if (f.contact_id) st->bind(i++, *f.contact_id);
    if (f.overdue) st->bind(i++, to_unix_ms(f.now));
    if (f.created_from) st->bind(i++, to_unix_ms(*f.created_from));
    if (f.created_to) st->bind(i++, to_unix_ms(*f.created_to));
    if (f.scope) bind_scope(*st, i, *f.scope);
    st->bind(i++, int64_t{f.limit});
    st->bind(i++, int64_t(f.offset));
    std::vector<TicketRow> out;
    auto rows = st->for_each_row([&] { out.push_back(read_row(*st)); });
    if (!rows) return rows.error();
    return out;
}

Result<TicketRow> TicketStore::update(int64_t id, const TicketChange& ch, const Actor& actor, SysTime now) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto cur = get(id);
    if (!cur) return cur.error();
    TicketRow t = *cur;
    std::vector<std::tuple<std::string, std::optional<std::string>, std::optional<std::string>>> changes;
    if (ch.status && *ch.status != t.status) {
        if (!transition_allowed(t.status, *ch.status)) {
            std::string allowed;
            for (auto s : allowed_transitions(t.status)) allowed += (allowed.empty() ? "" : ", ") + std::string(s);
            return Error::conflict("invalid_transition",
                                   "A case that is " + t.status + " cannot become " + *ch.status + "; allowed: " +
                                       (allowed.empty() ? "none (the case is closed)" : allowed) + ".");
        }
        changes.emplace_back("status", t.status, *ch.status);
        t.status = *ch.status;
        if (t.status == "resolved") t.resolved_at = now;
        if (t.status == "in_progress") t.resolved_at.reset();  // reopened
        if (t.status == "closed") t.closed_at = now;
    }
    if (ch.assignee_id && *ch.assignee_id != t.assignee_id) {
        changes.emplace_back("assignee_id", id_text(t.assignee_id), id_text(*ch.assignee_id));
        t.assignee_id = *ch.assignee_id;
    }
    if (ch.department && *ch.department != t.department) {
        changes.emplace_back("department", t.department, *ch.department);
        t.department = *ch.department;
    }
    if (ch.priority && *ch.priority != t.priority) {
        changes.emplace_back("priority", t.priority, *ch.priority);
        t.priority = *ch.priority;
    }
    if (ch.due_at && *ch.due_at != t.due_at) {
        changes.emplace_back("due_at", to_rfc3339(t.due_at), to_rfc3339(*ch.due_at));
        t.due_at = *ch.due_at;
    }
    if (changes.empty()) return t;
    t.updated_at = now;
    auto st = db_.prepare(
        "UPDATE tickets SET status = ?, assignee_id = ?, department = ?, priority = ?, due_at = ?, resolved_at = ?, "
        "closed_at = ?, updated_at = ? WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, t.status).bind(2, t.assignee_id).bind(3, t.department).bind(4, t.priority);
    st->bind(5, to_unix_ms(t.due_at)).bind(6, ms(t.resolved_at)).bind(7, ms(t.closed_at));
    st->bind(8, to_unix_ms(now)).bind(9, id);
    if (auto r = st->run(); !r) return r.error();
    for (const auto& [field, o, n] : changes)
        if (auto r = add_history(id, now, actor, field, o, n); !r) return r.error();
    if (auto r = tx.commit(); !r) return r.error();
    return t;
}

Result<TicketComment> TicketStore::add_comment(TicketComment c) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto st = db_.prepare(
        "INSERT INTO ticket_comments (ticket_id, author_id, author_name, body, internal, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) return st.error();
    st->bind(1, c.ticket_id).bind(2, c.author_id).bind(3, c.author_name).bind(4, c.body);
    st->bind(5, int64_t{c.internal ? 1 : 0}).bind(6, to_unix_ms(c.created_at));
    if (auto r = st->run(); !r) return r.error();
    c.id = db_.last_insert_id();
    // Comments are searchable too: their terms join the ticket's.
    auto up = db_.prepare(
        "UPDATE tickets SET search_terms = search_terms || ' ' || ?, updated_at = ? WHERE id = ?");
    if (!up) return up.error();
    up->bind(1, search_terms(c.body)).bind(2, to_unix_ms(c.created_at)).bind(3, c.ticket_id);
    if (auto r = up->run(); !r) return r.error();
    if (db_.changes() != 1) return Error::not_found("ticket_not_found", "No such case.");
    if (auto r = tx.commit(); !r) return r.error();
    return c;
}

Result<std::vector<TicketComment>> TicketStore::comments(int64_t ticket_id, bool include_internal) {
    auto st = db_.prepare(std::string("SELECT id, ticket_id, author_id, author_name, body, internal, created_at "
                                      "FROM ticket_comments WHERE ticket_id = ?") +
                          (include_internal ? "" : " AND internal = 0") + " ORDER BY id");
    if (!st) return st.error();
    st->bind(1, ticket_id);
    std::vector<TicketComment> out;
    auto rows = st->for_each_row([&] {
        TicketComment c;
        c.id = st->int64(0);
        c.ticket_id = st->int64(1);
        c.author_id = opt_int(*st, 2);
        c.author_name = st->text(3);
        c.body = st->text(4);
        c.internal = st->int64(5) != 0;
        c.created_at = from_unix_ms(st->int64(6));
        out.push_back(std::move(c));
    });
    if (!rows) return rows.error();
    return out;
}

Result<std::vector<TicketChangeRecord>> TicketStore::history(int64_t ticket_id) {
    auto st = db_.prepare(
        "SELECT id, ticket_id, at, actor_id, actor, field, old_value, new_value FROM ticket_history "
        "WHERE ticket_id = ? ORDER BY id");
    if (!st) return st.error();
    st->bind(1, ticket_id);
    std::vector<TicketChangeRecord> out;
    auto rows = st->for_each_row([&] {
        TicketChangeRecord h;
        h.id = st->int64(0);
        h.ticket_id = st->int64(1);
        h.at = from_unix_ms(st->int64(2));
        h.actor_id = opt_int(*st, 3);
        h.actor = st->text(4);
        h.field = st->text(5);
        if (!st->is_null(6)) h.old_value = st->text(6);
        if (!st->is_null(7)) h.new_value = st->text(7);
        out.push_back(std::move(h));
    });
    if (!rows) return rows.error();
    return out;
}

Result<TicketAttachment> TicketStore::add_attachment(TicketAttachment a, const std::string& bytes, int max_per_ticket) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto count = db_.prepare("SELECT count(*) FROM ticket_attachments WHERE ticket_id = ?");
    if (!count) return count.error();
    count->bind(1, a.ticket_id);
    if (auto has = count->step(); !has) return has.error();
    if (count->int64(0) >= max_per_ticket)
        return Error::conflict("too_many_attachments",
                               "This case already has " + std::to_string(max_per_ticket) + " attachments.");
    auto st = db_.prepare(
        "INSERT INTO ticket_attachments (ticket_id, file_name, content_type, size, sha256, public, uploaded_by, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return st.error();
    st->bind(1, a.ticket_id).bind(2, a.file_name).bind(3, a.content_type).bind(4, a.size).bind(5, a.sha256);
    st->bind(6, int64_t{a.is_public ? 1 : 0}).bind(7, a.uploaded_by).bind(8, to_unix_ms(a.created_at));
    if (auto r = st->run(); !r) return r.error();
    a.id = db_.last_insert_id();
    std::error_code ec;
    fs::create_directories(attachments_dir_, ec);
    const fs::path file = fs::path(attachments_dir_) / (std::to_string(a.id) + ".bin");
    // A file left over from a rolled-back upload with the same id is stale.
    fs::remove(file, ec);
    if (auto r = write_file_durably(file, bytes); !r) return r.error();
    sync_directory(attachments_dir_);
    if (auto r = tx.commit(); !r) {
        fs::remove(file, ec);
        return r.error();
    }
    return a;
}

Result<std::vector<TicketAttachment>> TicketStore::attachments(int64_t ticket_id) {
    auto st = db_.prepare(
        "SELECT id, ticket_id, file_name, content_type, size, sha256, public, uploaded_by, created_at "
        "FROM ticket_attachments WHERE ticket_id = ? ORDER BY id");
    if (!st) return st.error();
    st->bind(1, ticket_id);
    std::vector<TicketAttachment> out;
    auto rows = st->for_each_row([&] {
        TicketAttachment a;
        a.id = st->int64(0);
        a.ticket_id = st->int64(1);
        a.file_name = st->text(2);
        a.content_type = st->text(3);
        a.size = st->int64(4);
        a.sha256 = st->text(5);
        a.is_public = st->int64(6) != 0;
        a.uploaded_by = opt_int(*st, 7);
        a.created_at = from_unix_ms(st->int64(8));
        out.push_back(std::move(a));
    });
    if (!rows) return rows.error();
    return out;
}

Result<TicketAttachment> TicketStore::attachment(int64_t ticket_id, int64_t attachment_id) {
    auto all = attachments(ticket_id);
    if (!all) return all.error();
    for (auto& a : *all)
        if (a.id == attachment_id) return a;
    return Error::not_found("attachment_not_found", "No such attachment.");
}

Result<std::string> TicketStore::attachment_bytes(int64_t attachment_id) {
    const fs::path file = fs::path(attachments_dir_) / (std::to_string(attachment_id) + ".bin");
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error::internal("attachment file " + file.string() + " is missing");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The resident's phone, e-mail and name redacted from the case's subject,
// description and comments; the search index is rebuilt from what is left,
// so the case is no longer found by them either.
Result<void> TicketStore::redact_ticket_text(const TicketRow& t) {
    const auto redact = [&](const std::string& text) {
        return redact_contact(text, t.resident_phone, t.resident_email, t.resident_name);
    };
    auto cs = comments(t.id, true);
    if (!cs) return cs.error();
    const std::string subject = redact(t.subject), description = redact(t.description);
    std::string terms = search_terms(subject + "\n" + description);
    for (const auto& c : *cs) {
        const std::string body = redact(c.body);
        terms += ' ' + search_terms(body);
        if (body == c.body) continue;
        auto up = db_.prepare("UPDATE ticket_comments SET body = ? WHERE id = ?");
        if (!up) return up.error();
        up->bind(1, body).bind(2, c.id);
        if (auto r = up->run(); !r) return r.error();
    }
    auto st = db_.prepare("UPDATE tickets SET subject = ?, description = ?, search_terms = ? WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, subject).bind(2, description).bind(3, terms).bind(4, t.id);
    return st->run();
}

Result<void> TicketStore::erase_ticket_resident(const TicketRow& t, SysTime now, bool on_request) {
    if (auto r = redact_ticket_text(t); !r) return r.error();
    auto st = db_.prepare(
        std::string("UPDATE tickets SET resident_name = '', resident_phone = '', resident_email = '', ") +
        (on_request ? "media_url = '', " : "") + "resident_erased_at = ?, updated_at = ? WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(now)).bind(2, to_unix_ms(now)).bind(3, t.id);
    if (auto r = st->run(); !r) return r.error();
    if (t.contact_id) {
        auto chat = db_.prepare("UPDATE contacts SET resident_name = '' WHERE id = ?");
        if (!chat) return chat.error();
        chat->bind(1, *t.contact_id);
        if (auto r = chat->run(); !r) return r.error();
    }
    if (t.contact_id && on_request) {
        // What the conversation said goes; that it happened (times, authors,
        // queue, topic, rating score) stays for the statistics.
        auto note = db_.prepare("SELECT close_note FROM contacts WHERE id = ?");
        if (!note) return note.error();
        note->bind(1, *t.contact_id);
        auto has = note->step();
        if (!has) return has.error();
        const std::string close_note =
            *has ? redact_contact(note->text(0), t.resident_phone, t.resident_email, t.resident_name) : std::string();
        for (const char* sql : {"UPDATE messages SET body = '[usunięto]', buttons = NULL WHERE contact_id = ?",
                                "UPDATE ratings SET comment = '' WHERE contact_id = ?"}) {
            auto w = db_.prepare(sql);
            if (!w) return w.error();
            w->bind(1, *t.contact_id);
            if (auto r = w->run(); !r) return r.error();
        }
        auto c = db_.prepare(
            "UPDATE contacts SET summary = '', address = '', resident_key_hash = NULL, close_note = ? WHERE id = ?");
        if (!c) return c.error();
        c->bind(1, close_note).bind(2, *t.contact_id);
        if (auto r = c->run(); !r) return r.error();
    }
    return add_history(t.id, now, Actor{std::nullopt, "system"}, "resident", std::string("(personal data)"),
                       std::string("(erased)"));
}

Result<std::vector<std::string>> TicketStore::erase_expired(SysTime now, int default_days,
                                                            const std::map<std::string, int>& days_by_category,
                                                            int batch) {
    int shortest = default_days;
    for (const auto& [cat, d] : days_by_category) shortest = std::min(shortest, d);
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto st = db_.prepare(
        "SELECT id, number, category, closed_at FROM tickets WHERE resident_erased_at IS NULL AND "
        "closed_at IS NOT NULL AND closed_at < ? ORDER BY closed_at LIMIT ?");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(now - std::chrono::days(shortest))).bind(2, int64_t{batch} * 4);
    std::vector<std::pair<int64_t, std::string>> due;
    auto rows = st->for_each_row([&] {
        auto it = days_by_category.find(st->text(2));
        const int days = it == days_by_category.end() ? default_days : it->second;
        if (from_unix_ms(st->int64(3)) < now - std::chrono::days(days) && int(due.size()) < batch)
            due.emplace_back(st->int64(0), st->text(1));
    });
    if (!rows) return rows.error();
    std::vector<std::string> numbers;
    for (const auto& [id, number] : due) {
        auto t = get(id);
        if (!t) return t.error();
        if (auto r = erase_ticket_resident(*t, now, false); !r) return r.error();
        numbers.push_back(number);
    }
    if (auto r = tx.commit(); !r) return r.error();
    return numbers;
}

Result<std::vector<TicketRow>> TicketStore::by_resident(const std::string& phone, const std::string& email) {
    if (phone.empty() && email.empty()) return std::vector<TicketRow>{};
    // The phone however it was saved: "600100200" also finds "+48600100200".
    const auto phones = phone_variants(phone);
    std::string in = "NULL";  // never equal: no phone given matches nothing
    for (size_t k = 0; k < phones.size(); ++k) in += ",?";
    auto st = db_.prepare(std::string("SELECT ") + kColumns + " FROM tickets t WHERE t.resident_phone IN (" + in +
                          ") OR (? <> '' AND t.resident_email = ? COLLATE NOCASE) ORDER BY t.id");
    if (!st) return st.error();
    int i = 1;
    for (const auto& p : phones) st->bind(i++, p);
    st->bind(i++, lower_ascii(email));
    st->bind(i++, email);
    std::vector<TicketRow> out;
    auto rows = st->for_each_row([&] { out.push_back(read_row(*st)); });
    if (!rows) return rows.error();
    return out;
}

Result<std::vector<std::string>> TicketStore::erase_resident(const std::string& phone, const std::string& email,
                                                             SysTime now) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto found = by_resident(phone, email);
    if (!found) return found.error();
    auto numbers = erase_residents_cases(*found, now);
    if (!numbers) return numbers.error();
    if (auto r = tx.commit(); !r) return r.error();
    return numbers;
}

Result<std::vector<std::string>> TicketStore::erase_residents_cases(const std::vector<TicketRow>& found, SysTime now) {
    std::vector<std::string> numbers;
    for (const auto& t : found) {
        if (auto r = erase_ticket_resident(t, now, true); !r) return r.error();
        numbers.push_back(t.number);
    }
    return numbers;
}

}  // namespace centrala::store
