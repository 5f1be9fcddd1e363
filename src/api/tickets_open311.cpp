// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the same
// cases the staff work on: services are the case categories, requests are
// cases. JSON and XML; errors as [{"code","description"}].
#include <charconv>
#include <cmath>
#include <set>

#include "centrala/api/tickets.hpp"
#include "centrala/crypto/crypto.hpp"

namespace centrala::api {

// Ordered, so fields come in the specification's order in JSON and XML alike.
using json = nlohmann::ordered_json;
using store::TicketRow;

namespace {

std::string xml_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out += c;
        }
    }
    return out;
}

// The element name of one item of a GeoReport list.
std::string item_name(const std::string& list) {
    if (list == "services") return "service";
    if (list == "service_requests") return "request";
    if (list == "endpoints") return "endpoint";
    if (list == "formats") return "format";
    if (list == "attributes") return "attribute";
    if (list == "values") return "value";
    if (list == "errors") return "error";
    return "item";
}

void to_xml(const json& j, const std::string& name, std::string& out) {
    out += "<" + name + ">";
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) to_xml(it.value(), it.key(), out);
    } else if (j.is_array()) {
        for (const auto& e : j) to_xml(e, item_name(name), out);
    } else if (j.is_string()) {
        out += xml_escape(j.get<std::string>());
    } else if (!j.is_null()) {
        out += j.dump();
    }
    out += "</" + name + ">";
}

Response georeport(int status, const json& body, const std::string& format, const std::string& root) {
    if (format == "xml") {
        Response r;
        r.status = status;
        r.content_type = "text/xml; charset=utf-8";
        r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
        to_xml(body, root, r.body);
        return r;
    }
    Response r;
    r.status = status;
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
}

Response georeport_error(int status, const std::string& description, const std::string& format) {
    auto r = georeport(status, json::array({{{"code", status}, {"description", description}}}), format, "errors");
    if (status == 429) r.headers.emplace_back("Retry-After", "60");
    return r;
}

Response georeport_error(const Error& e, const std::string& format) {
    const int status = status_for(e.kind);
    auto r = georeport_error(status, e.kind == ErrorKind::internal ? "Something went wrong on our side." : e.message,
                             format);
    if (e.kind == ErrorKind::rate_limited) {
        r.headers.clear();
        r.headers.emplace_back("Retry-After", std::to_string(std::max(1, e.retry_after_seconds)));
    }
    return r;
}

// "requests.json" -> {"requests", "json"}; empty format when unknown.
std::pair<std::string, std::string> split_format(const std::string& file) {
    const auto dot = file.rfind('.');
    if (dot == std::string::npos) return {file, ""};
    const std::string ext = file.substr(dot + 1);
    if (ext != "json" && ext != "xml") return {file, ""};
    return {file.substr(0, dot), ext};
}

// GeoReport dates are ISO 8601 with an offset ("2010-04-14T06:37:38-08:00") or Z.
bool parse_w3c_time(const std::string& s, SysTime& out) {
    if (parse_rfc3339(s, out)) return true;
    if (s.size() < 25) return false;
    const std::string offset = s.substr(s.size() - 6);
    if ((offset[0] != '+' && offset[0] != '-') || offset[3] != ':') return false;
    int h = 0, m = 0;
    if (std::sscanf(offset.c_str() + 1, "%2d:%2d", &h, &m) != 2 || h > 14 || m > 59) return false;
    if (!parse_rfc3339(s.substr(0, s.size() - 6) + "Z", out)) return false;
    const auto delta = std::chrono::minutes(h * 60 + m);
    out = offset[0] == '+' ? out - delta : out + delta;
    return true;
}

std::string w3c(SysTime t) { return to_rfc3339(t); }

