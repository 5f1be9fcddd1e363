#include "centrala/api/api.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>

#include "centrala/api/json_body.hpp"
#include "centrala/api/module.hpp"
#include "store_calls.hpp"

namespace centrala::api {

using nlohmann::json;

namespace {

json user_json(const User& u) {
    return {{"id", std::to_string(u.id)},
            {"username", u.username},
            {"display_name", u.display_name},
            {"role", std::string(to_string(u.role))},
            {"skills", u.skills},
            {"capacity", u.capacity},
            {"department", u.department.empty() ? json(nullptr) : json(u.department)},
            {"active", u.active},
            {"created_at", to_rfc3339(u.created_at)}};
}

routing::AgentProfile profile_of(const User& u) { return {u.id, u.display_name, u.skills, effective_capacity(u.capacity)}; }

double round1(double v) { return std::round(v * 10.0) / 10.0; }

bool is_unsafe(const std::string& method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

Role access_role(Access a) {
    switch (a) {
        case Access::admin: return Role::admin;
        case Access::supervisor: return Role::supervisor;
        default: return Role::agent;
    }
}

Result<Skills> read_skills(const json& j) {
    if (!j.is_object()) return Error::invalid("invalid_field", "skills must be an object of skill -> level 1..5");
    Skills out;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!valid_skill_id(it.key()))
            return Error::invalid("invalid_field", "skill ids are 1 to 32 characters of a-z, 0-9 and _");
        if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 5)
            return Error::invalid("invalid_field", "skill '" + it.key() + "' must have a level from 1 to 5");
        out[it.key()] = it->get<int>();
    }
    if (out.size() > 50) return Error::invalid("invalid_field", "at most 50 skills per user");
    return out;
}

Result<Capacity> read_capacity(const json& j) {
    if (!j.is_object()) return Error::invalid("invalid_field", "capacity must be an object of channel -> count");
    Capacity out = default_capacity();
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!valid_channel(it.key()))
            return Error::invalid("invalid_field", "capacity channels are voice, chat, video and callback");
        if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 20)
            return Error::invalid("invalid_field", "capacity for '" + it.key() + "' must be from 0 to 20");
        out[it.key()] = it->get<int>();
    }
    return out;
}

Result<std::string> read_display_name(const json& j) {
    if (!j.is_string()) return Error::invalid("invalid_field", "display_name must be a string");
    auto s = j.get<std::string>();
    if (s.empty() || s.size() > max_display_name)
        return Error::invalid("invalid_field", "display_name must have 1 to 100 characters");
    for (unsigned char c : s)
        if (c < 0x20) return Error::invalid("invalid_field", "display_name must not contain control characters");
    return s;
}

// null or "" clears it; otherwise a department id (whether it is configured
// is checked where the configuration is known).
Result<std::string> read_department(const json& j) {
    if (j.is_null()) return std::string();
    if (!j.is_string()) return Error::invalid("invalid_field", "department must be a department id or null");
    auto s = j.get<std::string>();
    if (!s.empty() && !valid_department_id(s))
        return Error::invalid("invalid_field", "department must be a department id (a-z, 0-9, _ and -)");
    return s;
}

Result<std::string> read_password(const json& j, const char* field) {
    if (!j.is_string()) return Error::invalid("invalid_field", std::string(field) + " must be a string");
    auto s = j.get<std::string>();
    if (s.size() < size_t(min_password_length) || s.size() > size_t(max_password_length))
        return Error::invalid("weak_password", std::string(field) + " must have 12 to 256 characters");
    return s;
}

}  // namespace

AgentSocket::~AgentSocket() {
    for (auto it = api_.sockets_.begin(); it != api_.sockets_.end(); ++it)
        if (it->second == this) {
            api_.sockets_.erase(it);
            break;
        }
    if (who_) {
        auto range = api_.sockets_by_user_.equal_range(who_->user.id);
        for (auto it = range.first; it != range.second; ++it)
            if (it->second == this) {
                api_.sockets_by_user_.erase(it);
                break;
            }
    }
}

void AgentSocket::send(const json& frame) {
    peer_.send(std::make_shared<const std::string>(frame.dump(-1, ' ', false, json::error_handler_t::replace)));
}

void AgentSocket::send_error(const std::string& code, const std::string& message, const json& client_msg_id) {
    json f = {{"type", "error"}, {"code", code}, {"message", message}};
    if (!client_msg_id.is_null()) f["client_msg_id"] = client_msg_id;
    send(f);
}

void AgentSocket::on_open(const std::optional<Principal>& cookie_session) {
    if (cookie_session) start(*cookie_session);
}

void AgentSocket::start(Principal p) {
    size_t mine = 0;
    for (const auto& [sid, s] : api_.sockets_)
        if (s->who_ && s->who_->user.id == p.user.id) ++mine;
    if (mine >= size_t(api_.opt_.ws_connections_per_user)) {
        peer_.close(1008, "too many connections for this user");
        return;
    }
    who_.emplace(std::move(p));
    api_.sockets_.emplace(who_->session_id, this);
    api_.sockets_by_user_.emplace(who_->user.id, this);
    send({{"type", "hello"}, {"user", user_json(who_->user)}, {"state", api_.agent_state_json(who_->user.id)}});
    if (at_least(who_->user.role, Role::supervisor)) send({{"type", "stats"}, {"stats", api_.stats_json()}});
    // An offer made while this agent was reconnecting is shown again, with the time left.
    if (auto o = api_.b_.routing.pending_offer(who_->user.id)) {
        const auto left = std::chrono::ceil<std::chrono::seconds>(o->expires - api_.b_.clock.now()).count();
        send(api_.offer_frame(o->offer, o->contact, o->channel, o->queue, o->waited_ms, int(std::max<int64_t>(0, left)),
                              o->invite));
    }
}

