#include "centrala/api/canned.hpp"

#include <algorithm>
#include <charconv>
#include <regex>

#include "centrala/api/json_body.hpp"
#include "centrala/bot/text.hpp"

namespace centrala::api {

using nlohmann::json;

namespace {

json to_json_item(const store::CannedResponse& c) {
    return {{"id", std::to_string(c.id)},
            {"queue", c.queue ? json(*c.queue) : json(nullptr)},
            {"lang", c.lang},
            {"title", c.title},
            {"body", c.body},
            {"shortcut", c.shortcut ? json(*c.shortcut) : json(nullptr)},
            {"updated_by", c.updated_by ? json(std::to_string(*c.updated_by)) : json(nullptr)},
            {"updated_at", to_rfc3339(c.updated_at)}};
}

}  // namespace

CannedModule::CannedModule(ModuleContext& ctx) : ctx_(ctx), store_(ctx.b.db) {}

CannedModule::Entry CannedModule::index(store::CannedResponse c) {
    Entry e;
    e.title_folded = bot::normalize(c.title);
    e.haystack_folded = e.title_folded + " " + bot::normalize(c.body) + " " + bot::normalize(c.shortcut.value_or(""));
    e.item = std::move(c);
    return e;
}

Result<void> CannedModule::load() {
    auto all = store_.all();
    if (!all) return all.error();
    items_.clear();
    for (auto& c : *all) items_.push_back(index(std::move(c)));
    return Ok{};
}

void CannedModule::add_routes(Router& router) {
    router.add("GET", "/api/v1/canned-responses", Access::agent, [this](Call c) { list(std::move(c)); });
    router.add("POST", "/api/v1/canned-responses", Access::supervisor, [this](Call c) { create(std::move(c)); });
    router.add("PATCH", "/api/v1/canned-responses/{id}", Access::supervisor, [this](Call c) { update(std::move(c)); });
    router.add("DELETE", "/api/v1/canned-responses/{id}", Access::supervisor, [this](Call c) { remove(std::move(c)); });
}

CannedModule::Entry* CannedModule::find(int64_t id) {
    auto it = std::find_if(items_.begin(), items_.end(), [id](const Entry& e) { return e.item.id == id; });
    return it == items_.end() ? nullptr : &*it;
}

// GET ?queue=Q (that queue's and the general ones) &lang=pl &q=words (every
// word, folded, must appear; title matches first).
void CannedModule::list(Call c) {
    auto page = page_params(c.request);
    if (!page) return c.reply(Response::error(page.error()));
    const auto& q = c.request.query;
    std::optional<std::string> queue, lang;
    if (auto it = q.find("queue"); it != q.end() && !it->second.empty()) queue = it->second;
    if (auto it = q.find("lang"); it != q.end() && !it->second.empty()) {
        if (!bot::parse_lang(it->second))
            return c.reply(Response::error(400, "invalid_parameter", "lang must be pl, en or uk"));
        lang = it->second;
    }
    std::vector<std::string> words;
    if (auto it = q.find("q"); it != q.end()) {
        if (it->second.size() > 200) return c.reply(Response::error(400, "invalid_parameter", "q is too long"));
        words = bot::tokenize(it->second);
    }
    struct Hit {
        const Entry* e;
        int rank;
    };
    std::vector<Hit> hits;
    for (const auto& e : items_) {
        if (queue && e.item.queue && *e.item.queue != *queue) continue;
        if (lang && e.item.lang != *lang) continue;
        bool all = true;
        int rank = e.item.queue ? 0 : 1;  // the queue's own responses before the general ones
        for (const auto& w : words) {
            if (e.haystack_folded.find(w) == std::string::npos) {
                all = false;
                break;
            }
            if (e.title_folded.find(w) == std::string::npos) rank += 2;
        }
        if (!words.empty() && e.item.shortcut && bot::normalize(*e.item.shortcut) == words.front()) rank = -1;
        if (all) hits.push_back({&e, rank});
    }
    std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
        if (a.rank != b.rank) return a.rank < b.rank;
        return a.e->title_folded < b.e->title_folded;
    });
    json items = json::array();
    for (size_t i = page->offset; i < hits.size() && items.size() < size_t(page->limit); ++i)
        items.push_back(to_json_item(hits[i].e->item));
    const size_t next = page->offset + items.size();
    c.reply(Response::json(200, {{"items", items}, {"next", next < hits.size() ? json(std::to_string(next)) : json(nullptr)}}));
}

