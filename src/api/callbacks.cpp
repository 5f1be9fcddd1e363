// Callbacks booked in the chat (see include/centrala/api/callbacks.hpp and
// docs/routing.md "Callbacks").
#include "centrala/api/callbacks.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "centrala/api/json_body.hpp"
#include "centrala/domain/appointments.hpp"
#include "centrala/domain/organisation.hpp"

namespace centrala::api {

using nlohmann::json;

namespace {

const std::string& text(const std::string& lang, const std::string& key) {
    static const std::map<std::string, std::map<std::string, std::string>> t = {
        {"ask_phone",
         {{"pl", "Podaj numer telefonu, pod który mamy oddzwonić (np. 600 100 200)."},
          {"en", "Please give the phone number we should call you back on (e.g. 600 100 200)."},
          {"uk", "Вкажіть номер телефону, на який нам передзвонити (напр. 600 100 200)."}}},
        {"bad_phone",
         {{"pl", "To nie wygląda na polski numer telefonu. Podaj 9 cyfr, np. 600 100 200."},
          {"en", "That does not look like a Polish phone number. Please give 9 digits, e.g. 600 100 200."},
          {"uk", "Це не схоже на польський номер телефону. Вкажіть 9 цифр, напр. 600 100 200."}}},
        {"ask_window",
         {{"pl", "Kiedy najlepiej zadzwonić? Wybierz porę."},
          {"en", "When is the best time to call? Choose one."},
          {"uk", "Коли краще зателефонувати? Виберіть час."}}},
        {"any", {{"pl", "Jak najszybciej"}, {"en", "As soon as possible"}, {"uk", "Якнайшвидше"}}},
        {"asap",
         {{"pl", "jak najszybciej, gdy konsultanci będą dostępni"},
          {"en", "as soon as a consultant is available"},
          {"uk", "якнайшвидше, щойно консультант буде доступний"}}},
        {"from", {{"pl", "od: "}, {"en", "from: "}, {"uk", "від: "}}},
        {"in_line",
         {{"pl", "gdy tylko konsultant będzie wolny — zachowujesz swoje miejsce w kolejce"},
          {"en", "as soon as a consultant is free — you keep your place in line"},
          {"uk", "щойно консультант звільниться — ви зберігаєте своє місце в черзі"}}},
        {"long_wait",
         {{"pl", "Na rozmowę trzeba dziś poczekać dłużej (około {min} min). Możesz zostać w kolejce albo poprosić o "
                 "oddzwonienie — konsultant zadzwoni, gdy przyjdzie Twoja kolej."},
          {"en", "The wait is longer today (about {min} min). You can stay in line or request a call back — a "
                 "consultant will call you when it is your turn."},
          {"uk", "Сьогодні чекати довше (близько {min} хв). Ви можете залишитися в черзі або замовити зворотний "
                 "дзвінок — консультант зателефонує, коли настане ваша черга."}}},
        {"callback_button",
         {{"pl", "Poproś o oddzwonienie"}, {"en", "Request a call back"}, {"uk", "Замовити зворотний дзвінок"}}},
        {"confirm",
         {{"pl", "Oddzwonimy na numer {phone}, termin: {when}. Potwierdzasz?"},
          {"en", "We will call you back on {phone}, time: {when}. Do you confirm?"},
          {"uk", "Ми передзвонимо на номер {phone}, час: {when}. Підтверджуєте?"}}},
        {"confirm_button", {{"pl", "Potwierdzam"}, {"en", "Confirm"}, {"uk", "Підтверджую"}}},
        {"cancel_button", {{"pl", "Anuluj"}, {"en", "Cancel"}, {"uk", "Скасувати"}}},
        {"booked",
         {{"pl", "Gotowe — prośba o oddzwonienie przyjęta. Konsultant zadzwoni na numer {phone}, termin: {when}. "
                 "Nie musisz czekać na czacie."},
          {"en", "Done — your call-back request is booked. A consultant will call {phone}, time: {when}. "
                 "You do not need to wait in the chat."},
          {"uk", "Готово — запит на зворотний дзвінок прийнято. Консультант зателефонує на номер {phone}, час: {when}. "
                 "Не потрібно чекати в чаті."}}},
        {"not_booked",
         {{"pl", "Nie udało się zapisać prośby o oddzwonienie. Spróbuj ponownie za chwilę."},
          {"en", "The call-back request could not be saved. Please try again in a moment."},
          {"uk", "Не вдалося зберегти запит на зворотний дзвінок. Спробуйте ще раз за хвилину."}}},
        {"cancelled",
         {{"pl", "Dobrze, nie zamawiam oddzwonienia."},
          {"en", "All right, no call back is booked."},
          {"uk", "Добре, зворотний дзвінок не замовлено."}}},
        {"unavailable",
         {{"pl", "W tej sprawie nie możemy oddzwonić. Możesz zostawić wiadomość."},
          {"en", "We cannot call back about this matter. You can leave a message."},
          {"uk", "У цій справі ми не можемо передзвонити. Ви можете залишити повідомлення."}}},
        {"made",
         {{"pl", "Konsultant oddzwonił — rozmowa telefoniczna się odbyła. Dziękujemy!"},
          {"en", "A consultant called you back. Thank you!"},
          {"uk", "Консультант вам передзвонив. Дякуємо!"}}},
        {"failed",
         {{"pl", "Nie udało się do Ciebie dodzwonić (prób: {n}). Napisz do nas ponownie, gdy będzie Ci wygodnie."},
          {"en", "We could not reach you by phone ({n} attempts). Please write to us again when it suits you."},
          {"uk", "Нам не вдалося до вас додзвонитися (спроб: {n}). Напишіть нам знову, коли вам буде зручно."}}},
    };
    const auto& by_lang = t.at(key);
    auto it = by_lang.find(lang);
    return it != by_lang.end() ? it->second : by_lang.at("pl");
}

std::string fill(std::string s, const std::string& key, const std::string& value) {
    if (auto pos = s.find(key); pos != std::string::npos) s.replace(pos, key.size(), value);
    return s;
}

// A Polish number: +48 and nine digits after normalising.
std::optional<std::string> polish_phone(const std::string& text) {
    auto p = normalize_phone(text);
    if (!p || p->size() != 12 || p->rfind("+48", 0) != 0) return std::nullopt;
    return p;
}

// "+48 600 100 200" for people.
std::string shown_phone(const std::string& p) {
    if (p.size() != 12) return p;
    return p.substr(0, 3) + " " + p.substr(3, 3) + " " + p.substr(6, 3) + " " + p.substr(9);
}

bool can_see(const Principal& who, const store::CallbackRow& c, const routing::Core& routing) {
    if (at_least(who.user.role, Role::supervisor)) return true;
    if (c.agent_id == who.user.id) return true;
    auto offer = routing.pending_offer(who.user.id);
    return offer && offer->contact == c.id;
}

}  // namespace

CallbackModule::CallbackModule(ModuleContext& ctx) : ctx_(ctx), store_(ctx.b.db), flow_store_(ctx.b.db) {}

namespace {
routing::ContactSpec spec_of(const store::CallbackRow& c) {
    routing::ContactSpec spec;
    spec.id = c.id;
    spec.channel = routing::Channel::callback;
    spec.topic = c.topic;
    spec.queue = c.queue;
    // Waits from when it became due, not from the booking the night before.
    spec.enqueued_at = c.queued_at != SysTime{} ? c.queued_at : c.created_at;
    spec.resident_name = c.resident_name;
    spec.summary = c.summary;
    return spec;
}
}  // namespace

void CallbackModule::add_routes(Router& router) {
    router.add("GET", "/api/v1/callbacks", Access::agent, [this](Call c) { list(std::move(c)); });
    router.add("GET", "/api/v1/callbacks/{id}", Access::agent, [this](Call c) { get(std::move(c)); });
    router.add("POST", "/api/v1/callbacks/{id}/done", Access::agent, [this](Call c) { finish(std::move(c), true); });
    router.add("POST", "/api/v1/callbacks/{id}/no_answer", Access::agent,
               [this](Call c) { finish(std::move(c), false); });
}

std::optional<std::string> CallbackModule::queue_for(const std::string& topic) const {
    const auto queues = ctx_.b.routing.queue_settings();
    auto serves = [](const QueueSettings& q) {
        return std::find(q.channels.begin(), q.channels.end(), "callback") != q.channels.end();
    };
    for (const auto& q : queues)
        if (serves(q) && std::find(q.topics.begin(), q.topics.end(), topic) != q.topics.end()) return q.id;
    auto other = ctx_.b.routing.queue_for_topic("other");
    if (!other) return std::nullopt;
    for (const auto& q : queues)
        if (q.id == *other && serves(q)) return q.id;
    return std::nullopt;
}

// ---- restart and the line --------------------------------------------------

Result<void> CallbackModule::load() {
    auto rows = store_.open();
    if (!rows) return rows.error();
    int restored = 0;
    for (auto& c : *rows) {
        if (c.state == "queued" || c.state == "active") {
            // Back in line with the original enqueue time (a call in progress
            // at the restart is offered again: the consultant starts offline).
            auto r = ctx_.b.routing.restore_waiting(spec_of(c));
            if (!r) {
                spdlog::warn("callback {} not restored to routing: {}", c.id, r.error().message);
                c.state = "scheduled";
            } else {
                c.state = "queued";
                ++restored;
            }
        }
        open_[c.id] = c;
    }
    if (!rows->empty()) spdlog::info("{} open callback(s), {} back in line", rows->size(), restored);
    return Ok{};
}

void CallbackModule::tick() {
    const auto now = ctx_.b.clock.now();
    if (now >= next_wait_check_) {
        next_wait_check_ = now + std::chrono::seconds(1);
        offer_while_waiting();
    }
    for (auto& [id, c] : open_) {
        if (c.state != "scheduled" || now < c.not_before || !ctx_.b.routing.is_open(c.queue)) continue;
        // Due now (its window began and the queue is open; ticks run a few
        // times a second): its wait counts from here.
        c.queued_at = now;
        auto r = ctx_.b.routing.enqueue(spec_of(c));
        if (!r) {
            spdlog::info("callback {} not queued yet: {}", c.id, r.error().message);
            c.not_before = now + std::chrono::minutes(1);
            c.queued_at = {};
            continue;
        }
        c.state = "queued";
        persist(c);
        ctx_.apply(*r);
        return;  // apply may have changed open_; the rest on the next tick
    }
}

void CallbackModule::on_routing(const routing::Events& events) {
    for (const auto& e : events) {
        switch (e.type) {
            case routing::EventType::contact_assigned:
                // A consultant took the chat: no call back is needed any more.
                if (dialogues_.count(e.contact) && dialogues_.at(e.contact).in_line && !dialogues_.at(e.contact).booking)
                    cancel(e.contact);
                [[fallthrough]];
            case routing::EventType::contact_abandoned:
            case routing::EventType::contact_closed:
            case routing::EventType::contact_replaced: offered_while_waiting_.erase(e.contact); break;
            default: break;
        }
        auto it = open_.find(e.contact);
        if (it == open_.end()) continue;
        auto& c = it->second;
        switch (e.type) {
            case routing::EventType::offer_created: push_to(e.agents, c); break;
            case routing::EventType::contact_assigned:
                c.state = "active";
                if (!e.agents.empty()) c.agent_id = e.agents.front();
                persist(c);
                push_to(e.agents, c);
                break;
            case routing::EventType::contact_transferred:
            case routing::EventType::contact_queued: {
                bool changed = false;
                if (!e.queue.empty() && e.queue != c.queue) {
                    c.queue = e.queue;
                    changed = e.type == routing::EventType::contact_transferred;
                }
                if (e.type == routing::EventType::contact_transferred && c.state == "active") {
                    // Back in line (its consultant went offline, or a transfer):
                    // attempts and window kept; the consultant's card goes.
                    c.state = "queued";
                    changed = true;
                    push_to(e.agents, c);
                }
                if (changed) persist(c);
                break;
            }
            default: break;
        }
    }
}

void CallbackModule::persist(const store::CallbackRow& c) {
    on_store_worker(ctx_, [this, c, now = ctx_.b.clock.now()] { return store_.save(c, now); },
                    [id = c.id](Result<void> r) {
                        if (!r) spdlog::error("callback {} not saved: {}", id, r.error().message);
                    });
}

json CallbackModule::to_json(const store::CallbackRow& c) const {
    json window = nullptr;
    if (c.window_from && c.window_to) {
        const LocalTime a = to_warsaw(*c.window_from), b = to_warsaw(*c.window_to);
        CallbackWindow w{*c.window_from, *c.window_to, a.date, a.minute_of_day, b.minute_of_day};
        window = {{"from", to_rfc3339(*c.window_from)},
                  {"to", to_rfc3339(*c.window_to)},
                  {"label", callback_window_label(w, ctx_.b.clock.now(), "pl")}};
    }
    return {{"id", std::to_string(c.id)},
            {"contact_id", std::to_string(c.id)},
            {"chat_id", c.chat_id ? json(std::to_string(c.chat_id)) : json(nullptr)},
            {"phone", c.phone},
            {"lang", c.lang},
            {"topic", c.topic},
            {"queue", c.queue},
            {"resident", {{"name", c.resident_name}}},
            {"summary", c.summary},
            {"window", window},
            {"not_before", to_rfc3339(c.not_before)},
            {"attempts", c.attempts},
            {"max_attempts", ctx_.opt.callback_max_attempts},
            {"state", c.state},
            {"agent_id", c.agent_id ? json(std::to_string(c.agent_id)) : json(nullptr)},
            {"disposition", c.disposition.empty() ? json(nullptr) : json(c.disposition)},
            {"created_at", to_rfc3339(c.created_at)}};
}

void CallbackModule::push_to(const std::vector<routing::AgentId>& agents, const store::CallbackRow& c) {
    const json frame = {{"type", "callback"}, {"callback", to_json(c)}};
    for (auto a : agents) ctx_.push_to_user(a, frame);
}

// ---- staff routes ----------------------------------------------------------

void CallbackModule::list(Call c) {
    json items = json::array();
    for (const auto& [id, cb] : open_)
        if (can_see(*c.who, cb, ctx_.b.routing)) items.push_back(to_json(cb));
    c.reply(Response::json(200, {{"items", items}, {"next", nullptr}}));
}

void CallbackModule::get(Call c) {
    auto id = parse_id(c.params["id"]);
    auto it = id ? open_.find(*id) : open_.end();
    if (it != open_.end()) {
        if (!can_see(*c.who, it->second, ctx_.b.routing))
            return c.reply(Response::error(404, "callback_not_found", "No such callback."));
        return c.reply(Response::json(200, to_json(it->second)));
    }
    if (!id || !at_least(c.who->user.role, Role::supervisor))
        return c.reply(Response::error(404, "callback_not_found", "No such callback."));
    // A finished one, for supervisors.
    on_store_worker(ctx_, [this, id = *id] { return store_.get(id); },
                    [this, reply = c.reply](Result<std::optional<store::CallbackRow>> r) {
                        if (!r) return reply(Response::error(r.error()));
                        if (!*r) return reply(Response::error(404, "callback_not_found", "No such callback."));
                        reply(Response::json(200, to_json(**r)));
                    });
}

void CallbackModule::finish(Call c, bool connected) {
    auto id = parse_id(c.params["id"]);
    auto it = id ? open_.find(*id) : open_.end();
    if (it == open_.end() || !can_see(*c.who, it->second, ctx_.b.routing))
        return c.reply(Response::error(404, "callback_not_found", "No such callback."));
    store::CallbackRow& cb = it->second;
    if (cb.state != "active" || (cb.agent_id != c.who->user.id && !at_least(c.who->user.role, Role::supervisor)))
        return c.reply(Response::error(409, "callback_not_active", "Accept the callback's offer first."));
    std::string disposition;
    if (connected) {
        auto body = json_body(c.request);
        if (!body) return c.reply(Response::error(body.error()));
        auto d = string_field(*body, "disposition", 1, 32);
        if (!d || !valid_topic(*d))
            return c.reply(Response::error(400, "invalid_field", "disposition must be one of the topic ids"));
        disposition = *d;
    }
    auto events = ctx_.b.routing.close(cb.id);
    if (!events) return c.reply(Response::error(events.error()));
    const auto now = ctx_.b.clock.now();
    std::string action;
    std::string chat_text;
    if (connected) {
        cb.state = "done";
        cb.disposition = disposition;
        action = "callback_done";
        chat_text = text(cb.lang, "made");
    } else {
        ++cb.attempts;
        if (cb.attempts >= ctx_.opt.callback_max_attempts) {
            cb.state = "unreachable";
            cb.disposition = "unreachable";
            action = "callback_unreachable";
            chat_text = fill(text(cb.lang, "failed"), "{n}", std::to_string(cb.attempts));
        } else {
            cb.state = "scheduled";  // back in line after the pause, with its original enqueue time
            cb.not_before = now + ctx_.opt.callback_retry;
            action = "callback_no_answer";
        }
    }
    const store::CallbackRow row = cb;
    if (row.state == "done" || row.state == "unreachable") open_.erase(it);
    ctx_.apply(*events);
    ctx_.audit(*c.who, action, "contact:" + std::to_string(row.id), c.request.remote_address,
               {{"attempts", row.attempts}, {"disposition", row.disposition}});
    on_store_worker(
        ctx_, [this, row, now] { return store_.save(row, now); },
        [this, row, chat_text, reply = c.reply](Result<void> r) {
            if (!r) {
                spdlog::error("callback {} outcome not saved: {}", row.id, r.error().message);
                return reply(Response::error(r.error()));
            }
            if (!chat_text.empty() && row.chat_id) ctx_.notify_chat(row.chat_id, chat_text);
            reply(Response::json(200, to_json(row)));
        });
}

// ---- offered while waiting, erasure ---------------------------------------

// In open hours: a resident in line whose estimated wait (the EWT of their
// `queue` frames) or wait so far reaches the threshold is offered a call
// back, once per chat. Not for a sign-language (PJM) chat or a message left
// for the office, and only when the chat's own queue takes callbacks (the
// callback takes the chat's place there).
void CallbackModule::offer_while_waiting() {
    const auto threshold = ctx_.opt.callback_offer_after_wait;
    if (threshold.count() <= 0 || !ctx_.waiting_chat_lang) return;
    const auto now = ctx_.b.clock.now();
    auto& core = ctx_.b.routing;
    for (const auto& q : core.queue_settings()) {
        if (std::find(q.channels.begin(), q.channels.end(), "callback") == q.channels.end() || !core.is_open(q.id))
            continue;
        for (const auto& p : core.places_in(q.id, routing::Channel::chat)) {
            if (offered_while_waiting_.count(p.contact) || dialogues_.count(p.contact)) continue;
            if (core.state_of(p.contact) != routing::ContactState::waiting) continue;
            auto spec = core.contact(p.contact);
            if (!spec || spec->needs_interpreter || spec->leave_message) continue;
            const auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - spec->enqueued_at.value_or(now));
            if (std::max<int64_t>(p.ewt_seconds, waited.count()) < threshold.count()) continue;
            auto lang = ctx_.waiting_chat_lang(p.contact);
            if (!lang) continue;
            offered_while_waiting_.insert(p.contact);
            const int minutes = std::max(1, (std::max<int>(p.ewt_seconds, 0) + 59) / 60);
            say(p.contact, *lang, fill(text(*lang, "long_wait"), "{min}", std::to_string(minutes)),
                {{text(*lang, "callback_button"), "callback"}});
        }
    }
}

