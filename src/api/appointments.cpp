#include "centrala/api/appointments.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdio>
#include <set>

#include "centrala/api/json_body.hpp"
#include "centrala/api/outgoing.hpp"
#include "centrala/crypto/crypto.hpp"

namespace centrala::api {

using nlohmann::json;
using namespace std::chrono;

namespace {

constexpr int max_slot_range_days = 62;
constexpr size_t max_name_bytes = 200;

std::string new_code() {
    unsigned char r[8];
    crypto::random_bytes(r, sizeof r);
    return make_booking_code(r);
}

// "2026-03-12" and "09:15" in Warsaw local time.
std::pair<std::string, std::string> local_parts(SysTime t) {
    const LocalTime lt = to_warsaw(t);
    char hm[16];
    std::snprintf(hm, sizeof hm, "%02d:%02d", lt.minute_of_day / 60, lt.minute_of_day % 60);
    return {to_string(lt.date), hm};
}

std::string polish_date(SysTime t) {
    const LocalTime lt = to_warsaw(t);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02u.%02u.%04d", unsigned(lt.date.day()), unsigned(lt.date.month()),
                  int(lt.date.year()));
    return buf;
}

json slot_json(const Slot& s, int free) {
    return {{"start", to_rfc3339(s.start)}, {"end", to_rfc3339(s.end)}, {"free", free}};
}

bool valid_lang(const std::string& l) { return l == "pl" || l == "en" || l == "uk"; }

// What the resident reads in the chat when a consultant books for them.
std::string booked_text(const std::string& lang, const AppointmentService& s, const store::AppointmentRow& a) {
    const auto [date, time] = local_parts(a.start);
    const std::string code = display_code(a.code);
    const std::string where = s.location.empty() ? "" : ", " + s.location;
    if (lang == "en")
        return "Your visit is booked: " + s.name + ", " + date + " at " + time + where + ". Booking code: " + code + ".";
    if (lang == "uk")
        return "Візит заплановано: " + s.name + ", " + polish_date(a.start) + " о " + time + where +
               ". Код бронювання: " + code + ".";
    return "Umówiono wizytę: " + s.name + ", " + polish_date(a.start) + " o godz. " + time + where +
           ". Kod rezerwacji: " + code + ".";
}

std::string reminder_text(const std::string& lang, const AppointmentService& s, const store::AppointmentRow& a) {
    const auto [date, time] = local_parts(a.start);
    const std::string code = display_code(a.code);
    const std::string where = s.location.empty() ? "" : ", " + s.location;
    if (lang == "en") return "Reminder: tomorrow at " + time + " — " + s.name + where + ". Booking code: " + code + ".";
    if (lang == "uk") return "Нагадування: завтра о " + time + " — " + s.name + where + ". Код: " + code + ".";
    return "Przypomnienie: jutro o godz. " + time + " — " + s.name + where + ". Kod rezerwacji: " + code + ".";
}

Result<Date> date_param(const Request& req, const char* name, Date fallback) {
    auto it = req.query.find(name);
    if (it == req.query.end() || it->second.empty()) return fallback;
    Date d;
    if (!parse_date(it->second, d))
        return Error::invalid("invalid_parameter", std::string(name) + " must be a date YYYY-MM-DD");
    return d;
}

// iCalendar TEXT value escaping (RFC 5545 3.3.11).
std::string ics_text(const std::string& in) {
    std::string out;
    for (char c : in) {
        if (c == '\\' || c == ';' || c == ',') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c != '\r') {
            out.push_back(c);
        }
    }
    return out;
}

// One content line, folded at 75 octets without splitting a UTF-8 character.
void ics_line(std::string& out, const std::string& line) {
    size_t pos = 0, room = 75;
    while (line.size() - pos > room) {
        size_t cut = pos + room;
        while (cut > pos && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
        out.append(line, pos, cut - pos);
        out += "\r\n ";
        pos = cut;
        room = 74;  // the leading space counts
    }
    out.append(line, pos, std::string::npos);
    out += "\r\n";
}

std::string ics_time(SysTime t) {
    const auto d = floor<days>(t);
    const Date ymd{d};
    const hh_mm_ss hms{floor<seconds>(t - d)};
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
                  int(hms.seconds().count()));
    return buf;
}

// A CSV cell; text a spreadsheet would run as a formula is defused with a quote.
std::string csv_cell(std::string v) {
    if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r'))
        v.insert(v.begin(), '\'');
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    return out + "\"";
}

Result<std::string> text_field(const json& body, const char* name, size_t max, bool required) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        if (required) return Error::invalid("missing_field", std::string(name) + " is required");
        return std::string();
    }
    if (!it->is_string()) return Error::invalid("invalid_field", std::string(name) + " must be a string");
    std::string s = it->get<std::string>();
    while (!s.empty() && s.back() == ' ') s.pop_back();
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    if (required && s.empty()) return Error::invalid("missing_field", std::string(name) + " is required");
    if (s.size() > max) return Error::invalid("invalid_field", std::string(name) + " is too long");
    for (unsigned char ch : s)
        if (ch < 0x20 || ch == 0x7f)
            return Error::invalid("invalid_field", std::string(name) + " must not contain control characters");
    return s;
}

}  // namespace

