#include "centrala/api/history.hpp"

#include <charconv>

#include "centrala/api/json_body.hpp"

namespace centrala::api {

using nlohmann::json;

namespace {

json past_json(const store::PastContact& p) {
    return {{"id", std::to_string(p.id)},
            {"channel", p.channel},
            {"state", p.state},
            {"topic", p.topic},
            {"queue", p.queue.empty() ? json(nullptr) : json(p.queue)},
            {"created_at", to_rfc3339(p.created_at)},
            {"closed_at", p.closed_at ? json(to_rfc3339(*p.closed_at)) : json(nullptr)},
            {"disposition", p.disposition.empty() ? json(nullptr) : json(p.disposition)},
            {"close_note", p.close_note},
            {"rating", p.rating ? json(*p.rating) : json(nullptr)},
            {"agents", p.agents},
            {"messages", p.messages}};
}

}  // namespace

void HistoryModule::add_routes(Router& router) {
    router.add("GET", "/api/v1/contacts/{id}/history", Access::agent, [this](Call c) { history(std::move(c)); });
}

// Supervisors see any contact's history; a consultant only that of a contact
// they serve now (and then may open those conversations' messages too).
void HistoryModule::history(Call c) {
    auto id = parse_id(c.params["id"]);
    if (!id) return c.reply(Response::error(404, "contact_not_found", "No such conversation."));
    auto page = page_params(c.request);
    if (!page) return c.reply(Response::error(page.error()));
    int64_t before = 0;
    if (auto it = c.request.query.find("cursor"); it != c.request.query.end()) {
        // The cursor is the last id of the previous page (page_params read it as an offset).
        auto b = parse_id(it->second);
        if (!b) return c.reply(Response::error(400, "invalid_parameter", "cursor must be a contact id"));
        before = *b;
    }
    const bool supervisor = at_least(c.who->user.role, Role::supervisor);
    const int limit = page->limit;
    on_store_worker(
        ctx_,
        [this, id = *id, uid = c.who->user.id, supervisor, limit, before]() -> Result<std::vector<store::PastContact>> {
            if (!supervisor) {
                auto serves = store_.serves(id, uid);
                if (!serves) return serves.error();
                if (!*serves) return Error::not_found("contact_not_found", "No open conversation with that id is yours.");
            }
            return store_.earlier(id, limit, before);
        },
        [reply = c.reply, limit](Result<std::vector<store::PastContact>> r) {
            if (!r) return reply(Response::error(r.error()));
            json items = json::array();
            for (const auto& p : *r) items.push_back(past_json(p));
            json next = int(r->size()) == limit && !r->empty() ? json(std::to_string(r->back().id)) : json(nullptr);
            reply(Response::json(200, {{"items", items}, {"next", next}}));
        });
}

}  // namespace centrala::api