// The resident's data is gone from the store; what is still open goes from
// memory too: the callback is not made (closed as unreachable with
// disposition "erased"), its consultant's card disappears, and a booking in
// progress in one of their chats ends.
void CallbackModule::on_resident_erased(const std::vector<int64_t>& chats, const std::vector<int64_t>& callbacks) {
    const auto now = ctx_.b.clock.now();
    // Those in line leave it first, so a consultant freed by closing one in
    // progress is not offered another of the same resident's meanwhile.
    std::vector<int64_t> ids;
    for (int64_t id : callbacks)
        if (open_.count(id)) ids.push_back(id);
    std::stable_partition(ids.begin(), ids.end(),
                          [&](int64_t id) { return ctx_.b.routing.state_of(id) != routing::ContactState::active; });
    for (int64_t id : ids) {
        auto it = open_.find(id);
        store::CallbackRow row = it->second;
        open_.erase(it);
        std::vector<routing::AgentId> told;
        if (row.agent_id && row.state == "active") told.push_back(row.agent_id);
        if (auto where = ctx_.b.routing.state_of(id)) {
            // Left before being called: the resident withdrew (abandoned); in a call: closed.
            auto ev = *where == routing::ContactState::active ? ctx_.b.routing.close(id) : ctx_.b.routing.abandon(id);
            if (ev) ctx_.apply(*ev);
            else spdlog::warn("callback {}: not taken out of routing: {}", id, ev.error().message);
        }
        row.phone = "[usunięto]";
        row.resident_name.clear();
        row.summary.clear();
        row.state = "unreachable";
        row.disposition = "erased";
        push_to(told, row);
        on_store_worker(ctx_, [this, row, now] { return store_.save(row, now); },
                        [id](Result<void> r) {
                            if (!r) spdlog::error("erased callback {} not closed: {}", id, r.error().message);
                        });
        ctx_.audit(std::nullopt, "callback_erased", "contact:" + std::to_string(id), "", json::object());
    }
    for (int64_t chat : chats)
        if (dialogues_.count(chat)) cancel(chat);
}

