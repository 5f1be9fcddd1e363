// Which feature modules the Api runs, and the few Api services they use.
#include "centrala/api/callbacks.hpp"
#include "centrala/api/canned.hpp"
#include "centrala/api/history.hpp"
#include "centrala/api/appointments.hpp"
#include "centrala/api/bot.hpp"
#include "centrala/api/flows.hpp"
#include "centrala/api/module.hpp"
#include "centrala/api/tickets.hpp"
#include "centrala/api/wallboard.hpp"

namespace centrala::api {

void Api::add_modules() {
    module_ctx_->apply = [this](const routing::Events& e) { apply(e); };
    module_ctx_->push_to_user = [this](int64_t user, const nlohmann::json& frame) { push_to_user(user, frame); };
    module_ctx_->push_to_supervisors = [this](const nlohmann::json& frame) {
        std::shared_ptr<const std::string> payload;
        for (auto& [sid, sock] : sockets_) {
            if (!sock->who_) continue;
            const User* now = directory_.find(sock->who_->user.id);
            if (!now || !now->active || !at_least(now->role, Role::supervisor)) continue;
            if (!payload) payload = std::make_shared<const std::string>(frame.dump());
            sock->peer_.send(payload);
        }
    };
    module_ctx_->stats_changed = [this] { stats_dirty_ = true; };
    module_ctx_->staff_note = [this](int64_t contact_id, const Principal& who, const std::string& text,
                                     std::function<void(Result<nlohmann::json>)> done) {
        LiveChat* chat = live_chat(contact_id);
        if (!chat || chat->row.state == "closed")
            return done(Error::not_found("contact_not_found", "No open conversation with that id."));
        store::NewMessage m{contact_id, "agent", who.user.id, who.user.display_name, text, true, "", "",
                            b_.clock.now()};
        store_message(std::move(m), [this, done](Result<store::StoredMessage> r) {
            if (!r) return done(r.error());
            deliver(*r);  // internal: the staff on the chat only
            done(nlohmann::json{{"id", std::to_string(r->id)},
                                {"contact_id", std::to_string(r->contact_id)},
                                {"author", {{"kind", "agent"}, {"name", r->author_name}, {"id", std::to_string(r->author_id)}}},
                                {"text", r->body},
                                {"internal", true},
                                {"created_at", to_rfc3339(r->created_at)}});
        });
    };
    module_ctx_->bot_say = [this](int64_t contact_id, const bot::Reply& reply) { post_bot(contact_id, reply); };
    module_ctx_->chat_summary = [this](int64_t contact_id, const std::string& topic)
        -> std::optional<std::pair<std::string, std::string>> {
        LiveChat* chat = live_chat(contact_id);
        if (!chat || chat->row.state == "closed") return std::nullopt;
        return std::make_pair(chat->row.resident_name, handoff_summary(*chat, HandoffReason::asked, topic, true));
    };
    module_ctx_->waiting_chat_lang = [this](int64_t contact_id) -> std::optional<std::string> {
        LiveChat* chat = live_chat(contact_id);
        if (!chat || chat->ending || (chat->row.state != "waiting" && chat->row.state != "queueing")) return std::nullopt;
        return chat->bot_lang.empty() ? chat->row.lang : chat->bot_lang;
    };
    module_ctx_->chat_back_to_advisor = [this](int64_t contact_id) {
        LiveChat* chat = live_chat(contact_id);
        if (!chat || (chat->row.state != "waiting" && chat->row.state != "queueing")) return;
        chat->row.state = "bot";
        chat->row.enqueued_at.reset();
        for (auto* r : chat->residents) r->send({{"type", "state"}, {"state", "bot"}});
    };
    module_ctx_->resident_erased = [this](const std::vector<int64_t>& chats, const std::vector<int64_t>& callbacks) {
        // The chats end first, so no module reads their data while dropping its own.
        end_erased_chats(chats);
        for (auto& m : modules_) m->on_resident_erased(chats, callbacks);
    };
    module_ctx_->chat_bot = &bot_;
    // One line per module: modules_.push_back(std::make_unique<X>(*module_ctx_));
    modules_.push_back(std::make_unique<CannedModule>(*module_ctx_));
    modules_.push_back(std::make_unique<HistoryModule>(*module_ctx_));
    modules_.push_back(std::make_unique<AppointmentsModule>(*module_ctx_));
    modules_.push_back(std::make_unique<BotModule>(*module_ctx_, bot_));
    auto tickets = std::make_unique<TicketsModule>(*module_ctx_);
    auto callbacks = std::make_unique<CallbackModule>(*module_ctx_);
    // The advisor's report and leave-a-message dialogues file cases through the
    // tickets module; its callback dialogue books callbacks.
    modules_.push_back(std::make_unique<FlowsModule>(*module_ctx_, *tickets, callbacks.get()));
    modules_.push_back(std::move(callbacks));
    modules_.push_back(std::move(tickets));
    modules_.push_back(std::make_unique<WallboardModule>(*module_ctx_));
}

// A resident's map point for the report in progress (the `location` frame).
Result<void> Api::resident_location(int64_t chat_id, const nlohmann::json& frame) {
    LiveChat* chat = live_chat(chat_id);
    if (!chat || chat->row.state == "closed") return Error::conflict("chat_closed", "This conversation has ended.");
    if (chat->row.state != "bot" || !bot_.flows)
        return Error::conflict("no_report", "There is no report in progress in this chat.");
    if (!frame.contains("lat") || !frame.contains("lon") || !frame["lat"].is_number() || !frame["lon"].is_number())
        return Error::invalid("invalid_location", "lat and lon are required numbers");
    if (auto ok = check_rate(*chat); !ok) return ok;
    return bot_.flows->on_location(chat_id, frame["lat"].get<double>(), frame["lon"].get<double>());
}

bool Api::post_to_open_chat(int64_t contact_id, const std::string& text, bool internal) {
    LiveChat* chat = live_chat(contact_id);
    if (!chat || chat->row.state == "closed") return false;
    post_system(contact_id, "system", text, nullptr, internal);
    return true;
}

}  // namespace centrala::api
