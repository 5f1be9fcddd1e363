#include "centrala/store/callback_store.hpp"

namespace centrala::store {
namespace {
constexpr const char* columns =
    "b.contact_id, coalesce(b.chat_id, 0), b.phone, b.lang, c.topic, coalesce(c.queue, ''), c.resident_name, "
    "c.summary, b.window_from, b.window_to, b.not_before, b.attempts, b.state, coalesce(b.agent_id, 0), "
    "coalesce(c.disposition, ''), b.created_at, coalesce(c.enqueued_at, 0)";

CallbackRow read(const Statement& st) {
    CallbackRow c;
    c.id = st.int64(0);
    c.chat_id = st.int64(1);
    c.phone = st.text(2);
    c.lang = st.text(3);
    c.topic = st.text(4);
    c.queue = st.text(5);
    c.resident_name = st.text(6);
    c.summary = st.text(7);
    if (!st.is_null(8)) c.window_from = from_unix_ms(st.int64(8));
    if (!st.is_null(9)) c.window_to = from_unix_ms(st.int64(9));
    c.not_before = from_unix_ms(st.int64(10));
    c.attempts = int(st.int64(11));
    c.state = st.text(12);
    c.agent_id = st.int64(13);
    c.disposition = st.text(14);
    c.created_at = from_unix_ms(st.int64(15));
    c.queued_at = from_unix_ms(st.int64(16));
    return c;
}

std::string contact_state(const std::string& s) {
    if (s == "active") return "active";
    if (s == "done" || s == "unreachable") return "closed";
    return "waiting";
}
}  // namespace

Result<int64_t> CallbackStore::create(const CallbackRow& c, int64_t replaced_chat) {
    Transaction tx(db_);
    if (!tx.begun()) return Error{ErrorKind::internal, "db_error", "could not begin a transaction"};
    auto ct = db_.prepare(
        "INSERT INTO contacts (channel, state, topic, queue, lang, resident_name, created_at, enqueued_at, summary) "
        "VALUES ('callback', 'waiting', ?, ?, ?, ?, ?, ?, ?)");
    if (!ct) return ct.error();
    ct->bind(1, c.topic).bind(2, c.queue).bind(3, c.lang).bind(4, c.resident_name).bind(5, to_unix_ms(c.created_at))
        .bind(6, to_unix_ms(c.queued_at != SysTime{} ? c.queued_at : c.created_at)).bind(7, c.summary);
    if (auto r = ct->run(); !r) return r.error();
    const int64_t id = db_.last_insert_id();
    auto cb = db_.prepare(
        "INSERT INTO callbacks (contact_id, chat_id, phone, lang, window_from, window_to, not_before, attempts, state, "
        "created_at, updated_at) VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?, 0, ?, ?, ?)");
    if (!cb) return cb.error();
    cb->bind(1, id).bind(2, c.chat_id).bind(3, c.phone).bind(4, c.lang);
    if (c.window_from) cb->bind(5, to_unix_ms(*c.window_from));
    if (c.window_to) cb->bind(6, to_unix_ms(*c.window_to));
    cb->bind(7, to_unix_ms(c.not_before)).bind(8, c.state).bind(9, to_unix_ms(c.created_at)).bind(10, to_unix_ms(c.created_at));
    if (auto r = cb->run(); !r) return r.error();
    if (replaced_chat) {
        auto chat = db_.prepare("UPDATE contacts SET state = 'bot', enqueued_at = NULL WHERE id = ? AND state = 'waiting'");
        if (!chat) return chat.error();
        chat->bind(1, replaced_chat);
        if (auto r = chat->run(); !r) return r.error();
    }
    if (auto r = tx.commit(); !r) return r.error();
    return id;
}

Result<void> CallbackStore::save(const CallbackRow& c, SysTime now) {
    Transaction tx(db_);
    if (!tx.begun()) return Error{ErrorKind::internal, "db_error", "could not begin a transaction"};
    auto cb = db_.prepare(
        "UPDATE callbacks SET state = ?, attempts = ?, not_before = ?, agent_id = NULLIF(?, 0), updated_at = ? "
        "WHERE contact_id = ?");
    if (!cb) return cb.error();
    cb->bind(1, c.state).bind(2, c.attempts).bind(3, to_unix_ms(c.not_before)).bind(4, c.agent_id).bind(5, to_unix_ms(now))
        .bind(6, c.id);
    if (auto r = cb->run(); !r) return r.error();
    const std::string state = contact_state(c.state);
    auto ct = db_.prepare(
        "UPDATE contacts SET state = ?, queue = NULLIF(?, ''), enqueued_at = coalesce(NULLIF(?, 0), enqueued_at), "
        "resident_name = ?, summary = ?, assigned_at = CASE WHEN ? = 'active' THEN ? ELSE assigned_at END, "
        "closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END, "
        "disposition = CASE WHEN ? = 'closed' THEN NULLIF(?, '') ELSE disposition END WHERE id = ?");
    if (!ct) return ct.error();
    ct->bind(1, state).bind(2, c.queue).bind(3, to_unix_ms(c.queued_at)).bind(4, c.resident_name).bind(5, c.summary)
        .bind(6, state).bind(7, to_unix_ms(now)).bind(8, state).bind(9, to_unix_ms(now)).bind(10, state)
        .bind(11, c.disposition).bind(12, c.id);
    if (auto r = ct->run(); !r) return r.error();
    return tx.commit();
}

Result<std::vector<CallbackRow>> CallbackStore::open() {
    auto st = db_.prepare(std::string("SELECT ") + columns +
                          " FROM callbacks b JOIN contacts c ON c.id = b.contact_id "
                          "WHERE b.state IN ('scheduled', 'queued', 'active') ORDER BY b.created_at, b.contact_id");
    if (!st) return st.error();
    std::vector<CallbackRow> out;
    auto rows = st->for_each_row([&] { out.push_back(read(*st)); });
    if (!rows) return rows.error();
    return out;
}

Result<std::optional<CallbackRow>> CallbackStore::get(int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + columns +
                          " FROM callbacks b JOIN contacts c ON c.id = b.contact_id WHERE b.contact_id = ?");
    if (!st) return st.error();
    st->bind(1, id);
    auto r = st->step();
    if (!r) return r.error();
    if (!*r) return std::optional<CallbackRow>();
    return std::optional<CallbackRow>(read(*st));
}

}  // namespace centrala::store
