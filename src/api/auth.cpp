#include "centrala/api/auth.hpp"

#include <algorithm>

namespace centrala::api {

void Directory::put(User u) {
    auto it = users_.find(u.id);
    if (it != users_.end()) by_name_.erase(it->second.user.username);
    by_name_[u.username] = u.id;
    auto snapshot = std::make_shared<const User>(u);
    Entry& e = users_[u.id];
    e.user = std::move(u);
    e.snapshot = std::move(snapshot);
}

const User* Directory::find(int64_t id) const {
    auto it = users_.find(id);
    return it == users_.end() ? nullptr : &it->second.user;
}

const User* Directory::find_by_username(const std::string& username) const {
    auto it = by_name_.find(username);
    return it == by_name_.end() ? nullptr : find(it->second);
}

std::shared_ptr<const User> Directory::snapshot(int64_t id) const {
    auto it = users_.find(id);
    return it == users_.end() ? nullptr : it->second.snapshot;
}

std::vector<const User*> Directory::all() const {
    std::vector<const User*> out;
    out.reserve(users_.size());
    for (const auto& [id, e] : users_) out.push_back(&e.user);
    return out;
}

size_t Directory::active_admins() const {
    return size_t(std::count_if(users_.begin(), users_.end(), [](const auto& kv) {
        return kv.second.user.active && kv.second.user.role == Role::admin;
    }));
}

void SessionTable::put(Session s) { by_id_[s.id] = std::move(s); }

bool SessionTable::idle_expired(const Session& s) const { return clock_.now() - s.last_seen_at >= rules_.idle; }
bool SessionTable::absolute_expired(const Session& s) const { return clock_.now() >= s.expires_at; }

Session* SessionTable::find_live(const std::string& id) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return nullptr;
    const auto now = clock_.now();  // once: this runs for every staff request
    if (now - it->second.last_seen_at >= rules_.idle || now >= it->second.expires_at) {
        by_id_.erase(it);
        if (on_ended) on_ended(id);
        return nullptr;
    }
    return &it->second;
}

void SessionTable::remove(const std::string& id) {
    if (by_id_.erase(id) && on_ended) on_ended(id);
}

std::vector<std::string> SessionTable::remove_user(int64_t user_id, const std::string& keep) {
    std::vector<std::string> ids;
    for (const auto& [id, s] : by_id_)
        if (s.user_id == user_id && id != keep) ids.push_back(id);
    for (const auto& id : ids) remove(id);
    return ids;
}

void LoginThrottle::prune(Track& t, SysTime now) {
    while (!t.failures.empty() && now - t.failures.front() > rules_.window) t.failures.pop_front();
}

int LoginThrottle::check(std::unordered_map<std::string, Track>& m, const std::string& key, int limit) {
    auto it = m.find(key);
    if (it == m.end()) return 0;
    const auto now = clock_.now();
    prune(it->second, now);
    if (it->second.failures.empty()) {
        m.erase(it);
        return 0;
    }
    if (int(it->second.failures.size()) < limit) return 0;
    const auto until = it->second.failures.back() + rules_.lockout;
    if (now >= until) return 0;
    return int(std::chrono::ceil<std::chrono::seconds>(until - now).count());
}

int LoginThrottle::retry_after(const std::string& username, const std::string& address) {
    return std::max(check(users_, username, rules_.max_failures_per_user),
                    check(addresses_, address, rules_.max_failures_per_address));
}

void LoginThrottle::failed(const std::string& username, const std::string& address) {
    const auto now = clock_.now();
    for (auto* t : {&users_[username], &addresses_[address]}) {
        prune(*t, now);
        t->failures.push_back(now);
        // Memory stays bounded per key whatever an attacker sends.
        if (t->failures.size() > 1000) t->failures.pop_front();
    }
    // Bound the number of keys too: under a flood of distinct names, first
    // forget entries whose failures have aged out of the window.
    for (auto* m : {&users_, &addresses_}) {
        if (m->size() <= max_keys) continue;
        for (auto it = m->begin(); it != m->end();) {
            prune(it->second, now);
            it = it->second.failures.empty() ? m->erase(it) : std::next(it);
        }
        // Still too many: a spray of fresh names. Dropping the table lets
        // those names try again, but the per-address count above still holds
        // for the sprayer, since addresses are bounded the same way.
        if (m->size() > max_keys) m->clear();
    }
}

void LoginThrottle::succeeded(const std::string& username) { users_.erase(username); }

}  // namespace centrala::api
