#include "centrala/store/history_store.hpp"

#include "centrala/store/ticket_store.hpp"

#include <algorithm>

namespace centrala::store {

Result<bool> HistoryStore::serves(int64_t contact_id, int64_t user_id) {
    auto st = db_.prepare("SELECT 1 FROM contact_agents WHERE contact_id = ? AND user_id = ? AND left_at IS NULL LIMIT 1");
    if (!st) return st.error();
    st->bind(1, contact_id).bind(2, user_id);
    return st->step();
}

Result<std::vector<PastContact>> HistoryStore::earlier(int64_t contact_id, int limit, int64_t before_id) {
    {
        auto exists = db_.prepare("SELECT 1 FROM contacts WHERE id = ?");
        if (!exists) return exists.error();
        exists->bind(1, contact_id);
        auto r = exists->step();
        if (!r) return r.error();
        if (!*r) return Error::not_found("contact_not_found", "No such conversation.");
    }
    auto st = db_.prepare(
        "SELECT e.id, e.channel, e.state, e.topic, coalesce(e.queue, ''), e.created_at, e.closed_at, "
        "coalesce(e.disposition, ''), e.close_note, r.score, "
        "(SELECT count(*) FROM messages m WHERE m.contact_id = e.id AND m.internal = 0) "
        "FROM contacts cur JOIN contacts e ON e.resident_key_hash = cur.resident_key_hash AND e.id <> cur.id "
        "LEFT JOIN ratings r ON r.contact_id = e.id "
        "WHERE cur.id = ? AND cur.resident_key_hash IS NOT NULL AND (? = 0 OR e.id < ?) "
        "ORDER BY e.id DESC LIMIT ?");
    if (!st) return st.error();
    st->bind(1, contact_id).bind(2, before_id).bind(3, before_id).bind(4, int64_t(limit));
    std::vector<PastContact> out;
    auto rows = st->for_each_row([&] {
        PastContact p;
        p.id = st->int64(0);
        p.channel = st->text(1);
        p.state = st->text(2);
        p.topic = st->text(3);
        p.queue = st->text(4);
        p.created_at = from_unix_ms(st->int64(5));
        if (!st->is_null(6)) p.closed_at = from_unix_ms(st->int64(6));
        p.disposition = st->text(7);
        p.close_note = st->text(8);
        if (!st->is_null(9)) p.rating = int(st->int64(9));
        p.messages = st->int64(10);
        out.push_back(std::move(p));
    });
    if (!rows) return rows.error();
    auto names = db_.prepare(
        "SELECT u.display_name FROM contact_agents a JOIN users u ON u.id = a.user_id WHERE a.contact_id = ? "
        "ORDER BY a.joined_at");
    if (!names) return names.error();
    for (auto& p : out) {
        names->reset();
        names->bind(1, p.id);
        auto rows = names->for_each_row([&] {
            auto n = names->text(0);
            if (std::find(p.agents.begin(), p.agents.end(), n) == p.agents.end()) p.agents.push_back(std::move(n));
        });
        if (!rows) return rows.error();
    }
    return out;
}

Result<std::vector<PastCase>> HistoryStore::cases(int64_t contact_id, int limit, const TicketScope& scope) {
    auto st = db_.prepare(
        "SELECT t.id, t.number, t.subject, t.status, t.department, t.created_at, t.contact_id FROM tickets t "
        "WHERE t.contact_id IN (SELECT ? UNION SELECT e.id FROM contacts cur "
        "JOIN contacts e ON e.resident_key_hash = cur.resident_key_hash WHERE cur.id = ? AND cur.resident_key_hash IS NOT NULL)" +
        scope_sql(scope) + " ORDER BY t.created_at DESC, t.id DESC LIMIT ?");
    if (!st) return st.error();
    int i = 1;
    st->bind(i++, contact_id);
    st->bind(i++, contact_id);
    bind_scope(*st, i, scope);
    st->bind(i, int64_t(limit));
    std::vector<PastCase> out;
    auto rows = st->for_each_row([&] {
        PastCase p;
        p.id = st->int64(0);
        p.number = st->text(1);
        p.subject = st->text(2);
        p.status = st->text(3);
        p.department = st->text(4);
        p.created_at = from_unix_ms(st->int64(5));
        p.contact_id = st->int64(6);
        out.push_back(std::move(p));
    });
    if (!rows) return rows.error();
    return out;
}

}  // namespace centrala::store
