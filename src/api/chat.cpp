// Resident chat: the public chat API, the /ws/chat protocol, the staff side of
// conversations, and how routing events become pushes. One place decides who
// receives a message (deliver): internal notes never reach a resident.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "centrala/api/api.hpp"
#include "centrala/api/json_body.hpp"
#include "centrala/bot/advisor.hpp"
#include "centrala/api/module.hpp"
#include "centrala/crypto/crypto.hpp"
#include "store_calls.hpp"

namespace centrala::api {

using nlohmann::json;

namespace {

std::optional<int64_t> id_field(const json& frame, const char* name) {
    if (!frame.contains(name)) return std::nullopt;
    const auto& v = frame[name];
    if (v.is_string()) return parse_id(v.get<std::string>());
    if (v.is_number_integer() && v.get<int64_t>() > 0) return v.get<int64_t>();
    return std::nullopt;
}

bool valid_utf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const size_t extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 4;
        if (extra == 4 || i + extra >= s.size() + (extra == 0 ? 1 : 0)) return false;
        for (size_t k = 1; k <= extra; ++k)
            if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += extra + 1;
    }
    return true;
}

json message_json(const store::StoredMessage& m, bool for_staff) {
    json j = {{"id", std::to_string(m.id)},
              {"author", {{"kind", m.author_kind}, {"name", m.author_name}}},
              {"text", m.body},
              {"created_at", to_rfc3339(m.created_at)}};
    if (!m.buttons.empty()) j["buttons"] = json::parse(m.buttons, nullptr, false);
    if (!m.links.empty()) j["links"] = json::parse(m.links, nullptr, false);
    if (m.author_kind == "bot" && !m.bot_topic.empty()) {
        // Contract §6a: what the advisor understood, and how sure it was.
        j["topic"] = m.bot_topic;
        j["confidence"] = std::max(0, m.bot_confidence) / 1000.0;
        if (for_staff && !m.bot_answer.empty()) j["answer"] = m.bot_answer;
    }
    if (for_staff) {
        j["contact_id"] = std::to_string(m.contact_id);
        j["internal"] = m.internal;
        if (m.author_kind == "agent") j["author"]["id"] = std::to_string(m.author_id);
        if (!m.client_msg_id.empty()) j["client_msg_id"] = m.client_msg_id;
    }
    return j;
}

json contact_json(const store::ContactRow& c) {
    json agents = json::array();
    for (auto a : c.agents) agents.push_back(std::to_string(a));
    return {{"id", std::to_string(c.id)},
            {"channel", c.channel},
            {"state", c.state},
            {"topic", c.topic},
            {"queue", c.queue.empty() ? json(nullptr) : json(c.queue)},
            {"lang", c.lang},
            {"resident", {{"name", c.resident_name}}},
            {"needs_interpreter", c.needs_interpreter},
            {"priority", c.priority},
            {"agents", agents},
            {"created_at", to_rfc3339(c.created_at)},
            {"enqueued_at", c.enqueued_at ? json(to_rfc3339(*c.enqueued_at)) : json(nullptr)},
            {"assigned_at", c.assigned_at ? json(to_rfc3339(*c.assigned_at)) : json(nullptr)},
            {"closed_at", c.closed_at ? json(to_rfc3339(*c.closed_at)) : json(nullptr)},
            {"disposition", c.disposition.empty() ? json(nullptr) : json(c.disposition)},
            {"summary", c.summary},
            {"left_message_at", c.left_message_at ? json(to_rfc3339(*c.left_message_at)) : json(nullptr)}};
}

// An advisor reply as a stored bot message.
store::NewMessage bot_message(int64_t chat_id, const bot::Reply& r, SysTime at) {
    store::NewMessage m;
    m.contact_id = chat_id;
    m.author_kind = "bot";
    m.author_name = "Asystent";
    m.body = r.text;
    json buttons = json::array(), links = json::array();
    for (const auto& b : r.buttons) buttons.push_back({{"label", b.label}, {"value", b.value}});
    for (const auto& l : r.links) links.push_back({{"label", l.label}, {"url", l.url}});
    if (!buttons.empty()) m.buttons = buttons.dump();
    if (!links.empty()) m.links = links.dump();
    m.bot_topic = r.topic;
    m.bot_confidence = int(std::lround(std::clamp(r.confidence, 0.0, 1.0) * 1000));
    m.bot_answer = r.answer;
    m.created_at = at;
    return m;
}

bot::Lang lang_of(const std::string& code) { return bot::parse_lang(code).value_or(bot::Lang::pl); }

// The resident asked for a person: the advisor's best topic is `human`, or
// `human` has strong evidence of its own beside the matter ("poproszę
// konsultanta w sprawie podatku" is a taxes question and a request for a
// person). Strong: score / (score + strength_k) of at least 0.7, about one
// handoff keyword with a matching phrasing.
bool asks_for_person(const bot::Reply& r, const bot::Advisor& advisor) {
    if (r.topic == "human") return true;
    if (r.clarify) return false;
    const double k = advisor.knowledge().nlu.strength_k;
    for (const auto& t : r.ranking)
        if (t.topic == "human" && t.score / (t.score + k) >= 0.7) return true;
    return false;
}

// At most `max_bytes` bytes (cut on a character boundary), with an ellipsis when cut.
std::string cut(const std::string& s, size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    return std::string(bot::utf8_truncate(s, max_bytes)) + "…";
}

// The resident's view of the chat state.
std::string public_state(const std::string& s) {
    if (s == "abandoned") return "closed";
    if (s == "queueing") return "waiting";
    return s;
}

const std::map<std::string, std::map<std::string, std::string>>& texts() {
    static const std::map<std::string, std::map<std::string, std::string>> t = {
        {"unsure_handoff",
         {{"pl", "Nie jestem pewien, o jaką sprawę chodzi, więc przekazuję rozmowę konsultantowi."},
          {"en", "I am not sure what your matter is, so I am passing the conversation to a consultant."},
          {"uk", "Я не впевнений, про яку справу йдеться, тому передаю розмову консультантові."}}},
        {"closed_hours",
         {{"pl", "Konsultanci są teraz niedostępni (poza godzinami pracy)."},
          {"en", "Our consultants are not available now (outside opening hours)."},
          {"uk", "Консультанти зараз недоступні (поза робочими годинами)."}}},
        {"opens_at", {{"pl", "Będą dostępni: "}, {"en", "They will be available: "}, {"uk", "Вони будуть доступні: "}}},
        {"leave_message_offer",
         {{"pl", "Możesz zostawić wiadomość: zarejestruję ją jako sprawę dla właściwego wydziału i podam Ci jej numer, "
                 "a status i odpowiedź sprawdzisz na stronie /sprawa."},
          {"en", "You can leave a message: I will register it as a case for the right department and give you its number; "
                 "check the status and the reply on the /sprawa page."},
          {"uk", "Ви можете залишити повідомлення: я зареєструю його як справу для відповідного відділу й дам вам її номер, "
                 "а статус і відповідь можна перевірити на сторінці /sprawa."}}},
        {"leave_message_button",
         {{"pl", "Zostaw wiadomość"}, {"en", "Leave a message"}, {"uk", "Залишити повідомлення"}}},
        {"report_offer",
         {{"pl", "Problem możesz zgłosić od razu: zgłoszenie trafi do właściwych służb, a ja podam Ci jego numer."},
          {"en", "You can report the problem right now: the report goes to the right service and I will give you its number."},
          {"uk", "Про проблему можна повідомити вже зараз: звернення потрапить до відповідних служб, а я дам вам його номер."}}},
        {"callback_button",
         {{"pl", "Poproś o oddzwonienie"}, {"en", "Request a call back"}, {"uk", "Замовити зворотний дзвінок"}}},
        {"report_button", {{"pl", "Zgłoś problem"}, {"en", "Report the problem"}, {"uk", "Повідомити про проблему"}}},
        {"left_message",
         {{"pl", "Dziękuję. Rozmowa czeka w kolejce na konsultanta. Opisz tu swoją sprawę — konsultant przeczyta wszystko, co napiszesz."},
          {"en", "Thank you. The conversation is waiting in line for a consultant. Describe your matter here — the consultant will read everything you write."},
          {"uk", "Дякую. Розмова чекає в черзі на консультанта. Опишіть тут свою справу — консультант прочитає все, що ви напишете."}}},
        {"greeting_closed",
         {{"pl", "Konsultanci są teraz poza godzinami pracy; ja odpowiadam całą dobę."},
          {"en", "Our consultants are outside their working hours now; I answer around the clock."},
          {"uk", "Консультанти зараз поза робочими годинами; я відповідаю цілодобово."}}},
        {"no_queue",
         {{"pl", "Nie mogę teraz połączyć z konsultantem. Spróbuj ponownie za kilka minut."},
          {"en", "I cannot connect you to a consultant right now. Please try again in a few minutes."},
          {"uk", "Зараз я не можу з'єднати вас із консультантом. Спробуйте ще раз за кілька хвилин."}}},
        {"today", {{"pl", "dziś"}, {"en", "today"}, {"uk", "сьогодні"}}},
        {"tomorrow", {{"pl", "jutro"}, {"en", "tomorrow"}, {"uk", "завтра"}}},
        {"queued",
         {{"pl", "Łączę z konsultantem. Proszę chwilę poczekać — pozycję w kolejce widać nad rozmową."},
          {"en", "Connecting you to a consultant. Please wait a moment — your place in the queue is shown above."},
          {"uk", "З'єдную з консультантом. Будь ласка, зачекайте — ваше місце в черзі показано вгорі."}}},
        {"queue_full",
         {{"pl", "Wszyscy konsultanci są zajęci, a kolejka jest pełna. Spróbuj ponownie za kilka minut."},
          {"en", "All consultants are busy and the queue is full. Please try again in a few minutes."},
          {"uk", "Усі консультанти зайняті, черга заповнена. Спробуйте ще раз за кілька хвилин."}}},
        {"joined", {{"pl", "Do rozmowy dołączył(a): "}, {"en", "Joined the conversation: "}, {"uk", "До розмови приєднався(лася): "}}},
        {"transferred",
         {{"pl", "Przekazuję rozmowę do właściwego wydziału. Proszę chwilę poczekać."},
          {"en", "I am passing the conversation to the right department. Please wait a moment."},
          {"uk", "Передаю розмову до відповідного відділу. Будь ласка, зачекайте."}}},
        {"requeued",
         {{"pl", "Konsultant rozłączył się. Łączę z kolejną osobą — Twoje miejsce w kolejce zostaje zachowane."},
          {"en", "The consultant was disconnected. Connecting you to someone else — you keep your place in the queue."},
          {"uk", "Консультант від'єднався. З'єдную з іншою людиною — ваше місце в черзі збережено."}}},
        {"closed",
         {{"pl", "Rozmowa została zakończona. Dziękujemy! Prosimy o ocenę rozmowy."},
          {"en", "The conversation has ended. Thank you! Please rate it."},
          {"uk", "Розмову завершено. Дякуємо! Будь ласка, оцініть її."}}},
        {"resident_ended", {{"pl", "Mieszkaniec zakończył rozmowę."}, {"en", "The resident ended the conversation."},
                            {"uk", "Мешканець завершив розмову."}}},
        {"rating_asked",
         {{"pl", "Konsultant prosi o ocenę tej rozmowy (1–5). Rozmowa może trwać dalej."},
          {"en", "The consultant asks you to rate this conversation (1–5). You can keep writing."},
          {"uk", "Консультант просить оцінити цю розмову (1–5). Розмову можна продовжувати."}}},
    };
    return t;
}

}  // namespace

