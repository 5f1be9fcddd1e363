#include "centrala/store/canned_store.hpp"

#include <sqlite3.h>

namespace centrala::store {

namespace {

constexpr const char* columns = "id, queue, lang, title, body, shortcut, updated_by, updated_at";

CannedResponse read(const Statement& st) {
    CannedResponse c;
    c.id = st.int64(0);
    if (!st.is_null(1)) c.queue = st.text(1);
    c.lang = st.text(2);
    c.title = st.text(3);
    c.body = st.text(4);
    if (!st.is_null(5)) c.shortcut = st.text(5);
    if (!st.is_null(6)) c.updated_by = st.int64(6);
    c.updated_at = from_unix_ms(st.int64(7));
    return c;
}

Error shortcut_taken(const CannedResponse& c) {
    return Error::conflict("shortcut_taken", "The shortcut '" + c.shortcut.value_or("") +
                                                 "' is already used by another response in this language and queue.");
}

}  // namespace

Result<std::vector<CannedResponse>> CannedStore::all() {
    auto st = db_.prepare(std::string("SELECT ") + columns + " FROM canned_responses WHERE deleted_at IS NULL ORDER BY id");
    if (!st) return st.error();
    std::vector<CannedResponse> out;
    auto rows = st->for_each_row([&] { out.push_back(read(*st)); });
    if (!rows) return rows.error();
    return out;
}

Result<CannedResponse> CannedStore::insert(CannedResponse c, int64_t by, SysTime now) {
    auto st = db_.prepare(
        "INSERT INTO canned_responses (queue, lang, title, body, shortcut, created_by, updated_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return st.error();
    const int64_t ms = to_unix_ms(now);
    st->bind(1, c.queue).bind(2, c.lang).bind(3, c.title).bind(4, c.body).bind(5, c.shortcut);
    st->bind(6, by).bind(7, by).bind(8, ms).bind(9, ms);
    if (auto r = st->run(); !r) {
        if (sqlite3_extended_errcode(db_.handle()) == SQLITE_CONSTRAINT_UNIQUE) return shortcut_taken(c);
        return r.error();
    }
    c.id = db_.last_insert_id();
    c.updated_by = by;
    c.updated_at = from_unix_ms(ms);
    return c;
}

Result<CannedResponse> CannedStore::update(const CannedResponse& c, int64_t by, SysTime now) {
    auto st = db_.prepare(
        "UPDATE canned_responses SET queue = ?, lang = ?, title = ?, body = ?, shortcut = ?, updated_by = ?, updated_at = ?"
        " WHERE id = ? AND deleted_at IS NULL");
    if (!st) return st.error();
    const int64_t ms = to_unix_ms(now);
    st->bind(1, c.queue).bind(2, c.lang).bind(3, c.title).bind(4, c.body).bind(5, c.shortcut);
    st->bind(6, by).bind(7, ms).bind(8, c.id);
    if (auto r = st->run(); !r) {
        if (sqlite3_extended_errcode(db_.handle()) == SQLITE_CONSTRAINT_UNIQUE) return shortcut_taken(c);
        return r.error();
    }
    if (db_.changes() == 0) return Error::not_found("canned_response_not_found", "No such canned response.");
    CannedResponse out = c;
    out.updated_by = by;
    out.updated_at = from_unix_ms(ms);
    return out;
}

Result<void> CannedStore::remove(int64_t id, int64_t by, SysTime now) {
    auto st = db_.prepare("UPDATE canned_responses SET deleted_at = ?, updated_by = ? WHERE id = ? AND deleted_at IS NULL");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(now)).bind(2, by).bind(3, id);
    if (auto r = st->run(); !r) return r.error();
    if (db_.changes() == 0) return Error::not_found("canned_response_not_found", "No such canned response.");
    return Ok{};
}

}  // namespace centrala::store