std::string appointment_ics(const store::AppointmentRow& a, const AppointmentService& s, SysTime stamp) {
    std::string out;
    ics_line(out, "BEGIN:VCALENDAR");
    ics_line(out, "VERSION:2.0");
    ics_line(out, "PRODID:-//centrala//appointments//PL");
    ics_line(out, "CALSCALE:GREGORIAN");
    ics_line(out, "METHOD:PUBLISH");
    ics_line(out, "BEGIN:VEVENT");
    ics_line(out, "UID:" + a.code + "@appointments.centrala");
    ics_line(out, "SEQUENCE:" + std::to_string(a.sequence));
    ics_line(out, "DTSTAMP:" + ics_time(stamp));
    ics_line(out, "DTSTART:" + ics_time(a.start));
    ics_line(out, "DTEND:" + ics_time(a.end));
    ics_line(out, "SUMMARY:" + ics_text(s.name));
    if (!s.location.empty()) ics_line(out, "LOCATION:" + ics_text(s.location));
    ics_line(out, "DESCRIPTION:" + ics_text("Kod rezerwacji / booking code: " + display_code(a.code)));
    ics_line(out, std::string("STATUS:") + (a.state == "cancelled" ? "CANCELLED" : "CONFIRMED"));
    ics_line(out, "END:VEVENT");
    ics_line(out, "END:VCALENDAR");
    return out;
}

std::string appointments_csv(const std::vector<store::AppointmentRow>& rows,
                             const std::map<std::string, AppointmentService>& services) {
    std::string out = "date,start,end,service,counter,code,name,phone,email,state,contact_id\r\n";
    for (const auto& a : rows) {
        const auto [date, start] = local_parts(a.start);
        const auto end = local_parts(a.end).second;
        auto it = services.find(a.service_id);
        const std::string service = it == services.end() ? a.service_id : it->second.name;
        out += date + "," + start + "," + end + "," + csv_cell(service) + "," + std::to_string(a.counter) + "," +
               display_code(a.code) + "," + csv_cell(a.name) + "," + csv_cell(a.phone) + "," + csv_cell(a.email) +
               "," + a.state + "," + (a.contact_id ? std::to_string(*a.contact_id) : std::string()) + "\r\n";
    }
    return out;
}

AppointmentsModule::AppointmentsModule(ModuleContext& ctx)
    : ctx_(ctx), cfg_(ctx.opt.appointments), store_(ctx.b.db, new_code) {
    for (const auto& s : cfg_.services) services_[s.id] = s;
}

const AppointmentService* AppointmentsModule::service(const std::string& id) const {
    auto it = services_.find(id);
    return it == services_.end() ? nullptr : &it->second;
}

void AppointmentsModule::add_routes(Router& r) {
    auto bind = [this](void (AppointmentsModule::*m)(Call)) {
        return [this, m](Call c) { (this->*m)(std::move(c)); };
    };
    r.add("GET", "/api/v1/public/appointment-services", Access::public_, bind(&AppointmentsModule::list_services));
    r.add("GET", "/api/v1/public/appointment-services/{id}/slots", Access::public_,
          bind(&AppointmentsModule::list_slots));
    r.add("POST", "/api/v1/public/appointments", Access::public_, bind(&AppointmentsModule::book_public));
    r.add("GET", "/api/v1/public/appointments/{code}", Access::public_, bind(&AppointmentsModule::get_public));
    r.add("DELETE", "/api/v1/public/appointments/{code}", Access::public_, bind(&AppointmentsModule::cancel_public));
    r.add("PATCH", "/api/v1/public/appointments/{code}", Access::public_, bind(&AppointmentsModule::move_public));

    r.add("GET", "/api/v1/appointment-services", Access::agent, bind(&AppointmentsModule::list_services_staff));
    r.add("GET", "/api/v1/appointment-slots", Access::agent, bind(&AppointmentsModule::next_slots));
    r.add("POST", "/api/v1/appointments", Access::agent, bind(&AppointmentsModule::book_staff));
    r.add("GET", "/api/v1/appointments", Access::agent, bind(&AppointmentsModule::day_list));
    r.add("GET", "/api/v1/appointments/{id}", Access::agent, bind(&AppointmentsModule::get_staff));
    r.add("PATCH", "/api/v1/appointments/{id}", Access::agent, bind(&AppointmentsModule::update_staff));
    r.add("DELETE", "/api/v1/appointments/{id}", Access::agent, bind(&AppointmentsModule::cancel_staff));
    r.add("GET", "/api/v1/appointment-reminders", Access::supervisor, bind(&AppointmentsModule::list_reminders));
}

bool AppointmentsModule::allow(std::unordered_map<std::string, std::deque<SysTime>>& window,
                               const std::string& address, int per_hour, int& retry_after) {
    const auto now = ctx_.b.clock.now();
    auto& q = window[address];
    while (!q.empty() && q.front() <= now - hours{1}) q.pop_front();
    if (int(q.size()) >= per_hour) {
        retry_after = int(ceil<seconds>(q.front() + hours{1} - now).count());
        return false;
    }
    q.push_back(now);
    return true;
}

