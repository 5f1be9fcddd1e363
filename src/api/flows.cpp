// The advisor's report and leave-a-message dialogues in the chat (see
// include/centrala/api/flows.hpp and docs/bot.md "Reports and messages").
#include "centrala/api/flows.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <set>

#include "centrala/api/json_body.hpp"
#include "centrala/api/upload.hpp"
#include "centrala/bot/advisor.hpp"
#include "centrala/crypto/crypto.hpp"
#include "centrala/store/chat_store.hpp"

namespace centrala::api {

using nlohmann::json;

namespace {
constexpr int max_photos_per_flow = 10;
constexpr auto flow_lifetime = std::chrono::hours(24);

bot::Lang lang_of(const std::string& code) { return bot::parse_lang(code).value_or(bot::Lang::pl); }

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
    return s;
}

std::string cut_chars(const std::string& s, size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    return std::string(bot::utf8_truncate(s, max_bytes)) + "…";
}

// The query part of a link: letters, digits and - _ only, which numbers and keys are.
bool url_safe(const std::string& s) {
    return s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
}
}  // namespace

FlowsModule::FlowsModule(ModuleContext& ctx, TicketsModule& tickets, CallbackModule* callbacks)
    : ctx_(ctx), tickets_(tickets), callbacks_(callbacks), store_(ctx.b.db) {
    for (const auto& s : ctx.opt.services) {
        if (s.topic != "report" || !s.location_required) continue;
        bot::FlowCategory c;
        c.code = s.code;
        c.name = s.name;
        c.names = s.names;
        c.terms.push_back(s.name);
        for (const auto& [lang, name] : s.names) c.terms.push_back(name);
        for (const auto& k : s.keywords) c.terms.push_back(k);
        if (!s.description.empty()) c.terms.push_back(s.description);
        cats_.push_back(std::move(c));
    }
}

std::string FlowsModule::message_category(const std::vector<Service>& services, const std::string& topic) {
    for (const auto& want : {topic, std::string("other")})
        for (const auto& s : services)
            if (s.topic == want && !s.location_required) return s.code;
    for (const auto& s : services)
        if (!s.location_required) return s.code;
    return {};
}

void FlowsModule::add_routes(Router& router) {
    router.add("POST", "/api/v1/public/chats/{id}/location", Access::public_, [this](Call c) { post_location(std::move(c)); });
    router.add("POST", "/api/v1/public/chats/{id}/photo", Access::public_, [this](Call c) { post_photo(std::move(c)); });
}

Result<void> FlowsModule::load() {
    if (ctx_.chat_bot) ctx_.chat_bot->flows = this;
    // Dialogues of chats still with the advisor carry on after a restart.
    auto rows = store_.open_flows();
    if (!rows) return rows.error();
    for (const auto& r : *rows) {
        const json j = json::parse(r.state, nullptr, false);
        if (CallbackModule::is_dialogue(j)) {
            // A call back being booked: the CallbackModule's dialogue.
            if (callbacks_) callbacks_->restore_dialogue(r.contact_id, j);
            continue;
        }
        auto s = bot::flow_from_json(j);
        if (!s) continue;
        Live l;
        l.state = std::move(*s);
        l.state.photo = l.state.photo && r.has_photo;
        l.started = ctx_.b.clock.now();
        flows_[r.contact_id] = std::move(l);
    }
    next_cleanup_ = ctx_.b.clock.now() + std::chrono::minutes(1);
    return Ok{};
}

void FlowsModule::tick() {
    const auto now = ctx_.b.clock.now();
    if (cleaning_ || now < next_cleanup_) return;
    cleaning_ = true;
    // Abandoned dialogues (the chat went to a person, was closed or given up,
    // or nobody answered for a day) and their photos go; memory follows the table.
    on_store_worker(
        ctx_,
        [this, before = now - flow_lifetime]() -> Result<std::vector<int64_t>> {
            auto removed = store_.remove_stale(before);
            if (!removed) return removed.error();
            auto open = store_.open_flows();
            if (!open) return open.error();
            std::vector<int64_t> ids;
            for (const auto& r : *open) ids.push_back(r.contact_id);
            return ids;
        },
        [this, now](Result<std::vector<int64_t>> r) {
            cleaning_ = false;
            next_cleanup_ = ctx_.b.clock.now() + std::chrono::minutes(10);
            if (!r) return spdlog::warn("advisor dialogues: cleanup failed: {}", r.error().message);
            std::set<int64_t> keep(r->begin(), r->end());
            // Dialogues begun since the cleanup was queued may not be on disk yet: kept.
            for (auto it = flows_.begin(); it != flows_.end();)
                it = keep.count(it->first) || it->second.filing || it->second.started >= now ? std::next(it)
                                                                                           : flows_.erase(it);
        });
}