std::string Api::resident_text(const std::string& lang, const std::string& key) const {
    const auto& t = texts().at(key);
    auto it = t.find(lang);
    return it == t.end() ? t.at("pl") : it->second;
}

// ---- resident socket ------------------------------------------------------

ResidentSocket::~ResidentSocket() {
    *alive_ = false;
    if (!chat_id_) return;
    if (auto* chat = api_.live_chat(chat_id_)) {
        auto& rs = chat->residents;
        rs.erase(std::remove(rs.begin(), rs.end(), this), rs.end());
        if (rs.empty()) chat->residents_gone_since = api_.b_.clock.now();
    }
}

void ResidentSocket::send(const json& frame) {
    peer_.send(std::make_shared<const std::string>(frame.dump(-1, ' ', false, json::error_handler_t::replace)));
}

void ResidentSocket::send_error(const std::string& code, const std::string& message, const json& client_msg_id) {
    json f = {{"type", "error"}, {"code", code}, {"message", message}};
    if (!client_msg_id.is_null()) f["client_msg_id"] = client_msg_id;
    send(f);
}

void ResidentSocket::on_open(const std::string& token) {
    if (!token.empty()) authenticate(token);
}

void ResidentSocket::authenticate(const std::string& token) {
    if (token.empty() || token.size() > 128) {
        peer_.close(1008, "authentication failed");
        return;
    }
    authenticating_ = true;
    const std::string hash = crypto::sha256_hex(token);
    auto alive = alive_;
    struct Found {
        store::ContactRow row;
        int64_t last = 0;
        std::vector<store::StoredMessage> bot_phase;  // for the advisor's memory after a restart
    };
    api_.on_chat_store([hash](store::ChatStore& s) -> Result<Found> {
        auto c = s.contact_by_visitor(hash);
        if (!c) return c.error();
        auto last = s.last_message_id(c->id, false);
        if (!last) return last.error();
        Found f{*c, *last, {}};
        if (c->state == "bot") {
            auto ms = s.messages_after(c->id, 0, false, 200);
            if (ms) f.bot_phase = std::move(*ms);
        }
        return f;
    },
                       [this, alive](Result<Found> r) {
                           if (!*alive) return;
                           authenticating_ = false;
                           if (!r) {
                               peer_.close(1008, "authentication failed");
                               return;
                           }
                           const auto& row = r->row;
                           const bool known = api_.live_chat(row.id) != nullptr;
                           if (row.state == "bot" || row.state == "waiting" || row.state == "active")
                               api_.adopt_chat(row);
                           chat_id_ = row.id;
                           std::string state = api_.erased_chats_.count(row.id) ? "closed" : public_state(row.state);
                           if (auto* chat = api_.live_chat(row.id)) {
                               if (!known && chat->row.state == "bot") api_.rebuild_bot_memory(*chat, r->bot_phase);
                               chat->residents.push_back(this);
                               chat->residents_gone_since.reset();
                               state = public_state(chat->row.state);
                           }
                           send({{"type", "hello"},
                                 {"chat_id", std::to_string(row.id)},
                                 {"state", state},
                                 {"last_message_id", std::to_string(r->last)}});
                           if (auto* chat = api_.live_chat(row.id); chat && chat->row.state == "waiting")
                               api_.send_queue_position(*chat, true);
                       });
}

void ResidentSocket::on_text(const std::string& text) {
    json frame = json::parse(text, nullptr, false);
    const bool ok_shape = !frame.is_discarded() && frame.is_object() && frame.contains("type") && frame["type"].is_string();
    if (!chat_id_) {
        if (authenticating_) return send_error("not_ready", "authentication is in progress");
        if (!ok_shape || frame["type"] != "auth" || !frame.contains("visitor_token") || !frame["visitor_token"].is_string()) {
            peer_.close(1008, "expected an auth frame");
            return;
        }
        authenticate(frame["visitor_token"].get<std::string>());
        return;
    }
    if (!ok_shape) return send_error("malformed_frame", "frames are JSON objects with a string field 'type'");
    const std::string type = frame["type"].get<std::string>();
    const json cmid = frame.contains("client_msg_id") ? frame["client_msg_id"] : json(nullptr);
    auto alive = alive_;
    if (type == "message") {
        if (!frame.contains("text") || !frame["text"].is_string())
            return send_error("invalid_frame", "text is required", cmid);
        if (!cmid.is_string() || cmid.get<std::string>().empty() || cmid.get<std::string>().size() > 64)
            return send_error("invalid_frame", "client_msg_id (1 to 64 characters) is required", cmid);
        api_.resident_message(chat_id_, frame["text"].get<std::string>(), cmid.get<std::string>(),
                              [this, alive, cmid](Result<store::StoredMessage> r) {
                                  if (!*alive) return;
                                  if (!r) return send_error(r.error().code, r.error().message, cmid);
                                  send({{"type", "ack"}, {"client_msg_id", cmid}, {"id", std::to_string(r->id)}});
                              });
        return;
    }
    if (type == "handoff" || (type == "button" && frame.value("value", json()) == "handoff")) {
        api_.start_handoff(chat_id_, [this, alive](Result<void> r) {
            if (*alive && !r) send_error(r.error().code, r.error().message);
        });
        return;
    }
    if (type == "button") {
        if (!frame.contains("value") || !frame["value"].is_string()) return send_error("invalid_frame", "value is required");
        api_.press_button(chat_id_, frame["value"].get<std::string>(), [this, alive](Result<void> r) {
            if (*alive && !r) send_error(r.error().code, r.error().message);
        });
        return;
    }
    if (type == "location") {
        // A map point for the report in progress (docs/chat.md, an addition to §6).
        auto r = api_.resident_location(chat_id_, frame);
        if (!r) return send_error(r.error().code, r.error().message, cmid);
        if (!cmid.is_null()) send({{"type", "ack"}, {"kind", "location"}, {"client_msg_id", cmid}});
        return;
    }
    if (type == "typing") {
        if (auto* chat = api_.live_chat(chat_id_))
            for (auto id : chat->row.agents)
                api_.push_to_user(id, {{"type", "typing"}, {"contact_id", std::to_string(chat_id_)}});
        return;
    }
    if (type == "rating") {
        if (!frame.contains("score") || !frame["score"].is_number_integer() || frame["score"].get<int64_t>() < 1 ||
            frame["score"].get<int64_t>() > 5)
            return send_error("invalid_frame", "score must be a whole number from 1 to 5", cmid);
        std::string comment;
        if (frame.contains("comment") && frame["comment"].is_string()) comment = frame["comment"].get<std::string>();
        if (utf8_chars(comment) > 1000) return send_error("invalid_frame", "the comment is too long", cmid);
        const int score = int(frame["score"].get<int64_t>());
        api_.on_chat_store(
            [id = chat_id_, score, comment, now = api_.b_.clock.now()](store::ChatStore& s) { return s.rate(id, score, comment, now); },
            [this, alive, cmid](Result<void> r) {
                if (!*alive) return;
                if (!r) return send_error(r.error().code, r.error().message, cmid);
                json ack = {{"type", "ack"}, {"kind", "rating"}};
                if (!cmid.is_null()) ack["client_msg_id"] = cmid;
                send(ack);
            });
        return;
    }
    if (type == "end") {
        api_.end_by_resident(chat_id_, [this, alive, cmid](Result<void> r) {
            if (!*alive) return;
            if (!r) return send_error(r.error().code, r.error().message, cmid);
            json ack = {{"type", "ack"}, {"kind", "end"}};
            if (!cmid.is_null()) ack["client_msg_id"] = cmid;
            send(ack);
        });
        return;
    }
    if (type == "auth") return send_error("already_authenticated", "this connection is already authenticated", cmid);
    send_error("unknown_type", "frame type '" + type + "' is not handled", cmid);
}

// ---- the live chat registry ------------------------------------------------

Api::LiveChat* Api::live_chat(int64_t id) {
    auto it = chats_.find(id);
    return it == chats_.end() ? nullptr : &it->second;
}

void Api::adopt_chat(const store::ContactRow& row) {
    // An erased chat read from disk before its end was stored stays ended.
    if (chats_.count(row.id) || erased_chats_.count(row.id)) return;
    LiveChat c;
    c.row = row;
    chats_.emplace(row.id, std::move(c));
}

Result<void> Api::restore_chats() {
    auto open = chat_store_.open_contacts();
    if (!open) return open.error();
    for (const auto& row : *open) {
        adopt_chat(row);
        routing::ContactSpec spec;
        spec.id = row.id;
        spec.channel = routing::parse_channel(row.channel).value_or(routing::Channel::chat);
        spec.topic = row.topic;
        spec.queue = row.queue;
        spec.priority = row.priority;
        spec.needs_interpreter = row.needs_interpreter;
        spec.enqueued_at = row.enqueued_at;
        spec.resident_name = row.resident_name;
        spec.summary = row.summary;
        Result<routing::Events> r = routing::Events{};
        if (row.state == "waiting") {
            r = b_.routing.restore_waiting(spec);
        } else {
            std::vector<routing::AgentId> agents;
            for (auto a : row.agents)
                if (b_.routing.agent(a)) agents.push_back(a);
            if (agents.empty()) {
                // Nobody left to serve it (the consultant was deactivated): back in line.
                r = b_.routing.restore_waiting(spec);
                chats_[row.id].row.state = "waiting";
            } else {
                routing::ActiveAssignment a{spec, row.queue, agents, row.assigned_at.value_or(row.created_at)};
                r = b_.routing.restore_active(a);
            }
        }
        if (!r) spdlog::warn("contact {} not restored to routing: {}", row.id, r.error().message);
        // Residents have to reconnect within the grace period or they are taken as gone.
        chats_[row.id].residents_gone_since = b_.clock.now();
    }
    if (!open->empty()) spdlog::info("restored {} open conversation(s) to routing", open->size());
    return Ok{};
}

