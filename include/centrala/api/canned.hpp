// Canned responses: reply templates consultants search and insert while
// chatting; supervisors maintain them per queue and language (audited).
// Kept in memory (hundreds, not millions) and searched on the network thread.
#pragma once

#include <vector>

#include "centrala/api/module.hpp"
#include "centrala/store/canned_store.hpp"

namespace centrala::api {

class CannedModule final : public Module {
public:
    explicit CannedModule(ModuleContext& ctx);
    void add_routes(Router& router) override;
    Result<void> load() override;

private:
    struct Entry {
        store::CannedResponse item;
        std::string title_folded;     // diacritics folded, lower case
        std::string haystack_folded;  // title, body and shortcut
    };
    static Entry index(store::CannedResponse c);
    void list(Call c);
    void create(Call c);
    void update(Call c);
    void remove(Call c);
    Result<store::CannedResponse> read_fields(const nlohmann::json& body, store::CannedResponse base, bool partial) const;
    Entry* find(int64_t id);

    ModuleContext& ctx_;
    store::CannedStore store_;  // store worker only
    std::vector<Entry> items_;  // network thread
};

}  // namespace centrala::api
