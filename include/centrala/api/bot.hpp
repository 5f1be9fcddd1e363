// The virtual advisor's API (contract §6a) as a module: the supervisors'
// test endpoint (POST /api/v1/bot/ask), the knowledge base versioned in the
// database (GET/PUT /api/v1/bot/knowledge, with history) and the report of
// phrases it could not answer. It owns the running advisor the chat uses
// (ChatBot): loaded before serving, rebuilt and validated on the store
// worker after a change, and swapped whole on the network thread.
#pragma once

#include "centrala/api/module.hpp"

namespace centrala::api {

class BotModule final : public Module {
public:
    BotModule(const ModuleContext& ctx, ChatBot& chat_bot) : ctx_(ctx), bot_(chat_bot) {}

    void add_routes(Router& router) override;
    // The newest version in the database, else the one from config (stored
    // as version 1). A knowledge base that does not load stops the start.
    Result<void> load() override;

private:
    void ask(Call c);
    void get_knowledge(Call c);
    void put_knowledge(Call c);
    void list_versions(Call c);
    void get_version(Call c);
    void list_unanswered(Call c);
    void forget_unanswered(Call c);
    void record_unanswered(const std::string& text, const bot::Reply& reply);

    const ModuleContext& ctx_;
    ChatBot& bot_;
    int64_t version_ = 0;  // of the running knowledge base
};

// What changed between two knowledge bases (JSON texts): answers added,
// removed or edited ("topic.answer"), topics edited apart from their
// answers, and other top-level sections. Comments (`_` keys) are ignored.
nlohmann::json knowledge_changes(const std::string& before, const std::string& after);

}  // namespace centrala::api