// ---- the chat's dialogue ---------------------------------------------------

void CallbackModule::say(int64_t chat_id, const std::string& lang, const std::string& t,
                         std::vector<bot::Button> buttons) {
    bot::Reply r;
    r.topic = "other";
    r.confidence = 1;
    r.language = bot::parse_lang(lang).value_or(bot::Lang::pl);
    r.text = t;
    r.buttons = std::move(buttons);
    ctx_.bot_say(chat_id, r);
}

json CallbackModule::dialogue_json(const Dialogue& d) {
    static const char* stages[] = {"phone", "window", "confirm"};
    json windows = json::array();
    for (const auto& w : d.windows) windows.push_back({to_unix_ms(w.from), to_unix_ms(w.to)});
    return {{"kind", "callback"},        {"stage", stages[int(d.stage)]}, {"lang", d.lang},
            {"topic", d.topic},          {"queue", d.queue},              {"phone", d.phone},
            {"resident_name", d.resident_name}, {"summary", d.summary},   {"windows", windows},
            {"chosen", d.chosen},        {"in_line", d.in_line}};
}

void CallbackModule::restore_dialogue(int64_t chat_id, const json& j) {
    Dialogue d;
    try {
        const std::string stage = j.at("stage").get<std::string>();
        d.stage = stage == "confirm" ? Dialogue::Stage::confirm
                  : stage == "window" ? Dialogue::Stage::window
                                      : Dialogue::Stage::phone;
        d.lang = j.value("lang", "pl");
        if (d.lang != "pl" && d.lang != "en" && d.lang != "uk") d.lang = "pl";
        d.topic = j.value("topic", "other");
        d.queue = j.value("queue", "");
        d.phone = j.value("phone", "");
        d.resident_name = j.value("resident_name", "");
        d.summary = j.value("summary", "");
        d.in_line = j.value("in_line", false);
        for (const auto& w : j.value("windows", json::array())) {
            const SysTime from = from_unix_ms(w.at(0).get<int64_t>()), to = from_unix_ms(w.at(1).get<int64_t>());
            const LocalTime a = to_warsaw(from), b = to_warsaw(to);
            d.windows.push_back({from, to, a.date, a.minute_of_day, b.minute_of_day});
        }
        d.chosen = j.value("chosen", -1);
    } catch (const json::exception&) {
        spdlog::warn("contact {}: stored callback dialogue unreadable, dropped", chat_id);
        return;
    }
    if (d.chosen >= int(d.windows.size()) || d.chosen < -1 || d.queue.empty() ||
        (d.stage != Dialogue::Stage::phone && !polish_phone(d.phone)))
        return;
    dialogues_[chat_id] = std::move(d);
}