void FlowsModule::on_resident_erased(const std::vector<int64_t>& chats, const std::vector<int64_t>&) {
    // What the resident told the dialogue (what, where, a phone) is theirs.
    for (int64_t id : chats) flows_.erase(id);
}

// ---- the dialogue -------------------------------------------------------------

void FlowsModule::say(int64_t chat_id, const bot::FlowReply& fr, std::vector<bot::LinkButton> links) {
    auto it = flows_.find(chat_id);
    bot::Reply r;
    r.topic = it != flows_.end() ? it->second.state.topic : "report";
    if (r.topic.empty()) r.topic = "other";
    r.confidence = 1;
    r.language = it != flows_.end() ? it->second.state.lang : bot::Lang::pl;
    r.text = fr.text;
    r.buttons = fr.buttons;
    r.links = std::move(links);
    ctx_.bot_say(chat_id, r);
}

void FlowsModule::save_and_say(int64_t chat_id, const bot::FlowReply& reply) {
    auto it = flows_.find(chat_id);
    if (it == flows_.end()) return;
    const std::string state = bot::flow_to_json(it->second.state).dump();
    const bool photo = it->second.state.photo;
    on_store_worker(
        ctx_,
        [this, chat_id, state, photo, at = ctx_.b.clock.now()]() -> Result<void> {
            if (auto r = store_.save(chat_id, state, at); !r) return r;
            if (!photo) return store_.drop_photo(chat_id);  // skipped after all: not kept
            return Ok{};
        },
        [this, chat_id, reply](Result<void> r) {
            if (!r) spdlog::warn("contact {}: dialogue state not stored: {}", chat_id, r.error().message);
            say(chat_id, reply);
        });
}

void FlowsModule::begin(int64_t chat_id, bot::FlowState s, const bot::FlowReply& first) {
    Live l;
    l.state = std::move(s);
    l.started = ctx_.b.clock.now();
    flows_[chat_id] = std::move(l);
    save_and_say(chat_id, first);
}

void FlowsModule::finish(int64_t chat_id, bool tell_cancelled) {
    auto it = flows_.find(chat_id);
    if (it == flows_.end()) return;
    const bot::Lang lang = it->second.state.lang;
    flows_.erase(it);
    on_store_worker(ctx_, [this, chat_id] { return store_.remove(chat_id); },
                    [chat_id](Result<void> r) {
                        if (!r) spdlog::warn("contact {}: dialogue not removed: {}", chat_id, r.error().message);
                    });
    if (tell_cancelled) {
        bot::FlowReply fr;
        fr.text = bot::flow_text("cancelled", lang);
        bot::Reply r;
        r.topic = "other";
        r.confidence = 1;
        r.language = lang;
        r.text = fr.text;
        ctx_.bot_say(chat_id, r);
    }
}

void FlowsModule::step(int64_t chat_id, const bot::FlowInput& in) {
    auto it = flows_.find(chat_id);
    if (it == flows_.end() || it->second.filing) return;
    const bot::FlowReply r = bot::flow_step(it->second.state, in, cats_);
    switch (r.action) {
        case bot::FlowReply::Action::cancel: return finish(chat_id, true);
        case bot::FlowReply::Action::file: return file(chat_id);
        case bot::FlowReply::Action::ask: return save_and_say(chat_id, r);
    }
}

void FlowsModule::on_text(int64_t chat_id, const std::string& text) {
    if (callbacks_ && callbacks_->active(chat_id)) return callbacks_->on_text(chat_id, text);
    step(chat_id, {bot::FlowInput::Kind::text, text, 0, 0});
}