// GeoReport's media_url: an absolute http(s) URL of at most 1000 bytes with a
// host, printable ASCII only (no spaces, quotes or angle brackets), so it is
// safe to hand on as a link.
bool valid_media_url(const std::string& u) {
    if (u.size() > 1000) return false;
    std::string lower = u.substr(0, 8);
    for (auto& ch : lower) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    size_t host;
    if (lower.rfind("https://", 0) == 0) host = 8;
    else if (lower.rfind("http://", 0) == 0) host = 7;
    else return false;
    if (host >= u.size() || u[host] == '/' || u[host] == '?' || u[host] == '#') return false;
    for (unsigned char ch : u)
        if (ch <= 0x20 || ch >= 0x7f || ch == '"' || ch == '<' || ch == '>' || ch == '\\' || ch == '`') return false;
    return true;
}

}  // namespace

void TicketsModule::add_open311_routes(Router& router) {
    router.add("GET", "/open311/v2/{file}", Access::public_, [this](Call c) { open311_root(std::move(c)); });
    router.add("POST", "/open311/v2/{file}", Access::public_, [this](Call c) { open311_root(std::move(c)); });
    router.add("GET", "/open311/v2/services/{file}", Access::public_, [this](Call c) { open311_service(std::move(c)); });
    router.add("GET", "/open311/v2/requests/{file}", Access::public_, [this](Call c) { open311_request(std::move(c)); });
}

bool TicketsModule::open311_visible(const TicketRow& t) const {
    if (t.source == "open311") return true;
    const Service* s = service(t.category);
    return s && s->location_required;
}

namespace {
// A wrong jurisdiction is "not found"; none given means ours.
bool jurisdiction_ok(const std::map<std::string, std::string>& params, const std::string& ours) {
    auto it = params.find("jurisdiction_id");
    return it == params.end() || it->second.empty() || it->second == ours;
}
}  // namespace

void TicketsModule::open311_root(Call c) {
    const auto [name, format] = split_format(c.params["file"]);
    // A path that is no GeoReport resource at all is an unknown route like any other.
    if (format.empty() || (name != "discovery" && name != "services" && name != "requests"))
        return c.reply(Response::error(404, "not_found", "No such resource."));
    const bool post = c.request.method == "POST";
    if (post && name == "requests") return open311_create(std::move(c), format);
    if (post) {
        auto r = georeport_error(405, "Only requests accept POST.", format);
        r.headers.emplace_back("Allow", "GET");
        return c.reply(std::move(r));
    }
    if (!jurisdiction_ok(c.request.query, ctx_.opt.tickets.open311_jurisdiction_id))
        return c.reply(georeport_error(404, "jurisdiction_id not found", format));
    if (name == "discovery") {
        json formats = json::array({"application/json", "text/xml"});
        json endpoint = {{"specification", "http://wiki.open311.org/GeoReport_v2"},
                         {"url", "/open311/v2"},
                         {"changeset", "2026-01-01T00:00:00Z"},
                         {"type", "production"},
                         {"formats", formats}};
        json d = {{"changeset", "2026-01-01T00:00:00Z"},
                  {"contact", "Miejskie Centrum Kontaktu"},
                  {"key_service", ctx_.opt.tickets.open311_api_key.empty() ? "No key is needed to file reports."
                                                                           : "Ask the city for an api_key."},
                  {"endpoints", json::array({endpoint})}};
        return c.reply(georeport(200, d, format, "discovery"));
    }
    if (name == "services") {
        json list = json::array();
        for (const auto& s : ctx_.opt.services) {
            std::string keywords;
            for (const auto& k : s.keywords) keywords += (keywords.empty() ? "" : ",") + k;
            const Department* d = department(s.department);
            list.push_back({{"service_code", s.code},
                            {"service_name", s.name},
                            {"description", s.description},
                            {"metadata", !s.attributes.empty()},
                            {"type", "realtime"},
                            {"keywords", keywords},
                            {"group", d ? d->name : s.department}});
        }
        return c.reply(georeport(200, list, format, "services"));
    }
    open311_list(std::move(c), format);
}