void AgentSocket::on_text(const std::string& text) {
    json frame = json::parse(text, nullptr, false);
    if (frame.is_discarded() || !frame.is_object() || !frame.contains("type") || !frame["type"].is_string()) {
        if (!who_) {
            peer_.close(1008, "expected an auth frame");
            return;
        }
        send_error("malformed_frame", "frames are JSON objects with a string field 'type'");
        return;
    }
    const std::string type = frame["type"].get<std::string>();
    if (!who_) {
        if (type != "auth" || !frame.contains("token") || !frame["token"].is_string()) {
            peer_.close(1008, "expected an auth frame");
            return;
        }
        auto p = api_.principal_for_token(frame["token"].get<std::string>());
        if (!p) {
            peer_.close(1008, "authentication failed");
            return;
        }
        start(std::move(*p));
        return;
    }
    const json cmid = frame.contains("client_msg_id") ? frame["client_msg_id"] : json(nullptr);
    if (type == "auth") {
        send_error("already_authenticated", "this connection is already authenticated", cmid);
        return;
    }
    if (type == "message") {
        api_.agent_message(*who_, frame, *this);
        return;
    }
    if (type == "typing") {
        const auto& cid = frame.contains("contact_id") ? frame["contact_id"] : json(nullptr);
        if (cid.is_string())
            if (auto id = parse_id(cid.get<std::string>()))
                if (auto* chat = api_.live_chat(*id); chat && api_.may_serve(*who_, chat, *id))
                    for (auto* r : chat->residents) r->send({{"type", "typing"}, {"author", {{"kind", "agent"}}}});
        return;
    }
    if (type == "accept" || type == "reject") {
        const json& oid = frame.contains("offer_id") ? frame["offer_id"] : json(nullptr);
        int64_t offer = 0;
        if (oid.is_string()) {
            auto [p, ec] = std::from_chars(oid.get_ref<const std::string&>().data(),
                                           oid.get_ref<const std::string&>().data() + oid.get_ref<const std::string&>().size(), offer);
            if (ec != std::errc{}) offer = 0;
        } else if (oid.is_number_integer()) {
            offer = oid.get<int64_t>();
        }
        if (offer <= 0) return send_error("invalid_frame", "offer_id is required", cmid);
        auto r = type == "accept" ? api_.b_.routing.accept(offer, who_->user.id) : api_.b_.routing.reject(offer, who_->user.id);
        if (!r) return send_error(r.error().code, r.error().message, cmid);
        api_.apply(*r);
        return;
    }
    send_error("unknown_type", "frame type '" + type + "' is not handled on this server version", cmid);
}

Api::Api(Backend backend, Options options)
    : b_(backend),
      opt_(std::move(options)),
      sessions_(b_.clock, opt_.sessions),
      throttle_(b_.clock, opt_.throttle),
      staff_(b_.db, &b_.metrics),
      chat_store_(b_.db, &b_.metrics) {
    sessions_.on_ended = [this](const std::string& id) {
        auto range = sockets_.equal_range(id);
        std::vector<AgentSocket*> victims;
        for (auto it = range.first; it != range.second; ++it) victims.push_back(it->second);
        const int64_t user = !victims.empty() && victims.front()->who_ ? victims.front()->who_->user.id : 0;
        for (auto* s : victims) s->peer_.close(1008, "session ended");
        // Later, not inside the session table's own call.
        if (user)
            (void)b_.loop.post([this, alive = alive_, user, id] {
                if (*alive) offline_if_no_console(user, id);
            });
    };
    b_.metrics.describe("centrala_http_requests_total", "counter", "HTTP requests by route and status");
    b_.metrics.describe("centrala_http_request_duration_seconds", "histogram", "HTTP request latency by route");
    b_.metrics.describe("centrala_db_write_seconds", "histogram", "Latency of durable database writes");
    b_.metrics.describe("centrala_websockets_open", "gauge", "Open WebSocket connections");
    b_.metrics.describe("centrala_logins_total", "counter", "Staff login attempts by result");
    b_.metrics.set_gauge("centrala_websockets_open", "", 0);
    build_routes();
    module_ctx_ = std::make_unique<ModuleContext>(ModuleContext{
        b_, opt_, directory_,
        [this](const std::optional<Principal>& who, const std::string& action, const std::string& target,
               const std::string& address, json details) { audit(who, action, target, address, std::move(details)); },
        [this](int64_t id, const std::string& text) { return post_to_open_chat(id, text, false); },
        [this](int64_t id, const std::string& text) { return post_to_open_chat(id, text, true); },
        alive_});
    add_modules();
    for (auto& m : modules_) m->add_routes(router_);
}

Api::~Api() { *alive_ = false; }

Result<void> Api::load() {
    auto users = staff_.all_users();
    if (!users) return users.error();
    for (auto& u : *users) sync_user(u.user);
    auto sessions = staff_.live_sessions(b_.clock.now());
    if (!sessions) return sessions.error();
    for (auto& r : *sessions) {
        Session s{r.id, r.user_id, r.csrf_token, r.created_at, r.last_seen_at, r.last_seen_at, r.expires_at};
        sessions_.put(std::move(s));
    }
    // The dummy hash costs what a real one costs, so an unknown username takes
    // as long to reject as a wrong password.
    if (auto r = restore_chats(); !r) return r.error();
    for (auto& m : modules_)
        if (auto r = m->load(); !r) return r.error();
    auto dummy = crypto::hash_password(crypto::random_token(18), opt_.argon2);
    if (!dummy) return dummy.error();
    dummy_hash_ = *dummy;
    return Ok{};
}

void Api::audit(const std::optional<Principal>& who, const std::string& action, const std::string& target,
                const std::string& address, json details) {
    store::AuditEntry e;
    e.at = b_.clock.now();
    if (who) {
        e.actor_id = who->user.id;
        e.actor = who->user.username;
    }
    e.action = action;
    e.target = target;
    e.address = address;
    e.details = details.dump();
    on_store([e](store::StaffStore& s) { return s.audit(e); },
             [action](Result<void> r) {
                 if (!r) spdlog::error("audit entry '{}' not written: {}", action, r.error().message);
             });
}

void Api::build_routes() {
    auto bind = [this](void (Api::*m)(Call)) { return [this, m](Call c) { (this->*m)(std::move(c)); }; };
    router_.add("GET", "/healthz", Access::public_, bind(&Api::healthz));
    router_.add("GET", "/readyz", Access::public_, bind(&Api::readyz));
    router_.add("GET", "/metrics", Access::public_, bind(&Api::metrics));
    router_.add("POST", "/api/v1/auth/login", Access::public_, bind(&Api::login));
    router_.add("POST", "/api/v1/auth/logout", Access::agent, bind(&Api::logout));
    router_.add("GET", "/api/v1/me", Access::agent, bind(&Api::me));
    router_.add("PATCH", "/api/v1/me", Access::agent, bind(&Api::update_me));
    router_.add("PUT", "/api/v1/agents/me/state", Access::agent, bind(&Api::set_my_state));
    router_.add("POST", "/api/v1/agents/me/end-wrap-up", Access::agent, [this](Call c) {
        auto r = b_.routing.end_wrap_up(c.who->user.id);
        if (!r) return c.reply(Response::error(r.error()));
        apply(*r);
        c.reply(Response::json(200, agent_state_json(c.who->user.id)));
    });
    router_.add("GET", "/api/v1/users", Access::supervisor, bind(&Api::list_users));
    router_.add("POST", "/api/v1/users", Access::admin, bind(&Api::create_user));
    router_.add("GET", "/api/v1/users/{id}", Access::supervisor, bind(&Api::get_user));
    router_.add("PATCH", "/api/v1/users/{id}", Access::admin, bind(&Api::update_user));
    router_.add("DELETE", "/api/v1/users/{id}", Access::admin, bind(&Api::deactivate_user));
    router_.add("GET", "/api/v1/audit", Access::admin, bind(&Api::list_audit));
    router_.add("POST", "/api/v1/offers/{id}/accept", Access::agent, [this](Call c) { accept_or_reject(std::move(c), true); });
    router_.add("POST", "/api/v1/offers/{id}/reject", Access::agent, [this](Call c) { accept_or_reject(std::move(c), false); });
    router_.add("GET", "/api/v1/stats/live", Access::supervisor, bind(&Api::live_stats));
    router_.add("GET", "/api/v1/queues", Access::supervisor, bind(&Api::list_queues));
    router_.add("GET", "/api/v1/queues/{id}", Access::supervisor, bind(&Api::get_queue));
    router_.add("GET", "/api/v1/transfer-targets", Access::agent, bind(&Api::transfer_targets));
    build_chat_routes();
}

