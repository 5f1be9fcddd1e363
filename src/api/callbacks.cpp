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

CallbackModule::CallbackModule(ModuleContext& ctx) : ctx_(ctx), store_(ctx.b.db) {}

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
            routing::ContactSpec spec;
            spec.id = c.id;
            spec.channel = routing::Channel::callback;
            spec.topic = c.topic;
            spec.queue = c.queue;
            spec.enqueued_at = c.created_at;
            spec.resident_name = c.resident_name;
            spec.summary = c.summary;
            auto r = ctx_.b.routing.restore_waiting(spec);
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
    for (auto& [id, c] : open_) {
        if (c.state != "scheduled" || now < c.not_before || !ctx_.b.routing.is_open(c.queue)) continue;
        routing::ContactSpec spec;
        spec.id = c.id;
        spec.channel = routing::Channel::callback;
        spec.topic = c.topic;
        spec.queue = c.queue;
        spec.enqueued_at = c.created_at;  // waits in line from when it was booked
        spec.resident_name = c.resident_name;
        spec.summary = c.summary;
        auto r = ctx_.b.routing.enqueue(spec);
        if (!r) {
            spdlog::info("callback {} not queued yet: {}", c.id, r.error().message);
            c.not_before = now + std::chrono::minutes(1);
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
            case routing::EventType::contact_queued:
                if (!e.queue.empty() && e.queue != c.queue) {
                    c.queue = e.queue;
                    if (e.type == routing::EventType::contact_transferred) persist(c);
                }
                break;
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

void CallbackModule::on_button(int64_t chat_id, const std::string& value, const std::string& lang,
                               const std::string& topic, std::function<void(Result<void>)>& done) {
    if (value == "callback") {
        auto queue = queue_for(topic);
        if (!queue) {
            say(chat_id, lang, text(lang, "unavailable"));
            return done(Ok{});
        }
        Dialogue d;
        d.lang = lang;
        d.topic = topic;
        d.queue = *queue;
        // What the advisor learnt so far (before the phone number is typed).
        if (ctx_.chat_summary)
            if (auto sum = ctx_.chat_summary(chat_id, valid_topic(topic) ? topic : "other")) {
                d.resident_name = sum->first;
                d.summary = sum->second;
            }
        dialogues_[chat_id] = d;
        say(chat_id, lang, text(lang, "ask_phone"), {{text(lang, "cancel_button"), "callback:cancel"}});
        return done(Ok{});
    }
    auto it = dialogues_.find(chat_id);
    if (it == dialogues_.end())
        return done(Error::conflict("no_callback", "There is no call-back request in progress in this chat."));
    Dialogue& d = it->second;
    if (d.booking) return done(Error::conflict("callback_booking", "The call-back request is being saved."));
    if (value == "callback:cancel") {
        const std::string l = d.lang;
        dialogues_.erase(it);
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
    say(chat_id, d.lang, text(d.lang, "ask_window"), std::move(buttons));
}

std::string CallbackModule::when_text(const Dialogue& d) const {
    const auto now = ctx_.b.clock.now();
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
    say(chat_id, d.lang,
        fill(fill(text(d.lang, "confirm"), "{phone}", shown_phone(d.phone)), "{when}", when_text(d)),
        {{text(d.lang, "confirm_button"), "callback:confirm"}, {text(d.lang, "cancel_button"), "callback:cancel"}});
}

void CallbackModule::book(int64_t chat_id) {
    auto it = dialogues_.find(chat_id);
    if (it == dialogues_.end()) return;
    Dialogue& d = it->second;
    d.booking = true;
    const auto now = ctx_.b.clock.now();
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
    const std::string when = when_text(d);
    on_store_worker(
        ctx_, [this, row] { return store_.create(row); },
        [this, chat_id, row, when](Result<int64_t> r) mutable {
            auto it = dialogues_.find(chat_id);
            const std::string lang = row.lang;
            if (it != dialogues_.end()) dialogues_.erase(it);
            if (!r) {
                spdlog::error("contact {}: callback not booked: {}", chat_id, r.error().message);
                say(chat_id, lang, text(lang, "not_booked"));
                return;
            }
            row.id = *r;
            open_[row.id] = row;
            ctx_.audit(std::nullopt, "callback_booked", "contact:" + std::to_string(row.id), "",
                       {{"chat_id", std::to_string(chat_id)}, {"queue", row.queue}});
            ctx_.note_to_chat(chat_id, "Zamówiono oddzwonienie: " + shown_phone(row.phone) + ", termin: " + when +
                                           " (kontakt " + std::to_string(row.id) + ").");
            say(chat_id, lang, fill(fill(text(lang, "booked"), "{phone}", shown_phone(row.phone)), "{when}", when));
        });
}

}  // namespace centrala::api