void TicketsModule::open311_service(Call c) {
    const auto [code, format] = split_format(c.params["file"]);
    if (format.empty()) return c.reply(georeport_error(404, "Use the .json or .xml form of this resource.", "json"));
    if (!jurisdiction_ok(c.request.query, ctx_.opt.tickets.open311_jurisdiction_id))
        return c.reply(georeport_error(404, "jurisdiction_id not found", format));
    const Service* s = service(code);
    if (!s) return c.reply(georeport_error(404, "service_code " + code + " not found", format));
    json attrs = json::array();
    int order = 1;
    for (const auto& a : s->attributes) {
        json values = json::array();
        for (const auto& [k, n] : a.values) values.push_back({{"key", k}, {"name", n}});
        json attr = {{"variable", true},
                     {"code", a.code},
                     {"datatype", a.datatype},
                     {"required", a.required},
                     {"datatype_description", ""},
                     {"order", order++},
                     {"description", a.description}};
        if (!values.empty()) attr["values"] = values;
        attrs.push_back(attr);
    }
    c.reply(georeport(200, {{"service_code", s->code}, {"attributes", attrs}}, format, "service_definition"));
}

namespace {
json request_json(const TicketRow& t, const std::string& service_name, const std::string& agency,
                  const std::string& status_notes) {
    return {{"service_request_id", t.number},
            {"status", ticket_open(t.status) ? "open" : "closed"},
            {"status_notes", status_notes},
            {"service_name", service_name},
            {"service_code", t.category},
            {"description", t.description},
            {"agency_responsible", agency},
            {"service_notice", ""},
            {"requested_datetime", w3c(t.created_at)},
            {"updated_datetime", w3c(t.updated_at)},
            {"expected_datetime", w3c(t.due_at)},
            {"address", t.address},
            {"address_id", ""},
            {"zipcode", ""},
            {"lat", t.lat ? json(*t.lat) : json(nullptr)},
            {"long", t.lon ? json(*t.lon) : json(nullptr)},
            {"media_url", t.media_url}};
}
}  // namespace

void TicketsModule::open311_list(Call c, const std::string& format) {
    if (int wait = public_reads_.hit(c.request.remote_address, ctx_.b.clock.now()); wait > 0)
        return c.reply(georeport_error(Error::rate_limited("Too many requests; please wait.", wait), format));
    store::TicketFilter f;
    f.now = ctx_.b.clock.now();
    f.limit = 200;
    std::vector<std::string> visible;
    for (const auto& s : ctx_.opt.services)
        if (s.location_required) visible.push_back(s.code);
    f.open311_categories = visible;
    const auto& q = c.request.query;
    if (auto it = q.find("service_request_id"); it != q.end() && !it->second.empty()) {
        size_t start = 0;
        while (start <= it->second.size()) {
            auto comma = it->second.find(',', start);
            if (comma == std::string::npos) comma = it->second.size();
            const std::string n = it->second.substr(start, comma - start);
            if (!n.empty()) f.numbers.push_back(n);
            start = comma + 1;
        }
        if (f.numbers.size() > 50) return c.reply(georeport_error(400, "At most 50 service_request_id values.", format));
    }
    if (auto it = q.find("service_code"); it != q.end() && !it->second.empty()) {
        if (!service(it->second)) return c.reply(georeport_error(400, "service_code " + it->second + " not found", format));
        f.category = it->second;
    }
    if (auto it = q.find("status"); it != q.end() && !it->second.empty()) {
        if (it->second != "open" && it->second != "closed")
            return c.reply(georeport_error(400, "status must be open or closed", format));
        f.status = it->second == "open" ? "open" : "done";
    }
    for (const char* k : {"start_date", "end_date"}) {
        auto it = q.find(k);
        if (it == q.end() || it->second.empty()) continue;
        SysTime t;
        if (!parse_w3c_time(it->second, t))
            return c.reply(georeport_error(400, std::string(k) + " must be a W3C date-time", format));
        (std::string(k) == "start_date" ? f.created_from : f.created_to) = t;
    }
    // By default the last 90 days, as the specification suggests.
    if (f.numbers.empty() && !f.created_from) f.created_from = f.now - std::chrono::days(90);
    on_store_worker(ctx_, [this, f] { return store_.list(f); },
                    [this, c, format](Result<std::vector<TicketRow>> r) {
                        if (!r) return c.reply(georeport_error(r.error(), format));
                        json list = json::array();
                        for (const auto& t : *r) {
                            const Service* s = service(t.category);
                            const Department* d = department(t.department);
                            list.push_back(request_json(t, s ? s->name : t.category, d ? d->name : t.department,
                                                        status_name_pl(t.status)));
                        }
                        c.reply(georeport(200, list, format, "service_requests"));
                    });
}

