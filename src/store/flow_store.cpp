#include "centrala/store/flow_store.hpp"

namespace centrala::store {

Result<void> FlowStore::save(int64_t contact_id, const std::string& state, SysTime at) {
    auto st = db_.prepare(
        "INSERT INTO bot_flows (contact_id, state, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (contact_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at");
    if (!st) return st.error();
    st->bind(1, contact_id).bind(2, state).bind(3, to_unix_ms(at));
    return st->run();
}

Result<void> FlowStore::hold_photo(int64_t contact_id, const std::string& bytes, const std::string& content_type,
                                   SysTime at) {
    auto st = db_.prepare("UPDATE bot_flows SET photo = ?, photo_type = ?, updated_at = ? WHERE contact_id = ?");
    if (!st) return st.error();
    st->bind_blob(1, bytes).bind(2, content_type).bind(3, to_unix_ms(at)).bind(4, contact_id);
    if (auto r = st->run(); !r) return r.error();
    if (db_.changes() == 0) return Error::not_found("no_report", "There is no report in progress in this chat.");
    return Ok{};
}

Result<void> FlowStore::drop_photo(int64_t contact_id) {
    auto st = db_.prepare("UPDATE bot_flows SET photo = NULL, photo_type = NULL WHERE contact_id = ?");
    if (!st) return st.error();
    st->bind(1, contact_id);
    return st->run();
}

Result<std::optional<HeldPhoto>> FlowStore::photo(int64_t contact_id) {
    auto st = db_.prepare("SELECT photo, photo_type FROM bot_flows WHERE contact_id = ? AND photo IS NOT NULL");
    if (!st) return st.error();
    st->bind(1, contact_id);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return std::optional<HeldPhoto>();
    return std::optional<HeldPhoto>(HeldPhoto{st->blob(0), st->text(1)});
}

Result<void> FlowStore::remove(int64_t contact_id) {
    auto st = db_.prepare("DELETE FROM bot_flows WHERE contact_id = ?");
    if (!st) return st.error();
    st->bind(1, contact_id);
    return st->run();
}

Result<std::vector<FlowRow>> FlowStore::open_flows() {
    auto st = db_.prepare(
        "SELECT f.contact_id, f.state, f.photo IS NOT NULL, f.updated_at FROM bot_flows f "
        "JOIN contacts c ON c.id = f.contact_id WHERE c.state = 'bot' "
        "OR (c.state = 'waiting' AND json_extract(f.state, '$.kind') = 'callback') ORDER BY f.contact_id");
    if (!st) return st.error();
    std::vector<FlowRow> out;
    auto rows = st->for_each_row([&] {
        out.push_back({st->int64(0), st->text(1), st->int64(2) != 0, from_unix_ms(st->int64(3))});
    });
    if (!rows) return rows.error();
    return out;
}

Result<int> FlowStore::remove_stale(SysTime before) {
    auto st = db_.prepare(
        "DELETE FROM bot_flows WHERE updated_at < ? OR contact_id NOT IN (SELECT id FROM contacts WHERE state = 'bot' "
        "OR (state = 'waiting' AND json_extract(bot_flows.state, '$.kind') = 'callback'))");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(before));
    if (auto r = st->run(); !r) return r.error();
    return int(db_.changes());
}

}  // namespace centrala::store
