#include "centrala/store/staff_store.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

namespace centrala::store {
namespace {

using nlohmann::json;

std::string to_json_text(const std::map<std::string, int>& m) { return json(m).dump(); }

std::map<std::string, int> from_json_text(const std::string& s) {
    std::map<std::string, int> out;
    auto j = json::parse(s, nullptr, false);
    if (!j.is_object()) return out;
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it->is_number_integer()) out[it.key()] = it->get<int>();
    return out;
}

constexpr const char* user_columns =
    "id, username, display_name, role, password_hash, skills, capacity, active, created_at, password_changed_at, "
    "department";

StoredUser read_user(const Statement& st) {
    StoredUser s;
    s.user.id = st.int64(0);
    s.user.username = st.text(1);
    s.user.display_name = st.text(2);
    s.user.role = parse_role(st.text(3)).value_or(Role::agent);
    s.password_hash = st.text(4);
    s.user.skills = from_json_text(st.text(5));
    s.user.capacity = from_json_text(st.text(6));
    s.user.active = st.int64(7) != 0;
    s.user.created_at = from_unix_ms(st.int64(8));
    s.password_changed_at = from_unix_ms(st.int64(9));
    s.user.department = st.text(10);
    return s;
}

SysTime steady_now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace

void StaffStore::record_write(SysTime started) {
    if (!metrics_) return;
    const auto d = std::chrono::duration<double>(steady_now() - started).count();
    metrics_->observe("centrala_db_write_seconds", "", d);
}

Result<StoredUser> StaffStore::insert_user(const User& u, const std::string& hash, SysTime now) {
    const auto t0 = steady_now();
    auto st = db_.prepare(
        "INSERT INTO users (username, display_name, role, password_hash, skills, capacity, active, created_at, "
        "updated_at, password_changed_at, department) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return st.error();
    st->bind(1, u.username)
        .bind(2, u.display_name)
        .bind(3, std::string(to_string(u.role)))
        .bind(4, hash)
        .bind(5, to_json_text(u.skills))
        .bind(6, to_json_text(u.capacity))
        .bind(7, u.active ? 1 : 0)
        .bind(8, to_unix_ms(now))
        .bind(9, to_unix_ms(now))
        .bind(10, to_unix_ms(now))
        .bind(11, u.department);
    if (auto r = st->run(); !r) {
        if (r.error().kind == ErrorKind::conflict)
            return Error::conflict("username_taken", "a user with this username already exists");
        return r.error();
    }
    record_write(t0);
    return user_by_id(db_.last_insert_id());
}

Result<std::vector<StoredUser>> StaffStore::all_users() {
    auto st = db_.prepare(std::string("SELECT ") + user_columns + " FROM users ORDER BY id");
    if (!st) return st.error();
    std::vector<StoredUser> out;
    auto rows = st->for_each_row([&] { out.push_back(read_user(*st)); });
    if (!rows) return rows.error();
    return out;
}

Result<StoredUser> StaffStore::user_by_id(int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + user_columns + " FROM users WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, id);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return Error::not_found("user_not_found", "no such user");
    return read_user(*st);
}

Result<StoredUser> StaffStore::user_by_username(const std::string& username) {
    auto st = db_.prepare(std::string("SELECT ") + user_columns + " FROM users WHERE username = ?");
    if (!st) return st.error();
    st->bind(1, username);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return Error::not_found("user_not_found", "no such user");
    return read_user(*st);
}

Result<void> StaffStore::update_user(const User& u, const std::optional<std::string>& hash, SysTime now) {
    const auto t0 = steady_now();
    auto st = db_.prepare(
        "UPDATE users SET display_name = ?, role = ?, skills = ?, capacity = ?, active = ?, updated_at = ?, "
        "password_hash = COALESCE(?, password_hash), "
        "password_changed_at = CASE WHEN ? IS NULL THEN password_changed_at ELSE ? END, department = ? "
        "WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, u.display_name)
        .bind(2, std::string(to_string(u.role)))
        .bind(3, to_json_text(u.skills))
        .bind(4, to_json_text(u.capacity))
        .bind(5, u.active ? 1 : 0)
        .bind(6, to_unix_ms(now))
        .bind(7, hash)
        .bind(8, hash)
        .bind(9, to_unix_ms(now))
        .bind(10, u.department)
        .bind(11, u.id);
    if (auto r = st->run(); !r) return r.error();
    if (db_.changes() == 0) return Error::not_found("user_not_found", "no such user");
    record_write(t0);
    return Ok{};
}

Result<int64_t> StaffStore::count_users() {
    auto st = db_.prepare("SELECT count(*) FROM users");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return st->int64(0);
}

Result<void> StaffStore::insert_session(const SessionRecord& s) {
    const auto t0 = steady_now();
    auto st = db_.prepare(
        "INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at, expires_at, address, user_agent) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return st.error();
    st->bind(1, s.id)
        .bind(2, s.user_id)
        .bind(3, s.csrf_token)
        .bind(4, to_unix_ms(s.created_at))
        .bind(5, to_unix_ms(s.last_seen_at))
        .bind(6, to_unix_ms(s.expires_at))
        .bind(7, s.address)
        .bind(8, s.user_agent);
    if (auto r = st->run(); !r) return r.error();
    record_write(t0);
    return Ok{};
}

Result<std::vector<SessionRecord>> StaffStore::live_sessions(SysTime now) {
    auto st = db_.prepare(
        "SELECT s.id, s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.address, s.user_agent "
        "FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.revoked_at IS NULL AND s.expires_at > ? AND u.active = 1");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(now));
    std::vector<SessionRecord> out;
    auto rows = st->for_each_row([&] {
        SessionRecord s;
        s.id = st->text(0);
        s.user_id = st->int64(1);
        s.csrf_token = st->text(2);
        s.created_at = from_unix_ms(st->int64(3));
        s.last_seen_at = from_unix_ms(st->int64(4));
        s.expires_at = from_unix_ms(st->int64(5));
        s.address = st->text(6);
        s.user_agent = st->text(7);
        out.push_back(std::move(s));
    });
    if (!rows) return rows.error();
    return out;
}

Result<void> StaffStore::touch_session(const std::string& id, SysTime seen) {
    auto st = db_.prepare("UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(seen)).bind(2, id);
    return st->run();
}

Result<void> StaffStore::revoke_session(const std::string& id, SysTime now) {
    const auto t0 = steady_now();
    auto st = db_.prepare("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(now)).bind(2, id);
    if (auto r = st->run(); !r) return r;
    record_write(t0);
    return Ok{};
}

Result<void> StaffStore::revoke_user_sessions(int64_t user_id, SysTime now, const std::string& except_id) {
    auto st = db_.prepare("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id <> ?");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(now)).bind(2, user_id).bind(3, except_id);
    return st->run();
}

Result<int> StaffStore::delete_expired_sessions(SysTime now) {
    // Revoked or expired sessions are kept a week for the audit trail.
    auto st = db_.prepare("DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?");
    if (!st) return st.error();
    const auto cutoff = to_unix_ms(now - std::chrono::hours(24 * 7));
    st->bind(1, cutoff).bind(2, cutoff);
    if (auto r = st->run(); !r) return r.error();
    return db_.changes();
}

Result<void> StaffStore::audit(const AuditEntry& e) {
    const auto t0 = steady_now();
    auto st = db_.prepare(
        "INSERT INTO audit_log (at, actor_id, actor, action, target, address, details) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(e.at))
        .bind(2, e.actor_id)
        .bind(3, e.actor)
        .bind(4, e.action)
        .bind(5, e.target)
        .bind(6, e.address)
        .bind(7, e.details.empty() ? std::string("{}") : e.details);
    if (auto r = st->run(); !r) return r;
    record_write(t0);
    return Ok{};
}

Result<std::vector<AuditEntry>> StaffStore::audit_page(int64_t before_id, int limit) {
    auto st = db_.prepare(
        "SELECT id, at, actor_id, actor, action, target, address, details FROM audit_log "
        "WHERE (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?");
    if (!st) return st.error();
    st->bind(1, before_id).bind(2, before_id).bind(3, int64_t(limit));
    std::vector<AuditEntry> out;
    auto rows = st->for_each_row([&] {
        AuditEntry e;
        e.id = st->int64(0);
        e.at = from_unix_ms(st->int64(1));
        if (!st->is_null(2)) e.actor_id = st->int64(2);
        e.actor = st->text(3);
        e.action = st->text(4);
        e.target = st->text(5);
        e.address = st->text(6);
        e.details = st->text(7);
        out.push_back(std::move(e));
    });
    if (!rows) return rows.error();
    return out;
}

}  // namespace centrala::store