// ---- storing and delivering messages ---------------------------------------

void Api::store_message(store::NewMessage m, MessageDone done) {
    // The one way into a chat's transcript: after an erasure nothing more
    // (an advisor's answer, a dialogue's summary) lands in the wiped one.
    if (erased_chats_.count(m.contact_id)) return done(Error::conflict("chat_closed", "This conversation has ended."));
    bool schedule = false;
    {
        std::lock_guard lk(pending_->mu);
        pending_->items.push_back(std::move(m));
        pending_->dones.push_back(std::move(done));
        if (!pending_->scheduled) schedule = pending_->scheduled = true;
    }
    if (schedule) flush_messages();
}

void Api::flush_messages() {
    auto pending = pending_;
    auto alive = alive_;
    const bool queued = b_.db_worker.post([this, pending, alive] {
        std::vector<store::NewMessage> items;
        std::vector<MessageDone> dones;
        {
            std::lock_guard lk(pending->mu);
            items.swap(pending->items);
            dones.swap(pending->dones);
            pending->scheduled = false;
        }
        // Everything that arrived while the last batch was being written
        // shares this one commit (and this one fsync).
        auto results = std::make_shared<std::vector<Result<store::StoredMessage>>>(chat_store_.append(items));
        auto ds = std::make_shared<std::vector<MessageDone>>(std::move(dones));
        b_.loop.post([alive, results, ds] {
            if (!*alive) return;
            for (size_t i = 0; i < ds->size(); ++i) (*ds)[i](std::move((*results)[i]));
        });
    });
    if (!queued) {
        std::vector<MessageDone> dones;
        {
            std::lock_guard lk(pending_->mu);
            pending_->items.clear();
            dones.swap(pending_->dones);
            pending_->scheduled = false;
        }
        for (auto& d : dones) d(Error{ErrorKind::unavailable, "overloaded", "The server is busy; please try again."});
    }
}

// The one place that decides who sees a message.
void Api::deliver(const store::StoredMessage& m, const ResidentSocket* except_resident) {
    LiveChat* chat = live_chat(m.contact_id);
    if (!chat) return;
    if (!m.internal) {
        // Contract §6: the resident's message frame carries the message fields at the top level.
        json flat = message_json(m, false);
        flat["type"] = "message";
        const auto payload = std::make_shared<const std::string>(flat.dump());
        for (auto* r : chat->residents)
            if (r != except_resident) r->peer_.send(payload);
    }
    const json staff = {{"type", "message"}, {"contact_id", std::to_string(m.contact_id)}, {"message", message_json(m, true)}};
    for (auto id : chat->row.agents) push_to_user(id, staff);
    for (auto& mod : modules_) mod->on_message(m);
}

void Api::post_system(int64_t chat_id, const std::string& kind, const std::string& text, const json& buttons, bool internal) {
    store::NewMessage m;
    m.contact_id = chat_id;
    m.author_kind = kind;
    m.author_name = kind == "bot" ? "Asystent" : "";
    m.body = text;
    m.internal = internal;
    if (!buttons.is_null()) m.buttons = buttons.dump();
    m.created_at = b_.clock.now();
    store_message(std::move(m), [this](Result<store::StoredMessage> r) {
        if (r) deliver(*r);
        else if (r.error().code != "chat_closed")  // an erased chat takes nothing more: expected
            spdlog::error("system message not stored: {}", r.error().message);
    });
}

Result<void> Api::check_resident_text(LiveChat& chat, const std::string& text) const {
    if (text.empty() || text.find_first_not_of(" \t\r\n") == std::string::npos)
        return Error::invalid("empty_message", "The message is empty.");
    if (utf8_chars(text) > opt_.max_message_chars)
        return Error{ErrorKind::too_large, "message_too_long",
                     "The message is longer than " + std::to_string(opt_.max_message_chars) + " characters."};
    if (!valid_utf8(text)) return Error::invalid("invalid_text", "The message is not valid UTF-8.");
    return check_rate(chat);
}

Result<void> Api::check_rate(LiveChat& chat) const {
    const auto now = b_.clock.now();
    while (!chat.recent_messages.empty() && now - chat.recent_messages.front() > std::chrono::seconds(10))
        chat.recent_messages.pop_front();
    if (int(chat.recent_messages.size()) >= opt_.resident_messages_per_10s)
        return Error::rate_limited("Too many messages; please slow down.", 10);
    chat.recent_messages.push_back(now);
    return Ok{};
}

void Api::resident_message(int64_t chat_id, const std::string& text, const std::string& client_msg_id, MessageDone done) {
    LiveChat* chat = live_chat(chat_id);
    if (!chat || chat->row.state == "closed" || chat->ending)
        return done(Error::conflict("chat_closed", "This conversation has ended."));
    chat->residents_gone_since.reset();  // writing over REST counts as being here
    if (chat->residents.empty()) chat->residents_gone_since = b_.clock.now();
    if (auto ok = check_resident_text(*chat, text); !ok) return done(ok.error());
    store::NewMessage m;
    m.contact_id = chat_id;
    m.author_kind = "resident";
    m.author_name = chat->row.resident_name;
    m.body = text;
    m.client_msg_id = client_msg_id;
    m.created_at = b_.clock.now();
    store_message(std::move(m), [this, chat_id, done](Result<store::StoredMessage> r) {
        if (!r) return done(r);
        if (!r->duplicate) {
            deliver(*r);
            // The resident hears the ack first, then the advisor's answer.
            const std::string text = r->body;
            done(std::move(r));
            bot_answer(chat_id, text);
            return;
        }
        done(std::move(r));
    });
}

void Api::start_handoff(int64_t chat_id, std::function<void(Result<void>)> done, HandoffRequest how) {
    LiveChat* chat = live_chat(chat_id);
    if (!chat || chat->ending) return done(Error::conflict("chat_closed", "This conversation has ended."));
    if (chat->row.state != "bot") return done(Ok{});  // already with (or waiting for) a person
    std::string topic = !how.topic.empty() ? how.topic : !chat->bot_topic.empty() ? chat->bot_topic : chat->row.topic;
    if (topic == "human" || !valid_topic(topic)) topic = "other";
    const std::string lang = chat->bot_lang.empty() ? chat->row.lang : chat->bot_lang;
    const auto now = b_.clock.now();
    routing::ContactSpec spec;
    spec.id = chat_id;
    spec.channel = routing::Channel::chat;
    spec.topic = topic;
    spec.priority = chat->row.priority;
    spec.needs_interpreter = chat->row.needs_interpreter;
    spec.enqueued_at = now;
    spec.resident_name = chat->row.resident_name;
    spec.summary = handoff_summary(*chat, how.reason, topic, true);
    spec.leave_message = how.leave_message;
    // Routing decides first (open? room?), so a refusal changes nothing.
    auto events = b_.routing.enqueue(spec);
    if (!events) {
        const std::string& code = events.error().code;
        if (code == "queue_closed") {
            // Outside opening hours: what the advisor knows of the matter, then
            // when consultants are back and the offer to leave them a message.
            if (bot_.advisor && how.reason == HandoffReason::asked && !how.answer_given && topic != "other")
                if (auto menu = bot_.advisor->choose("topic:" + topic, lang_of(lang)); menu) post_bot(chat_id, *menu);
            bot::Reply notice;
            notice.topic = topic;
            notice.confidence = 1;
            notice.language = lang_of(lang);
            notice.text = resident_text(lang, "closed_hours");
            if (auto when = closed_until(topic, lang); when && !when->empty())
                notice.text += " " + resident_text(lang, "opens_at") + *when + ".";
            // A report is filed at once; any other matter can be left as a message that becomes a case.
            const bool report = topic == "report" && bot_.flows;
            notice.text += " " + resident_text(lang, report ? "report_offer" : "leave_message_offer");
            notice.buttons.push_back({resident_text(lang, report ? "report_button" : "leave_message_button"), "leave_message"});
            // Or a consultant calls back once the office is open (the CallbackModule, through the flows).
            if (bot_.flows) notice.buttons.push_back({resident_text(lang, "callback_button"), "callback"});
            post_bot(chat_id, notice);
        } else {
            bot::Reply notice;
            notice.topic = topic;
            notice.confidence = 1;
            notice.text = resident_text(lang, code == "queue_full" ? "queue_full" : "no_queue");
            post_bot(chat_id, notice);
        }
        return done(events.error());
    }
    const std::string queue = b_.routing.queue_of(chat_id).value_or("");
    chat->row.state = "queueing";  // waiting in routing; on disk in a moment
    chat->row.topic = topic;
    chat->row.queue = queue;
    chat->row.enqueued_at = now;
    chat->row.summary = spec.summary;
    std::optional<SysTime> left_at;
    if (how.leave_message) chat->row.left_message_at = left_at = now;
    // The consultant reads what the advisor learnt, so the resident is not asked again.
    std::string note = handoff_summary(*chat, how.reason, topic, false);
    if (bot_.flows)  // a report or message in progress ends here; the consultant reads what it had
        if (const std::string collected = bot_.flows->end_for_handoff(chat_id); !collected.empty()) note += "\n" + collected;
    post_system(chat_id, "system", note, nullptr, true);
    apply(*events);
    // The resident is told they wait only once that is on disk. Store writes
    // run in order, so this lands before any assignment that follows.
    on_chat_store([chat_id, topic, queue, now, summary = spec.summary, left_at](store::ChatStore& s) {
        return s.mark_waiting(chat_id, topic, queue, now, summary, left_at);
    },
                  [this, chat_id, done, lang, left = how.leave_message](Result<void> r) {
                      LiveChat* chat = live_chat(chat_id);
                      if (!r) {
                          spdlog::error("contact {} could not be queued on disk: {}", chat_id, r.error().message);
                          if (chat) {
                              chat->row.state = "bot";
                              chat->row.left_message_at.reset();
                          }
                          auto undo = b_.routing.abandon(chat_id);
                          if (undo) apply(*undo);
                          return done(r);
                      }
                      if (chat && chat->row.state == "queueing") {
                          // Only now, with the wait on disk, is the resident told.
                          chat->row.state = "waiting";
                          post_system(chat_id, "system", resident_text(lang, left ? "left_message" : "queued"));
                          send_queue_position(*chat, true);
                      }
                      done(Ok{});
                  });
}