void Api::handle(Request req, Reply reply, std::string_view& route) {
    auto m = router_.match(req.method, req.path);
    if (!m.route) {
        route = "unmatched";
        if (!m.allowed_methods.empty()) {
            std::string allow;
            for (const auto& a : m.allowed_methods) allow += (allow.empty() ? "" : ", ") + a;
            auto r = Response::error(405, "method_not_allowed", "This path does not accept " + req.method + ".");
            r.headers.emplace_back("Allow", allow);
            reply(std::move(r));
            return;
        }
        reply(Response::error(404, "not_found", "No such resource."));
        return;
    }
    route = m.route->pattern;
    Call call{std::move(req), std::nullopt, std::move(m.params), std::move(reply)};
    dispatch(std::move(call), *m.route);
}

void Api::dispatch(Call call, const Route& route) {
    if (route.access != Access::public_) {
        auto who = authenticate(call.request, is_unsafe(call.request.method));
        if (!who) {
            call.reply(Response::error(who.error()));
            return;
        }
        if (!at_least(who->user.role, access_role(route.access))) {
            call.reply(Response::error(403, "forbidden", "Your role does not allow this."));
            return;
        }
        call.who.emplace(std::move(*who));
    }
    route.handler(std::move(call));
}

std::optional<Principal> Api::principal_for_token(const std::string& token) {
    if (token.empty() || token.size() > 128) return std::nullopt;
    Session* s = sessions_.find_live(crypto::sha256_hex(token));
    if (!s) return std::nullopt;
    auto u = directory_.snapshot(s->user_id);
    if (!u || !u->active) return std::nullopt;
    const auto now = b_.clock.now();
    s->last_seen_at = now;
    if (now - s->persisted_seen_at > std::chrono::seconds(60)) {
        s->persisted_seen_at = now;
        on_store([id = s->id, now](store::StaffStore& st) { return st.touch_session(id, now); },
                 [](Result<void>) {});
    }
    return Principal{std::move(u), s->id, false};
}

Result<Principal> Api::authenticate(const Request& req, bool unsafe_method) {
    if (const auto* auth = req.header("authorization")) {
        if (auth->rfind("Bearer ", 0) != 0)
            return Error::unauthenticated("Use 'Authorization: Bearer TOKEN' or log in.");
        auto p = principal_for_token(auth->substr(7));
        if (!p) return Error::unauthenticated("The session has ended or the token is not valid; please log in.");
        return std::move(*p);
    }
    const auto* cookie_header = req.header("cookie");
    std::optional<std::string> token = cookie_header ? cookie_value(*cookie_header, cookie_name()) : std::nullopt;
    if (!token) return Error::unauthenticated("Please log in.");
    auto p = principal_for_token(*token);
    if (!p) return Error::unauthenticated("The session has ended; please log in again.");
    p->via_cookie = true;
    if (unsafe_method) {
        const auto* csrf = req.header("x-csrf-token");
        Session* s = sessions_.find_live(p->session_id);
        if (!csrf || !s || !crypto::equal_constant_time(*csrf, s->csrf_token))
            return Error{ErrorKind::forbidden, "csrf_token_invalid",
                         "A cookie-authenticated change needs the X-CSRF-Token header from login."};
    }
    return *p;
}

bool Api::origin_allowed(const Request& req) const {
    const auto* origin = req.header("origin");
    if (!origin) return true;  // not a browser: cross-site hijacking needs one
    if (const auto* host = req.header("host"))
        if (*origin == "http://" + *host || *origin == "https://" + *host) return true;
    for (const auto& o : opt_.allowed_origins)
        if (*origin == o) return true;
    return false;
}

Result<void> Api::check_upgrade(const Request& req) {
    if (!is_socket_path(req.path)) return Error::not_found("not_found", "No such WebSocket endpoint.");
    if (!origin_allowed(req)) return Error::forbidden("WebSocket connections from this origin are not allowed.");
    return Ok{};
}

Result<std::unique_ptr<SocketHandler>> Api::open_socket(const Request& req, WsPeer& peer) {
    if (req.path == "/ws/chat") {
        if (!origin_allowed(req)) return Error::forbidden("Chat connections from this origin are not allowed.");
        auto sock = std::make_unique<ResidentSocket>(*this, peer);
        auto it = req.query.find("visitor_token");
        sock->on_open(it == req.query.end() ? std::string() : it->second);
        return std::unique_ptr<SocketHandler>(std::move(sock));
    }
    if (req.path == "/ws/agent") {
        auto checked = check_agent_upgrade(req);
        if (!checked) return checked.error();
        auto sock = std::make_unique<AgentSocket>(*this, peer);
        sock->on_open(*checked);
        return std::unique_ptr<SocketHandler>(std::move(sock));
    }
    return Error::not_found("not_found", "No such WebSocket endpoint.");
}

Result<std::optional<Principal>> Api::check_agent_upgrade(const Request& req) {
    if (!origin_allowed(req)) return Error::forbidden("WebSocket connections from this origin are not allowed.");
    const auto* cookie_header = req.header("cookie");
    if (cookie_header) {
        if (auto token = cookie_value(*cookie_header, cookie_name())) {
            if (auto p = principal_for_token(*token)) {
                p->via_cookie = true;
                return std::optional<Principal>(std::move(*p));
            }
        }
    }
    return std::optional<Principal>{};
}

std::string Api::cookie_name() const { return opt_.tls ? "__Host-centrala_session" : "centrala_session"; }

std::string Api::session_cookie(const std::string& token, bool secure) const {
    // A browser-session cookie: closing the browser on a shared counter PC
    // ends it locally; the server enforces the idle and absolute limits.
    std::string c = cookie_name() + "=" + token + "; Path=/; HttpOnly; SameSite=Strict";
    if (token.empty()) c += "; Max-Age=0";
    if (opt_.tls || secure) c += "; Secure";
    return c;
}

void Api::end_sessions_of(int64_t user_id, const std::string& keep) {
    sessions_.remove_user(user_id, keep);
    on_store([user_id, keep, now = b_.clock.now()](store::StaffStore& s) {
        return s.revoke_user_sessions(user_id, now, keep);
    },
             [](Result<void> r) {
                 if (!r) spdlog::error("revoking sessions: {}", r.error().message);
             });
}