void CallbackModule::save_and_say(int64_t chat_id, std::string t, std::vector<bot::Button> buttons) {
    auto it = dialogues_.find(chat_id);
    if (it == dialogues_.end()) return;
    const std::string lang = it->second.lang;
    on_store_worker(
        ctx_, [this, chat_id, state = dialogue_json(it->second).dump(), at = ctx_.b.clock.now()] {
            return flow_store_.save(chat_id, state, at);
        },
        [this, chat_id, lang, t = std::move(t), buttons = std::move(buttons)](Result<void> r) mutable {
            if (!r) spdlog::warn("contact {}: callback dialogue not stored: {}", chat_id, r.error().message);
            if (!dialogues_.count(chat_id)) return;  // cancelled meanwhile
            say(chat_id, lang, t, std::move(buttons));
        });
}

void CallbackModule::forget_dialogue(int64_t chat_id) {
    on_store_worker(ctx_, [this, chat_id] { return flow_store_.remove(chat_id); },
                    [chat_id](Result<void> r) {
                        if (!r) spdlog::warn("contact {}: callback dialogue not removed: {}", chat_id, r.error().message);
                    });
}

void CallbackModule::cancel(int64_t chat_id) {
    auto it = dialogues_.find(chat_id);
    if (it == dialogues_.end() || it->second.booking) return;
    dialogues_.erase(it);
    forget_dialogue(chat_id);
}