// ---- the virtual advisor in the chat ----------------------------------------

void Api::post_bot(int64_t chat_id, const bot::Reply& reply, const std::string& text_override, const json& extra_buttons) {
    store::NewMessage m = bot_message(chat_id, reply, b_.clock.now());
    if (!text_override.empty()) m.body = text_override;
    if (extra_buttons.is_array() && !extra_buttons.empty()) {
        json buttons = m.buttons.empty() ? json::array() : json::parse(m.buttons);
        for (const auto& b : extra_buttons) buttons.push_back(b);
        m.buttons = buttons.dump();
    }
    store_message(std::move(m), [this](Result<store::StoredMessage> r) {
        if (r) deliver(*r);
        else if (r.error().code != "chat_closed")  // an erased chat takes nothing more: expected
            spdlog::error("advisor message not stored: {}", r.error().message);
    });
}

void Api::remember_bot_turn(LiveChat& chat, const bot::Reply& r) {
    chat.bot_lang = std::string(bot::lang_code(r.language));
    if (r.clarify) {
        ++chat.bot_unsure;
        return;
    }
    chat.bot_unsure = 0;
    if (r.topic != "other" && r.topic != "human") chat.bot_topic = r.topic;
    if (!r.answer.empty() && r.topic != "human" && std::find(chat.answered.begin(), chat.answered.end(), r.answer) == chat.answered.end()) {
        chat.answered.push_back(r.answer);
        if (chat.answered.size() > 8) chat.answered.erase(chat.answered.begin());
    }
}

void Api::rebuild_bot_memory(LiveChat& chat, const std::vector<store::StoredMessage>& messages) {
    for (const auto& m : messages) {
        if (m.author_kind == "resident") {
            chat.said.push_back(cut(m.body, 200));
            if (chat.said.size() > 5) chat.said.erase(chat.said.begin());
        } else if (m.author_kind == "bot" && !m.bot_answer.empty() && m.bot_topic != "human") {
            if (m.bot_topic != "other" && m.bot_topic != "human") chat.bot_topic = m.bot_topic;
            if (std::find(chat.answered.begin(), chat.answered.end(), m.bot_answer) == chat.answered.end())
                chat.answered.push_back(m.bot_answer);
        }
    }
}

void Api::bot_answer(int64_t chat_id, const std::string& text) {
    LiveChat* chat = live_chat(chat_id);
    if (chat && (chat->row.state == "waiting" || chat->row.state == "queueing") && bot_.flows && bot_.flows->active(chat_id))
        return bot_.flows->on_text(chat_id, text);  // a call back being booked while in line: the phone number
    if (!chat || chat->row.state != "bot" || !bot_.advisor) return;  // a person has it: the advisor is silent
    chat->said.push_back(cut(text, 200));
    if (chat->said.size() > 5) chat->said.erase(chat->said.begin());
    const bot::Reply r = bot_.advisor->ask(text, lang_of(chat->row.lang));
    auto ignore = [chat_id](Result<void> h) {
        if (!h && h.error().kind != ErrorKind::conflict)
            spdlog::warn("contact {}: handoff by the advisor failed: {}", chat_id, h.error().message);
    };
    if (bot_.flows && bot_.flows->active(chat_id)) {
        // A report or message in progress takes the text, unless it asks for a person.
        if (asks_for_person(r, *bot_.advisor)) return start_handoff(chat_id, ignore, {HandoffReason::asked, ""});
        return bot_.flows->on_text(chat_id, text);
    }
    remember_bot_turn(*chat, r);
    const std::string lang(bot::lang_code(r.language));
    if (r.clarify) {
        if (bot_.unanswered) bot_.unanswered(text, r);
        if (chat->bot_unsure >= opt_.bot_unsure_before_handoff) {
            bot::Reply note = r;
            note.text = resident_text(lang, "unsure_handoff");
            note.buttons.clear();
            note.links.clear();
            post_bot(chat_id, note);
            return start_handoff(chat_id, ignore, {HandoffReason::unsure, ""});
        }
        return post_bot(chat_id, r);
    }
    const bool person = asks_for_person(r, *bot_.advisor);
    if (r.handoff || person) {
        std::string topic = bot::routing_topic(r);
        if (topic == "other" && !chat->bot_topic.empty()) topic = chat->bot_topic;
        if (topic != "other") chat->bot_topic = topic;
        // For "human" the chat's own "connecting you" message says it all;
        // an answer given beside a request for a person is worth reading meanwhile.
        if (r.topic != "human") post_bot(chat_id, r);
        return start_handoff(chat_id, ignore,
                             {person ? HandoffReason::asked : HandoffReason::topic_needs_person, topic, false,
                              r.topic != "human"});
    }
    if (bot_.flows && r.topic == "report" && r.answer != "report.status") {
        // A problem in public space: the report starts at once. What the
        // resident wrote answers "what happened" when the advisor recognised a
        // kind of problem; the topic's menu is replaced by the first question.
        if (!r.answer.empty()) post_bot(chat_id, r);
        return bot_.flows->start_report(chat_id, lang, r.answer.empty() ? std::string() : text, r.answer);
    }
    post_bot(chat_id, r);
}

void Api::press_button(int64_t chat_id, const std::string& value, std::function<void(Result<void>)> done) {
    LiveChat* chat = live_chat(chat_id);
    if (!chat || chat->row.state == "closed" || chat->ending)
        return done(Error::conflict("chat_closed", "This conversation has ended."));
    if (value.empty() || value.size() > 200) return done(Error::invalid("invalid_field", "value is not a button of the assistant"));
    if (value == "handoff") return start_handoff(chat_id, std::move(done), {HandoffReason::asked, ""});
    // In line, the advisor's offer of a call back (and its dialogue) still answers.
    const bool callback_in_line = (chat->row.state == "waiting" || chat->row.state == "queueing") && bot_.flows &&
                                  (value == "callback" || value.rfind("callback:", 0) == 0);
    if (chat->row.state != "bot" && !callback_in_line)
        return done(Error::conflict("bot_inactive", "A consultant is taking care of this conversation now."));
    if (auto ok = check_rate(*chat); !ok) return done(ok.error());
    const std::string lang = chat->bot_lang.empty() ? chat->row.lang : chat->bot_lang;
    std::string matter = !chat->bot_topic.empty() ? chat->bot_topic : chat->row.topic;
    if (matter == "human" || !valid_topic(matter)) matter = "other";
    if (value == "leave_message") {
        // Pressed once the office is open again: an ordinary handoff.
        const bool closed = closed_until(matter, lang).has_value();
        if (!closed) return start_handoff(chat_id, std::move(done), {HandoffReason::asked, matter});
        // Outside opening hours the message becomes a case (for a report: the report).
        if (bot_.flows && bot_.flows->on_button(chat_id, value, lang, matter, done)) return;
        // No case category to file it under: it waits in line for the office.
        return start_handoff(chat_id, std::move(done), {HandoffReason::left_message, matter, true});
    }
    // The report and message dialogues' own buttons ("report", "flow:…").
    if (bot_.flows && bot_.flows->on_button(chat_id, value, lang, matter, done)) return;
    if (!bot_.advisor) return done(Error{ErrorKind::unavailable, "not_ready", "The assistant is not ready yet."});
    auto r = bot_.advisor->choose(value, lang_of(lang));
    if (!r) {
        if (r.error().kind != ErrorKind::not_found)
            return done(Error::invalid("invalid_field", "value is not a button of the assistant"));
        // A button of an older knowledge base: start again from the menu.
        post_bot(chat_id, bot_.advisor->greeting(lang_of(lang)));
        return done(Ok{});
    }
    remember_bot_turn(*chat, *r);
    if (bot_.flows && r->topic == "report" && r->answer != "report.status" && !r->handoff) {
        // The report menu or one kind of problem: the report starts (the kind known from the answer).
        if (!r->answer.empty()) post_bot(chat_id, *r);
        bot_.flows->start_report(chat_id, lang, "", r->answer);
        return done(Ok{});
    }
    if (r->handoff) {
        std::string topic = bot::routing_topic(*r);
        if (topic == "other" && !chat->bot_topic.empty()) topic = chat->bot_topic;
        if (topic != "other") chat->bot_topic = topic;
        if (r->topic != "human") post_bot(chat_id, *r);
        return start_handoff(chat_id, std::move(done),
                             {r->topic == "human" ? HandoffReason::asked : HandoffReason::topic_needs_person, topic});
    }
    post_bot(chat_id, *r);
    done(Ok{});
}

std::string Api::handoff_summary(const LiveChat& chat, HandoffReason reason, const std::string& topic, bool one_line) const {
    // For consultants, who work in Polish.
    const bot::KnowledgeBase* kb = bot_.advisor ? &bot_.advisor->knowledge() : nullptr;
    const bot::Topic* t = kb ? kb->topic(topic) : nullptr;
    const std::string topic_name = t ? t->name.pl : topic;
    std::vector<std::string> answers;
    for (const auto& a : chat.answered) {
        const bot::Answer* ans = kb ? kb->answer(a) : nullptr;
        answers.push_back(ans ? ans->title.pl : a);
    }
    auto join = [](const std::vector<std::string>& v, const std::string& sep, const std::string& quote_open,
                   const std::string& quote_close) {
        std::string out;
        for (const auto& x : v) out += (out.empty() ? "" : sep) + quote_open + x + quote_close;
        return out;
    };
    if (one_line) {
        std::string s = topic_name;
        if (!chat.said.empty()) s += " · „" + cut(chat.said.back(), 120) + "”";
        if (!answers.empty()) s += " · odpowiedziano: " + join(answers, ", ", "", "");
        return cut(s, 400);
    }
    static const char* why[] = {"mieszkaniec poprosił o konsultanta", "asystent nie zrozumiał sprawy",
                                "sprawa wymaga konsultanta", "wiadomość zostawiona poza godzinami pracy"};
    std::string s = "Podsumowanie asystenta (" + std::string(why[int(reason)]) + ")\n";
    s += "• Temat: " + topic_name + " (" + topic + ")\n";
    s += "• Mieszkaniec napisał: " + (chat.said.empty() ? std::string("nic") : join(chat.said, "; ", "„", "”")) + "\n";
    s += "• Asystent odpowiedział: " + (answers.empty() ? std::string("nic") : join(answers, "; ", "", ""));
    return s;
}