json AppointmentsModule::public_json(const store::AppointmentRow& a) const {
    const auto* s = service(a.service_id);
    const std::string code = display_code(a.code);
    return {{"code", code},
            {"service_id", a.service_id},
            {"service_name", s ? s->name : a.service_id},
            {"department", s ? s->department : ""},
            {"location", s ? s->location : ""},
            {"start", to_rfc3339(a.start)},
            {"end", to_rfc3339(a.end)},
            {"state", a.state},
            {"name", a.name},
            {"ics_url", "/api/v1/public/appointments/" + code + ".ics"}};
}

json AppointmentsModule::staff_json(const store::AppointmentRow& a) const {
    json j = public_json(a);
    j["id"] = std::to_string(a.id);
    j["counter"] = a.counter;
    j["phone"] = a.phone;
    j["email"] = a.email;
    j["lang"] = a.lang;
    j["contact_id"] = a.contact_id ? json(std::to_string(*a.contact_id)) : json(nullptr);
    j["booked_by"] = a.booked_by ? json(std::to_string(*a.booked_by)) : json(nullptr);
    j["created_at"] = to_rfc3339(a.created_at);
    return j;
}

// ---- slots ------------------------------------------------------------------

void AppointmentsModule::free_slots(const AppointmentService& s, Date from, Date to,
                                    std::function<void(Result<json>)> done) {
    auto slots = bookable_slots(s, ctx_.opt.holidays, from, to, ctx_.b.clock.now());
    if (slots.empty()) return done(json::array());
    const SysTime lo = slots.front().start, hi = slots.back().end;
    on_store_worker(
        ctx_, [this, id = s.id, lo, hi] { return store_.taken(id, lo, hi); },
        [slots = std::move(slots), counters = s.counters, done](Result<std::map<int64_t, int>> taken) {
            if (!taken) return done(taken.error());
            json items = json::array();
            for (const auto& slot : slots) {
                auto it = taken->find(to_unix_ms(slot.start));
                const int used = it == taken->end() ? 0 : it->second;
                items.push_back(slot_json(slot, std::max(0, counters - used)));
            }
            done(std::move(items));
        });
}

void AppointmentsModule::next_free(const AppointmentService& s, int limit, std::function<void(Result<json>)> done) {
    const Date today = warsaw_today(ctx_.b.clock.now());
    const Date last{sys_days{today} + days{s.horizon_days}};
    free_slots(s, today, last, [limit, done](Result<json> all) {
        if (!all) return done(all.error());
        json out = json::array();
        for (auto& slot : *all) {
            if (int(out.size()) >= limit) break;
            if (slot["free"].get<int>() > 0) out.push_back(slot);
        }
        done(std::move(out));
    });
}

void AppointmentsModule::list_services(Call c) {
    json items = json::array();
    for (const auto& [id, s] : services_) {
        std::string department_name;
        for (const auto& d : ctx_.opt.departments)
            if (d.id == s.department) department_name = d.name;
        items.push_back({{"id", s.id},
                         {"name", s.name},
                         {"department", s.department},
                         {"department_name", department_name},
                         {"duration_minutes", s.duration_minutes},
                         {"location", s.location},
                         {"horizon_days", s.horizon_days}});
    }
    c.reply(Response::json(200, {{"items", items}, {"next", nullptr}}));
}

void AppointmentsModule::list_services_staff(Call c) {
    json items = json::array();
    for (const auto& [id, s] : services_) {
        json topics = json::array();
        for (const auto& [topic, sid] : cfg_.topics)
            if (sid == id) topics.push_back(topic);
        std::string department_name;
        for (const auto& d : ctx_.opt.departments)
            if (d.id == s.department) department_name = d.name;
        items.push_back({{"id", s.id},
                         {"name", s.name},
                         {"department", s.department},
                         {"department_name", department_name},
                         {"duration_minutes", s.duration_minutes},
                         {"counters", s.counters},
                         {"location", s.location},
                         {"horizon_days", s.horizon_days},
                         {"min_notice_minutes", s.min_notice_minutes},
                         {"max_future_bookings", s.max_future_bookings},
                         {"topics", topics}});
    }
    c.reply(Response::json(200, {{"items", items}, {"next", nullptr}}));
}

void AppointmentsModule::list_slots(Call c) {
    const auto* s = service(c.params["id"]);
    if (!s) return c.reply(Response::error(404, "unknown_service", "There is no such appointment service."));
    const Date today = warsaw_today(ctx_.b.clock.now());
    auto from = date_param(c.request, "from", today);
    if (!from) return c.reply(Response::error(from.error()));
    auto to = date_param(c.request, "to", Date{sys_days{*from} + days{6}});
    if (!to) return c.reply(Response::error(to.error()));
    if (sys_days{*to} < sys_days{*from})
        return c.reply(Response::error(400, "invalid_parameter", "to must not be before from"));
    if (sys_days{*to} - sys_days{*from} >= days{max_slot_range_days})
        return c.reply(Response::error(400, "range_too_long",
                                       "Ask for at most " + std::to_string(max_slot_range_days) + " days at a time."));
    free_slots(*s, *from, *to, [reply = std::move(c.reply)](Result<json> items) {
        if (!items) return reply(Response::error(items.error()));
        reply(Response::json(200, {{"items", *items}, {"next", nullptr}}));
    });
}