void CallbackModule::on_button(int64_t chat_id, const std::string& value, const std::string& lang,
                               const std::string& topic, std::function<void(Result<void>)>& done) {
    if (value == "callback") {
        if (auto cur = dialogues_.find(chat_id); cur != dialogues_.end() && cur->second.booking)
            return done(Error::conflict("callback_booking", "The call-back request is being saved."));
        auto& core = ctx_.b.routing;
        const auto where = core.state_of(chat_id);
        if (where == routing::ContactState::active)
            return done(Error::conflict("bot_inactive", "A consultant is taking care of this conversation now."));
        Dialogue d;
        d.lang = lang;
        d.topic = topic;
        std::optional<std::string> queue;
        if (where) {
            // Waiting in line: the callback takes the chat's place in its queue.
            d.in_line = true;
            if (auto spec = core.contact(chat_id); spec && valid_topic(spec->topic)) d.topic = spec->topic;
            auto q = core.queue_of(chat_id);
            for (const auto& s : core.queue_settings())
                if (q && s.id == *q &&
                    std::find(s.channels.begin(), s.channels.end(), "callback") != s.channels.end())
                    queue = *q;
        } else {
            queue = queue_for(topic);
        }
        if (!queue) {
            say(chat_id, lang, text(lang, "unavailable"));
            return done(Ok{});
        }
        d.queue = *queue;
        // What the advisor learnt so far (before the phone number is typed).
        if (ctx_.chat_summary)
            if (auto sum = ctx_.chat_summary(chat_id, valid_topic(d.topic) ? d.topic : "other")) {
                d.resident_name = sum->first;
                d.summary = sum->second;
            }
        if (d.in_line)
            if (auto spec = core.contact(chat_id); spec && !spec->summary.empty()) d.summary = spec->summary;
        dialogues_[chat_id] = d;
        save_and_say(chat_id, text(lang, "ask_phone"), {{text(lang, "cancel_button"), "callback:cancel"}});
        return done(Ok{});
    }
    auto it = dialogues_.find(chat_id);
    if (it == dialogues_.end())
        return done(Error::conflict("no_callback", "There is no call-back request in progress in this chat."));
    Dialogue& d = it->second;
    if (d.booking) return done(Error::conflict("callback_booking", "The call-back request is being saved."));
    if (value == "callback:cancel") {
        const std::string l = d.lang;
        cancel(chat_id);
        say(chat_id, l, text(l, "cancelled"));
        return done(Ok{});
    }
    if (d.stage == Dialogue::Stage::window && (value == "callback:any" || value.rfind("callback:w:", 0) == 0)) {
        if (value == "callback:any") d.chosen = -1;
        else {
            auto n = parse_id(value.substr(11));
            if (value.substr(11) == "0") n = 0;
            if (!n || *n >= int64_t(d.windows.size()))
                return done(Error::invalid("invalid_field", "value is not a button of the assistant"));
            d.chosen = int(*n);
        }
        ask_confirm(chat_id, d);
        return done(Ok{});
    }
    if (d.stage == Dialogue::Stage::confirm && value == "callback:confirm") {
        book(chat_id);
        return done(Ok{});
    }
    done(Error::conflict("no_callback", "That button belongs to an earlier question."));
}

