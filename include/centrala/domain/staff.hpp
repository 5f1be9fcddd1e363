// Staff: consultants (agents), supervisors, admins. A sign-language interpreter
// is an agent with skill "pjm".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "centrala/domain/clock.hpp"

namespace centrala {

// Ordered: every role may do what the roles below it may.
enum class Role { agent = 0, supervisor = 1, admin = 2 };

std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view s);
inline bool at_least(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

// Skill id -> level 1..5.
using Skills = std::map<std::string, int>;
// Channel ("voice", "chat", "video") -> simultaneous contacts.
using Capacity = std::map<std::string, int>;

Capacity default_capacity();  // chat 3, voice 1, video 1, callback 1
// The capacity routing uses: a stored one without a `callback` entry gets the
// default callback slot (an explicit 0 stays 0).
Capacity effective_capacity(Capacity c);

struct User {
    int64_t id = 0;
    std::string username;
    std::string display_name;
    Role role = Role::agent;
    Skills skills;
    Capacity capacity;
    // The department (second line) the user works for: its cases are theirs to
    // see and work on. Empty: none (the first line; supervisors see all anyway).
    std::string department;
    bool active = true;
    SysTime created_at{};
};

// Validation shared by the CLI and the API, so both refuse the same things.
bool valid_username(std::string_view s);      // 3..64 of [a-z0-9._-], starting with a letter or digit
bool valid_skill_id(std::string_view s);      // 1..32 of [a-z0-9_]
bool valid_channel(std::string_view s);       // voice | chat | video | callback
bool valid_department_id(std::string_view s); // 1..64 of [a-z0-9_-]
constexpr int min_password_length = 12;
constexpr int max_password_length = 256;
constexpr size_t max_display_name = 100;

// "vehicles:5,waste:3" -> Skills; empty optional when malformed.
std::optional<Skills> parse_skills_list(std::string_view text);

}  // namespace centrala
