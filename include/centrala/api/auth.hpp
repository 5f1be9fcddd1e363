// Staff identity on the network thread: the directory of users, live login
// sessions and the login throttle. Everything here is owned by the io thread
// and is not thread-safe; persistence happens through the store worker.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "centrala/domain/clock.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/domain/staff.hpp"

namespace centrala::api {

// In-memory copy of the users table, kept in step with every write.
class Directory {
public:
    void put(User u);
    // Stays valid, and follows later puts of the same user, while the Directory lives.
    const User* find(int64_t id) const;
    const User* find_by_username(const std::string& username) const;
    // The user as of the last put: an immutable snapshot to share (see Principal).
    std::shared_ptr<const User> snapshot(int64_t id) const;
    std::vector<const User*> all() const;  // ordered by id
    size_t active_admins() const;

private:
    struct Entry {
        User user;
        std::shared_ptr<const User> snapshot;  // a copy of `user`, remade by every put
    };
    std::map<int64_t, Entry> users_;
    std::unordered_map<std::string, int64_t> by_name_;
};

struct Session {
    std::string id;  // SHA-256 of the token
    int64_t user_id = 0;
    std::string csrf_token;
    SysTime created_at{};
    SysTime last_seen_at{};
    SysTime persisted_seen_at{};
    SysTime expires_at{};
};

struct SessionRules {
    std::chrono::minutes idle{30};
    std::chrono::hours absolute{12};
};

class SessionTable {
public:
    SessionTable(const Clock& clock, SessionRules rules) : clock_(clock), rules_(rules) {}

    void put(Session s);
    // The live session for a token digest; expired ones are dropped and reported.
    Session* find_live(const std::string& id);
    void remove(const std::string& id);
    // Ids of the user's sessions except `keep`, removed from the table.
    std::vector<std::string> remove_user(int64_t user_id, const std::string& keep = {});
    bool idle_expired(const Session& s) const;
    bool absolute_expired(const Session& s) const;
    SysTime absolute_deadline(SysTime created) const { return created + rules_.absolute; }
    size_t size() const { return by_id_.size(); }
    const SessionRules& rules() const { return rules_; }

    // Called with the id of every session that ends (logout, expiry, revocation).
    std::function<void(const std::string& session_id)> on_ended;

private:
    const Clock& clock_;
    SessionRules rules_;
    std::unordered_map<std::string, Session> by_id_;
};

struct ThrottleRules {
    int max_failures_per_user = 5;
    int max_failures_per_address = 20;
    std::chrono::seconds window{900};
    std::chrono::seconds lockout{60};
};

// Counts failed logins per username and per address in a sliding window. Once
// a limit is reached, attempts are refused for `lockout` after the last
// failure: long enough to stop guessing, short enough not to lock out the real
// person for long. Unknown usernames are counted like known ones.
class LoginThrottle {
public:
    LoginThrottle(const Clock& clock, ThrottleRules rules) : clock_(clock), rules_(rules) {}
    // 0 when allowed, else seconds to wait.
    int retry_after(const std::string& username, const std::string& address);
    void failed(const std::string& username, const std::string& address);
    void succeeded(const std::string& username);

private:
    struct Track {
        std::deque<SysTime> failures;
    };
    static constexpr size_t max_keys = 100000;
    int check(std::unordered_map<std::string, Track>& m, const std::string& key, int limit);
    void prune(Track& t, SysTime now);
    const Clock& clock_;
    ThrottleRules rules_;
    std::unordered_map<std::string, Track> users_;
    std::unordered_map<std::string, Track> addresses_;
};

}  // namespace centrala::api