std::optional<std::string> Api::closed_until(const std::string& topic, const std::string& lang) const {
    auto queue = b_.routing.queue_for_topic(topic);
    if (!queue) queue = b_.routing.queue_for_topic("other");
    if (!queue || b_.routing.is_open(*queue)) return std::nullopt;
    std::string hours;
    for (const auto& q : b_.routing.queue_settings())
        if (q.id == *queue) hours = q.hours;
    auto schedule = opt_.schedules.find(hours);
    if (schedule == opt_.schedules.end()) return std::string();
    const auto now = b_.clock.now();
    auto opens = next_opening(schedule->second, opt_.holidays, now);
    if (!opens) return std::string();
    static const std::map<std::string, std::array<const char*, 7>> weekdays = {
        {"pl", {"poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"}},
        {"en", {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}},
        {"uk", {"понеділок", "вівторок", "середа", "четвер", "пʼятниця", "субота", "неділя"}}};
    const LocalTime when = to_warsaw(*opens), today = to_warsaw(now);
    const auto days_ahead = (std::chrono::sys_days{when.date} - std::chrono::sys_days{today.date}).count();
    char clock[16], date[16];  // room for any int, so the compiler can prove no truncation
    std::snprintf(clock, sizeof clock, "%02d:%02d", when.minute_of_day / 60, when.minute_of_day % 60);
    std::snprintf(date, sizeof date, "%02u.%02u", unsigned(when.date.day()), unsigned(when.date.month()));
    const auto& names = weekdays.count(lang) ? weekdays.at(lang) : weekdays.at("pl");
    if (days_ahead == 0) return resident_text(lang, "today") + " " + clock;
    if (days_ahead == 1) return resident_text(lang, "tomorrow") + " " + clock;
    return std::string(names[(when.weekday.c_encoding() + 6) % 7]) + " " + date + ", " + clock;
}

void Api::send_queue_position(LiveChat& chat, bool force) {
    if (chat.row.state != "waiting" || chat.residents.empty()) return;
    const int pos = b_.routing.position_of(chat.row.id).value_or(0);
    const int ewt = b_.routing.ewt_seconds_of(chat.row.id).value_or(0);
    if (!force && pos == chat.last_position && ewt == chat.last_ewt) return;
    push_queue_frame(chat, pos, ewt);
}

void Api::push_queue_frame(LiveChat& chat, int pos, int ewt) {
    chat.last_position = pos;
    chat.last_ewt = ewt;
    const auto payload = std::make_shared<const std::string>(json({{"type", "queue"}, {"position", pos}, {"ewt_seconds", ewt}}).dump());
    for (auto* r : chat.residents) r->peer_.send(payload);
}

// A line moved: every change of this turn of the loop is pushed together, one
// walk per line from the first place that moved, to the residents whose
// figures changed. (Before: every change walked all chats and looked each
// waiting one up, so a burst of assignments cost O(waiting^2).)
void Api::flush_queue_positions() {
    positions_flush_posted_ = false;
    auto dirty = std::move(positions_dirty_);
    positions_dirty_.clear();
    for (const auto& [line, from] : dirty) {
        const auto& [queue, channel] = line;
        for (const auto& p : b_.routing.places_in(queue, routing::Channel(channel), from)) {
            LiveChat* chat = live_chat(p.contact);
            if (!chat || chat->row.state != "waiting" || chat->row.queue != queue || chat->residents.empty()) continue;
            if (p.position == chat->last_position && p.ewt_seconds == chat->last_ewt) continue;
            push_queue_frame(*chat, p.position, p.ewt_seconds);
        }
    }
}

void Api::on_chat_event(const routing::Event& e) {
    using routing::EventType;
    if (e.type == EventType::positions_changed) {
        // Only residents of that line from the first place that moved, and only
        // when their figure changed; pushed once the loop has run what is ready.
        auto [it, fresh] = positions_dirty_.try_emplace({e.queue, int(e.channel)}, e.position);
        if (!fresh) it->second = std::min(it->second, e.position);
        if (!positions_flush_posted_) {
            positions_flush_posted_ = true;
            if (!b_.loop.post([this, alive = alive_] {
                    if (*alive) flush_queue_positions();
                }))
                flush_queue_positions();
        }
        return;
    }
    LiveChat* chat = e.contact ? live_chat(e.contact) : nullptr;
    if (!chat) return;
    const auto now = b_.clock.now();
    const int64_t id = e.contact;
    switch (e.type) {
        case EventType::position_changed: send_queue_position(*chat, false); break;
        case EventType::contact_assigned:
        case EventType::participant_joined: {
            for (auto a : e.agents)
                if (std::find(chat->row.agents.begin(), chat->row.agents.end(), a) == chat->row.agents.end())
                    chat->row.agents.push_back(a);
            chat->row.state = "active";
            chat->row.assigned_at = chat->row.assigned_at.value_or(now);
            const auto agents = chat->row.agents;
            on_chat_store([id, agents, now](store::ChatStore& s) { return s.mark_active(id, agents, now); },
                          [](Result<void> r) {
                              if (!r) spdlog::error("assignment not stored: {}", r.error().message);
                          });
            for (auto a : e.agents) {
                const User* u = directory_.find(a);
                const std::string name = u ? u->display_name : "";
                for (auto* r : chat->residents) r->send({{"type", "agent_joined"}, {"name", name}});
                post_system(id, "system", resident_text(chat->row.lang, "joined") + name);
                // The consultant sees the resident and the conversation so far.
                push_to_user(a, {{"type", "contact_assigned"}, {"contact", contact_json(chat->row)}});
            }
            break;
        }
        case EventType::contact_transferred: {
            chat->row.state = "waiting";
            chat->row.queue = e.queue;
            chat->row.agents.clear();
            on_chat_store([id, q = e.queue, now](store::ChatStore& s) { return s.move_to_queue(id, q, now); },
                          [](Result<void>) {});
            for (auto a : e.agents) push_to_user(a, {{"type", "contact_closed"}, {"contact_id", std::to_string(id)}, {"reason", "transferred"}});
            if (e.reason != "overflow")
                post_system(id, "system", resident_text(chat->row.lang, e.note == "consultant offline" ? "requeued" : "transferred"));
            send_queue_position(*chat, true);
            break;
        }
        case EventType::contact_closed:
        case EventType::contact_abandoned: {
            // Gone after the grace period: nobody is there to tell. Left by
            // the resident's own choice: told like a closed chat.
            if (e.type == EventType::contact_abandoned && !chat->ended_by_resident) {
                chats_.erase(id);
                break;
            }
            finish_closed(id);
            break;
        }
        default: break;
    }
}

void Api::finish_closed(int64_t id) {
    LiveChat* chat = live_chat(id);
    if (!chat) return;
    for (auto* r : chat->residents) {
        r->send({{"type", "closed"}});
        r->send({{"type", "rating_request"}});
    }
    // Closed to new messages now; forgotten once the closing message
    // has been stored and delivered. Sockets stay open for the rating.
    chat->row.state = "closed";
    store::NewMessage m;
    m.contact_id = id;
    m.author_kind = "system";
    m.body = resident_text(chat->row.lang, "closed");
    m.created_at = b_.clock.now();
    store_message(std::move(m), [this, id](Result<store::StoredMessage> r) {
        if (r) deliver(*r);
        chats_.erase(id);
    });
}

void Api::end_erased_chats(const std::vector<int64_t>& chat_ids) {
    for (int64_t id : chat_ids) {
        auto it = chats_.find(id);
        if (it == chats_.end()) continue;  // not open here: its end is on disk already
        erased_chats_.insert(id);
        // Forgotten before routing hears of it: the events below find no chat
        // to store a closing notice in, and no name, summary or advisor's
        // memory of the resident stays behind.
        const std::vector<ResidentSocket*> residents = std::move(it->second.residents);
        chats_.erase(it);
        // No rating request: a comment would be new personal data in a wiped chat.
        for (auto* r : residents) r->send({{"type", "closed"}, {"reason", "erased"}});
        // Served: closed (the consultants go to wrap-up); waiting or offered:
        // abandoned, the count an exit from a line without service has;
        // with the advisor: routing never had it.
        const auto where = b_.routing.state_of(id);
        if (!where) continue;
        auto events = *where == routing::ContactState::active ? b_.routing.close(id) : b_.routing.abandon(id);
        if (events) apply(*events);
        else spdlog::warn("erased contact {} not taken out of routing: {}", id, events.error().message);
    }
}

void Api::end_by_resident(int64_t chat_id, std::function<void(Result<void>)> done) {
    LiveChat* chat = live_chat(chat_id);
    if (!chat || chat->row.state == "closed" || chat->ending)
        return done(Error::conflict("chat_closed", "This conversation has ended."));
    chat->ending = true;
    // Served: closed as by the consultant. Waiting (also with a message left
    // outside opening hours): abandoned. With the advisor: closed.
    const std::string& st = chat->row.state;
    const std::string ended_as = st == "waiting" || st == "queueing" ? "abandoned" : "closed";
    const auto now = b_.clock.now();
    // Disk first: an ended chat stays ended after a restart.
    on_chat_store([chat_id, ended_as, now](store::ChatStore& s) { return s.end_open(chat_id, ended_as, now); },
                  [this, chat_id, ended_as, now, done](Result<bool> r) {
                      LiveChat* chat = live_chat(chat_id);
                      if (chat) chat->ending = false;
                      if (!r) return done(r.error());
                      if (!*r || !chat) return done(Error::conflict("chat_closed", "This conversation has ended."));
                      chat->ended_by_resident = true;
                      // Routing may have moved on while the disk was written (an
                      // offer accepted, a transfer): it ends the way it is now.
                      const auto where = b_.routing.state_of(chat_id);
                      const std::string now_as = where && *where != routing::ContactState::active ? "abandoned" : "closed";
                      if (now_as != ended_as)
                          on_chat_store([chat_id, now_as, now](store::ChatStore& s) { return s.mark_ended(chat_id, now_as, now, "", ""); },
                                        [](Result<void>) {});
                      if (!where) {
                          finish_closed(chat_id);  // with the advisor: routing never had it
                          return done(Ok{});
                      }
                      if (*where != routing::ContactState::active) {
                          auto events = b_.routing.abandon(chat_id);  // counted as abandoned
                          if (events) apply(*events);
                          return done(Ok{});
                      }
                      // Served: the consultants read why (a note for staff, in
                      // their language), then the contact closes and they go to wrap-up.
                      chat->ending = true;
                      store::NewMessage m;
                      m.contact_id = chat_id;
                      m.author_kind = "system";
                      m.body = resident_text("pl", "resident_ended");
                      m.internal = true;
                      m.created_at = now;
                      store_message(std::move(m), [this, chat_id, done](Result<store::StoredMessage> r) {
                          if (r) deliver(*r);
                          if (LiveChat* c = live_chat(chat_id)) c->ending = false;
                          auto events = b_.routing.close(chat_id);
                          if (events) apply(*events);
                          done(Ok{});
                      });
                  });
}

