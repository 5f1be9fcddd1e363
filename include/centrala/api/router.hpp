// Maps method + path pattern ("/api/v1/users/{id}") to a handler, and states
// in one place who may call each route: access is checked by the dispatcher,
// never inside handlers.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "centrala/api/http.hpp"
#include "centrala/domain/staff.hpp"

namespace centrala::api {

// Who is calling. `user` is the directory's snapshot of the user taken when
// the request was authenticated: shared, not copied, since this is built for
// every staff request. Changing a user makes a new snapshot, so the next
// request sees the change; this one keeps what it was authenticated with.
class Principal {
    std::shared_ptr<const User> owner_;  // declared first: `user` is bound to it

public:
    Principal() : Principal(std::make_shared<const User>(), {}, false) {}
    Principal(std::shared_ptr<const User> u, std::string sid, bool cookie)
        : owner_(std::move(u)), user(*owner_), session_id(std::move(sid)), via_cookie(cookie) {}
    Principal(const User& u, std::string sid, bool cookie)
        : Principal(std::make_shared<const User>(u), std::move(sid), cookie) {}
    Principal(const Principal& o) : owner_(o.owner_), user(*owner_), session_id(o.session_id), via_cookie(o.via_cookie) {}
    Principal(Principal&& o) noexcept
        : owner_(std::move(o.owner_)), user(*owner_), session_id(std::move(o.session_id)), via_cookie(o.via_cookie) {}
    // A reference member cannot be reseated, so assignment rebuilds the object
    // (allowed for reference members since C++20).
    Principal& operator=(const Principal& o) {
        if (this != &o) *this = Principal(o);
        return *this;
    }
    Principal& operator=(Principal&& o) noexcept {
        if (this != &o) {
            std::destroy_at(this);
            std::construct_at(this, std::move(o));
        }
        return *this;
    }
    ~Principal() = default;

    // The snapshot itself, to tell whether the user changed since.
    const std::shared_ptr<const User>& shared_user() const { return owner_; }

    const User& user;
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
