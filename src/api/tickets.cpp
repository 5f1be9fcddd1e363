#include "centrala/api/tickets.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>

#include "centrala/api/json_body.hpp"
#include "centrala/api/upload.hpp"
#include "centrala/crypto/crypto.hpp"
#include "centrala/bot/text.hpp"
#include "centrala/domain/appointments.hpp"
#include "centrala/store/appointment_store.hpp"
#include "centrala/store/chat_store.hpp"
#include "centrala/store/flow_store.hpp"
#include "centrala/store/resident_store.hpp"

namespace centrala::api {

using nlohmann::json;
using store::TicketRow;

namespace {

// An id in a JSON body: a string ("12") or, leniently, a positive integer.
std::optional<int64_t> json_id(const json& j) {
    if (j.is_string()) return parse_id(j.get<std::string>());
    if (j.is_number_integer() && j.get<int64_t>() > 0) return j.get<int64_t>();
    return std::nullopt;
}

json opt_time(const std::optional<SysTime>& t) { return t ? json(to_rfc3339(*t)) : json(nullptr); }
json opt_id(const std::optional<int64_t>& v) { return v ? json(std::to_string(*v)) : json(nullptr); }

bool has_control(const std::string& s, bool allow_newlines) {
    for (unsigned char c : s)
        if (c < 0x20 && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t'))) return true;
    return false;
}

Result<std::string> text_field(const json& body, const char* name, size_t max, bool required, bool multiline) {
    if (!body.contains(name) || body[name].is_null()) {
        if (required) return Error::invalid("missing_field", std::string(name) + " is required");
        return std::string();
    }
    if (!body[name].is_string()) return Error::invalid("invalid_field", std::string(name) + " must be a string");
    std::string s = body[name].get<std::string>();
    if (required && s.find_first_not_of(" \t\r\n") == std::string::npos)
        return Error::invalid("missing_field", std::string(name) + " must not be empty");
    if (s.size() > max)
        return Error{ErrorKind::too_large, std::string(name) + "_too_long",
                     std::string(name) + " must have at most " + std::to_string(max) + " bytes"};
    if (has_control(s, multiline))
        return Error::invalid("invalid_field", std::string(name) + " must not contain control characters");
    return s;
}

}  // namespace

// "+48 600-100-200" and "+48600100200" are one number: kept as + and digits,
// so an erasure request by phone finds every case however it was typed.
std::string normalise_phone(const std::string& phone) {
    std::string out;
    for (char c : phone)
        if ((c >= '0' && c <= '9') || (c == '+' && out.empty())) out += c;
    return out;
}

namespace {

Result<void> read_resident(const json& body, TicketRow& row) {
    if (!body.contains("resident") || body["resident"].is_null()) return Ok{};
    const json& r = body["resident"];
    if (!r.is_object()) return Error::invalid("invalid_field", "resident must be an object {name, phone, email}");
    for (auto it = r.begin(); it != r.end(); ++it)
        if (it.key() != "name" && it.key() != "phone" && it.key() != "email")
            return Error::invalid("unknown_field", "resident has no field '" + it.key() + "'");
    auto name = text_field(r, "name", 100, false, false);
    if (!name) return name.error();
    auto phone = text_field(r, "phone", 32, false, false);
    if (!phone) return phone.error();
    auto email = text_field(r, "email", 254, false, false);
    if (!email) return email.error();
    if (!phone->empty() && phone->find_first_not_of("+0123456789 -()") != std::string::npos)
        return Error::invalid("invalid_phone", "resident.phone may contain digits, spaces, +, - and brackets only");
    if (!email->empty() && (email->find('@') == std::string::npos || email->find(' ') != std::string::npos))
        return Error::invalid("invalid_email", "resident.email must be an e-mail address");
    row.resident_name = *name;
    row.resident_phone = normalise_phone(*phone);
    row.resident_email = *email;
    return Ok{};
}

Result<void> read_location(const json& body, TicketRow& row) {
    if (!body.contains("location") || body["location"].is_null()) return Ok{};
    const json& l = body["location"];
    if (!l.is_object()) return Error::invalid("invalid_field", "location must be an object {lat, lon, address}");
    for (auto it = l.begin(); it != l.end(); ++it)
        if (it.key() != "lat" && it.key() != "lon" && it.key() != "address")
            return Error::invalid("unknown_field", "location has no field '" + it.key() + "'");
    const bool has_lat = l.contains("lat") && !l["lat"].is_null(), has_lon = l.contains("lon") && !l["lon"].is_null();
    if (has_lat != has_lon) return Error::invalid("invalid_location", "location needs both lat and lon, or neither");
    if (has_lat) {
        if (!l["lat"].is_number() || !l["lon"].is_number())
            return Error::invalid("invalid_location", "location.lat and location.lon must be numbers");
        const double lat = l["lat"].get<double>(), lon = l["lon"].get<double>();
        if (!std::isfinite(lat) || !std::isfinite(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180)
            return Error::invalid("invalid_location", "location.lat must be -90..90 and location.lon -180..180");
        row.lat = lat;
        row.lon = lon;
    }
    auto address = text_field(l, "address", 300, false, false);
    if (!address) return address.error();
    row.address = *address;
    return Ok{};
}

std::string csv_cell(const std::string& v) {
    std::string s = v;
    // A cell starting with = + - @ is a formula to a spreadsheet.
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s = "'" + s;
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

Result<std::optional<SysTime>> time_param(const Request& req, const char* name, bool end_of_day) {
    auto it = req.query.find(name);
    if (it == req.query.end() || it->second.empty()) return std::optional<SysTime>{};
    SysTime t;
    if (parse_rfc3339(it->second, t)) return std::optional<SysTime>(t);
    Date d;
    if (parse_date(it->second, d)) {
        // A date is a whole Warsaw day.
        auto start = from_warsaw(d, 0);
        if (end_of_day) start = from_warsaw(Date{std::chrono::sys_days{d} + std::chrono::days{1}}, 0);
        return std::optional<SysTime>(start);
    }
    return Error::invalid("invalid_parameter", std::string(name) + " must be a date YYYY-MM-DD or an RFC 3339 time");
}

}  // namespace

// ---- rate limits -------------------------------------------------------------

int AddressLimiter::hit(const std::string& address, SysTime now) {
    if (hits_.size() > 50000) prune(now);
    auto& q = hits_[address];
    while (!q.empty() && now - q.front() >= window_) q.pop_front();
    if (int(q.size()) >= max_) {
        const auto wait = std::chrono::ceil<std::chrono::seconds>(q.front() + window_ - now).count();
        return int(std::max<int64_t>(1, wait));
    }
    q.push_back(now);
    return 0;
}

void AddressLimiter::prune(SysTime now) {
    for (auto it = hits_.begin(); it != hits_.end();) {
        while (!it->second.empty() && now - it->second.front() >= window_) it->second.pop_front();
        it = it->second.empty() ? hits_.erase(it) : std::next(it);
    }
}

// ---- module ------------------------------------------------------------------

TicketsModule::TicketsModule(ModuleContext& ctx)
    : ctx_(ctx),
      store_(ctx.b.db, ctx.opt.tickets.attachments_dir),
      public_reads_(ctx.opt.tickets.public_lookups_per_minute, std::chrono::seconds(60)),
      public_creates_(ctx.opt.tickets.public_creates_per_hour, std::chrono::seconds(3600)) {
    for (const auto& s : ctx.opt.services)
        if (s.retention_days > 0) retention_by_category_[s.code] = s.retention_days;
}

Result<void> TicketsModule::load() {
    std::error_code ec;
    std::filesystem::create_directories(ctx_.opt.tickets.attachments_dir, ec);
    if (ec)
        return Error::internal("cannot create the attachments directory " + ctx_.opt.tickets.attachments_dir + ": " +
                               ec.message());
    // The first retention pass runs a minute after start (sooner when the
    // interval is shorter), then every `retention_interval_seconds` (an hour).
    next_retention_ = ctx_.b.clock.now() + std::min<std::chrono::seconds>(
                                               std::chrono::minutes(1),
                                               std::chrono::seconds(ctx_.opt.tickets.retention_interval_seconds));
    return Ok{};
}

void TicketsModule::tick() {
    const auto now = ctx_.b.clock.now();
    if (retention_running_ || now < next_retention_) return;
    retention_running_ = true;
    run_retention([this](size_t erased) {
        retention_running_ = false;
        // A full batch means more are due: go on soon instead of in an hour.
        next_retention_ = ctx_.b.clock.now() + (erased >= 500 ? std::chrono::seconds(1)
                                                              : std::chrono::seconds(
                                                                    ctx_.opt.tickets.retention_interval_seconds));
        public_reads_.prune(ctx_.b.clock.now());
        public_creates_.prune(ctx_.b.clock.now());
    });
}

void TicketsModule::run_retention(std::function<void(size_t)> done) {
    const auto now = ctx_.b.clock.now();
    on_store_worker(
        ctx_,
        [this, now, days = ctx_.opt.tickets.retention_days, by_cat = retention_by_category_] {
            return store_.erase_expired(now, days, by_cat, 500);
        },
        [this, done](Result<std::vector<std::string>> r) {
            if (!r) {
                spdlog::error("ticket retention: {}", r.error().message);
                return done(0);
            }
            if (!r->empty()) {
                spdlog::info("ticket retention: erased the resident contact data of {} closed case(s)", r->size());
                ctx_.audit(std::nullopt, "ticket_retention", "tickets", "",
                           {{"erased", *r}, {"count", r->size()}});
            }
            done(r->size());
        });
}

void TicketsModule::add_routes(Router& router) {
    auto bind = [this](void (TicketsModule::*m)(Call)) { return [this, m](Call c) { (this->*m)(std::move(c)); }; };
    router.add("GET", "/api/v1/ticket-categories", Access::agent, bind(&TicketsModule::categories));
    // Staff export what they may list (ticket_scope); personal data is never in it.
    router.add("GET", "/api/v1/tickets.csv", Access::agent, bind(&TicketsModule::export_csv));
    router.add("POST", "/api/v1/tickets", Access::agent, bind(&TicketsModule::create));
    router.add("GET", "/api/v1/tickets", Access::agent, bind(&TicketsModule::list));
    router.add("GET", "/api/v1/tickets/{id}", Access::agent, bind(&TicketsModule::get));
    router.add("PATCH", "/api/v1/tickets/{id}", Access::agent, bind(&TicketsModule::update));
    router.add("POST", "/api/v1/tickets/{id}/comments", Access::agent, bind(&TicketsModule::comment));
    router.add("POST", "/api/v1/tickets/{id}/attachments", Access::agent, bind(&TicketsModule::attach));
    router.add("GET", "/api/v1/tickets/{id}/attachments/{attachment}", Access::agent, bind(&TicketsModule::download));
    router.add("GET", "/api/v1/public/tickets/{number}", Access::public_, bind(&TicketsModule::public_get));
    router.add("GET", "/api/v1/public/tickets/{number}/attachments/{attachment}", Access::public_,
               bind(&TicketsModule::public_download));
    router.add("POST", "/api/v1/residents/export", Access::admin, bind(&TicketsModule::resident_export));
    router.add("POST", "/api/v1/residents/erase", Access::admin, bind(&TicketsModule::resident_erase));
    add_open311_routes(router);
}

const Service* TicketsModule::service(const std::string& code) const {
    for (const auto& s : ctx_.opt.services)
        if (s.code == code) return &s;
    return nullptr;
}

const Department* TicketsModule::department(const std::string& id) const {
    for (const auto& d : ctx_.opt.departments)
        if (d.id == id) return &d;
    return nullptr;
}

SysTime TicketsModule::due_time(const std::string& dep_id, SysTime opened) const {
    const Department* d = department(dep_id);
    if (!d) return opened;
    const WeeklySchedule* schedule = nullptr;
    if (auto it = ctx_.opt.schedules.find(d->hours); it != ctx_.opt.schedules.end()) schedule = &it->second;
    // A schedule with no open hours cannot count an SLA: fall back to clock hours.
    auto due = add_business_hours(opened, d->sla_business_hours, schedule, ctx_.opt.holidays);
    return due ? *due : opened + std::chrono::hours(d->sla_business_hours);
}

std::string TicketsModule::status_name_pl(const std::string& s) const {
    if (s == "new") return "przyjęta";
    if (s == "assigned") return "przekazana do wydziału";
    if (s == "in_progress") return "w realizacji";
    if (s == "waiting_resident") return "oczekuje na informację od Ciebie";
    if (s == "resolved") return "załatwiona";
    if (s == "closed") return "zamknięta";
    return s;
}

json TicketsModule::ticket_json(const TicketRow& t, bool with_resident) const {
    const Service* s = service(t.category);
    const Department* d = department(t.department);
    json next = json::array();
    for (auto st : allowed_transitions(t.status)) next.push_back(std::string(st));
    json j = {{"id", std::to_string(t.id)},
              {"number", t.number},
              {"subject", t.subject},
              {"description", t.description},
              {"category", t.category},
              {"category_name", s ? s->name : t.category},
              {"department", t.department},
              {"department_name", d ? d->name : t.department},
              {"priority", t.priority},
              {"status", t.status},
              {"allowed_transitions", next},
              {"assignee_id", opt_id(t.assignee_id)},
              {"assignee_name", nullptr},
              {"created_by", opt_id(t.created_by)},
              {"source", t.source},
              {"contact_id", opt_id(t.contact_id)},
              {"location", nullptr},
              {"attributes", json::parse(t.attributes, nullptr, false)},
              {"media_url", t.media_url.empty() ? json(nullptr) : json(t.media_url)},
              {"created_at", to_rfc3339(t.created_at)},
              {"updated_at", to_rfc3339(t.updated_at)},
              {"due_at", to_rfc3339(t.due_at)},
              {"overdue", ticket_open(t.status) && t.due_at < ctx_.b.clock.now()},
              {"resolved_at", opt_time(t.resolved_at)},
              {"closed_at", opt_time(t.closed_at)},
              {"resident_erased", t.resident_erased_at.has_value()}};
    if (t.assignee_id)
        if (const User* u = ctx_.directory.find(*t.assignee_id)) j["assignee_name"] = u->display_name;
    if (t.lat || !t.address.empty())
        j["location"] = {{"lat", t.lat ? json(*t.lat) : json(nullptr)},
                         {"lon", t.lon ? json(*t.lon) : json(nullptr)},
                         {"address", t.address}};
    if (with_resident)
        j["resident"] = {{"name", t.resident_name}, {"phone", t.resident_phone}, {"email", t.resident_email}};
    return j;
}

json TicketsModule::public_json(const TicketRow& t, const std::vector<store::TicketComment>& comments,
                                const std::vector<store::TicketAttachment>& attachments) const {
    const Service* s = service(t.category);
    const Department* d = department(t.department);
    json cs = json::array();
    for (const auto& c : comments)
        if (!c.internal) cs.push_back({{"body", c.body}, {"created_at", to_rfc3339(c.created_at)}});
    json as = json::array();
    for (const auto& a : attachments)
        if (a.is_public)
            as.push_back({{"id", std::to_string(a.id)},
                          {"file_name", a.file_name},
                          {"content_type", a.content_type},
                          {"size", a.size}});
    return {{"number", t.number},
            {"subject", t.subject},
            {"status", t.status},
            {"category", t.category},
            {"category_name", s ? s->name : t.category},
            {"department_name", d ? d->name : t.department},
            {"created_at", to_rfc3339(t.created_at)},
            {"updated_at", to_rfc3339(t.updated_at)},
            {"due_at", to_rfc3339(t.due_at)},
            {"resolved_at", opt_time(t.resolved_at)},
            {"closed_at", opt_time(t.closed_at)},
            {"comments", cs},
            {"attachments", as}};
}

Result<void> TicketsModule::validate_location(const Service& s, const TicketRow& row) const {
    if (s.location_required && !row.lat && row.address.empty())
        return Error::invalid("location_required",
                              "A case of category '" + s.code + "' needs a location (lat and lon, or an address).");
    return Ok{};
}

Result<TicketsModule::Draft> TicketsModule::draft_from_json(const json& body, const Principal& who) const {
    static const std::set<std::string> known = {"subject",  "description", "category", "department", "priority",
                                                "location", "resident",    "contact_id", "attributes"};
    for (auto it = body.begin(); it != body.end(); ++it)
        if (!known.count(it.key())) return Error::invalid("unknown_field", "unknown field '" + it.key() + "'");
    Draft d;
    TicketRow& row = d.row;
    auto subject = text_field(body, "subject", 200, true, false);
    if (!subject) return subject.error();
    auto description = text_field(body, "description", 10000, false, true);
    if (!description) return description.error();
    auto category = text_field(body, "category", 64, true, false);
    if (!category) return category.error();
    const Service* s = service(*category);
    if (!s) return Error::invalid("unknown_category", "category must be a service_code from /open311/v2/services.json");
    row.subject = *subject;
    row.description = *description;
    row.category = s->code;
    row.department = s->department;
    if (body.contains("department") && !body["department"].is_null()) {
        auto dep = text_field(body, "department", 64, true, false);
        if (!dep) return dep.error();
        if (!department(*dep)) return Error::invalid("unknown_department", "No department '" + *dep + "'.");
        row.department = *dep;
    }
    if (body.contains("priority") && !body["priority"].is_null()) {
        if (!body["priority"].is_string() || !valid_ticket_priority(body["priority"].get<std::string>()))
            return Error::invalid("invalid_priority", "priority must be low, normal, high or urgent");
        row.priority = body["priority"].get<std::string>();
    }
    if (auto r = read_location(body, row); !r) return r.error();
    if (auto r = validate_location(*s, row); !r) return r.error();
    if (auto r = read_resident(body, row); !r) return r.error();
    if (body.contains("contact_id") && !body["contact_id"].is_null()) {
        auto id = json_id(body["contact_id"]);
        if (!id) return Error::invalid("invalid_field", "contact_id must be a contact id");
        row.contact_id = *id;
    }
    if (body.contains("attributes") && !body["attributes"].is_null()) {
        if (!body["attributes"].is_object()) return Error::invalid("invalid_field", "attributes must be an object");
        const std::string text = body["attributes"].dump();
        if (text.size() > 4000) return Error{ErrorKind::too_large, "attributes_too_long", "attributes are too long"};
        row.attributes = text;
    }
    row.status = "new";
    row.source = "staff";
    row.created_by = who.user.id;
    return d;
}

void TicketsModule::store_new_ticket(Draft d, std::optional<Principal> who, std::string address,
                                     std::function<void(Result<TicketRow>, std::string)> done, bool tell_resident) {
    const auto now = ctx_.b.clock.now();
    d.row.created_at = now;
    d.row.due_at = due_time(d.row.department, now);
    d.access_key = crypto::random_token(9);
    d.row.access_key_hash = crypto::sha256_hex(d.access_key);
    const int year = int(to_warsaw(now).date.year());
    store::Actor actor{who ? std::optional<int64_t>(who->user.id) : std::nullopt,
                       who ? who->user.username : std::string("resident")};
    on_store_worker(
        ctx_,
        [this, row = d.row, year, actor, prefix = ctx_.opt.tickets.number_prefix]() -> Result<TicketRow> {
            if (row.contact_id) {
                store::ChatStore chats(ctx_.b.db);
                if (auto c = chats.contact(*row.contact_id); !c)
                    return c.error().kind == ErrorKind::not_found
                               ? Error::invalid("contact_not_found", "contact_id names no conversation")
                               : c.error();
            }
            return store_.create(row, prefix, year, actor);
        },
        [this, key = d.access_key, who, address, done, tell_resident](Result<TicketRow> r) {
            if (r) {
                ctx_.audit(who, "ticket_created", "ticket:" + std::to_string(r->id), address,
                           {{"number", r->number}, {"category", r->category}, {"department", r->department},
                            {"source", r->source}});
                if (r->contact_id) {
                    ctx_.note_to_chat(*r->contact_id, "Utworzono sprawę " + r->number + ": " + r->subject);
                    if (tell_resident)
                        ctx_.notify_chat(*r->contact_id, "Twoja sprawa została zarejestrowana pod numerem " + r->number +
                                                             ". Jej status sprawdzisz na stronie /sprawa.");
                }
            }
            done(std::move(r), key);
        });
}

void TicketsModule::file_from_chat(ChatCase in, std::function<void(Result<FiledCase>)> done) {
    const Service* s = service(in.category);
    if (!s) return done(Error::invalid("unknown_category", "No case category '" + in.category + "'."));
    // The same field rules as a staff case.
    json body = {{"subject", in.subject}, {"description", in.description}, {"category", in.category}};
    if (in.lat || !in.address.empty()) {
        json loc = json::object();
        if (in.lat && in.lon) {
            loc["lat"] = *in.lat;
            loc["lon"] = *in.lon;
        }
        if (!in.address.empty()) loc["address"] = in.address;
        body["location"] = loc;
    }
    if (!in.phone.empty() || !in.email.empty()) {
        json res = json::object();
        if (!in.phone.empty()) res["phone"] = in.phone;
        if (!in.email.empty()) res["email"] = in.email;
        body["resident"] = res;
    }
    body["contact_id"] = std::to_string(in.contact_id);
    Principal advisor;  // user id 0: nobody
    auto draft = draft_from_json(body, advisor);
    if (!draft) return done(draft.error());
    draft->row.created_by.reset();  // filed by the resident, through the advisor
    draft->row.source = "chat";
    std::optional<std::string> type;
    if (!in.photo.empty()) {
        type = sniff_file_type(in.photo);
        if (!type || (*type != "image/jpeg" && *type != "image/png"))
            return done(Error{ErrorKind::unsupported, "unsupported_file_type", "Photos are JPEG or PNG."});
    }
    store_new_ticket(
        std::move(*draft), std::nullopt, "",
        [this, done, photo = std::move(in.photo), type](Result<TicketRow> r, std::string key) mutable {
            if (!r) return done(r.error());
            FiledCase out{r->id, r->number, key, false};
            if (!type) return done(out);
            store::TicketAttachment a;
            a.ticket_id = r->id;
            a.file_name = sanitise_file_name("zdjecie", *type);
            a.content_type = *type;
            a.size = int64_t(photo.size());
            a.sha256 = crypto::sha256_hex(photo);
            a.created_at = ctx_.b.clock.now();
            on_store_worker(
                ctx_,
                [this, a, photo = std::move(photo), max = ctx_.opt.tickets.max_attachments_per_ticket] {
                    return store_.add_attachment(a, photo, max);
                },
                [done, out](Result<store::TicketAttachment> at) mutable {
                    // The case is filed either way; a photo that could not be kept is logged.
                    if (!at) spdlog::warn("case {}: the resident's photo was not attached: {}", out.number, at.error().message);
                    out.photo_attached = bool(at);
                    done(out);
                });
        },
        false);
}

void TicketsModule::create(Call c) {
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto draft = draft_from_json(*body, *c.who);
    if (!draft) return c.reply(Response::error(draft.error()));
    store_new_ticket(std::move(*draft), c.who, c.request.remote_address,
                     [this, reply = c.reply](Result<TicketRow> r, std::string key) {
                         if (!r) return reply(Response::error(r.error()));
                         json j = ticket_json(*r, true);
                         j["access_key"] = key;
                         auto resp = Response::json(201, j);
                         resp.headers.emplace_back("Location", "/api/v1/tickets/" + std::to_string(r->id));
                         reply(std::move(resp));
                     });
}

namespace {
Result<store::TicketFilter> filter_from(const Request& req, const Principal& who, SysTime now) {
    store::TicketFilter f;
    f.now = now;
    static const std::set<std::string> known = {"status", "department", "assignee", "category", "source", "overdue",
                                                "created_from", "created_to", "q", "sort", "contact_id",
                                                "limit", "offset", "cursor"};
    for (const auto& [k, v] : req.query)
        if (!known.count(k)) return Error::invalid("unknown_parameter", "unknown parameter '" + k + "'");
    auto get = [&](const char* k) {
        auto it = req.query.find(k);
        return it == req.query.end() ? std::string() : it->second;
    };
    f.status = get("status");
    if (!f.status.empty() && f.status != "open" && !valid_ticket_status(f.status))
        return Error::invalid("invalid_parameter",
                              "status must be open, new, assigned, in_progress, waiting_resident, resolved or closed");
    f.department = get("department");
    f.category = get("category");
    if (f.department.size() > 64 || f.category.size() > 64)
        return Error::invalid("invalid_parameter", "department and category are ids of at most 64 bytes");
    f.source = get("source");
    if (!f.source.empty() && !valid_ticket_source(f.source))
        return Error::invalid("invalid_parameter", "source must be staff, open311 or chat");
    if (const auto a = get("assignee"); !a.empty()) {
        if (a == "me") f.assignee_id = who.user.id;
        else if (a == "none") f.assignee_id = 0;
        else if (auto id = parse_id(a)) f.assignee_id = *id;
        else return Error::invalid("invalid_parameter", "assignee must be a user id, me or none");
    }
    if (const auto o = get("overdue"); !o.empty()) {
        if (o != "true" && o != "false") return Error::invalid("invalid_parameter", "overdue must be true or false");
        f.overdue = o == "true";
    }
    if (const auto cid = get("contact_id"); !cid.empty()) {
        auto id = parse_id(cid);
        if (!id) return Error::invalid("invalid_parameter", "contact_id must be a contact id");
        f.contact_id = *id;
    }
    auto from = time_param(req, "created_from", false);
    if (!from) return from.error();
    auto to = time_param(req, "created_to", true);
    if (!to) return to.error();
    f.created_from = *from;
    f.created_to = *to;
    f.q = get("q");
    if (f.q.size() > 200) return Error::invalid("invalid_parameter", "q must have at most 200 bytes");
    f.sort = get("sort").empty() ? "created" : get("sort");
    if (f.sort != "created" && f.sort != "due") return Error::invalid("invalid_parameter", "sort must be created or due");
    auto page = page_params(req);
    if (!page) return page.error();
    f.limit = page->limit;
    f.offset = page->offset;
    f.scope = ticket_scope(who.user);
    return f;
}
}  // namespace

void TicketsModule::list(Call c) {
    auto f = filter_from(c.request, *c.who, ctx_.b.clock.now());
    if (!f) return c.reply(Response::error(f.error()));
    on_store_worker(ctx_, [this, f = *f] { return store_.list(f); },
                    [this, reply = c.reply, f = *f](Result<std::vector<TicketRow>> r) {
                        if (!r) return reply(Response::error(r.error()));
                        json items = json::array();
                        for (const auto& t : *r) items.push_back(ticket_json(t, false));
                        const json next = int(r->size()) == f.limit ? json(std::to_string(f.offset + r->size()))
                                                                     : json(nullptr);
                        reply(Response::json(200, {{"items", items}, {"next", next}}));
                    });
}

void TicketsModule::export_csv(Call c) {
    auto f = filter_from(c.request, *c.who, ctx_.b.clock.now());
    if (!f) return c.reply(Response::error(f.error()));
    // One export is at most 10 000 rows; narrow the filter for more.
    f->limit = 10000;
    on_store_worker(ctx_, [this, f = *f] { return store_.list(f); },
                    [this, c](Result<std::vector<TicketRow>> r) {
                        if (!r) return c.reply(Response::error(r.error()));
                        std::string out =
                            "number,subject,category,department,priority,status,assignee,source,created_at,due_at,"
                            "overdue,resolved_at,closed_at\r\n";
                        for (const auto& t : *r) {
                            const json j = ticket_json(t, false);
                            const auto str = [&](const char* k) {
                                return j[k].is_string() ? j[k].get<std::string>() : std::string();
                            };
                            out += csv_cell(t.number) + "," + csv_cell(t.subject) + "," + csv_cell(t.category) + "," +
                                   csv_cell(t.department) + "," + t.priority + "," + t.status + "," +
                                   csv_cell(str("assignee_name")) + "," + t.source + "," + str("created_at") + "," +
                                   str("due_at") + "," + (j["overdue"].get<bool>() ? "true" : "false") + "," +
                                   str("resolved_at") + "," + str("closed_at") + "\r\n";
                        }
                        ctx_.audit(c.who, "tickets_exported", "tickets", c.request.remote_address,
                                   {{"rows", r->size()}});
                        Response resp;
                        resp.content_type = "text/csv; charset=utf-8";
                        resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"sprawy.csv\"");
                        resp.body = "\xEF\xBB\xBF" + out;  // the BOM makes spreadsheets read UTF-8
                        c.reply(std::move(resp));
                    });
}

void TicketsModule::get(Call c) {
    auto id = parse_id(c.params["id"]);
    if (!id) return c.reply(Response::error(404, "ticket_not_found", "No such case."));
    struct Full {
        TicketRow t;
        std::vector<store::TicketComment> comments;
        std::vector<store::TicketChangeRecord> history;
        std::vector<store::TicketAttachment> attachments;
    };
    on_store_worker(
        ctx_,
        [this, id = *id, scope = ticket_scope(c.who->user)]() -> Result<Full> {
            auto t = store_.get(id, scope);
            if (!t) return t.error();
            auto cs = store_.comments(id, true);
            if (!cs) return cs.error();
            auto h = store_.history(id);
            if (!h) return h.error();
            auto a = store_.attachments(id);
            if (!a) return a.error();
            return Full{std::move(*t), std::move(*cs), std::move(*h), std::move(*a)};
        },
        [this, c](Result<Full> r) {
            if (!r) return c.reply(Response::error(r.error()));
            const auto& t = r->t;
            json j = ticket_json(t, true);
            json cs = json::array();
            for (const auto& cm : r->comments)
                cs.push_back({{"id", std::to_string(cm.id)},
                              {"author_id", opt_id(cm.author_id)},
                              {"author_name", cm.author_name},
                              {"body", cm.body},
                              {"internal", cm.internal},
                              {"created_at", to_rfc3339(cm.created_at)}});
            json hs = json::array();
            for (const auto& h : r->history)
                hs.push_back({{"at", to_rfc3339(h.at)},
                              {"actor_id", opt_id(h.actor_id)},
                              {"actor", h.actor},
                              {"field", h.field},
                              {"old", h.old_value ? json(*h.old_value) : json(nullptr)},
                              {"new", h.new_value ? json(*h.new_value) : json(nullptr)}});
            json as = json::array();
            for (const auto& a : r->attachments)
                as.push_back({{"id", std::to_string(a.id)},
                              {"file_name", a.file_name},
                              {"content_type", a.content_type},
                              {"size", a.size},
                              {"public", a.is_public},
                              {"created_at", to_rfc3339(a.created_at)}});
            j["comments"] = cs;
            j["history"] = hs;
            j["attachments"] = as;
            // Reading a resident's contact data is a processing act the office must be able to show.
            if (!t.resident_name.empty() || !t.resident_phone.empty() || !t.resident_email.empty())
                ctx_.audit(c.who, "ticket_personal_data_read", "ticket:" + std::to_string(t.id),
                           c.request.remote_address, {{"number", t.number}});
            c.reply(Response::json(200, j));
        });
}

void TicketsModule::update(Call c) {
    auto id = parse_id(c.params["id"]);
    if (!id) return c.reply(Response::error(404, "ticket_not_found", "No such case."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    store::TicketChange ch;
    for (auto it = body->begin(); it != body->end(); ++it) {
        const auto& k = it.key();
        const json& v = it.value();
        if (k == "status") {
            if (!v.is_string() || !valid_ticket_status(v.get<std::string>()))
                return c.reply(Response::error(400, "invalid_status",
                                               "status must be new, assigned, in_progress, waiting_resident, "
                                               "resolved or closed"));
            ch.status = v.get<std::string>();
        } else if (k == "priority") {
            if (!v.is_string() || !valid_ticket_priority(v.get<std::string>()))
                return c.reply(Response::error(400, "invalid_priority", "priority must be low, normal, high or urgent"));
            ch.priority = v.get<std::string>();
        } else if (k == "department") {
            if (!v.is_string() || !department(v.get<std::string>()))
                return c.reply(Response::error(400, "unknown_department", "department must be a configured department"));
            ch.department = v.get<std::string>();
        } else if (k == "assignee_id") {
            if (v.is_null()) {
                ch.assignee_id = std::optional<int64_t>{};
            } else {
                auto uid = json_id(v);
                const User* u = uid ? ctx_.directory.find(*uid) : nullptr;
                if (!u || !u->active)
                    return c.reply(Response::error(400, "unknown_user", "assignee_id must name an active user"));
                ch.assignee_id = std::optional<int64_t>(*uid);
            }
        } else {
            return c.reply(Response::error(400, "unknown_field", "unknown field '" + k + "'"));
        }
    }
    // A consultant works the case and may take it; handing it to someone
    // else or to another department is the supervisor's call.
    const bool supervisor = at_least(c.who->user.role, Role::supervisor);
    if (!supervisor) {
        if (ch.department)
            return c.reply(Response::error(403, "forbidden", "Only a supervisor moves a case to another department."));
        if (ch.assignee_id && *ch.assignee_id && **ch.assignee_id != c.who->user.id)
            return c.reply(Response::error(403, "forbidden", "Only a supervisor assigns a case to someone else."));
    }
    const auto now = ctx_.b.clock.now();
    store::Actor actor{c.who->user.id, c.who->user.username};
    on_store_worker(
        ctx_,
        [this, id = *id, ch, actor, now, supervisor, me = c.who->user.id,
         scope = ticket_scope(c.who->user)]() mutable -> Result<std::pair<TicketRow, TicketRow>> {
            auto before = store_.get(id, scope);
            if (!before) return before.error();
            if (!supervisor && ch.assignee_id && !*ch.assignee_id && before->assignee_id &&
                *before->assignee_id != me)
                return Error::forbidden("Only a supervisor takes a case away from a colleague.");
            // The SLA of the new department counts from when the case was opened.
            if (ch.department && *ch.department != before->department)
                ch.due_at = due_time(*ch.department, before->created_at);
            if (ch.status && *ch.status == "assigned") {
                const bool will_have = ch.assignee_id ? ch.assignee_id->has_value() : before->assignee_id.has_value();
                if (!will_have)
                    return Error::conflict("assignee_required", "A case becomes assigned only with an assignee_id.");
            }
            // Giving a new case an assignee is what assigns it.
            if (!ch.status && before->status == "new" && ch.assignee_id && ch.assignee_id->has_value())
                ch.status = "assigned";
            auto after = store_.update(id, ch, actor, now);
            if (!after) return after.error();
            return std::make_pair(std::move(*before), std::move(*after));
        },
        [this, c](Result<std::pair<TicketRow, TicketRow>> r) {
            if (!r) return c.reply(Response::error(r.error()));
            const auto& [before, after] = *r;
            json changed = json::object();
            if (before.status != after.status) changed["status"] = {before.status, after.status};
            if (before.assignee_id != after.assignee_id)
                changed["assignee_id"] = {opt_id(before.assignee_id), opt_id(after.assignee_id)};
            if (before.department != after.department) changed["department"] = {before.department, after.department};
            if (before.priority != after.priority) changed["priority"] = {before.priority, after.priority};
            if (!changed.empty()) {
                changed["number"] = after.number;
                ctx_.audit(c.who, "ticket_updated", "ticket:" + std::to_string(after.id), c.request.remote_address,
                           changed);
            }
            if (before.status != after.status && after.contact_id)
                ctx_.notify_chat(*after.contact_id,
                                 "Sprawa " + after.number + " ma teraz status: " + status_name_pl(after.status) + ".");
            c.reply(Response::json(200, ticket_json(after, false)));
        });
}

void TicketsModule::comment(Call c) {
    auto id = parse_id(c.params["id"]);
    if (!id) return c.reply(Response::error(404, "ticket_not_found", "No such case."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    for (auto it = body->begin(); it != body->end(); ++it)
        if (it.key() != "body" && it.key() != "internal")
            return c.reply(Response::error(400, "unknown_field", "unknown field '" + it.key() + "'"));
    auto text = text_field(*body, "body", 10000, true, true);
    if (!text) return c.reply(Response::error(text.error()));
    if (!body->contains("internal") || !(*body)["internal"].is_boolean())
        return c.reply(Response::error(400, "missing_field",
                                       "internal is required (true: staff only, false: the resident sees it)"));
    store::TicketComment cm;
    cm.ticket_id = *id;
    cm.author_id = c.who->user.id;
    cm.author_name = c.who->user.display_name;
    cm.body = *text;
    cm.internal = (*body)["internal"].get<bool>();
    cm.created_at = ctx_.b.clock.now();
    on_store_worker(ctx_,
                    [this, cm, scope = ticket_scope(c.who->user)]() -> Result<store::TicketComment> {
                        if (auto t = store_.get(cm.ticket_id, scope); !t) return t.error();
                        return store_.add_comment(cm);
                    },
                    [this, c](Result<store::TicketComment> r) {
                        if (!r) return c.reply(Response::error(r.error()));
                        ctx_.audit(c.who, "ticket_commented", "ticket:" + std::to_string(r->ticket_id),
                                   c.request.remote_address, {{"internal", r->internal}});
                        c.reply(Response::json(201, {{"id", std::to_string(r->id)},
                                                     {"author_id", opt_id(r->author_id)},
                                                     {"author_name", r->author_name},
                                                     {"body", r->body},
                                                     {"internal", r->internal},
                                                     {"created_at", to_rfc3339(r->created_at)}}));
                    });
}

void TicketsModule::attach(Call c) {
    auto id = parse_id(c.params["id"]);
    if (!id) return c.reply(Response::error(404, "ticket_not_found", "No such case."));
    const auto* ct = c.request.header("content-type");
    std::string declared = ct ? *ct : std::string();
    for (auto& ch : declared) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    UploadedFile file;
    if (declared.rfind("multipart/form-data", 0) == 0) {
        auto f = parse_multipart_file(*ct, c.request.body);
        if (!f) return c.reply(Response::error(400, "malformed_upload", "The multipart body has no file part."));
        file = std::move(*f);
    } else {
        file.content_type = declared.substr(0, declared.find(';'));
        file.bytes = std::move(c.request.body);
        auto it = c.request.query.find("name");
        file.file_name = it == c.request.query.end() ? std::string() : it->second;
    }
    if (file.bytes.empty()) return c.reply(Response::error(400, "empty_upload", "The file is empty."));
    if (file.bytes.size() > ctx_.opt.tickets.attachment_max_bytes)
        return c.reply(Response::error(413, "attachment_too_large",
                                       "An attachment may have at most " +
                                           std::to_string(ctx_.opt.tickets.attachment_max_bytes) + " bytes."));
    // The bytes decide; a declared type that disagrees is refused too.
    const auto sniffed = sniff_file_type(file.bytes);
    if (!sniffed)
        return c.reply(Response::error(415, "unsupported_file_type",
                                       "Attach images (PNG, JPEG, GIF, WebP) or PDF documents only."));
    const bool generic = file.content_type.empty() || file.content_type == "application/octet-stream";
    if (!generic && file.content_type != *sniffed && !(file.content_type == "image/jpg" && *sniffed == "image/jpeg"))
        return c.reply(Response::error(415, "content_type_mismatch",
                                       "The file is " + *sniffed + ", not " + file.content_type + "."));
    bool is_public = false;
    if (auto it = c.request.query.find("public"); it != c.request.query.end()) {
        if (it->second != "true" && it->second != "false")
            return c.reply(Response::error(400, "invalid_parameter", "public must be true or false"));
        is_public = it->second == "true";
    }
    store::TicketAttachment a;
    a.ticket_id = *id;
    a.file_name = sanitise_file_name(file.file_name, *sniffed);
    a.content_type = *sniffed;
    a.size = int64_t(file.bytes.size());
    a.sha256 = crypto::sha256_hex(file.bytes);
    a.is_public = is_public;
    a.uploaded_by = c.who->user.id;
    a.created_at = ctx_.b.clock.now();
    on_store_worker(
        ctx_,
        [this, a, bytes = std::move(file.bytes), max = ctx_.opt.tickets.max_attachments_per_ticket,
         scope = ticket_scope(c.who->user)]() -> Result<store::TicketAttachment> {
            if (auto t = store_.get(a.ticket_id, scope); !t) return t.error();
            return store_.add_attachment(a, bytes, max);
        },
        [this, c](Result<store::TicketAttachment> r) {
            if (!r) return c.reply(Response::error(r.error()));
            ctx_.audit(c.who, "ticket_attachment_added", "ticket:" + std::to_string(r->ticket_id),
                       c.request.remote_address, {{"attachment", std::to_string(r->id)}, {"size", r->size}});
            c.reply(Response::json(201, {{"id", std::to_string(r->id)},
                                         {"file_name", r->file_name},
                                         {"content_type", r->content_type},
                                         {"size", r->size},
                                         {"public", r->is_public},
                                         {"created_at", to_rfc3339(r->created_at)}}));
        });
}

namespace {
Response file_response(const store::TicketAttachment& a, std::string bytes) {
    Response resp;
    resp.content_type = a.content_type;
    // Served as a download, never rendered in our origin.
    resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + a.file_name + "\"");
    resp.body = std::move(bytes);
    return resp;
}
}  // namespace

void TicketsModule::download(Call c) {
    auto id = parse_id(c.params["id"]);
    auto aid = parse_id(c.params["attachment"]);
    if (!id || !aid) return c.reply(Response::error(404, "attachment_not_found", "No such attachment."));
    on_store_worker(
        ctx_,
        [this, id = *id, aid = *aid,
         scope = ticket_scope(c.who->user)]() -> Result<std::pair<store::TicketAttachment, std::string>> {
            // A case outside one's scope hides its attachments the same way.
            if (auto t = store_.get(id, scope); !t)
                return Error::not_found("attachment_not_found", "No such attachment.");
            auto a = store_.attachment(id, aid);
            if (!a) return a.error();
            auto bytes = store_.attachment_bytes(aid);
            if (!bytes) return bytes.error();
            return std::make_pair(std::move(*a), std::move(*bytes));
        },
        [c](Result<std::pair<store::TicketAttachment, std::string>> r) {
            if (!r) return c.reply(Response::error(r.error()));
            c.reply(file_response(r->first, std::move(r->second)));
        });
}

void TicketsModule::categories(Call c) {
    json services = json::array();
    for (const auto& s : ctx_.opt.services) {
        json attrs = json::array();
        for (const auto& a : s.attributes) {
            json values = json::array();
            for (const auto& [k, n] : a.values) values.push_back({{"key", k}, {"name", n}});
            attrs.push_back({{"code", a.code},
                             {"description", a.description},
                             {"datatype", a.datatype},
                             {"required", a.required},
                             {"values", values}});
        }
        services.push_back({{"service_code", s.code},
                            {"name", s.name},
                            {"description", s.description},
                            {"department", s.department},
                            {"topic", s.topic},
                            {"location_required", s.location_required},
                            {"attributes", attrs}});
    }
    json departments = json::array();
    for (const auto& d : ctx_.opt.departments)
        departments.push_back(
            {{"id", d.id}, {"name", d.name}, {"queue", d.queue}, {"sla_business_hours", d.sla_business_hours}});
    c.reply(Response::json(200, {{"services", services},
                                 {"departments", departments},
                                 {"attachments", {{"max_bytes", ctx_.opt.tickets.attachment_max_bytes},
                                                  {"max_per_case", ctx_.opt.tickets.max_attachments_per_ticket},
                                                  {"types", {"image/png", "image/jpeg", "image/gif", "image/webp",
                                                             "application/pdf"}}}}}));
}

// ---- resident ------------------------------------------------------------------

namespace {
struct PublicView {
    TicketRow t;
    std::vector<store::TicketComment> comments;
    std::vector<store::TicketAttachment> attachments;
};
}  // namespace

void TicketsModule::public_get(Call c) {
    const auto now = ctx_.b.clock.now();
    if (int wait = public_reads_.hit(c.request.remote_address, now); wait > 0)
        return c.reply(Response::error(Error::rate_limited("Too many case look-ups; please wait a moment.", wait)));
    const std::string number = c.params["number"];
    auto it = c.request.query.find("key");
    const std::string key = it == c.request.query.end() ? std::string() : it->second;
    // Wrong number and wrong key look the same.
    if (!looks_like_ticket_number(number) || key.empty() || key.size() > 64)
        return c.reply(Response::error(404, "ticket_not_found", "No case with this number and key."));
    on_store_worker(
        ctx_,
        [this, number, key]() -> Result<PublicView> {
            auto t = store_.by_number(number);
            if (!t || !crypto::equal_constant_time(crypto::sha256_hex(key), t->access_key_hash))
                return Error::not_found("ticket_not_found", "No case with this number and key.");
            auto cs = store_.comments(t->id, false);
            if (!cs) return cs.error();
            auto as = store_.attachments(t->id);
            if (!as) return as.error();
            return PublicView{std::move(*t), std::move(*cs), std::move(*as)};
        },
        [this, c](Result<PublicView> r) {
            if (!r) return c.reply(Response::error(r.error()));
            c.reply(Response::json(200, public_json(r->t, r->comments, r->attachments)));
        });
}

void TicketsModule::public_download(Call c) {
    const auto now = ctx_.b.clock.now();
    if (int wait = public_reads_.hit(c.request.remote_address, now); wait > 0)
        return c.reply(Response::error(Error::rate_limited("Too many case look-ups; please wait a moment.", wait)));
    const std::string number = c.params["number"];
    auto aid = parse_id(c.params["attachment"]);
    auto it = c.request.query.find("key");
    const std::string key = it == c.request.query.end() ? std::string() : it->second;
    if (!aid || !looks_like_ticket_number(number) || key.empty() || key.size() > 64)
        return c.reply(Response::error(404, "attachment_not_found", "No such attachment."));
    on_store_worker(
        ctx_,
        [this, number, key, aid = *aid]() -> Result<std::pair<store::TicketAttachment, std::string>> {
            const Error missing = Error::not_found("attachment_not_found", "No such attachment.");
            auto t = store_.by_number(number);
            if (!t || !crypto::equal_constant_time(crypto::sha256_hex(key), t->access_key_hash)) return missing;
            auto a = store_.attachment(t->id, aid);
            if (!a || !a->is_public) return missing;
            auto bytes = store_.attachment_bytes(aid);
            if (!bytes) return bytes.error();
            return std::make_pair(std::move(*a), std::move(*bytes));
        },
        [c](Result<std::pair<store::TicketAttachment, std::string>> r) {
            if (!r) return c.reply(Response::error(r.error()));
            c.reply(file_response(r->first, std::move(r->second)));
        });
}

// ---- personal data (RODO) ------------------------------------------------------------

namespace {
Result<std::pair<std::string, std::string>> resident_keys(const Request& req) {
    auto body = json_body(req);
    if (!body) return body.error();
    for (auto it = body->begin(); it != body->end(); ++it)
        if (it.key() != "phone" && it.key() != "email")
            return Error::invalid("unknown_field", "unknown field '" + it.key() + "'");
    auto phone = text_field(*body, "phone", 32, false, false);
    if (!phone) return phone.error();
    auto email = text_field(*body, "email", 254, false, false);
    if (!email) return email.error();
    if (phone->empty() && email->empty())
        return Error::invalid("missing_field", "give the resident's phone or email (or both)");
    return std::make_pair(normalise_phone(*phone), *email);
}
}  // namespace

namespace {

// Everything held about one resident (docs/tickets.md, "Personal data"):
// found on the store worker, in the caller's transaction when erasing.
struct ResidentData {
    std::vector<TicketRow> tickets;
    std::vector<std::vector<store::TicketComment>> comments;  // public, per ticket (export only)
    std::vector<store::AppointmentRow> appointments;
    std::vector<store::ResidentChat> chats;
    std::vector<store::ResidentCallback> callbacks;
    store::ResidentKeys keys;
    store::ChatScanStats scan;
    int64_t advisor_phrases = 0;
    // erasure only
    std::vector<std::string> erased_numbers, cancelled;
    std::vector<int64_t> chats_ended;  // open on disk when erased: ended there
    int64_t messages_redacted = 0;
    int64_t callbacks_erased = 0;
    int64_t scan_ms = 0;
};

void unique_name(std::vector<std::string>& names, const std::string& n) {
    if (n.empty() || n == "[usunięto]") return;
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
}

Result<ResidentData> collect_resident(store::Database& db, store::TicketStore& tickets, const std::string& phone,
                                      const std::string& email, bool for_export) {
    ResidentData d;
    auto ts = tickets.by_resident(phone, email);
    if (!ts) return ts.error();
    d.tickets = std::move(*ts);
    auto phones = phone_variants(phone);
    if (auto n = normalize_phone(phone); n && std::find(phones.begin(), phones.end(), *n) == phones.end())
        phones.push_back(*n);
    store::AppointmentStore appointments(db, [] { return std::string(); });
    auto as = appointments.by_resident(phones, email);
    if (!as) return as.error();
    d.appointments = std::move(*as);
    d.keys.phone = phone;
    d.keys.email = email;
    for (const auto& t : d.tickets) {
        unique_name(d.keys.names, t.resident_name);
        if (t.contact_id) d.keys.own_contacts.insert(*t.contact_id);
    }
    for (const auto& a : d.appointments) {
        unique_name(d.keys.names, a.name);
        if (a.contact_id) d.keys.own_contacts.insert(*a.contact_id);
    }
    store::ResidentStore residents(db);
    auto callbacks = residents.callbacks(phone);
    if (!callbacks) return callbacks.error();
    d.callbacks = std::move(*callbacks);
    for (const auto& cb : d.callbacks) {
        // The callback's own contact and the chat it was booked in are theirs.
        d.keys.own_contacts.insert(cb.contact_id);
        if (cb.chat_id) d.keys.own_contacts.insert(*cb.chat_id);
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto chats = residents.chats(d.keys, for_export, &d.scan);
    d.scan_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    if (!chats) return chats.error();
    d.chats = std::move(*chats);
    auto phrases = residents.count_advisor_phrases(email, bot::normalize(email));
    if (!phrases) return phrases.error();
    d.advisor_phrases = *phrases;
    if (for_export)
        for (const auto& t : d.tickets) {
            auto cs = tickets.comments(t.id, false);
            if (!cs) return cs.error();
            d.comments.push_back(std::move(*cs));
        }
    return d;
}

json appointment_export_json(const store::AppointmentRow& a) {
    return {{"code", display_code(a.code)},
            {"service_id", a.service_id},
            {"start", to_rfc3339(a.start)},
            {"end", to_rfc3339(a.end)},
            {"state", a.state},
            {"name", a.name},
            {"phone", a.phone},
            {"email", a.email},
            {"lang", a.lang},
            {"contact_id", opt_id(a.contact_id)},
            {"created_at", to_rfc3339(a.created_at)}};
}

json chat_export_json(const store::ResidentChat& ch) {
    json messages = json::array();
    for (const auto& m : ch.messages)
        messages.push_back({{"id", std::to_string(m.id)},
                            {"author", {{"kind", m.author_kind}, {"name", m.author_name}}},
                            {"text", m.body},
                            {"created_at", to_rfc3339(m.created_at)}});
    return {{"id", std::to_string(ch.id)},
            {"channel", ch.channel},
            {"state", ch.state},
            {"topic", ch.topic},
            {"lang", ch.lang},
            {"resident_name", ch.resident_name},
            {"created_at", to_rfc3339(ch.created_at)},
            {"closed_at", opt_time(ch.closed_at)},
            {"found_by", ch.found_by},
            {"messages", messages}};
}

json codes_of(const std::vector<store::AppointmentRow>& as) {
    json out = json::array();
    for (const auto& a : as) out.push_back(display_code(a.code));
    return out;
}

// The resident's open conversations end on disk, their advisor's dialogues
// (report details, a photo, a call-back phone) go, and the text is wiped (again,
// for what a message in flight wrote after the first pass). Inside the caller's transaction.
Result<std::vector<int64_t>> end_and_wipe_chats(store::Database& db, const ResidentData& d, SysTime now,
                                                int64_t* redacted) {
    store::ResidentStore residents(db);
    auto messages = residents.erase_chats(d.chats, d.keys);
    if (!messages) return messages.error();
    if (redacted) *redacted = *messages;
    store::FlowStore flows(db);
    for (const auto& ch : d.chats)
        if (auto r = flows.remove(ch.id); !r) return r.error();
    return residents.end_open_chats(d.chats, now);
}

json ids_of(const std::vector<store::ResidentChat>& chats) {
    json out = json::array();
    for (const auto& c : chats) out.push_back(std::to_string(c.id));
    return out;
}

}  // namespace

void TicketsModule::resident_export(Call c) {
    auto keys = resident_keys(c.request);
    if (!keys) return c.reply(Response::error(keys.error()));
    on_store_worker(
        ctx_, [this, keys = *keys] { return collect_resident(ctx_.b.db, store_, keys.first, keys.second, true); },
        [this, c, keys = *keys](Result<ResidentData> r) {
            if (!r) return c.reply(Response::error(r.error()));
            json items = json::array();
            json numbers = json::array();
            for (size_t i = 0; i < r->tickets.size(); ++i) {
                json j = ticket_json(r->tickets[i], true);
                json cs = json::array();
                for (const auto& cm : r->comments[i])
                    cs.push_back({{"body", cm.body}, {"created_at", to_rfc3339(cm.created_at)}});
                j["public_comments"] = cs;
                items.push_back(j);
                numbers.push_back(r->tickets[i].number);
            }
            json appointments = json::array();
            for (const auto& a : r->appointments) appointments.push_back(appointment_export_json(a));
            json chats = json::array();
            for (const auto& ch : r->chats) chats.push_back(chat_export_json(ch));
            json callbacks = json::array();
            for (const auto& cb : r->callbacks)
                callbacks.push_back({{"contact_id", std::to_string(cb.contact_id)},
                                     {"chat_id", opt_id(cb.chat_id)},
                                     {"phone", cb.phone},
                                     {"state", cb.state},
                                     {"created_at", to_rfc3339(cb.created_at)}});
            spdlog::info("resident export: {} case(s), {} booking(s), {} chat(s); message scan {} ms ({} candidates)",
                         r->tickets.size(), r->appointments.size(), r->chats.size(), r->scan_ms, r->scan.candidates);
            ctx_.audit(c.who, "resident_data_exported", "resident", c.request.remote_address,
                       {{"tickets", numbers},
                        {"appointments", codes_of(r->appointments)},
                        {"chats", ids_of(r->chats)},
                        {"counts",
                         {{"tickets", r->tickets.size()},
                          {"appointments", r->appointments.size()},
                          {"chats", r->chats.size()},
                          {"callbacks", r->callbacks.size()},
                          {"advisor_phrases", r->advisor_phrases}}}});
            c.reply(Response::json(200, {{"resident", {{"phone", keys.first}, {"email", keys.second}}},
                                         {"exported_at", to_rfc3339(ctx_.b.clock.now())},
                                         {"tickets", items},
                                         {"appointments", appointments},
                                         {"chats", chats},
                                         {"callbacks", callbacks},
                                         {"advisor_phrases", r->advisor_phrases}}));
        });
}

void TicketsModule::resident_erase(Call c) {
    auto keys = resident_keys(c.request);
    if (!keys) return c.reply(Response::error(keys.error()));
    const auto now = ctx_.b.clock.now();
    on_store_worker(
        ctx_,
        [this, keys = *keys, now]() -> Result<ResidentData> {
            store::Database& db = ctx_.b.db;
            store::Transaction tx(db);
            if (!tx.begun()) return db.error("begin");
            // Found before anything changes: the cases' chats lose their browser key below.
            auto d = collect_resident(db, store_, keys.first, keys.second, false);
            if (!d) return d.error();
            auto numbers = store_.erase_residents_cases(d->tickets, now);
            if (!numbers) return numbers.error();
            d->erased_numbers = std::move(*numbers);
            auto cancelled = store::AppointmentStore(db, [] { return std::string(); }).erase_resident(d->appointments, now);
            if (!cancelled) return cancelled.error();
            d->cancelled = std::move(*cancelled);
            auto ended = end_and_wipe_chats(db, *d, now, &d->messages_redacted);
            if (!ended) return ended.error();
            d->chats_ended = std::move(*ended);
            store::ResidentStore residents(db);
            auto callbacks = residents.erase_callbacks(d->callbacks);
            if (!callbacks) return callbacks.error();
            d->callbacks_erased = *callbacks;
            auto phrases = residents.erase_advisor_phrases(keys.second, bot::normalize(keys.second));
            if (!phrases) return phrases.error();
            d->advisor_phrases = *phrases;
            if (auto r = tx.commit(); !r) return r.error();
            return d;
        },
        [this, c, now](Result<ResidentData> r) {
            if (!r) return c.reply(Response::error(r.error()));
            json cancelled = json::array();
            for (const auto& code : r->cancelled) cancelled.push_back(display_code(code));
            const json counts = {{"tickets", r->erased_numbers.size()},
                                 {"appointments", r->appointments.size()},
                                 {"appointments_cancelled", r->cancelled.size()},
                                 {"chats", r->chats.size()},
                                 {"chats_ended", r->chats_ended.size()},
                                 {"messages_redacted", r->messages_redacted},
                                 {"callbacks", r->callbacks_erased},
                                 {"advisor_phrases", r->advisor_phrases}};
            spdlog::info("resident erasure: {} case(s), {} booking(s), {} chat(s); message scan {} ms ({} candidates)",
                         r->erased_numbers.size(), r->appointments.size(), r->chats.size(), r->scan_ms,
                         r->scan.candidates);
            ctx_.audit(c.who, "resident_data_erased", "resident", c.request.remote_address,
                       {{"tickets", r->erased_numbers},
                        {"appointments", codes_of(r->appointments)},
                        {"appointments_cancelled", cancelled},
                        {"chats", ids_of(r->chats)},
                        {"counts", counts}});
            // What is still open (a chat, a callback in line, a booking dialogue) is held in memory too:
            // it ends there now, so nothing more is written to it.
            if (ctx_.resident_erased) {
                std::vector<int64_t> chats, callbacks;
                for (const auto& ch : r->chats) chats.push_back(ch.id);
                for (const auto& cb : r->callbacks) callbacks.push_back(cb.contact_id);
                ctx_.resident_erased(chats, callbacks);
            }
            json body = {{"erased", r->erased_numbers},
                         {"appointments", codes_of(r->appointments)},
                         {"appointments_cancelled", cancelled},
                         {"chats", ids_of(r->chats)},
                         {"counts", counts}};
            if (r->chats.empty()) return c.reply(Response::json(200, body));
            // A message or handoff of theirs accepted between the commit and
            // the end above was written after the erasure: once more, after
            // every write queued before this one, and only then the answer.
            auto d = std::make_shared<ResidentData>(std::move(*r));
            on_store_worker(
                ctx_,
                [this, d, now]() -> Result<void> {
                    store::Database& db = ctx_.b.db;
                    store::Transaction tx(db);
                    if (!tx.begun()) return db.error("begin");
                    if (auto ended = end_and_wipe_chats(db, *d, now, nullptr); !ended) return ended.error();
                    return tx.commit();
                },
                [c, body = std::move(body)](Result<void> settled) {
                    if (!settled) {
                        spdlog::error("resident erasure: the open chats were not settled: {}", settled.error().message);
                        return c.reply(Response::error(settled.error()));
                    }
                    c.reply(Response::json(200, body));
                });
        });
}

}  // namespace centrala::api