void TicketsModule::open311_request(Call c) {
    const auto [number, format] = split_format(c.params["file"]);
    if (format.empty()) return c.reply(georeport_error(404, "Use the .json or .xml form of this resource.", "json"));
    if (!jurisdiction_ok(c.request.query, ctx_.opt.tickets.open311_jurisdiction_id))
        return c.reply(georeport_error(404, "jurisdiction_id not found", format));
    if (int wait = public_reads_.hit(c.request.remote_address, ctx_.b.clock.now()); wait > 0)
        return c.reply(georeport_error(Error::rate_limited("Too many requests; please wait.", wait), format));
    if (!looks_like_ticket_number(number))
        return c.reply(georeport_error(404, "service_request_id " + number + " not found", format));
    on_store_worker(ctx_, [this, number = number] { return store_.by_number(number); },
                    [this, c, format, number = number](Result<TicketRow> r) {
                        if (!r && r.error().kind != ErrorKind::not_found)
                            return c.reply(georeport_error(r.error(), format));
                        if (!r || !open311_visible(*r))
                            return c.reply(georeport_error(404, "service_request_id " + number + " not found", format));
                        const Service* s = service(r->category);
                        const Department* d = department(r->department);
                        c.reply(georeport(200,
                                          json::array({request_json(*r, s ? s->name : r->category,
                                                                    d ? d->name : r->department,
                                                                    status_name_pl(r->status))}),
                                          format, "service_requests"));
                    });
}

