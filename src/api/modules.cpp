// Which feature modules the Api runs, and the few Api services they use.
#include "centrala/api/canned.hpp"
#include "centrala/api/history.hpp"
#include "centrala/api/appointments.hpp"
#include "centrala/api/bot.hpp"
#include "centrala/api/module.hpp"
#include "centrala/api/tickets.hpp"

namespace centrala::api {

void Api::add_modules() {
    // One line per module: modules_.push_back(std::make_unique<X>(*module_ctx_));
    modules_.push_back(std::make_unique<CannedModule>(*module_ctx_));
    modules_.push_back(std::make_unique<HistoryModule>(*module_ctx_));
    modules_.push_back(std::make_unique<AppointmentsModule>(*module_ctx_));
    modules_.push_back(std::make_unique<BotModule>(*module_ctx_, bot_));
    modules_.push_back(std::make_unique<TicketsModule>(*module_ctx_));
}

bool Api::post_to_open_chat(int64_t contact_id, const std::string& text, bool internal) {
    LiveChat* chat = live_chat(contact_id);
    if (!chat || chat->row.state == "closed") return false;
    post_system(contact_id, "system", text, nullptr, internal);
    return true;
}

}  // namespace centrala::api