bool FlowsModule::on_button(int64_t chat_id, const std::string& value, const std::string& lang, const std::string& topic,
                            std::function<void(Result<void>)>& done) {
    if (callbacks_ && CallbackModule::is_button(value)) {
        // A report or message in progress gives way to booking a callback.
        if (value == "callback" && flows_.count(chat_id)) finish(chat_id, false);
        callbacks_->on_button(chat_id, value, lang, topic, done);
        return true;
    }
    if (callbacks_) callbacks_->cancel(chat_id);  // another dialogue's button ends the callback one
    if (value == bot::report_button || (value == "leave_message" && topic == "report")) {
        auto it = flows_.find(chat_id);
        if (it != flows_.end() && it->second.state.kind == bot::FlowKind::report) {
            // Already reporting (e.g. the link pressed again): the current question.
            say(chat_id, bot::flow_prompt(it->second.state, cats_));
        } else {
            bot::FlowState s;
            auto first = bot::start_report(s, lang_of(lang), cats_);
            begin(chat_id, std::move(s), first);
        }
        done(Ok{});
        return true;
    }
    if (value == "leave_message") {
        if (message_category(ctx_.opt.services, topic).empty()) return false;  // no category to file it under
        bot::FlowState s;
        auto first = bot::start_message(s, lang_of(lang), topic);
        begin(chat_id, std::move(s), first);
        done(Ok{});
        return true;
    }
    if (value.rfind(bot::flow_button_prefix, 0) != 0) return false;
    auto it = flows_.find(chat_id);
    if (it == flows_.end()) {
        done(Error::conflict("no_report", "This report was already sent or cancelled."));
        return true;
    }
    if (it->second.filing) {
        done(Error::conflict("report_filing", "The report is being sent."));
        return true;
    }
    step(chat_id, {bot::FlowInput::Kind::button, value, 0, 0});
    done(Ok{});
    return true;
}

