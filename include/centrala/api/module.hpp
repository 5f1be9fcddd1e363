// Feature modules (tickets, appointments, the advisor's knowledge base,
// canned responses, ...) plug into the Api through this interface: each adds
// its routes, loads its state before serving and runs its timers, and uses
// the same workers, clock, directory and audit log as the core API. A module
// keeps its own store class, used only on the store worker.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "centrala/api/api.hpp"

namespace centrala::api {

struct ModuleContext {
    Backend& b;
    const Options& opt;
    const Directory& directory;
    // Writes an audit entry on the store worker.
    std::function<void(const std::optional<Principal>& who, const std::string& action, const std::string& target,
                       const std::string& address, nlohmann::json details)>
        audit;
    // Posts a system message into an open chat (resident and consultants see
    // it); false when the contact is not an open chat.
    std::function<bool(int64_t contact_id, const std::string& text)> notify_chat;
    // Posts an internal note (consultants only) into an open chat.
    std::function<bool(int64_t contact_id, const std::string& text)> note_to_chat;
    // false once the Api is being destroyed: results arriving later are dropped.
    std::shared_ptr<bool> alive;
};

class Module {
public:
    virtual ~Module() = default;
    virtual void add_routes(Router& router) = 0;
    // Before serving, on the network thread (may read the database directly).
    virtual Result<void> load() { return Ok{}; }
    // A few times a second on the network thread.
    virtual void tick() {}
};

// Runs f() on the store worker, then done(result) back on the network thread.
// A full worker answers at once with 503 `overloaded`.
template <class F, class Done>
void on_store_worker(const ModuleContext& ctx, F f, Done done) {
    using R = decltype(f());
    auto alive = ctx.alive;
    Executor& loop = ctx.b.loop;
    bool queued = ctx.b.db_worker.post([alive, &loop, f = std::move(f), done]() mutable {
        auto r = std::make_shared<R>(f());
        loop.post([alive, r, done]() mutable {
            if (*alive) done(std::move(*r));
        });
    });
    if (!queued) done(R(Error{ErrorKind::unavailable, "overloaded", "The server is busy; please try again."}));
}

}  // namespace centrala::api