void Api::check_abandoned_chats() {
    const auto now = b_.clock.now();
    std::vector<int64_t> gone;
    for (auto& [id, chat] : chats_)
        // A message left outside opening hours waits without the resident.
        if (chat.residents.empty() && chat.residents_gone_since && now - *chat.residents_gone_since >= opt_.abandon_grace &&
            !chat.row.left_message_at && !chat.ending &&
            (chat.row.state == "waiting" || chat.row.state == "queueing" || chat.row.state == "bot"))
            gone.push_back(id);
    // Active chats whose consultants are all offline (e.g. after a restart, or a
    // dropped laptop) go back in line after a grace period, keeping their place.
    std::vector<int64_t> orphaned;
    for (auto& [id, chat] : chats_) {
        if (chat.row.state != "active") {
            chat.agents_gone_since.reset();
            continue;
        }
        bool anyone = false;
        for (auto a : chat.row.agents)
            if (auto st = b_.routing.agent_state(a); st && st->status != routing::AgentStatus::offline) anyone = true;
        if (anyone) {
            chat.agents_gone_since.reset();
        } else if (!chat.agents_gone_since) {
            chat.agents_gone_since = now;
        } else if (now - *chat.agents_gone_since >= opt_.agent_return_grace) {
            orphaned.push_back(id);
        }
    }
    for (auto id : orphaned) {
        auto& chat = chats_.at(id);
        chat.agents_gone_since.reset();
        auto r = b_.routing.transfer_to_queue(id, chat.row.queue, "consultant offline");
        if (r) apply(*r);
        else spdlog::warn("contact {} could not go back to its queue: {}", id, r.error().message);
    }
    for (auto id : gone) {
        auto& chat = chats_.at(id);
        if (chat.row.state == "waiting" || chat.row.state == "queueing") {
            auto r = b_.routing.abandon(id);
            if (r) apply(*r);
        }
        on_chat_store([id, now](store::ChatStore& s) { return s.mark_ended(id, "abandoned", now, "", ""); },
                      [](Result<void>) {});
        chats_.erase(id);
    }
}

// ---- public REST -----------------------------------------------------------

void Api::create_chat(Call c) {
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    static const std::set<std::string> known = {"name", "topic", "lang", "needs_interpreter", "resident_key"};
    for (auto it = body->begin(); it != body->end(); ++it)
        if (!known.count(it.key())) return c.reply(Response::error(400, "unknown_field", "unknown field '" + it.key() + "'"));
    store::ContactRow row;
    row.channel = "chat";
    row.state = "bot";
    if (body->contains("name") && !(*body)["name"].is_null()) {
        auto n = string_field(*body, "name", 0, 200);
        if (!n || utf8_chars(*n) > 100) return c.reply(Response::error(400, "invalid_field", "name must have at most 100 characters"));
        row.resident_name = *n;
    }
    if (body->contains("resident_key") && !(*body)["resident_key"].is_null()) {
        // The widget's long-lived random key: links this chat to the browser's earlier ones.
        auto k = string_field(*body, "resident_key", 16, 128);
        if (!k || k->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos)
            return c.reply(Response::error(400, "invalid_field", "resident_key must be 16 to 128 of A-Z a-z 0-9 - _"));
        row.resident_key_hash = crypto::sha256_hex(*k);
    }
    if (body->contains("topic") && !(*body)["topic"].is_null()) {
        auto t = string_field(*body, "topic", 1, 32);
        if (!t || !valid_topic(*t)) return c.reply(Response::error(400, "invalid_field", "topic is not one of the topic ids"));
        row.topic = *t;
    }
    if (body->contains("lang")) {
        auto l = string_field(*body, "lang", 2, 2);
        if (!l || (*l != "pl" && *l != "en" && *l != "uk"))
            return c.reply(Response::error(400, "invalid_field", "lang must be pl, en or uk"));
        row.lang = *l;
    }
    if (body->contains("needs_interpreter")) {
        if (!(*body)["needs_interpreter"].is_boolean())
            return c.reply(Response::error(400, "invalid_field", "needs_interpreter must be true or false"));
        row.needs_interpreter = (*body)["needs_interpreter"].get<bool>();
    }
    row.address = c.request.remote_address;
    row.created_at = b_.clock.now();
    if (!bot_.advisor) return c.reply(Response::error(503, "not_ready", "The assistant is not ready yet."));
    const std::string token = crypto::random_token(32);
    bot::Reply hello = bot_.advisor->greeting(lang_of(row.lang));
    if (closed_until(row.topic, row.lang)) hello.text += "\n\n" + resident_text(row.lang, "greeting_closed");
    const store::NewMessage greeting = bot_message(0, hello, row.created_at);
    const int limit = opt_.max_open_chats_per_address;
    on_chat_store(
        [row, hash = crypto::sha256_hex(token), greeting, limit](store::ChatStore& s) -> Result<store::ContactRow> {
            auto open = s.open_chats_from(row.address, row.created_at - std::chrono::hours(24));
            if (!open) return open.error();
            if (*open >= limit)
                return Error::rate_limited("Too many open conversations from this address; please finish one first.", 60);
            auto id = s.create_contact(row, hash);
            if (!id) return id.error();
            store::ContactRow out = row;
            out.id = *id;
            store::NewMessage m = greeting;
            m.contact_id = *id;
            auto stored = s.append({m});
            if (!stored[0]) return stored[0].error();
            return out;
        },
        [this, token, reply = c.reply](Result<store::ContactRow> r) {
            if (!r) return reply(Response::error(r.error()));
            adopt_chat(*r);
            // A resident who never connects counts as gone after the grace period.
            chats_[r->id].residents_gone_since = b_.clock.now();
            auto resp = Response::json(201, {{"chat_id", std::to_string(r->id)}, {"visitor_token", token}});
            resp.headers.emplace_back("Location", "/api/v1/public/chats/" + std::to_string(r->id));
            reply(std::move(resp));
        });
}

Result<int64_t> Api::visitor_chat(const Request& req, const std::string& id_param) {
    const auto* token = req.header("x-visitor-token");
    auto id = parse_id(id_param);
    if (!token || token->empty() || token->size() > 128 || !id)
        return Error::not_found("chat_not_found", "No such conversation.");
    return *id;
}

void Api::public_messages(Call c) {
    auto id = visitor_chat(c.request, c.params["id"]);
    if (!id) return c.reply(Response::error(id.error()));
    int64_t after = 0;
    if (auto it = c.request.query.find("after"); it != c.request.query.end() && !it->second.empty()) {
        auto a = parse_id(it->second);
        if (!a && it->second != "0") return c.reply(Response::error(400, "invalid_parameter", "after must be a message id"));
        after = a.value_or(0);
    }
    const std::string hash = crypto::sha256_hex(*c.request.header("x-visitor-token"));
    on_chat_store(
        [id = *id, hash, after](store::ChatStore& s) -> Result<std::vector<store::StoredMessage>> {
            auto chat = s.contact_by_visitor(hash);
            if (!chat || chat->id != id) return Error::not_found("chat_not_found", "No such conversation.");
            return s.messages_after(id, after, false, 500);
        },
        [this, id = *id, reply = c.reply](Result<std::vector<store::StoredMessage>> r) {
            if (!r) return reply(Response::error(r.error()));
            // A resident polling over REST is present.
            if (LiveChat* live = live_chat(id); live && live->residents.empty()) live->residents_gone_since = b_.clock.now();
            json items = json::array();
            for (const auto& m : *r) items.push_back(message_json(m, false));
            json next = r->size() == 500 ? json(std::to_string(r->back().id)) : json(nullptr);
            reply(Response::json(200, {{"items", items}, {"next", next}}));
        });
}

void Api::open_visitor_chat(const Request& req, int64_t id, Reply reply, std::function<void()> then) {
    struct Found {
        store::ContactRow row;
        std::vector<store::StoredMessage> bot_phase;
    };
    const bool known = live_chat(id) != nullptr;
    on_chat_store(
        [hash = crypto::sha256_hex(*req.header("x-visitor-token")), id, known](store::ChatStore& s) -> Result<Found> {
            auto c = s.contact_by_visitor(hash);
            if (!c || c->id != id) return Error::not_found("chat_not_found", "No such conversation.");
            Found f{std::move(*c), {}};
            if (!known && f.row.state == "bot") {
                auto ms = s.messages_after(id, 0, false, 200);
                if (ms) f.bot_phase = std::move(*ms);
            }
            return f;
        },
        [this, id, reply = std::move(reply), then = std::move(then)](Result<Found> r) {
            if (!r) return reply(Response::error(r.error()));
            const std::string& state = r->row.state;
            if (state == "bot" || state == "waiting" || state == "active") {
                const bool adopted_now = live_chat(id) == nullptr;
                adopt_chat(r->row);
                if (LiveChat* live = live_chat(id); live && adopted_now && state == "bot")
                    rebuild_bot_memory(*live, r->bot_phase);
            }
            then();
        });
}