Result<store::CannedResponse> CannedModule::read_fields(const json& body, store::CannedResponse c, bool partial) const {
    static const std::regex shortcut_re("^[a-z0-9_-]{1,32}$");
    for (const auto& [key, _] : body.items())
        if (key != "title" && key != "body" && key != "queue" && key != "lang" && key != "shortcut")
            return Error::invalid("unknown_field", "Unknown field '" + key + "'.");
    if (!partial || body.contains("title")) {
        auto t = string_field(body, "title", 1, 800);
        if (!t) return t.error();
        if (utf8_chars(*t) > 200) return Error::invalid("invalid_field", "title must have at most 200 characters");
        c.title = *t;
    }
    if (!partial || body.contains("body")) {
        auto b = string_field(body, "body", 1, 16000);
        if (!b) return b.error();
        if (utf8_chars(*b) > ctx_.opt.max_message_chars)
            return Error::invalid("invalid_field", "body must have at most " + std::to_string(ctx_.opt.max_message_chars) +
                                                       " characters (a chat message's limit)");
        c.body = *b;
    }
    if (body.contains("lang")) {
        const auto& l = body["lang"];
        if (!l.is_string() || !bot::parse_lang(l.get<std::string>()))
            return Error::invalid("invalid_field", "lang must be pl, en or uk");
        c.lang = l.get<std::string>();
    }
    if (body.contains("queue")) {
        const auto& q = body["queue"];
        if (q.is_null()) {
            c.queue.reset();
        } else {
            if (!q.is_string()) return Error::invalid("invalid_field", "queue must be a queue id or null");
            const auto id = q.get<std::string>();
            const auto stats = ctx_.b.routing.queue_stats();
            if (std::none_of(stats.begin(), stats.end(), [&](const auto& s) { return s.id == id; }))
                return Error::invalid("unknown_queue", "There is no queue '" + id + "'.");
            c.queue = id;
        }
    }
    if (body.contains("shortcut")) {
        const auto& s = body["shortcut"];
        if (s.is_null() || (s.is_string() && s.get<std::string>().empty())) {
            c.shortcut.reset();
        } else {
            if (!s.is_string() || !std::regex_match(s.get<std::string>(), shortcut_re))
                return Error::invalid("invalid_field", "shortcut must be 1 to 32 of a-z, 0-9, _ and -");
            c.shortcut = s.get<std::string>();
        }
    }
    return c;
}

void CannedModule::create(Call c) {
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto item = read_fields(*body, store::CannedResponse{}, false);
    if (!item) return c.reply(Response::error(item.error()));
    const int64_t by = c.who->user.id;
    const auto now = ctx_.b.clock.now();
    on_store_worker(
        ctx_, [this, item = *item, by, now]() { return store_.insert(item, by, now); },
        [this, who = *c.who, address = c.request.remote_address, reply = c.reply](Result<store::CannedResponse> r) {
            if (!r) return reply(Response::error(r.error()));
            ctx_.audit(who, "canned_response_created", "canned_response:" + std::to_string(r->id), address,
                       {{"title", r->title}, {"queue", r->queue ? json(*r->queue) : json(nullptr)}, {"lang", r->lang}});
            items_.push_back(index(*r));
            reply(Response::json(201, to_json_item(*r)));
        });
}

void CannedModule::update(Call c) {
    auto id = parse_id(c.params["id"]);
    Entry* e = id ? find(*id) : nullptr;
    if (!e) return c.reply(Response::error(404, "canned_response_not_found", "No such canned response."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto item = read_fields(*body, e->item, true);
    if (!item) return c.reply(Response::error(item.error()));
    const int64_t by = c.who->user.id;
    const auto now = ctx_.b.clock.now();
    on_store_worker(
        ctx_, [this, item = *item, by, now]() { return store_.update(item, by, now); },
        [this, who = *c.who, address = c.request.remote_address, reply = c.reply,
         before = e->item](Result<store::CannedResponse> r) {
            if (!r) return reply(Response::error(r.error()));
            ctx_.audit(who, "canned_response_updated", "canned_response:" + std::to_string(r->id), address,
                       {{"before", to_json_item(before)}, {"after", to_json_item(*r)}});
            if (Entry* cur = find(r->id)) *cur = index(*r);
            reply(Response::json(200, to_json_item(*r)));
        });
}

void CannedModule::remove(Call c) {
    auto id = parse_id(c.params["id"]);
    Entry* e = id ? find(*id) : nullptr;
    if (!e) return c.reply(Response::error(404, "canned_response_not_found", "No such canned response."));
    const int64_t by = c.who->user.id;
    const auto now = ctx_.b.clock.now();
    on_store_worker(
        ctx_, [this, id = *id, by, now]() { return store_.remove(id, by, now); },
        [this, id = *id, who = *c.who, address = c.request.remote_address, reply = c.reply,
         before = e->item](Result<void> r) {
            if (!r) return reply(Response::error(r.error()));
            ctx_.audit(who, "canned_response_deleted", "canned_response:" + std::to_string(id), address,
                       {{"before", to_json_item(before)}});
            items_.erase(std::remove_if(items_.begin(), items_.end(), [id](const Entry& x) { return x.item.id == id; }),
                         items_.end());
            reply(Response::no_content());
        });
}

}  // namespace centrala::api