// ---- health --------------------------------------------------------------

void Api::healthz(Call c) { c.reply(Response::json(200, {{"status", "ok"}})); }

void Api::readyz(Call c) {
    // Ready means the store worker answers: a wedged disk shows up here.
    on_store([](store::StaffStore& s) { return s.count_users(); },
             [reply = std::move(c.reply)](Result<int64_t> r) {
                 if (r) reply(Response::json(200, {{"status", "ready"}}));
                 else reply(Response::error(503, "not_ready", "The database is not available."));
             });
}

void Api::metrics(Call c) {
    b_.metrics.set_gauge("centrala_sessions_live", "", int64_t(sessions_.size()));
    b_.metrics.set_gauge("centrala_store_queue_depth", "", int64_t(b_.db_worker.queued()));
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = b_.metrics.render();
    c.reply(std::move(r));
}

// ---- authentication -------------------------------------------------------

void Api::login(Call c) {
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto username = string_field(*body, "username", 1, 64);
    auto password = string_field(*body, "password", 1, max_password_length);
    if (!username) return c.reply(Response::error(username.error()));
    if (!password) return c.reply(Response::error(password.error()));
    const std::string address = c.request.remote_address;
    if (int wait = throttle_.retry_after(*username, address); wait > 0) {
        b_.metrics.count("centrala_logins_total", "result=\"throttled\"");
        audit(std::nullopt, "login_throttled", "username:" + *username, address);
        return c.reply(Response::error(Error::rate_limited("Too many failed logins; try again later.", wait)));
    }
    std::string user_agent;
    if (const auto* ua = c.request.header("user-agent")) user_agent = ua->substr(0, 200);
    const bool secure = c.request.secure;
    auto reply = std::move(c.reply);
    on_store([u = *username](store::StaffStore& s) { return s.user_by_username(u); },
             [this, username = *username, password = *password, address, user_agent, secure,
              reply](Result<store::StoredUser> found) mutable {
                 if (!found && found.error().kind != ErrorKind::not_found)
                     return reply(Response::error(found.error()));
                 const bool known = found.ok() && found->user.active;
                 const std::string hash = known ? found->password_hash : dummy_hash_;
                 const int64_t uid = known ? found->user.id : 0;
                 const User found_user = known ? found->user : User{};
                 on_hasher([password, hash]() -> Result<bool> { return crypto::verify_password(password, hash); },
                           [this, username, uid, known, found_user, address, user_agent, secure,
                            reply](Result<bool> verified) mutable {
                               // A user added with `centrala user add` while the server runs
                               // is not in the directory yet: take the row just read.
                               if (known && !directory_.find(uid)) sync_user(found_user);
                               const User* u = known ? directory_.find(uid) : nullptr;
                               if (!verified || !*verified || !u || !u->active) {
                                   throttle_.failed(username, address);
                                   b_.metrics.count("centrala_logins_total", "result=\"failed\"");
                                   audit(std::nullopt, "login_failed", "username:" + username, address);
                                   return reply(Response::error(401, "invalid_credentials",
                                                                "Wrong username or password."));
                               }
                               throttle_.succeeded(username);
                               const std::string token = crypto::random_token(32);
                               const auto now = b_.clock.now();
                               store::SessionRecord rec{crypto::sha256_hex(token), uid, crypto::random_token(24),
                                                        now, now, sessions_.absolute_deadline(now), address,
                                                        user_agent};
                               on_store([rec](store::StaffStore& s) { return s.insert_session(rec); },
                                        [this, rec, token, secure, address, reply](Result<void> stored) {
                                            const User* u = directory_.find(rec.user_id);
                                            if (!stored) return reply(Response::error(stored.error()));
                                            if (!u || !u->active)
                                                return reply(Response::error(401, "invalid_credentials",
                                                                             "Wrong username or password."));
                                            sessions_.put(Session{rec.id, rec.user_id, rec.csrf_token,
                                                                  rec.created_at, rec.last_seen_at,
                                                                  rec.last_seen_at, rec.expires_at});
                                            b_.metrics.count("centrala_logins_total", "result=\"ok\"");
                                            Principal p{directory_.snapshot(u->id), rec.id, false};
                                            audit(p, "login", "user:" + std::to_string(u->id), address);
                                            auto r = Response::json(200, {{"token", token},
                                                                          {"csrf_token", rec.csrf_token},
                                                                          {"user", user_json(*u)}});
                                            r.headers.emplace_back("Set-Cookie", session_cookie(token, secure));
                                            reply(std::move(r));
                                        });
                           });
             });
}

void Api::logout(Call c) {
    const auto sid = c.who->session_id;
    sessions_.remove(sid);  // the token stops working now, before the disk write
    audit(c.who, "logout", "user:" + std::to_string(c.who->user.id), c.request.remote_address);
    offline_if_no_console(c.who->user.id, sid);
    on_store([sid, now = b_.clock.now()](store::StaffStore& s) { return s.revoke_session(sid, now); },
             [this, reply = std::move(c.reply), secure = c.request.secure](Result<void> r) {
                 if (!r) return reply(Response::error(r.error()));
                 auto resp = Response::no_content();
                 resp.headers.emplace_back("Set-Cookie", session_cookie("", secure));
                 reply(std::move(resp));
             });
}

void Api::offline_if_no_console(int64_t user_id, const std::string& ended_session) {
    auto range = sockets_by_user_.equal_range(user_id);
    for (auto it = range.first; it != range.second; ++it)
        if (it->second->who_ && it->second->who_->session_id != ended_session) return;  // still at a console
    auto st = b_.routing.agent_state(user_id);
    if (!st || st->status == routing::AgentStatus::offline) return;
    auto r = b_.routing.set_status(user_id, routing::AgentStatus::offline);
    if (r) apply(*r);
}

json Api::me_json(const User& u) { return me_json(u, b_.routing.agent_state(u.id)); }

json Api::me_json(const User& u, const std::optional<routing::AgentState>& st) const {
    json j = user_json(u);
    if (!st) {
        j["state"] = "offline";
        j["state_reason"] = nullptr;
        j["state_since"] = nullptr;
        j["status"] = "offline";
        j["activity"] = "idle";
        return j;
    }
    const auto status = to_string(st->status), activity = to_string(st->activity);
    j["state"] = st->activity != routing::AgentActivity::idle ? activity : status;
    j["state_reason"] = st->reason.empty() ? json(nullptr) : json(st->reason);
    j["state_since"] = to_rfc3339(st->since);
    j["status"] = status;
    j["activity"] = activity;
    return j;
}