void AppointmentsModule::next_slots(Call c) {
    const AppointmentService* s = nullptr;
    if (auto it = c.request.query.find("service_id"); it != c.request.query.end()) {
        s = service(it->second);
        if (!s) return c.reply(Response::error(404, "unknown_service", "There is no such appointment service."));
    } else if (auto t = c.request.query.find("topic"); t != c.request.query.end()) {
        auto m = cfg_.topics.find(t->second);
        if (m == cfg_.topics.end() || !(s = service(m->second)))
            return c.reply(Response::error(404, "no_service_for_topic", "No appointment service is set for this topic."));
    } else {
        return c.reply(Response::error(400, "missing_parameter", "Give topic or service_id."));
    }
    int limit = 5;
    if (auto it = c.request.query.find("limit"); it != c.request.query.end()) {
        auto v = parse_id(it->second);
        if (!v || *v > 50) return c.reply(Response::error(400, "invalid_parameter", "limit must be from 1 to 50"));
        limit = int(*v);
    }
    next_free(*s, limit, [this, s, reply = std::move(c.reply)](Result<json> items) {
        if (!items) return reply(Response::error(items.error()));
        reply(Response::json(200, {{"service", {{"id", s->id}, {"name", s->name}, {"department", s->department},
                                                {"duration_minutes", s->duration_minutes}, {"location", s->location}}},
                                   {"items", *items},
                                   {"next", nullptr}}));
    });
}

// ---- booking ----------------------------------------------------------------

Result<AppointmentsModule::Booking> AppointmentsModule::read_booking(const json& body, bool staff) const {
    static const std::set<std::string> known = {"service_id", "start", "name", "phone", "email", "contact_id", "lang"};
    for (auto it = body.begin(); it != body.end(); ++it)
        if (!known.count(it.key())) return Error::invalid("unknown_field", "Unknown field '" + it.key() + "'.");
    Booking b;
    auto sid = text_field(body, "service_id", 64, true);
    if (!sid) return sid.error();
    b.service_id = *sid;
    auto start = text_field(body, "start", 40, true);
    if (!start) return start.error();
    if (!parse_rfc3339(*start, b.start))
        return Error::invalid("invalid_start", "start must be a time such as 2026-03-02T08:15:00Z.");
    auto name = text_field(body, "name", max_name_bytes, true);
    if (!name) return name.error();
    b.name = *name;
    auto phone = text_field(body, "phone", 40, false);
    if (!phone) return phone.error();
    if (!phone->empty()) {
        auto p = normalize_phone(*phone);
        if (!p) return Error::invalid("invalid_phone", "The phone number does not look right.");
        b.phone = *p;
    }
    auto email = text_field(body, "email", 254, false);
    if (!email) return email.error();
    if (!email->empty()) {
        auto e = normalize_email(*email);
        if (!e) return Error::invalid("invalid_email", "The e-mail address does not look right.");
        b.email = *e;
    }
    if (body.contains("lang") && !body["lang"].is_null()) {
        if (!body["lang"].is_string() || !valid_lang(body["lang"].get<std::string>()))
            return Error::invalid("invalid_field", "lang must be pl, en or uk");
        b.lang = body["lang"].get<std::string>();
    }
    if (body.contains("contact_id") && !body["contact_id"].is_null()) {
        const auto& v = body["contact_id"];
        std::optional<int64_t> id;
        if (v.is_string()) id = parse_id(v.get<std::string>());
        else if (v.is_number_integer() && v.get<int64_t>() > 0) id = v.get<int64_t>();
        if (!id) return Error::invalid("invalid_field", "contact_id must be a contact id");
        b.contact_id = id;
    }
    // A resident must be reachable; a consultant booking in a chat can tell them there.
    if (b.phone.empty() && b.email.empty() && !(staff && b.contact_id))
        return Error::invalid("missing_contact", "Give a phone number or an e-mail address.");
    return b;
}

void AppointmentsModule::book_public(Call c) {
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    int wait = 0;
    if (!allow(booking_window_, c.request.remote_address, cfg_.public_bookings_per_hour, wait))
        return c.reply(Response::error(Error::rate_limited("Too many bookings from this address; please try later.", wait)));
    auto b = read_booking(*body, false);
    if (!b) return c.reply(Response::error(b.error()));
    if (b->contact_id) {
        const auto* token = c.request.header("x-visitor-token");
        if (!token || token->empty() || token->size() > 128)
            return c.reply(Response::error(400, "invalid_field", "contact_id needs the chat's X-Visitor-Token header."));
        b->visitor_token = *token;
    }
    book(std::move(c), std::move(*b), false);
}

void AppointmentsModule::book_staff(Call c) {
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    auto b = read_booking(*body, true);
    if (!b) return c.reply(Response::error(b.error()));
    book(std::move(c), std::move(*b), true);
}

