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

json case_json(const store::PastCase& k, const std::vector<Department>& departments) {
    std::string dep_name = k.department;
    for (const auto& d : departments)
        if (d.id == k.department) dep_name = d.name;
    return {{"id", std::to_string(k.id)},
            {"number", k.number},
            {"subject", k.subject},
            {"status", k.status},
            {"department", k.department},
            {"department_name", dep_name},
            {"created_at", to_rfc3339(k.created_at)},
            {"contact_id", std::to_string(k.contact_id)}};
}

constexpr int max_cases = 20;

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
    struct Found {
        std::vector<store::PastContact> contacts;
        std::vector<store::PastCase> cases;  // first page only
    };
    on_store_worker(
        ctx_,
        [this, id = *id, uid = c.who->user.id, supervisor, limit, before,
         scope = ticket_scope(c.who->user)]() -> Result<Found> {
            if (!supervisor) {
                auto serves = store_.serves(id, uid);
                if (!serves) return serves.error();
                if (!*serves) return Error::not_found("contact_not_found", "No open conversation with that id is yours.");
            }
            auto earlier = store_.earlier(id, limit, before);
            if (!earlier) return earlier.error();
            Found f{std::move(*earlier), {}};
            if (before == 0) {
                // the same rule as the cases panel (ticket_scope): what is listed opens
                auto cases = store_.cases(id, max_cases, scope);
                if (!cases) return cases.error();
                f.cases = std::move(*cases);
            }
            return f;
        },
        [this, reply = c.reply, limit, first = before == 0](Result<Found> r) {
            if (!r) return reply(Response::error(r.error()));
            json items = json::array();
            for (const auto& p : r->contacts) items.push_back(past_json(p));
            const auto& contacts = r->contacts;
            json next = int(contacts.size()) == limit && !contacts.empty() ? json(std::to_string(contacts.back().id)) : json(nullptr);
            json body = {{"items", items}, {"next", next}};
            if (first) {
                json cases = json::array();
                for (const auto& k : r->cases) cases.push_back(case_json(k, ctx_.opt.departments));
                body["cases"] = cases;
            }
            reply(Response::json(200, body));
        });
}

}  // namespace centrala::api