void Api::me(Call c) {
    const auto& user = c.who->shared_user();
    auto state = b_.routing.agent_state(user->id);
    // A page holding only the cookie (a new tab) learns its CSRF token here;
    // other origins cannot read this response, so the token stays ours.
    std::string csrf;
    if (c.who->via_cookie)
        if (Session* s = sessions_.find_live(c.who->session_id)) csrf = s->csrf_token;
    // Clients poll this: the body is built again only when something in it changed.
    MeBody& cached = me_bodies_[user->id];
    if (cached.body.empty() || cached.user != user || cached.state != state || cached.csrf_token != csrf) {
        json j = me_json(*user, state);
        if (!csrf.empty()) j["csrf_token"] = csrf;
        cached = MeBody{user, std::move(state), std::move(csrf),
                        j.dump(-1, ' ', false, json::error_handler_t::replace)};
    }
    Response r;
    r.body = cached.body;
    c.reply(std::move(r));
}

void Api::update_me(Call c) {
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    // Only these fields are yours to change; role, skills and capacity are the
    // admin's and are ignored here.
    User updated = c.who->user;
    if (body->contains("display_name")) {
        auto dn = read_display_name((*body)["display_name"]);
        if (!dn) return c.reply(Response::error(dn.error()));
        updated.display_name = *dn;
    }
    std::optional<std::string> new_password;
    if (body->contains("password")) {
        auto pw = read_password((*body)["password"], "password");
        if (!pw) return c.reply(Response::error(pw.error()));
        new_password = *pw;
        if (!body->contains("current_password") || !(*body)["current_password"].is_string())
            return c.reply(Response::error(400, "invalid_field", "current_password is required to change the password"));
    }
    const std::string current = new_password ? (*body)["current_password"].get<std::string>() : std::string();
    auto finish = [this, who = *c.who, address = c.request.remote_address, reply = c.reply](
                      User updated, std::optional<std::string> hash) {
        on_store([updated, hash, now = b_.clock.now()](store::StaffStore& s) { return s.update_user(updated, hash, now); },
                 [this, who, updated, hash, address, reply](Result<void> r) {
                     if (!r) return reply(Response::error(r.error()));
                     sync_user(updated);
                     if (hash) {
                         end_sessions_of(updated.id, who.session_id);
                         audit(who, "password_changed", "user:" + std::to_string(updated.id), address);
                     } else {
                         audit(who, "profile_updated", "user:" + std::to_string(updated.id), address);
                     }
                     reply(Response::json(200, me_json(updated)));
                 });
    };
    if (!new_password) return finish(updated, std::nullopt);
    const auto address = c.request.remote_address;
    if (int wait = throttle_.retry_after(updated.username, address); wait > 0)
        return c.reply(Response::error(Error::rate_limited("Too many wrong passwords; try again later.", wait)));
    on_store([id = updated.id](store::StaffStore& s) { return s.user_by_id(id); },
             [this, updated, current, new_password, address, finish, reply = c.reply](
                 Result<store::StoredUser> stored) mutable {
                 if (!stored) return reply(Response::error(stored.error()));
                 on_hasher(
                     [current, new_password, hash = stored->password_hash,
                      params = opt_.argon2]() -> Result<std::string> {
                         if (!crypto::verify_password(current, hash))
                             return Error::forbidden("The current password is wrong.");
                         return crypto::hash_password(*new_password, params);
                     },
                     [this, updated, address, finish, reply](Result<std::string> h) mutable {
                         if (!h) {
                             if (h.error().kind == ErrorKind::forbidden) throttle_.failed(updated.username, address);
                             return reply(Response::error(h.error().kind == ErrorKind::forbidden
                                                              ? Error{ErrorKind::forbidden, "wrong_password",
                                                                      h.error().message}
                                                              : h.error()));
                         }
                         finish(updated, *h);
                     });
             });
}

void Api::set_my_state(Call c) {
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto state = string_field(*body, "state", 1, 32);
    if (!state) return c.reply(Response::error(state.error()));
    if (*state == "busy" || *state == "wrap_up")
        return c.reply(Response::error(400, "invalid_state", "busy and wrap_up are set by the server"));
    if (*state != "available" && *state != "break" && *state != "offline")
        return c.reply(Response::error(400, "invalid_state", "state must be available, break or offline"));
    std::string reason;
    if (body->contains("reason") && !(*body)["reason"].is_null()) {
        auto r = string_field(*body, "reason", 0, 100);
        if (!r) return c.reply(Response::error(r.error()));
        reason = *r;
    }
    const auto status = *state == "available" ? routing::AgentStatus::available
                        : *state == "break"   ? routing::AgentStatus::on_break
                                              : routing::AgentStatus::offline;
    const auto before = b_.routing.agent(c.who->user.id);
    auto events = b_.routing.set_status(c.who->user.id, status, reason);
    if (!events) return c.reply(Response::error(events.error()));
    if (!before || before->status != status || (status == routing::AgentStatus::on_break && before->reason != reason))
        audit(c.who, "agent_state", "user:" + std::to_string(c.who->user.id), c.request.remote_address,
              {{"state", *state}, {"reason", status == routing::AgentStatus::on_break ? reason : ""}});
    apply(*events);
    c.reply(Response::json(200, agent_state_json(c.who->user.id)));
}

// ---- user administration ---------------------------------------------------

void Api::list_users(Call c) {
    auto page = page_params(c.request);
    if (!page) return c.reply(Response::error(page.error()));
    auto all = directory_.all();
    json items = json::array();
    size_t i = page->offset;
    for (; i < all.size() && items.size() < size_t(page->limit); ++i) items.push_back(user_json(*all[i]));
    c.reply(Response::json(200, {{"items", items}, {"next", i < all.size() ? json(std::to_string(i)) : json(nullptr)}}));
}

bool Api::known_department(const std::string& id) const {
    if (id.empty()) return true;
    for (const auto& d : opt_.departments)
        if (d.id == id) return true;
    return false;
}

void Api::get_user(Call c) {
    auto id = parse_id(c.params["id"]);
    const User* u = id ? directory_.find(*id) : nullptr;
    if (!u) return c.reply(Response::error(404, "user_not_found", "No such user."));
    c.reply(Response::json(200, user_json(*u)));
}

