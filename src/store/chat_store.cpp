#include "centrala/store/chat_store.hpp"

#include <chrono>

namespace centrala::store {
namespace {

constexpr const char* contact_columns =
    "id, channel, state, topic, coalesce(queue, ''), lang, resident_name, needs_interpreter, priority, address, "
    "created_at, enqueued_at, assigned_at, closed_at, coalesce(disposition, ''), close_note, summary, left_message_at";

std::optional<SysTime> opt_time(const Statement& st, int col) {
    if (st.is_null(col)) return std::nullopt;
    return from_unix_ms(st.int64(col));
}

ContactRow read_contact(const Statement& st) {
    ContactRow c;
    c.id = st.int64(0);
    c.channel = st.text(1);
    c.state = st.text(2);
    c.topic = st.text(3);
    c.queue = st.text(4);
    c.lang = st.text(5);
    c.resident_name = st.text(6);
    c.needs_interpreter = st.int64(7) != 0;
    c.priority = int(st.int64(8));
    c.address = st.text(9);
    c.created_at = from_unix_ms(st.int64(10));
    c.enqueued_at = opt_time(st, 11);
    c.assigned_at = opt_time(st, 12);
    c.closed_at = opt_time(st, 13);
    c.disposition = st.text(14);
    c.close_note = st.text(15);
    c.summary = st.text(16);
    c.left_message_at = opt_time(st, 17);
    return c;
}

std::optional<int64_t> opt_ms(const std::optional<SysTime>& t) {
    return t ? std::optional<int64_t>(to_unix_ms(*t)) : std::nullopt;
}

SysTime wall_now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace

Result<int64_t> ChatStore::create_contact(const ContactRow& c, const std::string& token_hash) {
    auto st = db_.prepare(
        "INSERT INTO contacts (channel, state, topic, queue, lang, resident_name, needs_interpreter, priority, "
        "visitor_token_hash, address, created_at, resident_key_hash) "
        "VALUES (?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, NULLIF(?, ''), ?, ?, NULLIF(?, ''))");
    if (!st) return st.error();
    st->bind(1, c.channel)
        .bind(2, c.state)
        .bind(3, c.topic)
        .bind(4, c.queue)
        .bind(5, c.lang)
        .bind(6, c.resident_name)
        .bind(7, c.needs_interpreter ? 1 : 0)
        .bind(8, c.priority)
        .bind(9, token_hash)
        .bind(10, c.address)
        .bind(11, to_unix_ms(c.created_at))
        .bind(12, c.resident_key_hash);
    if (auto r = st->run(); !r) return r.error();
    return db_.last_insert_id();
}

static Result<ContactRow> one_contact(Database& db, const std::string& where, const std::string& key) {
    auto st = db.prepare(std::string("SELECT ") + contact_columns + " FROM contacts WHERE " + where);
    if (!st) return st.error();
    st->bind(1, key);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return Error::not_found("contact_not_found", "No such conversation.");
    ContactRow c = read_contact(*st);
    auto ag = db.prepare("SELECT user_id FROM contact_agents WHERE contact_id = ? AND left_at IS NULL ORDER BY joined_at");
    if (!ag) return ag.error();
    ag->bind(1, c.id);
    auto rows = ag->for_each_row([&] { c.agents.push_back(ag->int64(0)); });
    if (!rows) return rows.error();
    return c;
}

Result<ContactRow> ChatStore::contact(int64_t id) { return one_contact(db_, "id = CAST(? AS INTEGER)", std::to_string(id)); }

Result<ContactRow> ChatStore::contact_by_visitor(const std::string& hash) {
    return one_contact(db_, "visitor_token_hash = ?", hash);
}

Result<std::vector<ContactRow>> ChatStore::contacts(const ContactFilter& f) {
    std::string sql = std::string("SELECT ") + contact_columns + " FROM contacts c WHERE 1 = 1";
    if (f.state == "closed") sql += " AND state IN ('closed', 'abandoned')";
    else if (!f.state.empty()) sql += " AND state = ?1";
    if (!f.queue.empty()) sql += " AND queue = ?2";
    // Open contacts belong to whoever serves them now; closed ones also to
    // everyone who served them on the way.
    if (f.agent_id)
        sql += (f.state == "closed" || f.state.empty())
                   ? " AND EXISTS (SELECT 1 FROM contact_agents a WHERE a.contact_id = c.id AND a.user_id = ?3 "
                     "AND (a.left_at IS NULL OR c.state IN ('closed', 'abandoned')))"
                   : " AND EXISTS (SELECT 1 FROM contact_agents a WHERE a.contact_id = c.id AND a.user_id = ?3 AND a.left_at IS NULL)";
    if (f.before_id) sql += " AND id < ?4";
    sql += " ORDER BY id DESC LIMIT ?5";
    auto st = db_.prepare(sql);
    if (!st) return st.error();
    if (!f.state.empty() && f.state != "closed") st->bind(1, f.state);
    if (!f.queue.empty()) st->bind(2, f.queue);
    if (f.agent_id) st->bind(3, f.agent_id);
    if (f.before_id) st->bind(4, f.before_id);
    st->bind(5, int64_t(f.limit));
    std::vector<ContactRow> out;
    auto rows = st->for_each_row([&] { out.push_back(read_contact(*st)); });
    if (!rows) return rows.error();
    for (auto& c : out) {
        auto full = contact(c.id);
        if (full) c.agents = full->agents;
    }
    return out;
}

Result<std::vector<ContactRow>> ChatStore::open_contacts() {
    auto st = db_.prepare(std::string("SELECT ") + contact_columns +
                          " FROM contacts WHERE state IN ('waiting', 'active') AND channel <> 'callback' "
                          "ORDER BY enqueued_at, id");  // callbacks: the CallbackModule
    if (!st) return st.error();
    std::vector<ContactRow> out;
    auto rows = st->for_each_row([&] { out.push_back(read_contact(*st)); });
    if (!rows) return rows.error();
    for (auto& c : out) {
        auto full = contact(c.id);
        if (full) c.agents = full->agents;
    }
    return out;
}

Result<bool> ChatStore::may_read(int64_t contact_id, int64_t user_id) {
    // Served it (and still does, or it has ended), or serves another contact
    // of the same resident now (the console shows their earlier conversations).
    auto st = db_.prepare(
        "SELECT 1 FROM contact_agents a JOIN contacts c ON c.id = a.contact_id WHERE a.contact_id = ?1 AND a.user_id = ?2 "
        "AND (a.left_at IS NULL OR c.state IN ('closed', 'abandoned')) "
        "UNION ALL "
        "SELECT 1 FROM contacts e JOIN contacts cur ON cur.resident_key_hash = e.resident_key_hash "
        "JOIN contact_agents a ON a.contact_id = cur.id AND a.user_id = ?2 AND a.left_at IS NULL "
        "WHERE e.id = ?1 AND e.resident_key_hash IS NOT NULL LIMIT 1");
    if (!st) return st.error();
    st->bind(1, contact_id).bind(2, user_id);
    auto r = st->step();
    if (!r) return r.error();
    return *r;
}

Result<int64_t> ChatStore::open_chats_from(const std::string& address, SysTime since) {
    auto st = db_.prepare(
        "SELECT count(*) FROM contacts WHERE address = ? AND created_at >= ? AND state IN ('bot', 'waiting', 'active')");
    if (!st) return st.error();
    st->bind(1, address).bind(2, to_unix_ms(since));
    auto r = st->step();
    if (!r) return r.error();
    return st->int64(0);
}

Result<void> ChatStore::mark_waiting(int64_t id, const std::string& topic, const std::string& queue, SysTime enqueued_at,
                                     const std::string& summary, std::optional<SysTime> left_message_at) {
    auto st = db_.prepare(
        "UPDATE contacts SET state = 'waiting', topic = ?, queue = ?, enqueued_at = coalesce(enqueued_at, ?), "
        "summary = coalesce(NULLIF(?, ''), summary), left_message_at = coalesce(?, left_message_at) WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, topic).bind(2, queue).bind(3, to_unix_ms(enqueued_at)).bind(4, summary).bind(5, opt_ms(left_message_at)).bind(6, id);
    return st->run();
}

Result<void> ChatStore::mark_active(int64_t id, const std::vector<int64_t>& agents, SysTime at) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto st = db_.prepare("UPDATE contacts SET state = 'active', assigned_at = coalesce(assigned_at, ?) WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(at)).bind(2, id);
    if (auto r = st->run(); !r) return r;
    auto leave = db_.prepare("UPDATE contact_agents SET left_at = ? WHERE contact_id = ? AND left_at IS NULL");
    if (!leave) return leave.error();
    leave->bind(1, to_unix_ms(at)).bind(2, id);
    if (auto r = leave->run(); !r) return r;
    for (int64_t a : agents) {
        auto ins = db_.prepare("INSERT OR IGNORE INTO contact_agents (contact_id, user_id, joined_at) VALUES (?, ?, ?)");
        if (!ins) return ins.error();
        ins->bind(1, id).bind(2, a).bind(3, to_unix_ms(at));
        if (auto r = ins->run(); !r) return r;
    }
    return tx.commit();
}

Result<void> ChatStore::add_participant(int64_t id, int64_t agent, SysTime at) {
    auto ins = db_.prepare("INSERT OR IGNORE INTO contact_agents (contact_id, user_id, joined_at) VALUES (?, ?, ?)");
    if (!ins) return ins.error();
    ins->bind(1, id).bind(2, agent).bind(3, to_unix_ms(at));
    return ins->run();
}

Result<void> ChatStore::move_to_queue(int64_t id, const std::string& queue, SysTime at) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto st = db_.prepare("UPDATE contacts SET state = 'waiting', queue = ? WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, queue).bind(2, id);
    if (auto r = st->run(); !r) return r;
    auto leave = db_.prepare("UPDATE contact_agents SET left_at = ? WHERE contact_id = ? AND left_at IS NULL");
    if (!leave) return leave.error();
    leave->bind(1, to_unix_ms(at)).bind(2, id);
    if (auto r = leave->run(); !r) return r;
    return tx.commit();
}

Result<void> ChatStore::mark_ended(int64_t id, const std::string& state, SysTime at, const std::string& disposition,
                                   const std::string& note) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto st = db_.prepare(
        "UPDATE contacts SET state = ?, closed_at = ?, disposition = NULLIF(?, ''), close_note = ? WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, state).bind(2, to_unix_ms(at)).bind(3, disposition).bind(4, note).bind(5, id);
    if (auto r = st->run(); !r) return r;
    auto leave = db_.prepare("UPDATE contact_agents SET left_at = ? WHERE contact_id = ? AND left_at IS NULL");
    if (!leave) return leave.error();
    leave->bind(1, to_unix_ms(at)).bind(2, id);
    if (auto r = leave->run(); !r) return r;
    return tx.commit();
}

Result<bool> ChatStore::end_open(int64_t id, const std::string& state, SysTime at) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto st = db_.prepare("UPDATE contacts SET state = ?, closed_at = ? WHERE id = ? AND state IN ('bot', 'waiting', 'active')");
    if (!st) return st.error();
    st->bind(1, state).bind(2, to_unix_ms(at)).bind(3, id);
    if (auto r = st->run(); !r) return r.error();
    if (db_.changes() == 0) return false;
    auto leave = db_.prepare("UPDATE contact_agents SET left_at = ? WHERE contact_id = ? AND left_at IS NULL");
    if (!leave) return leave.error();
    leave->bind(1, to_unix_ms(at)).bind(2, id);
    if (auto r = leave->run(); !r) return r.error();
    if (auto r = tx.commit(); !r) return r.error();
    return true;
}

Result<bool> ChatStore::set_disposition(int64_t id, const std::string& disposition, const std::string& note) {
    auto st = db_.prepare(
        "UPDATE contacts SET disposition = ?, close_note = ? WHERE id = ? AND state = 'closed' AND disposition IS NULL");
    if (!st) return st.error();
    st->bind(1, disposition).bind(2, note).bind(3, id);
    if (auto r = st->run(); !r) return r.error();
    return db_.changes() > 0;
}

Result<void> ChatStore::set_priority(int64_t id, int priority) {
    auto st = db_.prepare("UPDATE contacts SET priority = ? WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, priority).bind(2, id);
    return st->run();
}

std::vector<Result<StoredMessage>> ChatStore::append(const std::vector<NewMessage>& batch) {
    const auto t0 = wall_now();
    std::vector<Result<StoredMessage>> out;
    out.reserve(batch.size());
    auto fail_all = [&](const Error& e) {
        out.clear();
        for (size_t i = 0; i < batch.size(); ++i) out.emplace_back(e);
        return out;
    };
    // Prepared once and kept (reset and rebound per row): parsing the INSERT
    // again for every batch was a visible part of the store thread's time.
    if (!insert_message_) {
        auto ins = db_.prepare(
            "INSERT INTO messages (contact_id, author_kind, author_id, author_name, body, internal, buttons, client_msg_id, "
            "created_at, bot_topic, bot_confidence, bot_answer, links) "
            "VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), ?, NULLIF(?, ''), ?, NULLIF(?, ''), NULLIF(?, '')) "
            "ON CONFLICT (contact_id, author_kind, author_id, client_msg_id) DO NOTHING");
        if (!ins) return fail_all(ins.error());
        insert_message_.emplace(std::move(*ins));
    }
    if (!find_duplicate_) {
        auto dup = db_.prepare(
            "SELECT id, author_name, body, internal, coalesce(buttons, ''), created_at FROM messages "
            "WHERE contact_id = ? AND author_kind = ? AND author_id = ? AND client_msg_id = ?");
        if (!dup) return fail_all(dup.error());
        find_duplicate_.emplace(std::move(*dup));
    }
    Statement* ins = &*insert_message_;
    Statement* dup = &*find_duplicate_;
    Transaction tx(db_);
    if (!tx.begun()) return fail_all(db_.error("begin"));
    // The kept statements are reset before the transaction ends (commit or
    // rollback), so neither is left active between batches.
    struct ResetOnExit {
        Statement* a;
        Statement* b;
        ~ResetOnExit() {
            a->reset();
            b->reset();
        }
    } reset_on_exit{ins, dup};
    for (const auto& m : batch) {
        ins->reset();
        ins->bind(1, m.contact_id)
            .bind(2, m.author_kind)
            .bind(3, m.author_id)
            .bind(4, m.author_name)
            .bind(5, m.body)
            .bind(6, m.internal ? 1 : 0)
            .bind(7, m.buttons)
            .bind(8, m.client_msg_id)
            .bind(9, to_unix_ms(m.created_at))
            .bind(10, m.bot_topic)
            .bind(11, m.bot_confidence >= 0 ? std::optional<int64_t>(m.bot_confidence) : std::nullopt)
            .bind(12, m.bot_answer)
            .bind(13, m.links);
        if (auto r = ins->run(); !r) {
            out.emplace_back(r.error());
            continue;
        }
        StoredMessage s;
        static_cast<NewMessage&>(s) = m;
        if (db_.changes() == 1) {
            s.id = db_.last_insert_id();
        } else {
            // The same client_msg_id from the same author: answer with the first row.
            dup->reset();
            dup->bind(1, m.contact_id).bind(2, m.author_kind).bind(3, m.author_id).bind(4, m.client_msg_id);
            auto row = dup->step();
            if (!row || !*row) {
                out.emplace_back(Error::internal("duplicate message not found"));
                continue;
            }
            s.id = dup->int64(0);
            s.author_name = dup->text(1);
            s.body = dup->text(2);
            s.internal = dup->int64(3) != 0;
            s.buttons = dup->text(4);
            s.created_at = from_unix_ms(dup->int64(5));
            s.duplicate = true;
            dup->reset();
        }
        out.emplace_back(std::move(s));
    }
    if (auto r = tx.commit(); !r) return fail_all(r.error());
    if (metrics_) {
        metrics_->observe("centrala_db_write_seconds", "", std::chrono::duration<double>(wall_now() - t0).count());
        metrics_->count("centrala_messages_stored_total", "", batch.size());
    }
    return out;
}

Result<std::vector<StoredMessage>> ChatStore::messages_after(int64_t contact_id, int64_t after_id, bool include_internal,
                                                            int limit) {
    auto st = db_.prepare(
        "SELECT id, author_kind, author_id, author_name, body, internal, coalesce(buttons, ''), "
        "coalesce(client_msg_id, ''), created_at, coalesce(bot_topic, ''), coalesce(bot_confidence, -1), "
        "coalesce(bot_answer, ''), coalesce(links, '') FROM messages "
        "WHERE contact_id = ? AND id > ? AND (? OR internal = 0) "
        "ORDER BY id LIMIT ?");
    if (!st) return st.error();
    st->bind(1, contact_id).bind(2, after_id).bind(3, include_internal ? 1 : 0).bind(4, int64_t(limit));
    std::vector<StoredMessage> out;
    auto rows = st->for_each_row([&] {
        StoredMessage m;
        m.id = st->int64(0);
        m.contact_id = contact_id;
        m.author_kind = st->text(1);
        m.author_id = st->int64(2);
        m.author_name = st->text(3);
        m.body = st->text(4);
        m.internal = st->int64(5) != 0;
        m.buttons = st->text(6);
        m.client_msg_id = st->text(7);
        m.created_at = from_unix_ms(st->int64(8));
        m.bot_topic = st->text(9);
        m.bot_confidence = int(st->int64(10));
        m.bot_answer = st->text(11);
        m.links = st->text(12);
        out.push_back(std::move(m));
    });
    if (!rows) return rows.error();
    return out;
}

Result<int64_t> ChatStore::last_message_id(int64_t contact_id, bool include_internal) {
    auto st = db_.prepare("SELECT coalesce(max(id), 0) FROM messages WHERE contact_id = ? AND (? OR internal = 0)");
    if (!st) return st.error();
    st->bind(1, contact_id).bind(2, include_internal ? 1 : 0);
    auto r = st->step();
    if (!r) return r.error();
    return st->int64(0);
}

Result<void> ChatStore::rate(int64_t contact_id, int score, const std::string& comment, SysTime at) {
    // Ended by the resident's erasure: a comment would be new personal data in a wiped chat.
    auto erased = db_.prepare("SELECT 1 FROM contacts WHERE id = ? AND disposition = 'erased'");
    if (!erased) return erased.error();
    erased->bind(1, contact_id);
    auto found = erased->step();
    if (!found) return found.error();
    if (*found) return Error::conflict("chat_closed", "This conversation has ended.");
    auto st = db_.prepare("INSERT INTO ratings (contact_id, score, comment, created_at) VALUES (?, ?, ?, ?)");
    if (!st) return st.error();
    st->bind(1, contact_id).bind(2, score).bind(3, comment).bind(4, to_unix_ms(at));
    if (auto r = st->run(); !r) {
        if (r.error().kind == ErrorKind::conflict)
            return Error::conflict("already_rated", "This conversation has already been rated.");
        return r;
    }
    return Ok{};
}

Result<void> ChatStore::record_event(int64_t contact_id, SysTime at, const std::string& type, const std::string& queue,
                                     std::optional<int64_t> agent, const std::string& details) {
    auto st = db_.prepare("INSERT INTO contact_events (contact_id, at, type, queue, agent_id, details) VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) return st.error();
    st->bind(1, contact_id).bind(2, to_unix_ms(at)).bind(3, type).bind(4, queue).bind(5, agent).bind(6,
                                                                                                      details.empty() ? std::string("{}") : details);
    return st->run();
}

}  // namespace centrala::store