void AppointmentsModule::book(Call c, Booking b, bool staff) {
    const auto* s = service(b.service_id);
    if (!s) return c.reply(Response::error(400, "unknown_service", "There is no such appointment service."));
    const auto now = ctx_.b.clock.now();
    auto slot = check_slot(*s, ctx_.opt.holidays, now, b.start);
    if (!slot) return c.reply(Response::error(slot.error()));
    store::NewBooking nb;
    nb.row.service_id = s->id;
    nb.row.start = slot->start;
    nb.row.end = slot->end;
    nb.row.name = b.name;
    nb.row.phone = b.phone;
    nb.row.email = b.email;
    nb.row.lang = b.lang;
    nb.row.contact_id = b.contact_id;
    if (staff) nb.row.booked_by = c.who->user.id;
    nb.row.address = c.request.remote_address;
    nb.counters = s->counters;
    nb.max_future_bookings = s->max_future_bookings;
    nb.now = now;
    const std::string token_hash = b.visitor_token.empty() ? "" : crypto::sha256_hex(b.visitor_token);
    on_store_worker(
        ctx_,
        [this, nb, token_hash]() -> Result<store::AppointmentRow> {
            if (!token_hash.empty()) {
                auto mine = store_.contact_for_visitor(token_hash);
                if (!mine) return mine.error();
                if (!*mine || **mine != *nb.row.contact_id)
                    return Error::invalid("invalid_field", "contact_id is not the conversation of this visitor token.");
            }
            return store_.book(nb);
        },
        [this, s, staff, who = c.who, address = c.request.remote_address,
         reply = std::move(c.reply)](Result<store::AppointmentRow> r) {
            if (!r && r.error().code == "slot_full") {
                // Tell the loser where there is still room, in the same answer.
                return next_free(*s, 5, [reply, e = r.error()](Result<json> next) {
                    json err = {{"code", e.code}, {"message", e.message}, {"next_slots", next ? *next : json::array()}};
                    reply(Response::json(409, {{"error", err}}));
                });
            }
            if (!r) return reply(Response::error(r.error()));
            if (staff) {
                ctx_.audit(who, "appointment_booked", "appointment:" + std::to_string(r->id), address,
                           {{"service_id", r->service_id}, {"start", to_rfc3339(r->start)},
                            {"contact_id", r->contact_id ? json(std::to_string(*r->contact_id)) : json(nullptr)}});
                if (r->contact_id) ctx_.notify_chat(*r->contact_id, booked_text(r->lang, *s, *r));
            }
            reply(Response::json(201, staff ? staff_json(*r) : public_json(*r)));
        });
}

void AppointmentsModule::get_public(Call c) {
    std::string code = c.params["code"];
    bool ics = false;
    if (code.size() > 4 && code.compare(code.size() - 4, 4, ".ics") == 0) {
        ics = true;
        code.resize(code.size() - 4);
    }
    int wait = 0;
    if (!allow(lookup_window_, c.request.remote_address, cfg_.public_lookups_per_hour, wait))
        return c.reply(Response::error(Error::rate_limited("Too many look-ups from this address; please try later.", wait)));
    auto normal = normalize_code(code);
    if (!normal) return c.reply(Response::error(404, "appointment_not_found", "No booking with this code."));
    on_store_worker(
        ctx_, [this, code = *normal] { return store_.by_code(code); },
        [this, ics, reply = std::move(c.reply)](Result<store::AppointmentRow> r) {
            if (!r) return reply(Response::error(r.error()));
            if (!ics) return reply(Response::json(200, public_json(*r)));
            const auto* s = service(r->service_id);
            if (!s) return reply(Response::error(404, "appointment_not_found", "No booking with this code."));
            Response resp;
            resp.content_type = "text/calendar; charset=utf-8";
            resp.body = appointment_ics(*r, *s, r->updated_at);
            resp.headers.emplace_back("Content-Disposition",
                                      "attachment; filename=\"wizyta-" + display_code(r->code) + ".ics\"");
            reply(std::move(resp));
        });
}

void AppointmentsModule::cancel_public(Call c) {
    int wait = 0;
    if (!allow(booking_window_, c.request.remote_address, cfg_.public_bookings_per_hour, wait))
        return c.reply(Response::error(Error::rate_limited("Too many changes from this address; please try later.", wait)));
    auto normal = normalize_code(c.params["code"]);
    if (!normal) return c.reply(Response::error(404, "appointment_not_found", "No booking with this code."));
    on_store_worker(
        ctx_, [this, code = *normal, now = ctx_.b.clock.now()] { return store_.cancel(code, now); },
        [this, reply = std::move(c.reply)](Result<store::AppointmentRow> r) {
            if (!r) return reply(Response::error(r.error()));
            reply(Response::json(200, public_json(*r)));
        });
}

