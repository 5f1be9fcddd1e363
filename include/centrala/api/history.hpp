// The resident's earlier conversations beside the current one
// (GET /api/v1/contacts/{id}/history), for the consultant serving it.
#pragma once

#include "centrala/api/module.hpp"
#include "centrala/store/history_store.hpp"

namespace centrala::api {

class HistoryModule final : public Module {
public:
    explicit HistoryModule(ModuleContext& ctx) : ctx_(ctx), store_(ctx.b.db) {}
    void add_routes(Router& router) override;

private:
    void history(Call c);

    ModuleContext& ctx_;
    store::HistoryStore store_;  // store worker only
};

}  // namespace centrala::api