void TicketsModule::open311_create(Call c, const std::string& format) {
    const auto* ct = c.request.header("content-type");
    if (!ct || ct->rfind("application/x-www-form-urlencoded", 0) != 0)
        return c.reply(georeport_error(415, "Send the request as application/x-www-form-urlencoded.", format));
    std::map<std::string, std::string> form;
    if (!parse_query(c.request.body, form)) return c.reply(georeport_error(400, "The form body is malformed.", format));
    for (const auto& [k, v] : c.request.query) form.emplace(k, v);
    auto get = [&](const char* k) {
        auto it = form.find(k);
        return it == form.end() ? std::string() : it->second;
    };
    const auto& opt = ctx_.opt.tickets;
    if (!opt.open311_api_key.empty()) {
        const std::string key = get("api_key");
        if (key.size() != opt.open311_api_key.size() || !crypto::equal_constant_time(key, opt.open311_api_key))
            return c.reply(georeport_error(403, "api_key is missing or not valid", format));
    }
    if (!jurisdiction_ok(form, opt.open311_jurisdiction_id))
        return c.reply(georeport_error(404, "jurisdiction_id not found", format));
    if (int wait = public_creates_.hit(c.request.remote_address, ctx_.b.clock.now()); wait > 0)
        return c.reply(georeport_error(Error::rate_limited("Too many reports from this address; please wait.", wait),
                                       format));
    const Service* s = service(get("service_code"));
    if (!s) return c.reply(georeport_error(400, "service_code is missing or not known", format));

    Draft d;
    TicketRow& row = d.row;
    row.source = "open311";
    row.category = s->code;
    row.department = s->department;
    row.status = "new";
    row.priority = "normal";
    auto bad = [&](const std::string& m) { c.reply(georeport_error(400, m, format)); };
    auto limited = [&](const char* k, size_t max, std::string& out, bool multiline) -> bool {
        const std::string v = get(k);
        if (v.size() > max) {
            bad(std::string(k) + " must have at most " + std::to_string(max) + " bytes");
            return false;
        }
        for (unsigned char ch : v)
            if (ch < 0x20 && !(multiline && (ch == '\n' || ch == '\r' || ch == '\t'))) {
                bad(std::string(k) + " must not contain control characters");
                return false;
            }
        out = v;
        return true;
    };
    std::string first, last;
    if (!limited("description", 4000, row.description, true) || !limited("address_string", 300, row.address, false) ||
        !limited("email", 254, row.resident_email, false) || !limited("phone", 32, row.resident_phone, false) ||
        !limited("first_name", 60, first, false) || !limited("last_name", 60, last, false))
        return;
    row.resident_name = first.empty() ? last : last.empty() ? first : first + " " + last;
    row.media_url = get("media_url");
    if (!row.media_url.empty() && !valid_media_url(row.media_url))
        return bad("media_url must be an http:// or https:// address of at most 1000 characters");
    row.resident_phone = normalise_phone(row.resident_phone);
    const std::string lat = get("lat"), lon = get("long");
    if (lat.empty() != lon.empty()) return bad("lat and long go together");
    if (!lat.empty()) {
        char* e1 = nullptr;
        char* e2 = nullptr;
        const double la = std::strtod(lat.c_str(), &e1), lo = std::strtod(lon.c_str(), &e2);
        if (*e1 || *e2 || !std::isfinite(la) || !std::isfinite(lo) || la < -90 || la > 90 || lo < -180 || lo > 180)
            return bad("lat must be -90..90 and long -180..180 (WGS-84 decimal degrees)");
        row.lat = la;
        row.lon = lo;
    }
    if (auto r = validate_location(*s, row); !r) return bad(r.error().message);
    json attrs = json::object();
    for (const auto& a : s->attributes) {
        std::vector<std::string> given;
        for (const auto& [k, v] : form)
            if (k == "attribute[" + a.code + "]" || k == "attribute[" + a.code + "][]") given.push_back(v);
        if (given.empty() || given.front().empty()) {
            if (a.required) return bad("attribute[" + a.code + "] is required: " + a.description);
            continue;
        }
        for (const auto& v : given) {
            if (v.size() > 500) return bad("attribute[" + a.code + "] is too long");
            if (!a.values.empty()) {
                bool known = false;
                for (const auto& kv : a.values) known |= kv.first == v;
                if (!known) return bad("attribute[" + a.code + "] has no value '" + v + "'");
            }
            if (a.datatype == "number") {
                char* e = nullptr;
                (void)std::strtod(v.c_str(), &e);
                if (v.empty() || *e) return bad("attribute[" + a.code + "] must be a number");
            }
        }
        attrs[a.code] = a.datatype == "multivaluelist" ? json(given) : json(given.front());
    }
    for (const auto& [k, v] : form)
        if (k.rfind("attribute[", 0) == 0) {
            const std::string code = k.substr(10, k.find(']') == std::string::npos ? 0 : k.find(']') - 10);
            bool known = false;
            for (const auto& a : s->attributes) known |= a.code == code;
            if (!known) return bad("service " + s->code + " has no attribute '" + code + "'");
        }
    row.attributes = attrs.dump();
    row.subject = s->name + (row.address.empty() ? std::string() : " — " + row.address);
    if (row.subject.size() > 200) {
        // Cut before the character that straddles the limit, so UTF-8 stays whole.
        size_t cut = 200;
        while (cut > 0 && (static_cast<unsigned char>(row.subject[cut]) & 0xC0) == 0x80) --cut;
        row.subject.resize(cut);
    }
    store_new_ticket(std::move(d), std::nullopt, c.request.remote_address,
                     [c, format](Result<TicketRow> r, std::string key) {
                         if (!r) return c.reply(georeport_error(r.error(), format));
                         // access_key is ours, beyond GeoReport: the resident's key for /sprawa.
                         json item = {{"service_request_id", r->number},
                                      {"service_notice", "Zgłoszenie przyjęte. Status sprawdzisz na stronie /sprawa."},
                                      {"account_id", nullptr},
                                      {"access_key", key}};
                         c.reply(georeport(201, json::array({item}), format, "service_requests"));
                     });
}

}  // namespace centrala::api