void Api::public_post_message(Call c) {
    auto id = visitor_chat(c.request, c.params["id"]);
    if (!id) return c.reply(Response::error(id.error()));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    // The length rule (in characters, 413) is checked with the rest of the text rules.
    auto text = string_field(*body, "text", 0, std::numeric_limits<size_t>::max());
    auto cmid = string_field(*body, "client_msg_id", 1, 64);
    if (!text) return c.reply(Response::error(text.error()));
    if (!cmid) return c.reply(Response::error(cmid.error()));
    open_visitor_chat(c.request, *id, c.reply, [this, id = *id, text = *text, cmid = *cmid, reply = c.reply] {
        resident_message(id, text, cmid, [reply](Result<store::StoredMessage> r) {
            if (!r) return reply(Response::error(r.error()));
            reply(Response::json(r->duplicate ? 200 : 201, message_json(*r, false)));
        });
    });
}

void Api::public_handoff(Call c) {
    auto id = visitor_chat(c.request, c.params["id"]);
    if (!id) return c.reply(Response::error(id.error()));
    open_visitor_chat(c.request, *id, c.reply, [this, id = *id, reply = c.reply] {
        if (LiveChat* live = live_chat(id); live && live->residents.empty())
            live->residents_gone_since = b_.clock.now();  // present over REST
        start_handoff(id, [this, id, reply](Result<void> r) {
            if (!r) return reply(Response::error(r.error()));
            LiveChat* live = live_chat(id);
            reply(Response::json(200, {{"chat_id", std::to_string(id)},
                                       {"state", live ? live->row.state : "closed"},
                                       {"position", b_.routing.position_of(id).value_or(0)},
                                       {"ewt_seconds", b_.routing.ewt_seconds_of(id).value_or(0)}}));
        });
    });
}

void Api::public_button(Call c) {
    auto id = visitor_chat(c.request, c.params["id"]);
    if (!id) return c.reply(Response::error(id.error()));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto value = string_field(*body, "value", 1, 200);
    if (!value) return c.reply(Response::error(value.error()));
    open_visitor_chat(c.request, *id, c.reply, [this, id = *id, value = *value, reply = c.reply] {
        if (LiveChat* live = live_chat(id); live && live->residents.empty())
            live->residents_gone_since = b_.clock.now();  // present over REST
        press_button(id, value, [this, id, reply](Result<void> r) {
            if (!r) return reply(Response::error(r.error()));
            LiveChat* live = live_chat(id);
            reply(Response::json(200, {{"chat_id", std::to_string(id)},
                                       {"state", live ? public_state(live->row.state) : "closed"}}));
        });
    });
}

void Api::public_end(Call c) {
    auto id = visitor_chat(c.request, c.params["id"]);
    if (!id) return c.reply(Response::error(id.error()));
    open_visitor_chat(c.request, *id, c.reply, [this, id = *id, reply = c.reply] {
        end_by_resident(id, [id, reply](Result<void> r) {
            if (!r) return reply(Response::error(r.error()));
            reply(Response::json(200, {{"chat_id", std::to_string(id)}, {"state", "closed"}}));
        });
    });
}

void Api::public_rating(Call c) {
    auto id = visitor_chat(c.request, c.params["id"]);
    if (!id) return c.reply(Response::error(id.error()));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    if (!body->contains("score") || !(*body)["score"].is_number_integer() || (*body)["score"].get<int64_t>() < 1 ||
        (*body)["score"].get<int64_t>() > 5)
        return c.reply(Response::error(400, "invalid_field", "score must be a whole number from 1 to 5"));
    std::string comment;
    if (body->contains("comment") && !(*body)["comment"].is_null()) {
        auto cm = string_field(*body, "comment", 0, 4000);
        if (!cm || utf8_chars(*cm) > 1000) return c.reply(Response::error(400, "invalid_field", "comment must have at most 1000 characters"));
        comment = *cm;
    }
    const int score = int((*body)["score"].get<int64_t>());
    const std::string hash = crypto::sha256_hex(*c.request.header("x-visitor-token"));
    on_chat_store(
        [id = *id, hash, score, comment, now = b_.clock.now()](store::ChatStore& s) -> Result<void> {
            auto chat = s.contact_by_visitor(hash);
            if (!chat || chat->id != id) return Error::not_found("chat_not_found", "No such conversation.");
            return s.rate(id, score, comment, now);
        },
        [reply = c.reply, score](Result<void> r) {
            if (!r) return reply(Response::error(r.error()));
            reply(Response::json(201, {{"score", score}}));
        });
}

// ---- staff side -------------------------------------------------------------

bool Api::may_serve(const Principal& who, const LiveChat* chat, int64_t) const {
    const User* now = directory_.find(who.user.id);
    if (now && at_least(now->role, Role::supervisor)) return true;
    return chat && std::find(chat->row.agents.begin(), chat->row.agents.end(), who.user.id) != chat->row.agents.end();
}

void Api::list_contacts(Call c) {
    auto page = page_params(c.request);
    if (!page) return c.reply(Response::error(page.error()));
    store::ContactFilter f;
    f.limit = page->limit;
    if (auto it = c.request.query.find("state"); it != c.request.query.end() && !it->second.empty()) {
        if (it->second != "waiting" && it->second != "active" && it->second != "closed" && it->second != "bot")
            return c.reply(Response::error(400, "invalid_parameter", "state must be waiting, active or closed"));
        f.state = it->second;
    }
    if (auto it = c.request.query.find("queue"); it != c.request.query.end()) f.queue = it->second.substr(0, 64);
    if (auto it = c.request.query.find("agent"); it != c.request.query.end() && !it->second.empty()) {
        auto a = parse_id(it->second);
        if (!a) return c.reply(Response::error(400, "invalid_parameter", "agent must be a user id"));
        f.agent_id = *a;
    }
    if (auto it = c.request.query.find("cursor"); it != c.request.query.end() && !it->second.empty()) {
        auto b = parse_id(it->second);
        if (!b) return c.reply(Response::error(400, "invalid_parameter", "cursor must come from a previous page"));
        f.before_id = *b;
    }
    // Consultants see the conversations they serve; supervisors see all.
    if (!at_least(c.who->user.role, Role::supervisor)) f.agent_id = c.who->user.id;
    on_chat_store([f](store::ChatStore& s) { return s.contacts(f); },
                  [reply = c.reply, limit = f.limit](Result<std::vector<store::ContactRow>> r) {
                      if (!r) return reply(Response::error(r.error()));
                      json items = json::array();
                      for (const auto& row : *r) items.push_back(contact_json(row));
                      json next = int(r->size()) == limit && !r->empty() ? json(std::to_string(r->back().id)) : json(nullptr);
                      reply(Response::json(200, {{"items", items}, {"next", next}}));
                  });
}

void Api::get_contact(Call c) {
    auto id = parse_id(c.params["id"]);
    if (!id) return c.reply(Response::error(404, "contact_not_found", "No such conversation."));
    const bool supervisor = at_least(c.who->user.role, Role::supervisor);
    on_chat_store([id = *id, uid = c.who->user.id, supervisor](store::ChatStore& s) -> Result<store::ContactRow> {
        if (!supervisor) {
            auto ok = s.may_read(id, uid);
            if (!ok) return ok.error();
            if (!*ok) return Error::not_found("contact_not_found", "No such conversation.");
        }
        return s.contact(id);
    },
                  [this, reply = c.reply](Result<store::ContactRow> r) {
                      if (!r) return reply(Response::error(r.error()));
                      json j = contact_json(*r);
                      if (auto pos = b_.routing.position_of(r->id); pos && r->state == "waiting") j["position"] = *pos;
                      reply(Response::json(200, j));
                  });
}

void Api::contact_messages(Call c) {
    auto id = parse_id(c.params["id"]);
    if (!id) return c.reply(Response::error(404, "contact_not_found", "No such conversation."));
    int64_t after = 0;
    if (auto it = c.request.query.find("after"); it != c.request.query.end() && !it->second.empty() && it->second != "0") {
        auto a = parse_id(it->second);
        if (!a) return c.reply(Response::error(400, "invalid_parameter", "after must be a message id"));
        after = *a;
    }
    const bool supervisor = at_least(c.who->user.role, Role::supervisor);
    on_chat_store(
        [id = *id, after, uid = c.who->user.id, supervisor](store::ChatStore& s) -> Result<std::vector<store::StoredMessage>> {
            if (!supervisor) {
                auto ok = s.may_read(id, uid);
                if (!ok) return ok.error();
                if (!*ok) return Error::not_found("contact_not_found", "No such conversation.");
            }
            return s.messages_after(id, after, true, 500);
        },
        [reply = c.reply](Result<std::vector<store::StoredMessage>> r) {
            if (!r) return reply(Response::error(r.error()));
            json items = json::array();
            for (const auto& m : *r) items.push_back(message_json(m, true));
            json next = r->size() == 500 ? json(std::to_string(r->back().id)) : json(nullptr);
            reply(Response::json(200, {{"items", items}, {"next", next}}));
        });
}

namespace {
struct StaffMessage {
    int64_t contact_id = 0;
    std::string text;
    std::string client_msg_id;
    bool internal = false;
};

Result<StaffMessage> read_staff_message(const json& j, int64_t contact_id, size_t max_chars) {
    StaffMessage m;
    m.contact_id = contact_id;
    if (!j.contains("text") || !j["text"].is_string()) return Error::invalid("invalid_field", "text is required");
    m.text = j["text"].get<std::string>();
    if (m.text.find_first_not_of(" \t\r\n") == std::string::npos) return Error::invalid("empty_message", "The message is empty.");
    if (utf8_chars(m.text) > max_chars)
        return Error{ErrorKind::too_large, "message_too_long", "The message is longer than " + std::to_string(max_chars) + " characters."};
    if (j.contains("client_msg_id") && !j["client_msg_id"].is_null()) {
        if (!j["client_msg_id"].is_string() || j["client_msg_id"].get<std::string>().size() > 64)
            return Error::invalid("invalid_field", "client_msg_id must be a string of at most 64 characters");
        m.client_msg_id = j["client_msg_id"].get<std::string>();
    }
    if (j.contains("internal") && !j["internal"].is_null()) {
        if (!j["internal"].is_boolean()) return Error::invalid("invalid_field", "internal must be true or false");
        m.internal = j["internal"].get<bool>();
    }
    return m;
}
}  // namespace

