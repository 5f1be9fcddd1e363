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
    // Set by Api::add_modules (modules.cpp):
    // turns routing events into pushes and store writes, as the Api's own commands do;
    std::function<void(const routing::Events&)> apply;
    // sends a frame to every open /ws/agent socket of one user, or of every supervisor;
    std::function<void(int64_t user_id, const nlohmann::json& frame)> push_to_user;
    std::function<void(const nlohmann::json& frame)> push_to_supervisors;
    // the statistics changed: supervisors get a `stats` frame (at most every 500 ms);
    std::function<void()> stats_changed;
    // stores an internal note written by `who` into an open chat and delivers it
    // to the staff on it (never to the resident); done gets the staff message JSON.
    std::function<void(int64_t contact_id, const Principal& who, const std::string& text,
                       std::function<void(Result<nlohmann::json>)> done)>
        staff_note;
    // An open chat's resident name and the advisor's one-line summary of it
    // (as a handoff about `topic` would give consultants); nullopt when the
    // contact is not an open chat.
    std::function<std::optional<std::pair<std::string, std::string>>(int64_t contact_id, const std::string& topic)>
        chat_summary;
    // Posts an advisor message (text, buttons, links, topic) into a chat.
    std::function<void(int64_t contact_id, const bot::Reply& reply)> bot_say;
    // The language of an open chat waiting in line (the advisor's, else the
    // chat's); nullopt when the contact is not such a chat.
    std::function<std::optional<std::string>(int64_t contact_id)> waiting_chat_lang;
    // A chat that left its line (a callback took its place) is with the
    // advisor again; the store was updated by the caller.
    std::function<void(int64_t contact_id)> chat_back_to_advisor;
    // A resident's data was erased (chats and callbacks found for them):
    // every module drops what it holds of them in memory.
    std::function<void(const std::vector<int64_t>& chats, const std::vector<int64_t>& callbacks)> resident_erased;
    // The running advisor and its dialogues (the FlowsModule sets `flows`).
    ChatBot* chat_bot = nullptr;
};

class Module {
public:
    virtual ~Module() = default;
    virtual void add_routes(Router& router) = 0;
    // Before serving, on the network thread (may read the database directly).
    virtual Result<void> load() { return Ok{}; }
    // A few times a second on the network thread.
    virtual void tick() {}
    // Every batch of routing events, after the Api has handled them.
    virtual void on_routing(const routing::Events&) {}
    // Every stored chat message, after it was delivered to the resident and staff.
    virtual void on_message(const store::StoredMessage&) {}
    // Adds to the body of GET /api/v1/stats/live and the `stats` frame.
    virtual void extend_stats(nlohmann::json&) const {}
    // After a resident's erasure is committed (ModuleContext::resident_erased).
    virtual void on_resident_erased(const std::vector<int64_t>& /*chats*/, const std::vector<int64_t>& /*callbacks*/) {}
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