void AppointmentsModule::move_public(Call c) {
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    int wait = 0;
    if (!allow(booking_window_, c.request.remote_address, cfg_.public_bookings_per_hour, wait))
        return c.reply(Response::error(Error::rate_limited("Too many changes from this address; please try later.", wait)));
    for (auto it = body->begin(); it != body->end(); ++it)
        if (it.key() != "start") return c.reply(Response::error(400, "unknown_field", "Only start can be changed."));
    auto start_text = text_field(*body, "start", 40, true);
    if (!start_text) return c.reply(Response::error(start_text.error()));
    SysTime start;
    if (!parse_rfc3339(*start_text, start))
        return c.reply(Response::error(400, "invalid_start", "start must be a time such as 2026-03-02T08:15:00Z."));
    auto normal = normalize_code(c.params["code"]);
    if (!normal) return c.reply(Response::error(404, "appointment_not_found", "No booking with this code."));
    // The service is known only once the booking is read: read, check, then move.
    on_store_worker(
        ctx_, [this, code = *normal] { return store_.by_code(code); },
        [this, start, reply = std::move(c.reply)](Result<store::AppointmentRow> cur) mutable {
            if (!cur) return reply(Response::error(cur.error()));
            const auto* s = service(cur->service_id);
            if (!s) return reply(Response::error(409, "not_movable", "This booking can no longer be changed."));
            const auto now = ctx_.b.clock.now();
            auto slot = check_slot(*s, ctx_.opt.holidays, now, start);
            if (!slot) return reply(Response::error(slot.error()));
            on_store_worker(
                ctx_,
                [this, code = cur->code, slot = *slot, counters = s->counters, now] {
                    return store_.move(code, slot.start, slot.end, counters, now);
                },
                [this, s, reply](Result<store::AppointmentRow> r) {
                    if (!r && r.error().code == "slot_full")
                        return next_free(*s, 5, [reply, e = r.error()](Result<json> next) {
                            json err = {{"code", e.code}, {"message", e.message},
                                        {"next_slots", next ? *next : json::array()}};
                            reply(Response::json(409, {{"error", err}}));
                        });
                    if (!r) return reply(Response::error(r.error()));
                    reply(Response::json(200, public_json(*r)));
                });
        });
}

// ---- staff ------------------------------------------------------------------

void AppointmentsModule::day_list(Call c) {
    const Date today = warsaw_today(ctx_.b.clock.now());
    auto date = date_param(c.request, "date", today);
    if (!date) return c.reply(Response::error(date.error()));
    auto page = page_params(c.request);
    if (!page) return c.reply(Response::error(page.error()));
    store::DayFilter f;
    if (auto it = c.request.query.find("service_id"); it != c.request.query.end() && !it->second.empty()) {
        if (!service(it->second))
            return c.reply(Response::error(400, "unknown_service", "There is no such appointment service."));
        f.service_ids.push_back(it->second);
    } else if (auto d = c.request.query.find("department"); d != c.request.query.end() && !d->second.empty()) {
        for (const auto& [id, s] : services_)
            if (s.department == d->second) f.service_ids.push_back(id);
        if (f.service_ids.empty())
            return c.reply(Response::json(200, {{"date", to_string(*date)}, {"items", json::array()}, {"next", nullptr}}));
    }
    f.from = *warsaw_instant(*date, 0);  // midnight exists on every Warsaw day
    f.to = *warsaw_instant(Date{sys_days{*date} + days{1}}, 0);
    auto fmt = c.request.query.find("format");
    const auto* accept = c.request.header("accept");
    const bool csv = (fmt != c.request.query.end() && fmt->second == "csv") ||
                     (fmt == c.request.query.end() && accept && accept->find("text/csv") != std::string::npos);
    if (fmt != c.request.query.end() && fmt->second != "csv" && fmt->second != "json")
        return c.reply(Response::error(400, "invalid_parameter", "format must be json or csv"));
    on_store_worker(
        ctx_, [this, f] { return store_.day(f); },
        [this, csv, date = *date, page = *page, who = c.who, address = c.request.remote_address,
         reply = std::move(c.reply)](Result<std::vector<store::AppointmentRow>> rows) {
            if (!rows) return reply(Response::error(rows.error()));
            if (csv) {
                ctx_.audit(who, "appointments_exported", "date:" + to_string(date), address,
                           {{"rows", rows->size()}});
                Response r;
                r.content_type = "text/csv; charset=utf-8";
                r.body = appointments_csv(*rows, services_);
                r.headers.emplace_back("Content-Disposition",
                                       "attachment; filename=\"wizyty-" + to_string(date) + ".csv\"");
                return reply(std::move(r));
            }
            json items = json::array();
            for (size_t i = page.offset; i < rows->size() && items.size() < size_t(page.limit); ++i)
                items.push_back(staff_json((*rows)[i]));
            const size_t end = page.offset + items.size();
            reply(Response::json(200, {{"date", to_string(date)},
                                       {"items", items},
                                       {"next", end < rows->size() ? json(std::to_string(end)) : json(nullptr)}}));
        });
}

void AppointmentsModule::get_staff(Call c) {
    auto id = parse_id(c.params["id"]);
    if (!id) return c.reply(Response::error(404, "appointment_not_found", "No such appointment."));
    on_store_worker(
        ctx_, [this, id = *id] { return store_.by_id(id); },
        [this, reply = std::move(c.reply)](Result<store::AppointmentRow> r) {
            if (!r) return reply(Response::error(r.error()));
            reply(Response::json(200, staff_json(*r)));
        });
}

