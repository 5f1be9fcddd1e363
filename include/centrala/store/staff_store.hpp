// Users, login sessions and the audit log in SQLite. Synchronous: call only on
// the store worker thread that owns the Database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "centrala/domain/clock.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/domain/staff.hpp"
#include "centrala/metrics/metrics.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::store {

struct StoredUser {
    User user;
    std::string password_hash;
    SysTime password_changed_at{};
};

struct SessionRecord {
    std::string id;  // SHA-256 of the bearer token
    int64_t user_id = 0;
    std::string csrf_token;
    SysTime created_at{};
    SysTime last_seen_at{};
    SysTime expires_at{};  // absolute lifetime
    std::string address;
    std::string user_agent;
};

struct AuditEntry {
    int64_t id = 0;
    SysTime at{};
    std::optional<int64_t> actor_id;
    std::string actor;    // username at the time, or "cli"/"system"
    std::string action;   // e.g. "login", "login_failed", "user_created"
    std::string target;   // e.g. "user:12"
    std::string address;
    std::string details;  // JSON object text
};

class StaffStore {
public:
    StaffStore(Database& db, metrics::Registry* metrics = nullptr) : db_(db), metrics_(metrics) {}

    Result<StoredUser> insert_user(const User& u, const std::string& password_hash, SysTime now);
    Result<std::vector<StoredUser>> all_users();
    Result<StoredUser> user_by_id(int64_t id);
    Result<StoredUser> user_by_username(const std::string& username);
    // Writes every field of u; a new hash also moves password_changed_at.
    Result<void> update_user(const User& u, const std::optional<std::string>& new_password_hash, SysTime now);
    Result<int64_t> count_users();

    Result<void> insert_session(const SessionRecord& s);
    Result<std::vector<SessionRecord>> live_sessions(SysTime now);
    Result<void> touch_session(const std::string& id, SysTime seen);
    Result<void> revoke_session(const std::string& id, SysTime now);
    Result<void> revoke_user_sessions(int64_t user_id, SysTime now, const std::string& except_id = {});
    Result<int> delete_expired_sessions(SysTime now);

    Result<void> audit(const AuditEntry& e);
    // Newest first; before_id 0 means from the newest.
    Result<std::vector<AuditEntry>> audit_page(int64_t before_id, int limit);

private:
    void record_write(SysTime started);
    Database& db_;
    metrics::Registry* metrics_;
};

}  // namespace centrala::store