void CallbackModule::on_text(int64_t chat_id, const std::string& t) {
    auto it = dialogues_.find(chat_id);
    if (it == dialogues_.end() || it->second.booking) return;
    Dialogue& d = it->second;
    if (d.stage != Dialogue::Stage::phone) {
        // Text while buttons are expected: the question again.
        if (d.stage == Dialogue::Stage::window) return ask_window(chat_id, d);
        return ask_confirm(chat_id, d);
    }
    auto phone = polish_phone(t);
    if (!phone) {
        say(chat_id, d.lang, text(d.lang, "bad_phone"), {{text(d.lang, "cancel_button"), "callback:cancel"}});
        return;
    }
    d.phone = *phone;
    // In line the call comes when it is the resident's turn: no window to choose.
    if (d.in_line) return ask_confirm(chat_id, d);
    ask_window(chat_id, d);
}

void CallbackModule::ask_window(int64_t chat_id, Dialogue& d) {
    d.stage = Dialogue::Stage::window;
    d.windows.clear();
    std::string hours;
    for (const auto& q : ctx_.b.routing.queue_settings())
        if (q.id == d.queue) hours = q.hours;
    if (auto s = ctx_.opt.schedules.find(hours); s != ctx_.opt.schedules.end())
        d.windows = callback_windows(s->second, ctx_.opt.holidays, ctx_.b.clock.now(), ctx_.opt.callback_window_minutes, 4);
    std::vector<bot::Button> buttons;
    for (size_t i = 0; i < d.windows.size(); ++i)
        buttons.push_back({callback_window_label(d.windows[i], ctx_.b.clock.now(), d.lang), "callback:w:" + std::to_string(i)});
    buttons.push_back({text(d.lang, "any"), "callback:any"});
    buttons.push_back({text(d.lang, "cancel_button"), "callback:cancel"});
    save_and_say(chat_id, text(d.lang, "ask_window"), std::move(buttons));
}