void AppointmentsModule::update_staff(Call c) {
    auto id = parse_id(c.params["id"]);
    if (!id) return c.reply(Response::error(404, "appointment_not_found", "No such appointment."));
    auto body = json_body(c.request);
    if (!body) return c.reply(Response::error(body.error()));
    for (auto it = body->begin(); it != body->end(); ++it)
        if (it.key() != "state" && it.key() != "start")
            return c.reply(Response::error(400, "unknown_field", "Unknown field '" + it.key() + "'."));
    if (body->contains("state") == body->contains("start"))
        return c.reply(Response::error(400, "invalid_body", "Send either state or start."));
    auto finish = [this, who = c.who, address = c.request.remote_address, reply = c.reply](
                      const std::string& action, Result<store::AppointmentRow> r) {
        if (!r) return reply(Response::error(r.error()));
        ctx_.audit(who, action, "appointment:" + std::to_string(r->id), address,
                   {{"state", r->state}, {"start", to_rfc3339(r->start)}});
        reply(Response::json(200, staff_json(*r)));
    };
    if (body->contains("state")) {
        auto state = text_field(*body, "state", 16, true);
        if (!state) return c.reply(Response::error(state.error()));
        if (*state != "arrived" && *state != "no_show" && *state != "booked")
            return c.reply(Response::error(400, "invalid_field", "state must be arrived, no_show or booked"));
        return on_store_worker(
            ctx_, [this, id = *id, st = *state, now = ctx_.b.clock.now()] { return store_.set_state(id, st, now); },
            [finish](Result<store::AppointmentRow> r) { finish("appointment_marked", std::move(r)); });
    }
    auto start_text = text_field(*body, "start", 40, true);
    SysTime start;
    if (!start_text || !parse_rfc3339(*start_text, start))
        return c.reply(Response::error(400, "invalid_start", "start must be a time such as 2026-03-02T08:15:00Z."));
    on_store_worker(
        ctx_, [this, id = *id] { return store_.by_id(id); },
        [this, start, finish, reply = c.reply](Result<store::AppointmentRow> cur) {
            if (!cur) return reply(Response::error(cur.error()));
            const auto* s = service(cur->service_id);
            if (!s) return reply(Response::error(409, "not_movable", "This booking's service no longer exists."));
            const auto now = ctx_.b.clock.now();
            auto slot = check_slot(*s, ctx_.opt.holidays, now, start);
            if (!slot) return reply(Response::error(slot.error()));
            on_store_worker(
                ctx_,
                [this, code = cur->code, slot = *slot, counters = s->counters, now] {
                    return store_.move(code, slot.start, slot.end, counters, now);
                },
                [finish](Result<store::AppointmentRow> r) { finish("appointment_moved", std::move(r)); });
        });
}

void AppointmentsModule::cancel_staff(Call c) {
    auto id = parse_id(c.params["id"]);
    if (!id) return c.reply(Response::error(404, "appointment_not_found", "No such appointment."));
    on_store_worker(
        ctx_,
        [this, id = *id, now = ctx_.b.clock.now()]() -> Result<store::AppointmentRow> {
            auto cur = store_.by_id(id);
            if (!cur) return cur.error();
            return store_.cancel(cur->code, now);
        },
        [this, who = c.who, address = c.request.remote_address, reply = std::move(c.reply)](
            Result<store::AppointmentRow> r) {
            if (!r) return reply(Response::error(r.error()));
            ctx_.audit(who, "appointment_cancelled", "appointment:" + std::to_string(r->id), address, json::object());
            reply(Response::json(200, staff_json(*r)));
        });
}

void AppointmentsModule::list_reminders(Call c) {
    const Date tomorrow{sys_days{warsaw_today(ctx_.b.clock.now())} + days{1}};
    auto date = date_param(c.request, "date", tomorrow);
    if (!date) return c.reply(Response::error(date.error()));
    auto page = page_params(c.request);
    if (!page) return c.reply(Response::error(page.error()));
    const SysTime from = *warsaw_instant(*date, 0), to = *warsaw_instant(Date{sys_days{*date} + days{1}}, 0);
    on_store_worker(
        ctx_, [this, from, to, page = *page] { return store_.reminders(from, to, page.limit + 1, page.offset); },
        [this, date = *date, page = *page, reply = std::move(c.reply)](Result<std::vector<store::ReminderRow>> rows) {
            if (!rows) return reply(Response::error(rows.error()));
            json items = json::array();
            for (size_t i = 0; i < rows->size() && i < size_t(page.limit); ++i) {
                const auto& r = (*rows)[i];
                const auto* s = service(r.service_id);
                items.push_back({{"appointment_id", std::to_string(r.appointment_id)},
                                 {"code", display_code(r.code)},
                                 {"service_id", r.service_id},
                                 {"service_name", s ? s->name : r.service_id},
                                 {"start", to_rfc3339(r.start)},
                                 {"name", r.name},
                                 {"phone", r.phone},
                                 {"email", r.email},
                                 {"state", r.state},
                                 {"attempts", r.attempts},
                                 {"last_attempt_at", r.last_attempt_at ? json(to_rfc3339(*r.last_attempt_at)) : json(nullptr)},
                                 {"next_attempt_at", r.next_attempt_at ? json(to_rfc3339(*r.next_attempt_at)) : json(nullptr)},
                                 {"last_http_status", r.last_http_status},
                                 {"last_error", r.last_error}});
            }
            const bool more = rows->size() > size_t(page.limit);
            reply(Response::json(200, {{"date", to_string(date)},
                                       {"items", items},
                                       {"next", more ? json(std::to_string(page.offset + page.limit)) : json(nullptr)}}));
        });
}

