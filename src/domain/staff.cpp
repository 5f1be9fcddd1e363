#include "centrala/domain/staff.hpp"

#include <charconv>

namespace centrala {

std::string_view to_string(Role r) {
    switch (r) {
        case Role::agent: return "agent";
        case Role::supervisor: return "supervisor";
        case Role::admin: return "admin";
    }
    return "agent";
}

std::optional<Role> parse_role(std::string_view s) {
    if (s == "agent") return Role::agent;
    if (s == "supervisor") return Role::supervisor;
    if (s == "admin") return Role::admin;
    return std::nullopt;
}

Capacity default_capacity() { return {{"chat", 3}, {"voice", 1}, {"video", 1}, {"callback", 1}}; }

Capacity effective_capacity(Capacity c) {
    // Users stored before callbacks existed have no slot for them: the default one.
    c.try_emplace("callback", 1);
    return c;
}

bool valid_username(std::string_view s) {
    if (s.size() < 3 || s.size() > 64) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(s[0])) return false;
    for (char c : s)
        if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
    return true;
}

bool valid_skill_id(std::string_view s) {
    if (s.empty() || s.size() > 32) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

bool valid_channel(std::string_view s) { return s == "voice" || s == "chat" || s == "video" || s == "callback"; }

bool valid_department_id(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    return true;
}

std::optional<Skills> parse_skills_list(std::string_view text) {
    Skills out;
    while (!text.empty()) {
        auto comma = text.find(',');
        auto item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        auto colon = item.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        auto id = item.substr(0, colon);
        auto lvl = item.substr(colon + 1);
        int level = 0;
        auto [p, ec] = std::from_chars(lvl.data(), lvl.data() + lvl.size(), level);
        if (ec != std::errc{} || p != lvl.data() + lvl.size() || level < 1 || level > 5 || !valid_skill_id(id))
            return std::nullopt;
        out[std::string(id)] = level;
    }
    return out;
}

}  // namespace centrala