std::string CallbackModule::when_text(const Dialogue& d) const {
    const auto now = ctx_.b.clock.now();
    if (d.in_line) return text(d.lang, "in_line");
    if (d.chosen >= 0) return callback_window_label(d.windows[size_t(d.chosen)], now, d.lang);
    std::string s = text(d.lang, "asap");
    if (!ctx_.b.routing.is_open(d.queue) && !d.windows.empty()) {
        const auto& w = d.windows.front();
        const std::string label = callback_window_label(w, now, d.lang);
        s += " (" + text(d.lang, "from") + label.substr(0, label.find("–")) + ")";
    }
    return s;
}

void CallbackModule::ask_confirm(int64_t chat_id, Dialogue& d) {
    d.stage = Dialogue::Stage::confirm;
    save_and_say(chat_id, fill(fill(text(d.lang, "confirm"), "{phone}", shown_phone(d.phone)), "{when}", when_text(d)),
                 {{text(d.lang, "confirm_button"), "callback:confirm"}, {text(d.lang, "cancel_button"), "callback:cancel"}});
}

void CallbackModule::book(int64_t chat_id) {
    auto it = dialogues_.find(chat_id);
    if (it == dialogues_.end()) return;
    Dialogue& d = it->second;
    const auto now = ctx_.b.clock.now();
    auto& core = ctx_.b.routing;
    // Still in line? Then the callback takes the chat's place (and its wait).
    const auto where = core.state_of(chat_id);
    if (where == routing::ContactState::active) {
        // A consultant took the chat meanwhile: nothing to book.
        dialogues_.erase(it);
        forget_dialogue(chat_id);
        return;
    }
    const bool replace = d.in_line && where.has_value();
    d.booking = true;
    store::CallbackRow row;
    row.chat_id = chat_id;
    row.phone = d.phone;
    row.lang = d.lang;
    row.topic = valid_topic(d.topic) ? d.topic : "other";
    row.queue = d.queue;
    row.resident_name = d.resident_name;
    row.summary = d.summary;
    if (d.chosen >= 0) {
        row.window_from = d.windows[size_t(d.chosen)].from;
        row.window_to = d.windows[size_t(d.chosen)].to;
    }
    row.not_before = row.window_from ? std::max(now, *row.window_from) : now;
    row.state = "scheduled";
    row.created_at = now;
    if (replace) {
        auto spec = core.contact(chat_id);
        row.state = "queued";
        row.queued_at = spec && spec->enqueued_at ? *spec->enqueued_at : now;
    }
    const std::string when = when_text(d);
    on_store_worker(
        ctx_,
        [this, row, chat_id, replace]() -> Result<int64_t> {
            auto id = store_.create(row, replace ? chat_id : 0);
            if (!id) return id;
            if (auto r = flow_store_.remove(chat_id); !r)
                spdlog::warn("contact {}: callback dialogue not removed: {}", chat_id, r.error().message);
            return id;
        },
        [this, chat_id, row, when, replace](Result<int64_t> r) mutable {
            auto it = dialogues_.find(chat_id);
            const std::string lang = row.lang;
            if (it != dialogues_.end()) dialogues_.erase(it);
            if (!r) {
                spdlog::error("contact {}: callback not booked: {}", chat_id, r.error().message);
                say(chat_id, lang, text(lang, "not_booked"));
                return;
            }
            row.id = *r;
            bool took_place = false;
            if (replace) {
                // The chat leaves the line without being abandoned; the callback
                // continues its queue entry (docs/metrics.md).
                auto ev = ctx_.b.routing.replace_waiting(chat_id, spec_of(row));
                if (ev) {
                    took_place = true;
                    open_[row.id] = row;
                    if (ctx_.chat_back_to_advisor) ctx_.chat_back_to_advisor(chat_id);
                    ctx_.apply(*ev);
                } else {
                    // Answered or gone meanwhile: an ordinary callback, due now.
                    spdlog::info("contact {}: callback {} could not take the chat's place: {}", chat_id, row.id,
                                 ev.error().message);
                }
            }
            if (!took_place) {
                row.state = "scheduled";
                row.queued_at = {};
                open_[row.id] = row;
                if (replace) persist(row);
            }
            ctx_.audit(std::nullopt, "callback_booked", "contact:" + std::to_string(row.id), "",
                       {{"chat_id", std::to_string(chat_id)}, {"queue", row.queue}, {"in_line", took_place}});
            ctx_.note_to_chat(chat_id, "Zamówiono oddzwonienie: " + shown_phone(row.phone) + ", termin: " + when +
                                           " (kontakt " + std::to_string(row.id) + ").");
            say(chat_id, lang, fill(fill(text(lang, "booked"), "{phone}", shown_phone(row.phone)), "{when}", when));
        });
}

}  // namespace centrala::api