Result<User> Api::validate_new_user(const json& body, std::string& password_out) {
    static const std::set<std::string> known = {"username", "password", "role",    "display_name",
                                                "skills",   "capacity", "department"};
    for (auto it = body.begin(); it != body.end(); ++it)
        if (!known.count(it.key())) return Error::invalid("unknown_field", "unknown field '" + it.key() + "'");
    User u;
    auto username = string_field(body, "username", 1, 64);
    if (!username) return username.error();
    if (!valid_username(*username))
        return Error::invalid("invalid_field",
                              "username must have 3 to 64 characters of a-z, 0-9, '.', '_' and '-', starting "
                              "with a letter or digit");
    u.username = *username;
    if (!body.contains("password")) return Error::invalid("missing_field", "password is required");
    auto pw = read_password(body["password"], "password");
    if (!pw) return pw.error();
    password_out = *pw;
    auto role = string_field(body, "role", 1, 20);
    if (!role) return role.error();
    auto r = parse_role(*role);
    if (!r) return Error::invalid("invalid_field", "role must be agent, supervisor or admin");
    u.role = *r;
    u.display_name = u.username;
    if (body.contains("display_name")) {
        auto dn = read_display_name(body["display_name"]);
        if (!dn) return dn.error();
        u.display_name = *dn;
    }
    if (body.contains("skills")) {
        auto s = read_skills(body["skills"]);
        if (!s) return s.error();
        u.skills = *s;
    }
    u.capacity = default_capacity();
    if (body.contains("capacity")) {
        auto cap = read_capacity(body["capacity"]);
        if (!cap) return cap.error();
        u.capacity = *cap;
    }
    if (body.contains("department")) {
        auto d = read_department(body["department"]);
        if (!d) return d.error();
        u.department = *d;
    }
    return u;
}

void Api::create_user(Call c) {
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    std::string password;
    auto u = validate_new_user(*body, password);
    if (!u) return c.reply(Response::error(u.error()));
    if (!known_department(u->department))
        return c.reply(Response::error(400, "unknown_department", "No department '" + u->department + "'."));
    if (directory_.find_by_username(u->username))
        return c.reply(Response::error(409, "username_taken", "A user with this username already exists."));
    on_hasher([password, params = opt_.argon2]() { return crypto::hash_password(password, params); },
              [this, user = *u, who = *c.who, address = c.request.remote_address,
               reply = c.reply](Result<std::string> hash) {
                  if (!hash) return reply(Response::error(hash.error()));
                  on_store([user, h = *hash, now = b_.clock.now()](store::StaffStore& s) {
                      return s.insert_user(user, h, now);
                  },
                           [this, who, address, reply](Result<store::StoredUser> stored) {
                               if (!stored) return reply(Response::error(stored.error()));
                               sync_user(stored->user);
                               audit(who, "user_created", "user:" + std::to_string(stored->user.id), address,
                                     {{"username", stored->user.username},
                                      {"role", std::string(to_string(stored->user.role))}});
                               auto r = Response::json(201, user_json(stored->user));
                               r.headers.emplace_back("Location", "/api/v1/users/" + std::to_string(stored->user.id));
                               reply(std::move(r));
                           });
              });
}

