// The virtual advisor's endpoints and its knowledge base's life: versions in
// the database, validation on the store worker, the swap on the network thread.
#include "centrala/api/bot.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "centrala/api/json_body.hpp"
#include "centrala/bot/advisor.hpp"
#include "centrala/crypto/crypto.hpp"
#include "centrala/domain/ticket.hpp"
#include "centrala/store/bot_store.hpp"

namespace centrala::api {

using nlohmann::json;

namespace {

// Phrases are kept for improving answers, not as case records: e-mail
// addresses become "[e-mail]" and numbers (phone, PESEL, case numbers) are
// masked, so neither survives there (docs/bot.md).
std::string mask_digits(std::string s) {
    s = mask_emails(s);
    for (auto& ch : s)
        if (ch >= '0' && ch <= '9') ch = '#';
    return s;
}

json version_json(const store::KnowledgeVersion& v, int64_t current) {
    json author = nullptr;
    if (v.author_id) author = {{"id", std::to_string(*v.author_id)}, {"username", v.author}};
    return {{"version", v.version},
            {"created_at", to_rfc3339(v.created_at)},
            {"author", author},
            {"source", v.source},
            {"bytes", v.bytes},
            {"sha256", v.sha256},
            {"changes", json::parse(v.changes, nullptr, false)},
            {"current", v.version == current}};
}

Response knowledge_response(const std::string& body, int64_t version) {
    Response r;
    r.status = 200;
    r.body = body;
    r.headers.emplace_back("ETag", "\"" + std::to_string(version) + "\"");
    r.headers.emplace_back("X-Knowledge-Version", std::to_string(version));
    return r;
}

// The same JSON without comments (`_` keys), at every depth.
json strip(const json& j) {
    if (j.is_object()) {
        json o = json::object();
        for (auto it = j.begin(); it != j.end(); ++it)
            if (it.key().empty() || it.key()[0] != '_') o[it.key()] = strip(it.value());
        return o;
    }
    if (j.is_array()) {
        json a = json::array();
        for (const auto& x : j) a.push_back(strip(x));
        return a;
    }
    return j;
}

struct Saved {
    store::KnowledgeVersion version;
    std::shared_ptr<const bot::Advisor> advisor;
    bool unchanged = false;
};

}  // namespace

json knowledge_changes(const std::string& before, const std::string& after) {
    const json a = json::parse(before, nullptr, false), b = json::parse(after, nullptr, false);
    json out = {{"added", json::array()},
                {"removed", json::array()},
                {"changed", json::array()},
                {"topics_changed", json::array()},
                {"sections_changed", json::array()}};
    if (!a.is_object() || !b.is_object()) return out;
    std::set<std::string> keys;
    for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
    for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
    for (const auto& k : keys) {
        if (k.empty() || k[0] == '_' || k == "topics") continue;
        if (strip(a.value(k, json())) != strip(b.value(k, json()))) out["sections_changed"].push_back(k);
    }
    auto index = [&](const json& kb, std::map<std::string, json>& topics, std::map<std::string, json>& answers) {
        if (!kb.contains("topics") || !kb["topics"].is_array()) return;
        for (const auto& t : kb["topics"]) {
            if (!t.is_object() || !t.contains("id") || !t["id"].is_string()) continue;
            const std::string id = t["id"].get<std::string>();
            json rest = strip(t);
            rest.erase("answers");
            topics[id] = rest;
            if (t.contains("answers") && t["answers"].is_array())
                for (const auto& an : t["answers"])
                    if (an.is_object() && an.contains("id") && an["id"].is_string())
                        answers[id + "." + an["id"].get<std::string>()] = strip(an);
        }
    };
    std::map<std::string, json> ta, tb, aa, ab;
    index(a, ta, aa);
    index(b, tb, ab);
    for (const auto& [id, t] : tb)
        if (!ta.count(id) || ta[id] != t) out["topics_changed"].push_back(id);
    for (const auto& [id, an] : ab) {
        if (!aa.count(id)) out["added"].push_back(id);
        else if (aa[id] != an) out["changed"].push_back(id);
    }
    for (const auto& [id, an] : aa)
        if (!ab.count(id)) out["removed"].push_back(id);
    return out;
}

void BotModule::add_routes(Router& router) {
    auto bind = [this](void (BotModule::*m)(Call)) { return [this, m](Call c) { (this->*m)(std::move(c)); }; };
    router.add("POST", "/api/v1/bot/ask", Access::supervisor, bind(&BotModule::ask));
    router.add("GET", "/api/v1/bot/knowledge", Access::admin, bind(&BotModule::get_knowledge));
    router.add("PUT", "/api/v1/bot/knowledge", Access::admin, bind(&BotModule::put_knowledge));
    router.add("GET", "/api/v1/bot/knowledge/versions", Access::admin, bind(&BotModule::list_versions));
    router.add("GET", "/api/v1/bot/knowledge/versions/{version}", Access::admin, bind(&BotModule::get_version));
    router.add("GET", "/api/v1/bot/unanswered", Access::supervisor, bind(&BotModule::list_unanswered));
    router.add("DELETE", "/api/v1/bot/unanswered/{id}", Access::supervisor, bind(&BotModule::forget_unanswered));
}

Result<void> BotModule::load() {
    store::BotStore store(ctx_.b.db);
    auto current = store.current_knowledge();
    if (!current) return current.error();
    std::shared_ptr<const bot::Advisor> advisor;
    if (*current) {
        const auto& v = **current;
        auto a = bot::Advisor::load(v.body);
        if (!a)
            return Error::invalid(a.error().code, "knowledge base version " + std::to_string(v.version) +
                                                      " in the database: " + a.error().message);
        advisor = std::make_shared<const bot::Advisor>(std::move(*a));
        version_ = v.version;
        if (!ctx_.opt.bot_knowledge.empty() && crypto::sha256_hex(ctx_.opt.bot_knowledge) != v.sha256)
            spdlog::warn("knowledge base: using version {} from the database ({}); {} differs and is not used — "
                         "PUT /api/v1/bot/knowledge applies a new one",
                         v.version, v.author.empty() ? v.source : v.author, ctx_.opt.bot_knowledge_source);
    } else {
        auto a = bot::Advisor::load(ctx_.opt.bot_knowledge);
        if (!a) return Error::invalid(a.error().code, ctx_.opt.bot_knowledge_source + ": " + a.error().message);
        store::KnowledgeVersion v;
        v.body = ctx_.opt.bot_knowledge;
        v.sha256 = crypto::sha256_hex(v.body);
        v.source = "config";
        v.created_at = ctx_.b.clock.now();
        v.author = ctx_.opt.bot_knowledge_source;
        auto saved = store.add_knowledge(v, std::nullopt);
        if (!saved) return saved.error();
        advisor = std::make_shared<const bot::Advisor>(std::move(*a));
        version_ = saved->version;
    }
    bot_.advisor = std::move(advisor);
    bot_.unanswered = [this](const std::string& text, const bot::Reply& r) { record_unanswered(text, r); };
    return Ok{};
}

void BotModule::ask(Call c) {
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    for (auto it = body->begin(); it != body->end(); ++it)
        if (it.key() != "text" && it.key() != "lang")
            return c.reply(Response::error(400, "unknown_field", "unknown field '" + it.key() + "'"));
    auto text = string_field(*body, "text", 1, 4 * ctx_.opt.max_message_chars);
    if (!text) return c.reply(Response::error(text.error()));
    bot::Lang lang = bot::Lang::pl;
    if (body->contains("lang") && !(*body)["lang"].is_null()) {
        auto l = (*body)["lang"].is_string() ? bot::parse_lang((*body)["lang"].get<std::string>()) : std::nullopt;
        if (!l) return c.reply(Response::error(400, "invalid_field", "lang must be pl, en or uk"));
        lang = *l;
    }
    if (!bot_.advisor) return c.reply(Response::error(503, "not_ready", "The assistant is not ready yet."));
    const bot::Reply r = bot_.advisor->ask(*text, lang);
    json full = r;  // to_json(Reply)
    const std::string topic = bot::routing_topic(r);
    json out = {{"topic", r.topic},
                {"confidence", std::round(r.confidence * 1000) / 1000},
                {"reply", {{"text", r.text}, {"buttons", full["buttons"]}, {"links", full["links"]}}},
                {"answer", r.answer},
                {"lang", full["lang"]},
                {"handoff", r.handoff},
                {"clarify", r.clarify},
                {"verify", r.verify},
                {"why", full["why"]},
                {"ranking", full["ranking"]},
                {"knowledge_version", version_}};
    if (r.handoff) {
        out["routing_topic"] = topic;
        auto q = ctx_.b.routing.queue_for_topic(topic);
        out["queue"] = q ? json(*q) : json(nullptr);
    }
    c.reply(Response::json(200, out));
}

void BotModule::get_knowledge(Call c) {
    if (!bot_.advisor) return c.reply(Response::error(503, "not_ready", "The assistant is not ready yet."));
    c.reply(knowledge_response(bot_.advisor->source(), version_));
}

void BotModule::put_knowledge(Call c) {
    const auto* ct = c.request.header("content-type");
    if (!ct || ct->rfind("application/json", 0) != 0)
        return c.reply(Response::error(415, "unsupported_media_type", "Send the knowledge base as application/json."));
    std::optional<int64_t> expected;
    if (const auto* m = c.request.header("if-match")) {
        std::string v = *m;
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        expected = parse_id(v);
        if (!expected) return c.reply(Response::error(400, "invalid_header", "If-Match must be a version, e.g. \"3\"."));
    }
    store::KnowledgeVersion v;
    v.body = c.request.body;
    v.source = "api";
    v.created_at = ctx_.b.clock.now();
    v.author_id = c.who->user.id;
    v.author = c.who->user.username;
    // Building the index takes tens of milliseconds: on the store worker,
    // which also writes the version, so swaps follow the order of commits.
    on_store_worker(
        ctx_,
        [db = &ctx_.b.db, v, expected]() mutable -> Result<Saved> {
            auto a = bot::Advisor::load(v.body);
            if (!a) return a.error();  // knowledge_syntax / knowledge_invalid: 400, nothing changes
            store::BotStore store(*db);
            auto current = store.current_knowledge();
            if (!current) return current.error();
            v.sha256 = crypto::sha256_hex(v.body);
            Saved out;
            out.advisor = std::make_shared<const bot::Advisor>(std::move(*a));
            if (*current && (*current)->sha256 == v.sha256 && (!expected || *expected == (*current)->version)) {
                out.version = **current;
                out.version.body.clear();
                out.unchanged = true;
                return out;
            }
            v.changes = knowledge_changes(*current ? (*current)->body : std::string(), v.body).dump();
            auto saved = store.add_knowledge(v, expected);
            if (!saved) return saved.error();
            out.version = std::move(*saved);
            out.version.body.clear();
            return out;
        },
        [this, reply = c.reply, who = *c.who, address = c.request.remote_address](Result<Saved> r) {
            if (!r) return reply(Response::error(r.error()));
            if (!r->unchanged) {
                bot_.advisor = r->advisor;
                version_ = r->version.version;
                ctx_.audit(who, "bot_knowledge_changed", "bot_knowledge:" + std::to_string(version_), address,
                           {{"version", version_},
                            {"bytes", r->version.bytes},
                            {"sha256", r->version.sha256},
                            {"changes", json::parse(r->version.changes, nullptr, false)}});
            }
            json out = version_json(r->version, version_);
            out["unchanged"] = r->unchanged;
            Response resp = Response::json(200, out);
            resp.headers.emplace_back("ETag", "\"" + std::to_string(r->version.version) + "\"");
            reply(std::move(resp));
        });
}

void BotModule::list_versions(Call c) {
    auto page = page_params(c.request);
    if (!page) return c.reply(Response::error(page.error()));
    on_store_worker(
        ctx_, [db = &ctx_.b.db, p = *page] { return store::BotStore(*db).knowledge_versions(p.limit, int64_t(p.offset)); },
        [this, reply = c.reply, p = *page](Result<std::vector<store::KnowledgeVersion>> r) {
            if (!r) return reply(Response::error(r.error()));
            json items = json::array();
            for (const auto& v : *r) items.push_back(version_json(v, version_));
            json next = int(r->size()) == p.limit ? json(std::to_string(p.offset + r->size())) : json(nullptr);
            reply(Response::json(200, {{"items", items}, {"next", next}}));
        });
}

void BotModule::get_version(Call c) {
    auto v = parse_id(c.params["version"]);
    if (!v) return c.reply(Response::error(404, "version_not_found", "No such version of the knowledge base."));
    on_store_worker(
        ctx_, [db = &ctx_.b.db, v = *v] { return store::BotStore(*db).knowledge_version(v); },
        [reply = c.reply](Result<store::KnowledgeVersion> r) {
            if (!r) return reply(Response::error(r.error()));
            reply(knowledge_response(r->body, r->version));
        });
}

void BotModule::list_unanswered(Call c) {
    auto page = page_params(c.request);
    if (!page) return c.reply(Response::error(page.error()));
    std::string lang;
    if (auto it = c.request.query.find("lang"); it != c.request.query.end() && !it->second.empty()) {
        if (!bot::parse_lang(it->second)) return c.reply(Response::error(400, "invalid_parameter", "lang must be pl, en or uk"));
        lang = it->second;
    }
    on_store_worker(
        ctx_, [db = &ctx_.b.db, p = *page, lang] { return store::BotStore(*db).unanswered(lang, p.limit, int64_t(p.offset)); },
        [reply = c.reply, p = *page](Result<std::vector<store::UnansweredPhrase>> r) {
            if (!r) return reply(Response::error(r.error()));
            json items = json::array();
            for (const auto& u : *r)
                items.push_back({{"id", std::to_string(u.id)},
                                 {"lang", u.lang},
                                 {"phrase", u.phrase},
                                 {"example", u.example},
                                 {"count", u.count},
                                 {"topic", u.best_topic},
                                 {"confidence", u.confidence / 1000.0},
                                 {"first_seen", to_rfc3339(u.first_seen)},
                                 {"last_seen", to_rfc3339(u.last_seen)}});
            json next = int(r->size()) == p.limit ? json(std::to_string(p.offset + r->size())) : json(nullptr);
            reply(Response::json(200, {{"items", items}, {"next", next}}));
        });
}

void BotModule::forget_unanswered(Call c) {
    auto id = parse_id(c.params["id"]);
    if (!id) return c.reply(Response::error(404, "phrase_not_found", "No such phrase."));
    on_store_worker(
        ctx_, [db = &ctx_.b.db, id = *id] { return store::BotStore(*db).forget_unanswered(id); },
        [this, reply = c.reply, who = *c.who, id = *id, address = c.request.remote_address](Result<void> r) {
            if (!r) return reply(Response::error(r.error()));
            ctx_.audit(who, "bot_phrase_dismissed", "bot_unanswered:" + std::to_string(id), address, json::object());
            reply(Response::no_content());
        });
}

void BotModule::record_unanswered(const std::string& text, const bot::Reply& r) {
    std::string phrase = mask_digits(bot::normalize(mask_emails(text)));
    if (phrase.empty()) return;
    phrase = std::string(bot::utf8_truncate(phrase, 200));
    const std::string example(bot::utf8_truncate(mask_digits(text), 300));
    const int confidence = int(std::lround(std::clamp(r.confidence, 0.0, 1.0) * 1000));
    on_store_worker(
        ctx_,
        [db = &ctx_.b.db, lang = std::string(bot::lang_code(r.language)), phrase, example, topic = r.topic, confidence,
         at = ctx_.b.clock.now()] {
            return store::BotStore(*db).record_unanswered(lang, phrase, example, topic, confidence, at);
        },
        [](Result<void> r) {
            if (!r) spdlog::warn("unanswered phrase not recorded: {}", r.error().message);
        });
}

}  // namespace centrala::api
