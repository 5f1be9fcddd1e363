// Maps method + path pattern ("/api/v1/users/{id}") to a handler, and states
// in one place who may call each route: access is checked by the dispatcher,
// never inside handlers.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "centrala/api/http.hpp"
#include "centrala/domain/staff.hpp"

namespace centrala::api {

struct Principal {
    User user;
    std::string session_id;
    bool via_cookie = false;
};

struct Call {
    Request request;
    std::optional<Principal> who;               // set for staff routes
    std::map<std::string, std::string> params;  // from {name} segments
    Reply reply;
};

using Handler = std::function<void(Call)>;

// public_: anyone; otherwise a logged-in staff member of at least that role.
enum class Access { public_, agent, supervisor, admin };

struct Route {
    std::string method;
    std::string pattern;
    Access access;
    Handler handler;
    std::vector<std::string> segments;  // "{name}" segments are parameters
    std::vector<bool> is_param;
};

class Router {
public:
    void add(std::string method, std::string pattern, Access access, Handler h);

    struct Match {
        const Route* route = nullptr;
        std::map<std::string, std::string> params;
        std::vector<std::string> allowed_methods;  // when the path exists but not the method
    };
    Match match(const std::string& method, const std::string& path) const;

private:
    std::vector<Route> routes_;
    // Route indexes by segment count, in the order they were added: a request
    // is compared only with routes of its own length, and without allocating
    // until one matches (this runs for every request).
    std::vector<std::vector<size_t>> by_length_;
};

}  // namespace centrala::api
