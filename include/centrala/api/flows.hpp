// The advisor's guided dialogues that end in a case, on the chat's side: a
// report of a problem in public space (what, kind, where — an address or a
// map point —, an optional photo, contact details for feedback, a summary)
// and a message left outside opening hours. The dialogue itself is pure
// (bot/flow.hpp); this module keeps each chat's state (in memory and in
// bot_flows, so it survives a reconnect and a restart), holds the photo until
// the case is filed, files it through the TicketsModule and tells the
// resident the number, the key and the /sprawa link. The callback booking
// shares the table (kind "callback"); its rows go to the CallbackModule. Public routes:
// POST /api/v1/public/chats/{id}/location and …/photo.
#pragma once

#include <unordered_map>

#include "centrala/api/callbacks.hpp"
#include "centrala/api/module.hpp"
#include "centrala/api/tickets.hpp"
#include "centrala/bot/flow.hpp"
#include "centrala/store/flow_store.hpp"

namespace centrala::api {

class FlowsModule final : public Module, public ChatFlows {
public:
    FlowsModule(ModuleContext& ctx, TicketsModule& tickets, CallbackModule* callbacks = nullptr);
    void add_routes(Router& router) override;
    Result<void> load() override;
    void tick() override;
    // The dialogues of an erased resident's chats go (their rows went in the erasure).
    void on_resident_erased(const std::vector<int64_t>& chats, const std::vector<int64_t>& callbacks) override;

    // ChatFlows
    bool active(int64_t chat_id) const override {
        return flows_.count(chat_id) > 0 || (callbacks_ && callbacks_->active(chat_id));
    }
    void on_text(int64_t chat_id, const std::string& text) override;
    bool on_button(int64_t chat_id, const std::string& value, const std::string& lang, const std::string& topic,
                   std::function<void(Result<void>)>& done) override;
    Result<void> on_location(int64_t chat_id, double lat, double lon) override;
    void start_report(int64_t chat_id, const std::string& lang, const std::string& what,
                      const std::string& answer) override;
    std::string end_for_handoff(int64_t chat_id) override;

    // The report categories: services of topic `report` that need a location.
    const std::vector<bot::FlowCategory>& categories() const { return cats_; }
    // The category of a message about `topic`: a service of that topic that
    // needs no location, else one of topic `other`, else the first that
    // needs no location; empty when there is none.
    static std::string message_category(const std::vector<Service>& services, const std::string& topic);

private:
    struct Live {
        bot::FlowState state;
        bool filing = false;  // a case is being filed: inputs wait
        int photos = 0;       // uploads in this dialogue (bounded)
        SysTime started{};    // begun (or loaded) at
    };
    // Stores the state, then says `reply` (asks the next question).
    void save_and_say(int64_t chat_id, const bot::FlowReply& reply);
    void say(int64_t chat_id, const bot::FlowReply& reply, std::vector<bot::LinkButton> links = {});
    void step(int64_t chat_id, const bot::FlowInput& in);
    void begin(int64_t chat_id, bot::FlowState s, const bot::FlowReply& first);
    void finish(int64_t chat_id, bool tell_cancelled);
    void file(int64_t chat_id);

    void post_location(Call c);
    void post_photo(Call c);
    // The chat of a public request (X-Visitor-Token), then f(contact id) on the network thread.
    void with_visitor_chat(Call& c, std::function<void(int64_t)> f);

    ModuleContext& ctx_;
    TicketsModule& tickets_;
    CallbackModule* callbacks_ = nullptr;  // the callback dialogue (may be absent)
    store::FlowStore store_;  // only on the store worker
    std::vector<bot::FlowCategory> cats_;
    std::unordered_map<int64_t, Live> flows_;
    SysTime next_cleanup_{};
    bool cleaning_ = false;
};

}  // namespace centrala::api