Result<void> FlowsModule::on_location(int64_t chat_id, double lat, double lon) {
    if (!std::isfinite(lat) || !std::isfinite(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180)
        return Error::invalid("invalid_location", "lat must be -90..90 and lon -180..180");
    auto it = flows_.find(chat_id);
    if (it == flows_.end() || it->second.state.kind != bot::FlowKind::report)
        return Error::conflict("no_report", "There is no report in progress in this chat.");
    if (it->second.filing) return Error::conflict("report_filing", "The report is being sent.");
    step(chat_id, {bot::FlowInput::Kind::location, "", lat, lon});
    return Ok{};
}

void FlowsModule::start_report(int64_t chat_id, const std::string& lang, const std::string& what,
                               const std::string& answer) {
    if (flows_.count(chat_id)) return;
    // An answer about one kind ("report.street_light") names it; the resident's words describe it.
    std::string category;
    if (const auto* kb = ctx_.chat_bot && ctx_.chat_bot->advisor ? &ctx_.chat_bot->advisor->knowledge() : nullptr)
        if (const bot::Answer* a = answer.empty() ? nullptr : kb->answer(answer))
            category = bot::classify_report(a->title.pl, cats_).value_or("");
    bot::FlowState s;
    auto first = bot::start_report(s, lang_of(lang), cats_, what, category);
    begin(chat_id, std::move(s), first);
}

std::string FlowsModule::end_for_handoff(int64_t chat_id) {
    if (callbacks_) callbacks_->cancel(chat_id);
    auto it = flows_.find(chat_id);
    if (it == flows_.end()) return {};
    const auto& s = it->second.state;
    std::string note = std::string(s.kind == bot::FlowKind::report ? "Zgłoszenie" : "Wiadomość") +
                       " rozpoczęte z asystentem (niewysłane):\n" + bot::flow_summary(s, cats_, bot::Lang::pl);
    if (s.photo) note += "\n(zdjęcie nie jest przenoszone — poproś o nie, jeśli jest potrzebne)";
    finish(chat_id, false);
    return note;
}

void FlowsModule::file(int64_t chat_id) {
    auto it = flows_.find(chat_id);
    if (it == flows_.end()) return;
    it->second.filing = true;
    const bot::FlowState s = it->second.state;
    ChatCase cc;
    cc.contact_id = chat_id;
    if (s.kind == bot::FlowKind::report) {
        cc.category = s.category;
        std::string name = s.category;
        for (const auto& c : cats_)
            if (c.code == s.category) name = c.name;
        std::string where = s.address;
        if (where.empty() && s.lat && s.lon) where = bot::flow_text("f_point", bot::Lang::pl);
        cc.subject = cut_chars(name + (where.empty() ? "" : " — " + where), 190);
        cc.description = s.what.empty() ? name : s.what;
        cc.lat = s.lat;
        cc.lon = s.lon;
        cc.address = s.address;
    } else {
        cc.category = message_category(ctx_.opt.services, s.topic);
        cc.subject = cut_chars("Wiadomość z czatu: " + s.what, 190);
        cc.description = s.what;
    }
    cc.phone = s.phone;
    cc.email = s.email;
    auto fail = [this, chat_id](const Error& e) {
        spdlog::warn("contact {}: the advisor could not file the case: {}", chat_id, e.message);
        auto it = flows_.find(chat_id);
        if (it == flows_.end()) return;
        it->second.filing = false;
        bot::FlowReply r = bot::flow_prompt(it->second.state, cats_);
        r.text = bot::flow_text("not_filed", it->second.state.lang) + "\n\n" + r.text;
        say(chat_id, r);
    };
    auto with_photo = [this, chat_id, s, fail](std::string photo, ChatCase cc) {
        cc.photo = std::move(photo);
        tickets_.file_from_chat(std::move(cc), [this, chat_id, s, fail](Result<FiledCase> r) {
            if (!r) return fail(r.error());
            auto it = flows_.find(chat_id);
            if (it != flows_.end()) flows_.erase(it);
            on_store_worker(ctx_, [this, chat_id] { return store_.remove(chat_id); }, [](Result<void>) {});
            ctx_.audit(std::nullopt, "ticket_filed_by_advisor", "ticket:" + std::to_string(r->id), "",
                       {{"number", r->number}, {"contact_id", std::to_string(chat_id)}, {"photo", r->photo_attached}});
            bot::FlowReply fr;
            fr.text = replace_all(replace_all(bot::flow_text(s.kind == bot::FlowKind::report ? "filed_report" : "filed_message", s.lang),
                                              "{number}", r->number),
                                  "{key}", r->access_key);
            std::vector<bot::LinkButton> links;
            if (url_safe(r->number) && url_safe(r->access_key))
                links.push_back({bot::flow_text("status_link", s.lang), "/sprawa?numer=" + r->number + "&klucz=" + r->access_key});
            // The topic of the message stays the chat's matter.
            bot::Reply reply;
            reply.topic = s.topic.empty() ? "other" : s.topic;
            reply.confidence = 1;
            reply.language = s.lang;
            reply.text = fr.text;
            reply.links = std::move(links);
            ctx_.bot_say(chat_id, reply);
        });
    };
    if (!s.photo) return with_photo({}, std::move(cc));
    on_store_worker(
        ctx_, [this, chat_id] { return store_.photo(chat_id); },
        [with_photo, cc, fail](Result<std::optional<store::HeldPhoto>> p) mutable {
            if (!p) return fail(p.error());
            with_photo(*p ? std::move((*p)->bytes) : std::string(), std::move(cc));
        });
}

// ---- public routes --------------------------------------------------------------

void FlowsModule::with_visitor_chat(Call& c, std::function<void(int64_t)> f) {
    const auto* token = c.request.header("x-visitor-token");
    auto id = parse_id(c.params["id"]);
    if (!token || token->empty() || token->size() > 128 || !id)
        return c.reply(Response::error(404, "chat_not_found", "No such conversation."));
    on_store_worker(
        ctx_, [db = &ctx_.b.db, hash = crypto::sha256_hex(*token)] { return store::ChatStore(*db).contact_by_visitor(hash); },
        [id = *id, reply = c.reply, f = std::move(f)](Result<store::ContactRow> chat) {
            if (!chat || chat->id != id) return reply(Response::error(404, "chat_not_found", "No such conversation."));
            if (chat->state != "bot")
                return reply(Response::error(409, "no_report", "There is no report in progress in this chat."));
            f(id);
        });
}

void FlowsModule::post_location(Call c) {
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    if (!body->contains("lat") || !body->contains("lon") || !(*body)["lat"].is_number() || !(*body)["lon"].is_number())
        return c.reply(Response::error(400, "invalid_location", "lat and lon are required numbers"));
    const double lat = (*body)["lat"].get<double>(), lon = (*body)["lon"].get<double>();
    auto reply = c.reply;
    with_visitor_chat(c, [this, reply, lat, lon](int64_t id) {
        auto r = on_location(id, lat, lon);
        if (!r) return reply(Response::error(r.error()));
        reply(Response::json(200, {{"chat_id", std::to_string(id)}, {"lat", lat}, {"lon", lon}}));
    });
}

void FlowsModule::post_photo(Call c) {
    const auto* ct = c.request.header("content-type");
    std::string declared = ct ? *ct : std::string();
    for (auto& ch : declared) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    UploadedFile file;
    if (declared.rfind("multipart/form-data", 0) == 0) {
        auto f = parse_multipart_file(*ct, c.request.body);
        if (!f) return c.reply(Response::error(400, "malformed_upload", "The multipart body has no file part."));
        file = std::move(*f);
        for (auto& ch : file.content_type) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    } else {
        file.content_type = declared.substr(0, declared.find(';'));
        file.bytes = std::move(c.request.body);
    }
    if (file.bytes.empty()) return c.reply(Response::error(400, "empty_upload", "The photo is empty."));
    const size_t max = ctx_.opt.tickets.attachment_max_bytes;
    if (file.bytes.size() > max)
        return c.reply(Response::error(413, "photo_too_large", "A photo may have at most " + std::to_string(max) + " bytes."));
    // The bytes decide (the same check as case attachments), and only photos.
    const auto sniffed = sniff_file_type(file.bytes);
    if (!sniffed || (*sniffed != "image/jpeg" && *sniffed != "image/png"))
        return c.reply(Response::error(415, "unsupported_file_type", "Send a photo as JPEG or PNG."));
    const bool generic = file.content_type.empty() || file.content_type == "application/octet-stream";
    if (!generic && file.content_type != *sniffed && !(file.content_type == "image/jpg" && *sniffed == "image/jpeg"))
        return c.reply(Response::error(415, "content_type_mismatch", "The file is " + *sniffed + ", not " + file.content_type + "."));
    auto reply = c.reply;
    auto bytes = std::make_shared<std::string>(std::move(file.bytes));
    with_visitor_chat(c, [this, reply, bytes, type = *sniffed](int64_t id) {
        auto it = flows_.find(id);
        if (it == flows_.end() || it->second.state.kind != bot::FlowKind::report)
            return reply(Response::error(409, "no_report", "There is no report in progress in this chat."));
        if (it->second.filing) return reply(Response::error(409, "report_filing", "The report is being sent."));
        if (++it->second.photos > max_photos_per_flow)
            return reply(Response::error(429, "too_many_photos", "Too many photos for one report."));
        // Persist the state first (the row must exist), then hold the photo.
        const std::string state = bot::flow_to_json(it->second.state).dump();
        on_store_worker(
            ctx_,
            [this, id, bytes, type, state, at = ctx_.b.clock.now()]() -> Result<void> {
                if (auto r = store_.save(id, state, at); !r) return r;
                return store_.hold_photo(id, *bytes, type, at);
            },
            [this, reply, id, type, size = bytes->size()](Result<void> r) {
                if (!r) return reply(Response::error(r.error()));
                if (!flows_.count(id)) {
                    // Cancelled meanwhile: the photo goes with the dialogue.
                    on_store_worker(ctx_, [this, id] { return store_.remove(id); }, [](Result<void>) {});
                    return reply(Response::error(409, "no_report", "There is no report in progress in this chat."));
                }
                step(id, {bot::FlowInput::Kind::photo, "", 0, 0});
                reply(Response::json(201, {{"chat_id", std::to_string(id)}, {"content_type", type}, {"size", size}}));
            });
    });
}

}  // namespace centrala::api