// ---- reminders --------------------------------------------------------------

void AppointmentsModule::tick() {
    const auto now = ctx_.b.clock.now();
    if (now - last_prune_ > minutes{5}) {
        last_prune_ = now;
        for (auto* w : {&booking_window_, &lookup_window_})
            for (auto it = w->begin(); it != w->end();) {
                while (!it->second.empty() && it->second.front() <= now - hours{1}) it->second.pop_front();
                it = it->second.empty() ? w->erase(it) : std::next(it);
            }
    }
    send_reminders();
}

void AppointmentsModule::send_reminders() {
    if (!ctx_.b.http || cfg_.reminders.webhook_url.empty() || delivering_) return;
    const auto now = ctx_.b.clock.now();
    if (now - last_scan_ < seconds{2}) return;
    last_scan_ = now;
    const LocalTime lt = to_warsaw(now);
    if (lt.minute_of_day < cfg_.reminders.send_from_minute) return;
    const sys_days tomorrow = sys_days{lt.date} + days{1};
    const SysTime from = *warsaw_instant(Date{tomorrow}, 0), to = *warsaw_instant(Date{tomorrow + days{1}}, 0);
    delivering_ = true;
    on_store_worker(
        ctx_, [this, from, to, now] { return store_.due_reminders(from, to, now, 20); },
        [this](Result<std::vector<store::ReminderDue>> due) {
            if (!due) {
                spdlog::error("appointment reminders: {}", due.error().message);
                delivering_ = false;
                return;
            }
            deliver_next(std::make_shared<std::vector<store::ReminderDue>>(std::move(*due)), 0);
        });
}

void AppointmentsModule::deliver_next(std::shared_ptr<std::vector<store::ReminderDue>> batch, size_t i) {
    if (i >= batch->size()) {
        delivering_ = false;
        return;
    }
    const auto& due = (*batch)[i];
    const auto& a = due.appointment;
    const auto* s = service(a.service_id);
    const auto [date, time] = local_parts(a.start);
    json payload = {{"type", "appointment_reminder"},
                    {"appointment_id", std::to_string(a.id)},
                    {"code", display_code(a.code)},
                    {"service", {{"id", a.service_id}, {"name", s ? s->name : a.service_id},
                                 {"department", s ? s->department : ""}}},
                    {"location", s ? s->location : ""},
                    {"start", to_rfc3339(a.start)},
                    {"end", to_rfc3339(a.end)},
                    {"local_date", date},
                    {"local_time", time},
                    {"counter", a.counter},
                    {"resident", {{"name", a.name}, {"phone", a.phone}, {"email", a.email}, {"lang", a.lang}}},
                    {"text", s ? reminder_text(a.lang, *s, a) : ""},
                    {"attempt", due.attempts + 1}};
    OutgoingRequest req;
    req.url = cfg_.reminders.webhook_url;
    req.body = payload.dump(-1, ' ', false, json::error_handler_t::replace);
    req.timeout = seconds{cfg_.reminders.timeout_seconds};
    req.headers.emplace_back("X-Centrala-Event", "appointment_reminder");
    req.headers.emplace_back("X-Centrala-Delivery", std::to_string(a.id) + "-" + std::to_string(due.attempts + 1));
    if (!cfg_.reminders.secret.empty())
        req.headers.emplace_back("X-Centrala-Signature", "sha256=" + crypto::hmac_sha256_hex(cfg_.reminders.secret, req.body));
    ctx_.b.http->post(std::move(req), [this, alive = ctx_.alive, batch, i](OutgoingResult res) {
        if (!*alive) return;
        const auto& due = (*batch)[i];
        const bool ok = res.status >= 200 && res.status < 300;
        const auto now = ctx_.b.clock.now();
        std::optional<SysTime> next;
        if (!ok && due.attempts + 1 < cfg_.reminders.max_attempts)
            next = now + seconds{int64_t(cfg_.reminders.retry_base_seconds) << std::min(due.attempts, 20)};
        std::string error = res.error;
        if (error.empty() && !ok) error = "HTTP " + std::to_string(res.status);
        if (!ok)
            spdlog::warn("appointment reminder {} not delivered (attempt {}): {}", due.appointment.id, due.attempts + 1,
                         error);
        on_store_worker(
            ctx_,
            [this, id = due.appointment.id, now, ok, status = res.status, error, next] {
                return store_.record_attempt(id, now, ok, status, error, next);
            },
            [this, batch, i](Result<void> r) {
                if (!r) spdlog::error("appointment reminder log: {}", r.error().message);
                deliver_next(batch, i + 1);
            });
    });
}

}  // namespace centrala::api