void Api::update_user(Call c) {
    auto id = parse_id(c.params["id"]);
    const User* existing = id ? directory_.find(*id) : nullptr;
    if (!existing) return c.reply(Response::error(404, "user_not_found", "No such user."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    static const std::set<std::string> known = {"display_name", "role",   "skills",    "capacity",
                                                "password",     "active", "department"};
    for (auto it = body->begin(); it != body->end(); ++it)
        if (!known.count(it.key()))
            return c.reply(Response::error(400, "unknown_field", "unknown field '" + it.key() + "'"));
    User u = *existing;
    json changes = json::object();
    if (body->contains("display_name")) {
        auto dn = read_display_name((*body)["display_name"]);
        if (!dn) return c.reply(Response::error(dn.error()));
        u.display_name = *dn;
        changes["display_name"] = u.display_name;
    }
    if (body->contains("role")) {
        auto rs = string_field(*body, "role", 1, 20);
        auto r = rs ? parse_role(*rs) : std::nullopt;
        if (!r) return c.reply(Response::error(400, "invalid_field", "role must be agent, supervisor or admin"));
        u.role = *r;
        changes["role"] = *rs;
    }
    if (body->contains("skills")) {
        auto s = read_skills((*body)["skills"]);
        if (!s) return c.reply(Response::error(s.error()));
        u.skills = *s;
        changes["skills"] = u.skills;
    }
    if (body->contains("capacity")) {
        auto cap = read_capacity((*body)["capacity"]);
        if (!cap) return c.reply(Response::error(cap.error()));
        u.capacity = *cap;
        changes["capacity"] = u.capacity;
    }
    if (body->contains("department")) {
        auto d = read_department((*body)["department"]);
        if (!d) return c.reply(Response::error(d.error()));
        if (!known_department(*d))
            return c.reply(Response::error(400, "unknown_department", "No department '" + *d + "'."));
        u.department = *d;
        changes["department"] = u.department;
    }
    if (body->contains("active")) {
        if (!(*body)["active"].is_boolean())
            return c.reply(Response::error(400, "invalid_field", "active must be true or false"));
        u.active = (*body)["active"].get<bool>();
        changes["active"] = u.active;
    }
    std::optional<std::string> password;
    if (body->contains("password")) {
        auto pw = read_password((*body)["password"], "password");
        if (!pw) return c.reply(Response::error(pw.error()));
        password = *pw;
        changes["password"] = "changed";
    }
    const bool loses_admin = existing->role == Role::admin && existing->active && (u.role != Role::admin || !u.active);
    if (loses_admin && directory_.active_admins() <= 1)
        return c.reply(Response::error(409, "last_admin", "The last active admin cannot be demoted or deactivated."));

    auto store_it = [this, u, changes, who = *c.who, address = c.request.remote_address, reply = c.reply](
                        std::optional<std::string> hash) {
        on_store([u, hash, now = b_.clock.now()](store::StaffStore& s) { return s.update_user(u, hash, now); },
                 [this, u, hash, changes, who, address, reply](Result<void> r) {
                     if (!r) return reply(Response::error(r.error()));
                     sync_user(u);
                     // A reset password or a deactivation ends every session of that user at once.
                     if (hash || !u.active) end_sessions_of(u.id);
                     audit(who, "user_updated", "user:" + std::to_string(u.id), address, changes);
                     reply(Response::json(200, user_json(u)));
                 });
    };
    if (!password) return store_it(std::nullopt);
    on_hasher([pw = *password, params = opt_.argon2]() { return crypto::hash_password(pw, params); },
              [store_it, reply = c.reply](Result<std::string> h) {
                  if (!h) return reply(Response::error(h.error()));
                  store_it(*h);
              });
}

void Api::deactivate_user(Call c) {
    auto id = parse_id(c.params["id"]);
    const User* existing = id ? directory_.find(*id) : nullptr;
    if (!existing) return c.reply(Response::error(404, "user_not_found", "No such user."));
    if (existing->id == c.who->user.id)
        return c.reply(Response::error(409, "cannot_deactivate_self", "You cannot deactivate your own account."));
    if (existing->role == Role::admin && existing->active && directory_.active_admins() <= 1)
        return c.reply(Response::error(409, "last_admin", "The last active admin cannot be deactivated."));
    User u = *existing;
    u.active = false;
    on_store([u, now = b_.clock.now()](store::StaffStore& s) { return s.update_user(u, std::nullopt, now); },
             [this, u, who = *c.who, address = c.request.remote_address, reply = c.reply](Result<void> r) {
                 if (!r) return reply(Response::error(r.error()));
                 sync_user(u);
                 end_sessions_of(u.id);
                 audit(who, "user_deactivated", "user:" + std::to_string(u.id), address);
                 reply(Response::json(200, user_json(u)));
             });
}

void Api::list_audit(Call c) {
    auto page = page_params(c.request);
    if (!page) return c.reply(Response::error(page.error()));
    int64_t before = 0;
    if (auto it = c.request.query.find("before"); it != c.request.query.end()) {
        auto v = parse_id(it->second);
        if (!v) return c.reply(Response::error(400, "invalid_parameter", "before must be an entry id"));
        before = *v;
    }
    on_store([before, limit = page->limit](store::StaffStore& s) { return s.audit_page(before, limit); },
             [reply = c.reply, limit = page->limit](Result<std::vector<store::AuditEntry>> r) {
                 if (!r) return reply(Response::error(r.error()));
                 json items = json::array();
                 for (const auto& e : *r) {
                     items.push_back({{"id", std::to_string(e.id)},
                                      {"at", to_rfc3339(e.at)},
                                      {"actor_id", e.actor_id ? json(std::to_string(*e.actor_id)) : json(nullptr)},
                                      {"actor", e.actor},
                                      {"action", e.action},
                                      {"target", e.target},
                                      {"address", e.address},
                                      {"details", json::parse(e.details, nullptr, false)}});
                 }
                 json next = (int(r->size()) == limit && !r->empty()) ? json(std::to_string(r->back().id)) : json(nullptr);
                 reply(Response::json(200, {{"items", items}, {"next", next}}));
             });
}

// ---- routing ---------------------------------------------------------------

void Api::sync_user(const User& u) {
    directory_.put(u);
    for (auto& [sid, sock] : sockets_)
        if (sock->who_ && sock->who_->user.id == u.id)
            sock->who_ = Principal{directory_.snapshot(u.id), sock->who_->session_id, sock->who_->via_cookie};
    auto& core = b_.routing;
    if (!core.agent(u.id)) {
        if (u.active) {
            auto r = core.add_agent(profile_of(u));
            if (r) apply(*r);
        }
        return;
    }
    auto r = core.update_agent(profile_of(u));
    if (r) apply(*r);
    if (!u.active) {
        // A deactivated user takes no more contacts; any they hold stay until closed.
        auto off = core.set_status(u.id, routing::AgentStatus::offline);
        if (off) apply(*off);
        auto gone = core.remove_agent(u.id);
        if (gone) apply(*gone);
    }
}

json Api::agent_state_json(int64_t user_id) const {
    auto st = b_.routing.agent(user_id);
    if (!st) return {{"state", "offline"}, {"reason", nullptr}, {"since", nullptr}, {"status", "offline"}, {"activity", "idle"}};
    // One word for people: what the system is doing with the agent when it is
    // doing something, otherwise what the agent chose.
    const std::string state = st->activity != routing::AgentActivity::idle ? std::string(to_string(st->activity))
                                                                            : std::string(to_string(st->status));
    return {{"state", state},
            {"reason", st->reason.empty() ? json(nullptr) : json(st->reason)},
            {"since", to_rfc3339(st->since)},
            {"status", std::string(to_string(st->status))},
            {"activity", std::string(to_string(st->activity))},
            {"active_contacts", st->active_by_channel}};
}

json Api::stats_json() const {
    json queues = json::array();
    for (const auto& q : b_.routing.queue_stats()) {
        queues.push_back({{"id", q.id},
                          {"name", q.name},
                          {"waiting", q.waiting},
                          {"longest_wait_seconds", q.longest_wait_seconds},
                          {"agents_available", q.agents_available},
                          {"agents_busy", q.agents_busy},
                          {"agents_wrap_up", q.agents_wrap_up},
                          {"agents_break", q.agents_break},
                          {"offered_today", q.offered_today},
                          {"answered_today", q.answered_today},
                          {"abandoned_today", q.abandoned_today},
                          {"abandoned_short_today", q.abandoned_short_today},
                          {"answered_in_sla_today", q.answered_in_sla_today},
                          {"handled_today", q.handled_today},
                          {"service_level_pct", round1(q.service_level_pct())},
                          {"asa_seconds", round1(q.asa_seconds())},
                          {"aht_seconds", round1(q.aht_seconds())},
                          {"csat_avg", nullptr}});
    }
    json agents = json::array();
    for (const auto& a : b_.routing.agent_stats()) {
        const User* u = directory_.find(a.id);
        const std::string state = a.activity != routing::AgentActivity::idle ? std::string(to_string(a.activity))
                                                                             : std::string(to_string(a.status));
        agents.push_back({{"id", std::to_string(a.id)},
                          {"display_name", u ? u->display_name : a.name},
                          {"state", state},
                          {"reason", a.reason.empty() ? json(nullptr) : json(a.reason)},
                          {"since", to_rfc3339(a.since)},
                          {"active_contacts", a.active_contacts},
                          {"handled_today", a.handled_today},
                          {"aht_seconds", a.handled_today ? round1(double(a.total_handle_ms) / 1000.0 / double(a.handled_today)) : 0.0},
                          {"missed_offers", a.missed_offers},
                          {"missed_today", a.missed_today},
                          {"active_by_channel", a.active_by_channel},
                          {"state_seconds_today", a.state_seconds_today}});
    }
    json out = {{"at", to_rfc3339(b_.clock.now())}, {"queues", queues}, {"agents", agents}};
    for (const auto& m : modules_) m->extend_stats(out);
    return out;
}

json Api::offer_frame(int64_t offer, int64_t contact_id, routing::Channel channel, const std::string& queue,
                      int64_t waited_ms, int expires_in, bool invite) const {
    auto spec = b_.routing.contact(contact_id);
    json contact = {{"id", std::to_string(contact_id)},
                    {"channel", std::string(to_string(channel))},
                    {"queue", queue},
                    {"topic", spec ? spec->topic : ""},
                    {"resident", {{"name", spec ? spec->resident_name : ""}}},
                    {"waited_seconds", waited_ms / 1000},
                    {"needs_interpreter", spec && spec->needs_interpreter},
                    {"summary", spec ? spec->summary : ""}};
    return {{"type", "offer"},
            {"offer_id", std::to_string(offer)},
            {"expires_in", expires_in},
            {"invite", invite},
            {"contact", contact}};
}

void Api::push_to_user(int64_t user_id, const json& frame) {
    // Only that user's sockets (an index, not a walk over every staff socket
    // for every message), sharing one serialised frame.
    std::shared_ptr<const std::string> payload;
    auto range = sockets_by_user_.equal_range(user_id);
    for (auto it = range.first; it != range.second; ++it) {
        if (!payload) payload = std::make_shared<const std::string>(frame.dump(-1, ' ', false, json::error_handler_t::replace));
        it->second->peer_.send(payload);
    }
}

void Api::push_stats() {
    stats_dirty_ = false;
    stats_pushed_at_ = b_.clock.now();
    std::shared_ptr<const std::string> payload;
    for (auto& [sid, sock] : sockets_) {
        if (!sock->who_) continue;
        // The role as it is now: a demotion takes effect on open sockets too.
        const User* now = directory_.find(sock->who_->user.id);
        if (!now || !now->active || !at_least(now->role, Role::supervisor)) continue;
        // Built once, shared by every supervisor's socket.
        if (!payload) payload = std::make_shared<const std::string>(json({{"type", "stats"}, {"stats", stats_json()}}).dump());
        sock->peer_.send(payload);
    }
}

void Api::apply(const routing::Events& events) {
    for (const auto& e : events) {
        on_chat_event(e);
        switch (e.type) {
            case routing::EventType::agent_state_changed:
                for (auto id : e.agents) {
                    json st = agent_state_json(id);
                    st["type"] = "state";
                    push_to_user(id, st);
                }
                break;
            case routing::EventType::offer_created: {
                const json frame = offer_frame(e.offer, e.contact, e.channel, e.queue, e.waited_ms, e.expires_in,
                                               e.reason == "invite");
                for (auto id : e.agents) push_to_user(id, frame);
                break;
            }
            case routing::EventType::offer_revoked:
                for (auto id : e.agents)
                    push_to_user(id, {{"type", "offer_revoked"}, {"offer_id", std::to_string(e.offer)}, {"reason", e.reason}});
                break;
            case routing::EventType::contact_assigned:
            case routing::EventType::participant_joined:
                if (live_chat(e.contact)) break;  // chats: on_chat_event sends the full contact
                for (auto id : e.agents)
                    push_to_user(id, {{"type", "contact_assigned"},
                                      {"contact", {{"id", std::to_string(e.contact)},
                                                   {"channel", std::string(to_string(e.channel))},
                                                   {"queue", e.queue}}}});
                break;
            case routing::EventType::contact_closed: {
                json frame = {{"type", "contact_closed"}, {"contact_id", std::to_string(e.contact)}};
                // The consultant still gives a chat the resident ended its topic.
                if (const LiveChat* chat = live_chat(e.contact); chat && chat->ended_by_resident) frame["reason"] = "resident_ended";
                else if (erased_chats_.count(e.contact)) frame["reason"] = "erased";
                for (auto id : e.agents) push_to_user(id, frame);
                break;
            }
            case routing::EventType::stats_changed: stats_dirty_ = true; break;
            default: break;
        }
    }
    for (auto& m : modules_) m->on_routing(events);
    // A change after a quiet spell goes out at once; within 500 ms of the
    // last push it waits for routing_tick.
    if (stats_dirty_ && b_.clock.now() - stats_pushed_at_ >= std::chrono::milliseconds(500)) push_stats();
}

void Api::routing_tick() {
    const auto now = b_.clock.now();
    if (auto d = b_.routing.next_deadline(); d && *d <= now) apply(b_.routing.tick());
    check_abandoned_chats();
    for (auto& m : modules_) m->tick();
    // Supervisors get statistics on change, at most every 500 ms.
    if (stats_dirty_ && now - stats_pushed_at_ >= std::chrono::milliseconds(500)) push_stats();
}

void Api::accept_or_reject(Call c, bool accept) {
    auto id = parse_id(c.params["id"]);
    if (!id) return c.reply(Response::error(404, "offer_not_found", "No such offer."));
    auto r = accept ? b_.routing.accept(*id, c.who->user.id) : b_.routing.reject(*id, c.who->user.id);
    if (!r) return c.reply(Response::error(r.error()));
    apply(*r);
    c.reply(Response::json(200, {{"offer_id", std::to_string(*id)}, {"result", accept ? "accepted" : "rejected"}}));
}

void Api::live_stats(Call c) { c.reply(Response::json(200, stats_json())); }

namespace {
json queue_json(const QueueSettings& q, bool open) {
    json j = {{"id", q.id},
              {"name", q.name},
              {"channels", q.channels},
              {"topics", q.topics},
              {"skills", q.skills},
              {"priority", q.priority},
              {"sla_seconds", q.sla_seconds},
              {"offer_timeout_seconds", q.offer_timeout_seconds},
              {"wrap_up_seconds", q.wrap_up_seconds},
              {"max_waiting", q.max_waiting},
              {"overflow", q.overflow ? json({{"after_seconds", q.overflow->after_seconds}, {"queue", q.overflow->queue}})
                                      : json(nullptr)},
              {"hours", q.hours},
              {"strategy", q.strategy},
              {"open_now", open}};
    return j;
}
}  // namespace

void Api::list_queues(Call c) {
    json items = json::array();
    for (const auto& q : b_.routing.queue_settings()) items.push_back(queue_json(q, b_.routing.is_open(q.id)));
    c.reply(Response::json(200, {{"items", items}, {"next", nullptr}}));
}

// Where a consultant may pass a conversation: every queue (the second lines)
// and the colleagues signed in now. Only what choosing needs — a queue's
// name, channels, whether it is open and how many wait; a colleague's name
// and state — not the supervisors' configuration and statistics.
void Api::transfer_targets(Call c) {
    std::map<std::string, int> waiting;
    for (const auto& q : b_.routing.queue_stats()) waiting[q.id] = q.waiting;
    json queues = json::array();
    for (const auto& q : b_.routing.queue_settings())
        queues.push_back({{"id", q.id},
                          {"name", q.name},
                          {"channels", q.channels},
                          {"open_now", b_.routing.is_open(q.id)},
                          {"waiting", waiting[q.id]}});
    json agents = json::array();
    for (const auto& a : b_.routing.agent_stats()) {
        if (a.id == c.who->user.id || a.status == routing::AgentStatus::offline) continue;
        const User* u = directory_.find(a.id);
        if (!u || !u->active) continue;
        const std::string state = a.activity != routing::AgentActivity::idle ? std::string(to_string(a.activity))
                                                                             : std::string(to_string(a.status));
        agents.push_back({{"id", std::to_string(a.id)}, {"display_name", u->display_name}, {"state", state}});
    }
    std::sort(agents.begin(), agents.end(), [](const json& x, const json& y) {
        return x["display_name"].get_ref<const std::string&>() < y["display_name"].get_ref<const std::string&>();
    });
    c.reply(Response::json(200, {{"queues", queues}, {"agents", agents}}));
}

void Api::get_queue(Call c) {
    for (const auto& q : b_.routing.queue_settings())
        if (q.id == c.params["id"]) return c.reply(Response::json(200, queue_json(q, b_.routing.is_open(q.id))));
    c.reply(Response::error(404, "queue_not_found", "No such queue."));
}

}  // namespace centrala::api