void Api::agent_message(const Principal& who, const json& frame, AgentSocket& sock) {
    const json cmid = frame.contains("client_msg_id") ? frame["client_msg_id"] : json(nullptr);
    auto id = id_field(frame, "contact_id");
    LiveChat* chat = id ? live_chat(*id) : nullptr;
    if (!id || !chat || !may_serve(who, chat, *id))
        return sock.send_error("contact_not_found", "No open conversation with that id is yours.", cmid);
    if (chat->row.state == "closed") return sock.send_error("chat_closed", "This conversation has ended.", cmid);
    auto m = read_staff_message(frame, *id, opt_.max_message_chars);
    if (!m) return sock.send_error(m.error().code, m.error().message, cmid);
    store::NewMessage nm{*id, "agent", who.user.id, who.user.display_name, m->text, m->internal, "", m->client_msg_id,
                         b_.clock.now()};
    const std::string sid = who.session_id;
    AgentSocket* origin = &sock;
    store_message(std::move(nm), [this, cmid, sid, origin](Result<store::StoredMessage> r) {
        // The socket may have closed meanwhile: only answer it if it is still registered.
        AgentSocket* target = nullptr;
        auto range = sockets_.equal_range(sid);
        for (auto it = range.first; it != range.second; ++it)
            if (it->second == origin) target = it->second;
        if (!r) {
            if (target) target->send_error(r.error().code, r.error().message, cmid);
            return;
        }
        // The author hears first that it is stored, then everyone gets it.
        if (target) target->send({{"type", "ack"}, {"client_msg_id", cmid}, {"id", std::to_string(r->id)}});
        if (!r->duplicate) deliver(*r);
    });
}

void Api::post_contact_message(Call c) {
    auto id = parse_id(c.params["id"]);
    LiveChat* chat = id ? live_chat(*id) : nullptr;
    if (!id || !chat || !may_serve(*c.who, chat, *id))
        return c.reply(Response::error(404, "contact_not_found", "No open conversation with that id is yours."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    if (chat->row.state == "closed") return c.reply(Response::error(409, "chat_closed", "This conversation has ended."));
    auto m = read_staff_message(*body, *id, opt_.max_message_chars);
    if (!m) return c.reply(Response::error(m.error()));
    store::NewMessage nm{*id, "agent", c.who->user.id, c.who->user.display_name, m->text, m->internal, "",
                         m->client_msg_id, b_.clock.now()};
    store_message(std::move(nm), [this, reply = c.reply](Result<store::StoredMessage> r) {
        if (!r) return reply(Response::error(r.error()));
        if (!r->duplicate) deliver(*r);
        reply(Response::json(r->duplicate ? 200 : 201, message_json(*r, true)));
    });
}

void Api::close_contact(Call c) {
    auto id = parse_id(c.params["id"]);
    LiveChat* chat = id ? live_chat(*id) : nullptr;
    if (!id || (chat && !may_serve(*c.who, chat, *id)))
        return c.reply(Response::error(404, "contact_not_found", "No open conversation with that id is yours."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto disposition = string_field(*body, "disposition", 1, 32);
    if (!disposition || !valid_topic(*disposition))
        return c.reply(Response::error(400, "invalid_field", "disposition must be one of the topic ids"));
    std::string note;
    if (body->contains("note") && !(*body)["note"].is_null()) {
        auto n = string_field(*body, "note", 0, 16000);
        if (!n) return c.reply(Response::error(n.error()));
        note = *n;
    }
    if (!chat || chat->row.state == "closed") {
        // Ended by the resident: the consultant who served it still gives it its topic.
        const bool supervisor = at_least(c.who->user.role, Role::supervisor);
        on_chat_store(
            [id = *id, uid = c.who->user.id, supervisor, d = *disposition, note](store::ChatStore& s) -> Result<bool> {
                if (!supervisor) {
                    auto ok = s.may_read(id, uid);
                    if (!ok) return ok.error();
                    if (!*ok) return Error::not_found("contact_not_found", "No open conversation with that id is yours.");
                }
                return s.set_disposition(id, d, note);
            },
            [this, id = *id, reply = c.reply, who = *c.who, d = *disposition](Result<bool> r) {
                if (!r) return reply(Response::error(r.error()));
                if (!*r) return reply(Response::error(409, "contact_not_active", "Only an answered conversation can be closed."));
                audit(who, "contact_closed", "contact:" + std::to_string(id), "", {{"disposition", d}});
                reply(Response::json(200, {{"id", std::to_string(id)}, {"state", "closed"}, {"disposition", d}}));
            });
        return;
    }
    if (chat->row.state != "active")
        return c.reply(Response::error(409, "contact_not_active", "Only an answered conversation can be closed."));
    const auto now = b_.clock.now();
    // Disk first: a closed conversation stays closed after a restart.
    on_chat_store([id = *id, now, d = *disposition, note](store::ChatStore& s) { return s.mark_ended(id, "closed", now, d, note); },
                  [this, id = *id, reply = c.reply, who = *c.who, d = *disposition](Result<void> r) {
                      if (!r) return reply(Response::error(r.error()));
                      auto events = b_.routing.close(id);
                      if (events) apply(*events);
                      audit(who, "contact_closed", "contact:" + std::to_string(id), "", {{"disposition", d}});
                      reply(Response::json(200, {{"id", std::to_string(id)}, {"state", "closed"}, {"disposition", d}}));
                  });
}

void Api::transfer_contact(Call c) {
    auto id = parse_id(c.params["id"]);
    LiveChat* chat = id ? live_chat(*id) : nullptr;
    if (!id || !chat || !may_serve(*c.who, chat, *id))
        return c.reply(Response::error(404, "contact_not_found", "No open conversation with that id is yours."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    std::string note;
    if (body->contains("note") && !(*body)["note"].is_null()) {
        auto n = string_field(*body, "note", 0, 4000);
        if (!n) return c.reply(Response::error(n.error()));
        note = *n;
    }
    Result<routing::Events> events = routing::Events{};
    if (body->contains("queue")) {
        auto q = string_field(*body, "queue", 1, 64);
        if (!q) return c.reply(Response::error(q.error()));
        events = b_.routing.transfer_to_queue(*id, *q, note);
    } else if (auto agent = id_field(*body, "agent_id")) {
        events = b_.routing.transfer_to_agent(*id, *agent, note);
    } else {
        return c.reply(Response::error(400, "missing_field", "queue or agent_id is required"));
    }
    if (!events) return c.reply(Response::error(events.error()));
    apply(*events);
    if (!note.empty()) {
        store::NewMessage nm{*id, "agent", c.who->user.id, c.who->user.display_name, "Przekazanie: " + note, true, "", "",
                             b_.clock.now()};
        store_message(std::move(nm), [this](Result<store::StoredMessage> r) {
            if (r) deliver(*r);
        });
    }
    c.reply(Response::json(200, {{"id", std::to_string(*id)}, {"state", "waiting"}, {"queue", b_.routing.queue_of(*id).value_or("")}}));
}

void Api::invite_to_contact(Call c) {
    auto id = parse_id(c.params["id"]);
    LiveChat* chat = id ? live_chat(*id) : nullptr;
    if (!id || !chat || !may_serve(*c.who, chat, *id))
        return c.reply(Response::error(404, "contact_not_found", "No open conversation with that id is yours."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto skill = string_field(*body, "skill", 1, 32);
    if (!skill || !valid_skill_id(*skill)) return c.reply(Response::error(400, "invalid_field", "skill must be a skill id"));
    auto events = b_.routing.invite(*id, *skill);
    if (!events) return c.reply(Response::error(events.error()));
    apply(*events);
    c.reply(Response::json(202, {{"id", std::to_string(*id)}, {"invited", *skill}}));
}

// The consultant asks for a rating before closing (e.g. when the resident
// may leave without waiting for the close): the widget shows the rating form.
void Api::request_rating(Call c) {
    auto id = parse_id(c.params["id"]);
    LiveChat* chat = id ? live_chat(*id) : nullptr;
    if (!id || !chat || !may_serve(*c.who, chat, *id))
        return c.reply(Response::error(404, "contact_not_found", "No open conversation with that id is yours."));
    if (chat->row.state != "active")
        return c.reply(Response::error(409, "contact_not_active", "Only a conversation being served can be rated."));
    post_system(*id, "system", resident_text(chat->row.lang, "rating_asked"));
    for (auto* r : chat->residents) r->send({{"type", "rating_request"}});
    audit(c.who, "rating_requested", "contact:" + std::to_string(*id), c.request.remote_address);
    c.reply(Response::json(202, {{"id", std::to_string(*id)}, {"rating_request", "sent"}}));
}

void Api::build_chat_routes() {
    auto bind = [this](void (Api::*m)(Call)) { return [this, m](Call c) { (this->*m)(std::move(c)); }; };
    router_.add("POST", "/api/v1/public/chats", Access::public_, bind(&Api::create_chat));
    router_.add("GET", "/api/v1/public/chats/{id}/messages", Access::public_, bind(&Api::public_messages));
    router_.add("POST", "/api/v1/public/chats/{id}/messages", Access::public_, bind(&Api::public_post_message));
    router_.add("POST", "/api/v1/public/chats/{id}/handoff", Access::public_, bind(&Api::public_handoff));
    router_.add("POST", "/api/v1/public/chats/{id}/rating", Access::public_, bind(&Api::public_rating));
    router_.add("POST", "/api/v1/public/chats/{id}/button", Access::public_, bind(&Api::public_button));
    router_.add("POST", "/api/v1/public/chats/{id}/end", Access::public_, bind(&Api::public_end));
    router_.add("GET", "/api/v1/contacts", Access::agent, bind(&Api::list_contacts));
    router_.add("GET", "/api/v1/contacts/{id}", Access::agent, bind(&Api::get_contact));
    router_.add("GET", "/api/v1/contacts/{id}/messages", Access::agent, bind(&Api::contact_messages));
    router_.add("POST", "/api/v1/contacts/{id}/messages", Access::agent, bind(&Api::post_contact_message));
    router_.add("POST", "/api/v1/contacts/{id}/close", Access::agent, bind(&Api::close_contact));
    router_.add("POST", "/api/v1/contacts/{id}/transfer", Access::agent, bind(&Api::transfer_contact));
    router_.add("POST", "/api/v1/contacts/{id}/invite", Access::agent, bind(&Api::invite_to_contact));
    router_.add("POST", "/api/v1/contacts/{id}/rating-request", Access::agent, bind(&Api::request_rating));
}

}  // namespace centrala::api
