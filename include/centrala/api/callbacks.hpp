// Callbacks booked in the chat: the advisor's "request a call back" (outside
// opening hours, beside leaving a message). The resident gives a Polish phone
// number and optionally a time window cut from the queue's opening hours
// (domain/callback), confirms, and a callback contact (channel `callback`)
// is stored. It is held here until its queue is open and its window has
// begun, then enqueued in routing with its original enqueue time and offered
// like any contact. The consultant ends it with "connected" (a disposition)
// or "no answer" (back in line after `callback.retry_minutes`, at most
// `callback.max_attempts` calls, then closed as unreachable). Staff routes:
// GET /api/v1/callbacks[/{id}], POST /api/v1/callbacks/{id}/done and
// …/no_answer. The chat side is reached through the FlowsModule (buttons
// "callback…", the phone number as text). In open hours a resident whose
// wait in the chat is long (`callback.offer_after_wait_seconds`) is offered
// the same; the callback then takes the chat's place in line
// (Core::replace_waiting). Each answer of the booking dialogue is stored
// (bot_flows, kind "callback"), so it survives a restart.
#pragma once

#include <map>
#include <set>
#include <unordered_map>

#include "centrala/api/module.hpp"
#include "centrala/bot/advisor.hpp"
#include "centrala/domain/callback.hpp"
#include "centrala/store/callback_store.hpp"
#include "centrala/store/flow_store.hpp"

namespace centrala::api {

class CallbackModule final : public Module {
public:
    explicit CallbackModule(ModuleContext& ctx);
    void add_routes(Router& router) override;
    Result<void> load() override;
    void tick() override;
    void on_routing(const routing::Events& events) override;

    // The chat's side (through the FlowsModule).
    bool active(int64_t chat_id) const { return dialogues_.count(chat_id) > 0; }
    static bool is_button(const std::string& value) { return value == "callback" || value.rfind("callback:", 0) == 0; }
    void on_button(int64_t chat_id, const std::string& value, const std::string& lang, const std::string& topic,
                   std::function<void(Result<void>)>& done);
    void on_text(int64_t chat_id, const std::string& text);
    void cancel(int64_t chat_id);
    // A dialogue stored before a restart (FlowsModule::load hands over the
    // bot_flows rows of kind "callback").
    static bool is_dialogue(const nlohmann::json& state) { return state.is_object() && state.value("kind", "") == "callback"; }
    void restore_dialogue(int64_t chat_id, const nlohmann::json& state);
    void on_resident_erased(const std::vector<int64_t>& chats, const std::vector<int64_t>& callbacks) override;
    // The queue that calls back about `topic`: one serving the topic with the
    // callback channel, else the one serving `other` if it has the channel.
    std::optional<std::string> queue_for(const std::string& topic) const;

private:
    struct Dialogue {
        enum class Stage { phone, window, confirm } stage = Stage::phone;
        std::string lang = "pl";
        std::string topic = "other";
        std::string queue;
        std::string phone;
        std::string resident_name, summary;  // as the advisor had them when the dialogue began
        std::vector<CallbackWindow> windows;
        int chosen = -1;  // index into windows; -1: as soon as possible
        bool in_line = false;  // begun while the chat waits in line: takes its place
        bool booking = false;
    };
    static nlohmann::json dialogue_json(const Dialogue& d);
    // Stores the dialogue's state, then asks its next question.
    void save_and_say(int64_t chat_id, std::string text, std::vector<bot::Button> buttons);
    void forget_dialogue(int64_t chat_id);
    void offer_while_waiting();
    void say(int64_t chat_id, const std::string& lang, const std::string& text, std::vector<bot::Button> buttons = {});
    void ask_window(int64_t chat_id, Dialogue& d);
    void ask_confirm(int64_t chat_id, Dialogue& d);
    void book(int64_t chat_id);
    std::string when_text(const Dialogue& d) const;
    nlohmann::json to_json(const store::CallbackRow& c) const;
    void persist(const store::CallbackRow& c);
    void push_to(const std::vector<routing::AgentId>& agents, const store::CallbackRow& c);

    void list(Call c);
    void get(Call c);
    void finish(Call c, bool connected);

    ModuleContext& ctx_;
    store::CallbackStore store_;  // only on the store worker (and in load)
    store::FlowStore flow_store_;  // the booking dialogues (bot_flows); store worker only
    std::unordered_map<int64_t, Dialogue> dialogues_;
    std::map<int64_t, store::CallbackRow> open_;  // not finished yet, by contact id
    std::set<int64_t> offered_while_waiting_;     // chats offered a callback in line (once each)
    SysTime next_wait_check_{};
};

}  // namespace centrala::api
