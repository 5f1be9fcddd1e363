// Appointments against the real server (contract §10): slots, the race for
// the last place, cancelling and moving, the calendar file read back by a
// strict parser, bad input, the staff side and reminders to a local webhook.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "centrala/domain/appointments.hpp"
#include "common.hpp"

namespace centrala::testing {
namespace {

using nlohmann::json;
using namespace std::chrono;

json open_every_day(const std::string& range = "08:00-16:00") {
    json h = json::object();
    for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) h[d] = json::array({range});
    h["closed_on_holidays"] = false;  // the tests must not depend on today's date
    return h;
}

// The instant of a Warsaw wall time `days_ahead` days from today.
std::string warsaw_at(int days_ahead, int hour, int minute = 0) {
    const Date today = warsaw_today(time_point_cast<milliseconds>(system_clock::now()));
    const Date d{sys_days{today} + days{days_ahead}};
    return to_rfc3339(*warsaw_instant(d, hour * 60 + minute));
}

std::string warsaw_date(int days_ahead) {
    const Date today = warsaw_today(time_point_cast<milliseconds>(system_clock::now()));
    return to_string(Date{sys_days{today} + days{days_ahead}});
}

class AppointmentsTest : public ServerTest {
protected:
    void configure(json& config) override {
        config["appointments"] = {
            {"public_bookings_per_hour", 1000},
            {"public_lookups_per_hour", 1000},
            {"services",
             {{{"id", "vehicle_registration"},
               {"name", "Rejestracja pojazdu"},
               {"department", "komunikacja"},
               {"duration_minutes", 15},
               {"counters", 1},
               {"hours", open_every_day()},
               {"exceptions", {{warsaw_date(5), json::array()}, {warsaw_date(6), {"08:00-09:00"}}}},
               {"horizon_days", 10},
               {"min_notice_minutes", 60},
               {"max_future_bookings", 2},
               {"location", "Urząd Miasta; ul. Rynek 1, sala 12 — Wydział Komunikacji"}},
              {{"id", "waste_declaration"},
               {"name", "Deklaracja śmieciowa"},
               {"department", "odpady"},
               {"duration_minutes", 20},
               {"counters", 3},
               {"hours", open_every_day("09:00-12:00")},
               {"horizon_days", 10},
               {"min_notice_minutes", 0},
               {"max_future_bookings", 50},
               {"location", "Pokój 5"}}}},
            {"topics", {{"vehicles", "vehicle_registration"}, {"waste", "waste_declaration"}}}};
        configure_more(config);
    }
    virtual void configure_more(json&) {}

    HttpResponse book(const std::string& service, const std::string& start, const std::string& phone,
                      json extra = json::object()) {
        json body = {{"service_id", service}, {"start", start}, {"name", "Jan Kowalski"}, {"phone", phone}};
        body.update(extra);
        return http->post("/api/v1/public/appointments", body);
    }

    json slots(const std::string& service, const std::string& from, const std::string& to) {
        auto r = http->get("/api/v1/public/appointment-services/" + service + "/slots?from=" + from + "&to=" + to);
        EXPECT_EQ(r.status, 200) << r;
        return r.json();
    }

    int free_at(const std::string& service, const std::string& start, int days_ahead) {
        const json day = slots(service, warsaw_date(days_ahead), warsaw_date(days_ahead));
        for (const auto& s : day["items"])
            if (s["start"] == start) return s["free"].get<int>();
        return -1;
    }
};

TEST_F(AppointmentsTest, ServicesAndSlotsByDay) {
    auto r = http->get("/api/v1/public/appointment-services");
    ASSERT_EQ(r.status, 200) << r;
    auto items = r.json()["items"];
    ASSERT_EQ(items.size(), 2u);
    EXPECT_TRUE(r.json()["next"].is_null());
    for (const auto& s : items) {
        EXPECT_TRUE(s["id"].is_string() && s["name"].is_string() && s["department"].is_string());
        EXPECT_TRUE(s["duration_minutes"].is_number_integer());
    }

    auto day = slots("vehicle_registration", warsaw_date(2), warsaw_date(2));
    ASSERT_EQ(day["items"].size(), 32u);  // 08:00-16:00 in quarters
    EXPECT_EQ(day["items"][0]["start"], warsaw_at(2, 8));
    EXPECT_EQ(day["items"][0]["end"], warsaw_at(2, 8, 15));
    EXPECT_EQ(day["items"][0]["free"], 1);
    EXPECT_TRUE(is_rfc3339_utc(day["items"][0]["start"]));

    // A closed day has none; a shortened one only its own hours; counters > 1 show as free places.
    EXPECT_TRUE(slots("vehicle_registration", warsaw_date(5), warsaw_date(5))["items"].empty());
    EXPECT_EQ(slots("vehicle_registration", warsaw_date(6), warsaw_date(6))["items"].size(), 4u);
    auto waste = slots("waste_declaration", warsaw_date(3), warsaw_date(3));
    ASSERT_EQ(waste["items"].size(), 9u);
    EXPECT_EQ(waste["items"][0]["free"], 3);
    ASSERT_EQ(book("waste_declaration", warsaw_at(3, 9), "600100200").status, 201);
    EXPECT_EQ(free_at("waste_declaration", warsaw_at(3, 9), 3), 2);
    // Nothing beyond the horizon of 10 days.
    EXPECT_TRUE(slots("vehicle_registration", warsaw_date(11), warsaw_date(12))["items"].empty());
}

TEST_F(AppointmentsTest, FiftyRacersForTheLastPlaceExactlyOneWins) {
    const std::string start = warsaw_at(2, 10);
    std::atomic<int> created{0}, conflicts{0}, other{0};
    std::mutex mu;
    json a_conflict, winner;
    std::vector<std::thread> racers;
    for (int i = 0; i < 50; ++i)
        racers.emplace_back([&, i] {
            HttpClient client(server->port());
            auto r = client.post("/api/v1/public/appointments",
                                 {{"service_id", "vehicle_registration"},
                                  {"start", start},
                                  {"name", "Racer " + std::to_string(i)},
                                  {"phone", "+48 600 000 " + std::to_string(100 + i)}});
            std::lock_guard lock(mu);
            if (r.status == 201) ++created, winner = r.json();
            else if (r.status == 409) ++conflicts, a_conflict = r.json();
            else ++other;
        });
    for (auto& t : racers) t.join();
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(conflicts.load(), 49);
    EXPECT_EQ(other.load(), 0);
    ASSERT_TRUE(a_conflict.is_object());
    EXPECT_EQ(a_conflict["error"]["code"], "slot_full");
    ASSERT_TRUE(a_conflict["error"]["next_slots"].is_array());
    ASSERT_FALSE(a_conflict["error"]["next_slots"].empty());
    for (const auto& s : a_conflict["error"]["next_slots"]) {
        EXPECT_NE(s["start"], start);
        EXPECT_GT(s["free"].get<int>(), 0);
    }
    EXPECT_EQ(free_at("vehicle_registration", start, 2), 0);

    // Cancelling frees the place for the next resident.
    const std::string code = winner["code"];
    EXPECT_TRUE(std::regex_match(code, std::regex("^[A-Z2-9]{4}-[A-Z2-9]{4}$"))) << code;
    auto del = http->del("/api/v1/public/appointments/" + code);
    ASSERT_EQ(del.status, 200) << del;
    EXPECT_EQ(del.json()["state"], "cancelled");
    EXPECT_EQ(free_at("vehicle_registration", start, 2), 1);
    EXPECT_EQ(http->del("/api/v1/public/appointments/" + code).status, 409);
    EXPECT_EQ(book("vehicle_registration", start, "600999888").status, 201);
}

TEST_F(AppointmentsTest, MovingKeepsTheCodeAndTheBookingSurvivesARestart) {
    auto r = book("vehicle_registration", warsaw_at(3, 9), "600123456", {{"email", "jan@example.pl"}});
    ASSERT_EQ(r.status, 201) << r;
    const std::string code = r.json()["code"];
    EXPECT_EQ(r.json()["start"], warsaw_at(3, 9));
    EXPECT_EQ(r.json()["end"], warsaw_at(3, 9, 15));
    EXPECT_EQ(r.json()["service_id"], "vehicle_registration");

    auto moved = http->patch("/api/v1/public/appointments/" + code, {{"start", warsaw_at(4, 11, 30)}});
    ASSERT_EQ(moved.status, 200) << moved;
    EXPECT_EQ(moved.json()["code"], code);
    EXPECT_EQ(moved.json()["start"], warsaw_at(4, 11, 30));
    EXPECT_EQ(free_at("vehicle_registration", warsaw_at(3, 9), 3), 1);
    EXPECT_EQ(free_at("vehicle_registration", warsaw_at(4, 11, 30), 4), 0);

    // Moving onto a taken place is refused and changes nothing.
    ASSERT_EQ(book("vehicle_registration", warsaw_at(4, 12), "600555444").status, 201);
    auto clash = http->patch("/api/v1/public/appointments/" + code, {{"start", warsaw_at(4, 12)}});
    EXPECT_EQ(clash.status, 409) << clash;

    stop_server();
    start_server();
    // Lower case and without the dash is the same code.
    std::string typed = code.substr(0, 4) + code.substr(5);
    for (auto& ch : typed) ch = char(std::tolower(ch));
    auto after = http->get("/api/v1/public/appointments/" + typed);
    ASSERT_EQ(after.status, 200) << after;
    EXPECT_EQ(after.json()["code"], code);
    EXPECT_EQ(after.json()["start"], warsaw_at(4, 11, 30));
    EXPECT_EQ(after.json()["state"], "booked");
    EXPECT_FALSE(after.json().contains("phone"));  // the code alone does not reveal contact details
}

// ---- a strict iCalendar reader ------------------------------------------------

struct IcsProperty {
    std::string name;
    std::map<std::string, std::string> params;
    std::string value;
};

// RFC 5545: CRLF line ends, lines of at most 75 octets, folding by CRLF + one
// space, NAME[;PARAM=V]:VALUE, BEGIN/END nesting. Throws on any violation.
std::vector<std::vector<IcsProperty>> parse_ics_strict(const std::string& text) {
    if (text.size() < 2 || text.substr(text.size() - 2) != "\r\n") throw std::runtime_error("does not end with CRLF");
    std::vector<std::string> physical;
    size_t pos = 0;
    while (pos < text.size()) {
        const auto end = text.find("\r\n", pos);
        if (end == std::string::npos) throw std::runtime_error("a line without CRLF");
        std::string line = text.substr(pos, end - pos);
        if (line.find('\n') != std::string::npos || line.find('\r') != std::string::npos)
            throw std::runtime_error("a bare CR or LF inside a line");
        if (line.size() > 75) throw std::runtime_error("a line longer than 75 octets: " + line);
        physical.push_back(line);
        pos = end + 2;
    }
    std::vector<std::string> logical;
    for (const auto& l : physical) {
        if (!l.empty() && (l[0] == ' ' || l[0] == '\t')) {
            if (logical.empty()) throw std::runtime_error("continuation without a line");
            logical.back() += l.substr(1);
        } else {
            logical.push_back(l);
        }
    }
    std::vector<std::string> stack;
    std::vector<std::vector<IcsProperty>> events;
    std::vector<IcsProperty> current;
    for (const auto& l : logical) {
        const auto colon = l.find(':');
        if (colon == std::string::npos || colon == 0) throw std::runtime_error("no NAME:VALUE in " + l);
        IcsProperty p;
        std::string head = l.substr(0, colon);
        p.value = l.substr(colon + 1);
        std::stringstream ss(head);
        std::getline(ss, p.name, ';');
        if (!std::regex_match(p.name, std::regex("^[A-Z][A-Z0-9-]*$"))) throw std::runtime_error("bad name " + p.name);
        for (std::string param; std::getline(ss, param, ';');) {
            const auto eq = param.find('=');
            if (eq == std::string::npos) throw std::runtime_error("bad parameter " + param);
            p.params[param.substr(0, eq)] = param.substr(eq + 1);
        }
        if (p.name == "BEGIN") {
            stack.push_back(p.value);
            if (p.value == "VEVENT") current.clear();
        } else if (p.name == "END") {
            if (stack.empty() || stack.back() != p.value) throw std::runtime_error("END:" + p.value + " does not match");
            stack.pop_back();
            if (p.value == "VEVENT") events.push_back(current);
        } else {
            if (stack.empty()) throw std::runtime_error("property outside VCALENDAR");
            if (stack.back() == "VEVENT") current.push_back(p);
        }
    }
    if (!stack.empty()) throw std::runtime_error("unclosed " + stack.back());
    if (logical.front() != "BEGIN:VCALENDAR") throw std::runtime_error("does not start with BEGIN:VCALENDAR");
    return events;
}

std::string ics_unescape(const std::string& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) {
            const char n = v[++i];
            out.push_back(n == 'n' || n == 'N' ? '\n' : n);
        } else if (v[i] == ';' || v[i] == ',') {
            throw std::runtime_error("unescaped ; or , in a TEXT value: " + v);
        } else {
            out.push_back(v[i]);
        }
    }
    return out;
}

// "20260302T081500Z" -> RFC 3339.
std::string ics_utc(const std::string& v) {
    std::smatch m;
    if (!std::regex_match(v, m, std::regex(R"(^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$)")))
        throw std::runtime_error("not a UTC DATE-TIME: " + v);
    return m[1].str() + "-" + m[2].str() + "-" + m[3].str() + "T" + m[4].str() + ":" + m[5].str() + ":" + m[6].str() + "Z";
}

TEST_F(AppointmentsTest, CalendarFileParsesBackWithTheRightTimes) {
    const std::string start = warsaw_at(2, 15, 45);
    auto r = book("vehicle_registration", start, "600123456", {{"name", "Ołena Шевченко"}});
    ASSERT_EQ(r.status, 201) << r;
    const std::string code = r.json()["code"];
    auto ics = http->get("/api/v1/public/appointments/" + code + ".ics");
    ASSERT_EQ(ics.status, 200) << ics;
    EXPECT_EQ(ics.header("content-type").value_or("").rfind("text/calendar", 0), 0u);

    std::vector<std::vector<IcsProperty>> events;
    ASSERT_NO_THROW(events = parse_ics_strict(ics.body)) << ics.body;
    ASSERT_EQ(events.size(), 1u);
    std::map<std::string, IcsProperty> props;
    for (const auto& p : events[0]) props[p.name] = p;
    for (const char* required : {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION"})
        ASSERT_TRUE(props.count(required)) << required << " missing in\n" << ics.body;
    EXPECT_EQ(ics_utc(props["DTSTART"].value), start);
    EXPECT_EQ(ics_utc(props["DTEND"].value), warsaw_at(2, 16));  // 15:45 + 15 minutes
    EXPECT_EQ(ics_utc(props["DTEND"].value), r.json()["end"]);
    EXPECT_EQ(ics_unescape(props["SUMMARY"].value), "Rejestracja pojazdu");
    EXPECT_EQ(ics_unescape(props["LOCATION"].value), "Urząd Miasta; ul. Rynek 1, sala 12 — Wydział Komunikacji");
    EXPECT_NE(props["UID"].value.find(code.substr(0, 4) + code.substr(5)), std::string::npos);
    EXPECT_NE(ics.body.find("VERSION:2.0\r\n"), std::string::npos);
    EXPECT_NE(ics.body.find("PRODID:"), std::string::npos);
}

TEST_F(AppointmentsTest, BadInputGetsAClearErrorAndChangesNothing) {
    const std::string ok = warsaw_at(2, 9);
    struct Case {
        json body;
        int status;
        std::string code;
    };
    const std::vector<Case> cases = {
        {{{"service_id", "no_such"}, {"start", ok}, {"name", "J"}, {"phone", "600100200"}}, 400, "unknown_service"},
        {{{"service_id", "vehicle_registration"}, {"start", "jutro o 9"}, {"name", "J"}, {"phone", "600100200"}}, 400, "invalid_start"},
        {{{"service_id", "vehicle_registration"}, {"start", warsaw_at(-1, 9)}, {"name", "J"}, {"phone", "600100200"}}, 400, "in_the_past"},
        {{{"service_id", "vehicle_registration"}, {"start", warsaw_at(2, 17)}, {"name", "J"}, {"phone", "600100200"}}, 400, "outside_hours"},
        {{{"service_id", "vehicle_registration"}, {"start", warsaw_at(2, 9, 5)}, {"name", "J"}, {"phone", "600100200"}}, 400, "outside_hours"},
        {{{"service_id", "vehicle_registration"}, {"start", warsaw_at(5, 9)}, {"name", "J"}, {"phone", "600100200"}}, 400, "office_closed"},
        {{{"service_id", "vehicle_registration"}, {"start", warsaw_at(12, 9)}, {"name", "J"}, {"phone", "600100200"}}, 400, "beyond_horizon"},
        {{{"service_id", "vehicle_registration"}, {"start", ok}, {"name", "J"}}, 400, "missing_contact"},
        {{{"service_id", "vehicle_registration"}, {"start", ok}, {"name", "J"}, {"phone", "zadzwoń"}}, 400, "invalid_phone"},
        {{{"service_id", "vehicle_registration"}, {"start", ok}, {"name", "J"}, {"email", "jan@"}}, 400, "invalid_email"},
        {{{"service_id", "vehicle_registration"}, {"start", ok}, {"phone", "600100200"}}, 400, "missing_field"},
        {{{"service_id", "vehicle_registration"}, {"start", ok}, {"name", std::string(300, 'x')}, {"phone", "600100200"}}, 400, "invalid_field"},
        {{{"service_id", "vehicle_registration"}, {"start", ok}, {"name", "J"}, {"phone", "600100200"}, {"pesel", "1"}}, 400, "unknown_field"},
        {{{"service_id", "vehicle_registration"}, {"start", ok}, {"name", "J"}, {"phone", "600100200"}, {"contact_id", "1"}}, 400, "invalid_field"},
        {{{"service_id", 7}, {"start", ok}, {"name", "J"}, {"phone", "600100200"}}, 400, "invalid_field"},
    };
    for (const auto& c : cases) {
        auto r = http->post("/api/v1/public/appointments", c.body);
        EXPECT_EQ(r.status, c.status) << c.body.dump() << "\n" << r;
        EXPECT_EQ(error_code(r), c.code) << c.body.dump();
    }
    auto not_json = http->request("POST", "/api/v1/public/appointments", "{", {{"Content-Type", "application/json"}});
    EXPECT_EQ(not_json.status, 400);
    EXPECT_EQ(http->request("POST", "/api/v1/public/appointments", "x=1", {{"Content-Type", "text/plain"}}).status, 415);
    EXPECT_EQ(free_at("vehicle_registration", ok, 2), 1);

    // The per-resident limit: two upcoming visits, the third refused.
    ASSERT_EQ(book("vehicle_registration", warsaw_at(2, 10), "600 700 800").status, 201);
    ASSERT_EQ(book("vehicle_registration", warsaw_at(2, 11), "+48600700800").status, 201);
    auto third = book("vehicle_registration", warsaw_at(2, 12), "0048 600 700 800");
    EXPECT_EQ(third.status, 409);
    EXPECT_EQ(error_code(third), "too_many_bookings");

    EXPECT_EQ(http->get("/api/v1/public/appointments/ABCD-EFGH").status, 404);
    EXPECT_EQ(error_code(http->get("/api/v1/public/appointments/not-a-code")), "appointment_not_found");
    EXPECT_EQ(http->get("/api/v1/public/appointments/ABCD-EFGH.ics").status, 404);
    EXPECT_EQ(http->del("/api/v1/public/appointments/ABCD-EFGH").status, 404);
    EXPECT_EQ(http->get("/api/v1/public/appointment-services/nope/slots").status, 404);
    EXPECT_EQ(error_code(http->get("/api/v1/public/appointment-services/vehicle_registration/slots?from=2026-13-01")),
              "invalid_parameter");
    EXPECT_EQ(error_code(http->get("/api/v1/public/appointment-services/vehicle_registration/slots?from=2026-01-01&to=2026-06-01")),
              "range_too_long");
}

TEST_F(AppointmentsTest, ConsultantBooksDuringAChatAndTheDepartmentSeesItsDay) {
    // A resident's chat, to link the booking to.
    auto chat = http->post("/api/v1/public/chats", {{"name", "Anna Kowalska"}, {"topic", "vehicles"}, {"lang", "pl"}});
    ASSERT_EQ(chat.status, 201) << chat;
    const std::string chat_id = chat.json()["chat_id"];
    const std::string visitor = chat.json()["visitor_token"];
    auto agent = must_login("anna");

    auto next = http->get("/api/v1/appointment-slots?topic=vehicles&limit=3", {bearer(agent.token)});
    ASSERT_EQ(next.status, 200) << next;
    EXPECT_EQ(next.json()["service"]["id"], "vehicle_registration");
    ASSERT_EQ(next.json()["items"].size(), 3u);
    const std::string first = next.json()["items"][0]["start"];
    EXPECT_EQ(http->get("/api/v1/appointment-slots?topic=taxes", {bearer(agent.token)}).status, 404);
    EXPECT_EQ(http->get("/api/v1/appointment-slots?topic=vehicles").status, 401);

    auto booked = http->post("/api/v1/appointments",
                             {{"service_id", "vehicle_registration"}, {"start", first}, {"name", "Anna Kowalska"},
                              {"contact_id", chat_id}},
                             {bearer(agent.token)});
    ASSERT_EQ(booked.status, 201) << booked;
    EXPECT_EQ(booked.json()["contact_id"], chat_id);
    EXPECT_EQ(booked.json()["counter"], 1);
    const std::string id = booked.json()["id"];
    const std::string code = booked.json()["code"];

    // The resident reads the code in the chat.
    bool told = false;
    for (int i = 0; i < 50 && !told; ++i) {
        auto msgs = http->get("/api/v1/public/chats/" + chat_id + "/messages", {{"X-Visitor-Token", visitor}});
        const json body = msgs.json();
        for (const auto& m : body["items"])
            told |= m["text"].get<std::string>().find(code) != std::string::npos;
        if (!told) std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(told) << "the booking code did not reach the chat";

    // The department's day list, per counter, and the arrival mark.
    std::string local_date;
    {
        SysTime t;
        ASSERT_TRUE(parse_rfc3339(first, t));
        local_date = to_string(to_warsaw(t).date);
    }
    auto day = http->get("/api/v1/appointments?department=komunikacja&date=" + local_date, {bearer(agent.token)});
    ASSERT_EQ(day.status, 200) << day;
    ASSERT_EQ(day.json()["items"].size(), 1u);
    EXPECT_EQ(day.json()["items"][0]["code"], code);
    EXPECT_EQ(day.json()["items"][0]["counter"], 1);
    EXPECT_TRUE(http->get("/api/v1/appointments?department=odpady&date=" + local_date, {bearer(agent.token)})
                    .json()["items"].empty());
    auto mark = http->patch("/api/v1/appointments/" + id, {{"state", "arrived"}}, {bearer(agent.token)});
    ASSERT_EQ(mark.status, 200) << mark;
    EXPECT_EQ(mark.json()["state"], "arrived");
    EXPECT_EQ(http->patch("/api/v1/appointments/" + id, {{"state", "gone"}}, {bearer(agent.token)}).status, 400);
    EXPECT_EQ(http->patch("/api/v1/appointments/999999", {{"state", "arrived"}}, {bearer(agent.token)}).status, 404);

    auto csv = http->get("/api/v1/appointments?department=komunikacja&format=csv&date=" + local_date, {bearer(agent.token)});
    ASSERT_EQ(csv.status, 200) << csv;
    EXPECT_EQ(csv.header("content-type").value_or("").rfind("text/csv", 0), 0u);
    EXPECT_EQ(csv.body.rfind("date,start,end,service,counter,code,name,phone,email,state,contact_id\r\n", 0), 0u);
    EXPECT_NE(csv.body.find(code + ",Anna Kowalska,,,arrived," + chat_id), std::string::npos) << csv.body;

    // Audited; the resident's public lookup sees the arrival too.
    auto admin = must_login("admin");
    auto audit = http->get("/api/v1/audit?limit=100", {bearer(admin.token)});
    std::set<std::string> actions;
    const json entries = audit.json();
    for (const auto& e : entries["items"]) actions.insert(e["action"].get<std::string>());
    EXPECT_TRUE(actions.count("appointment_booked"));
    EXPECT_TRUE(actions.count("appointment_marked"));
    EXPECT_TRUE(actions.count("appointments_exported"));
    EXPECT_EQ(http->get("/api/v1/public/appointments/" + code).json()["state"], "arrived");
}

// ---- reminders ----------------------------------------------------------------

// A local HTTP server that answers each POST with the next status from a list.
class WebhookServer {
public:
    explicit WebhookServer(std::vector<int> statuses) : statuses_(std::move(statuses)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0)
            throw std::runtime_error("webhook server: bind/listen failed");
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~WebhookServer() {
        stop_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    unsigned short port() const { return port_; }
    struct Received {
        std::string head;
        std::string body;
    };
    std::vector<Received> received() {
        std::lock_guard lock(mu_);
        return received_;
    }

private:
    void run() {
        while (!stop_) {
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            std::string data;
            char buf[4096];
            size_t need = std::string::npos;
            while (true) {
                const auto n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                data.append(buf, size_t(n));
                const auto end = data.find("\r\n\r\n");
                if (end != std::string::npos && need == std::string::npos) {
                    std::smatch m;
                    const std::string head = data.substr(0, end);
                    std::string lower = to_lower(head);
                    size_t length = 0;
                    if (std::regex_search(lower, m, std::regex("content-length: *([0-9]+)"))) length = std::stoul(m[1]);
                    need = end + 4 + length;
                }
                if (need != std::string::npos && data.size() >= need) break;
            }
            int status = 200;
            {
                std::lock_guard lock(mu_);
                const auto end = data.find("\r\n\r\n");
                received_.push_back({data.substr(0, end), end == std::string::npos ? "" : data.substr(end + 4)});
                if (!statuses_.empty()) {
                    status = statuses_.front();
                    statuses_.erase(statuses_.begin());
                }
            }
            const std::string reply = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
            ::close(c);
        }
    }

    int fd_ = -1;
    unsigned short port_ = 0;
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::vector<int> statuses_;
    std::vector<Received> received_;
    std::thread thread_;
};

class AppointmentRemindersTest : public AppointmentsTest {
protected:
    void configure_more(json& config) override {
        config["appointments"]["reminders"] = {{"webhook_url", "http://127.0.0.1:" + std::to_string(hook.port()) + "/sms"},
                                               {"secret", "s3cret"},
                                               {"send_from", "00:00"},
                                               {"max_attempts", 3},
                                               {"retry_base_seconds", 1},
                                               {"timeout_seconds", 5}};
    }
    WebhookServer hook{{503, 200}};
};

TEST_F(AppointmentRemindersTest, TomorrowsVisitsArePostedToTheGatewayWithRetries) {
    auto r = book("vehicle_registration", warsaw_at(1, 10), "600 123 456",
                  {{"email", "jan@example.pl"}, {"name", "Jan Kowalski"}, {"lang", "uk"}});
    ASSERT_EQ(r.status, 201) << r;
    ASSERT_EQ(book("vehicle_registration", warsaw_at(2, 10), "600123457").status, 201);  // not tomorrow

    const auto deadline = steady_clock::now() + 20s;
    while (hook.received().size() < 2 && steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
    auto got = hook.received();
    ASSERT_EQ(got.size(), 2u) << "expected a failed and a retried delivery";
    for (const auto& g : got) {
        EXPECT_EQ(g.head.rfind("POST /sms HTTP/1.1", 0), 0u) << g.head;
        EXPECT_TRUE(std::regex_search(to_lower(g.head), std::regex("x-centrala-signature: sha256=[0-9a-f]{64}")));
        auto p = json::parse(g.body);
        EXPECT_EQ(p["type"], "appointment_reminder");
        EXPECT_EQ(p["code"], r.json()["code"]);
        EXPECT_EQ(p["start"], warsaw_at(1, 10));
        EXPECT_EQ(p["local_time"], "10:00");
        EXPECT_EQ(p["resident"]["phone"], "+48600123456");
        EXPECT_EQ(p["resident"]["email"], "jan@example.pl");
        EXPECT_NE(p["text"].get<std::string>().find("10:00"), std::string::npos);
    }
    EXPECT_EQ(json::parse(got[0].body)["attempt"], 1);
    EXPECT_EQ(json::parse(got[1].body)["attempt"], 2);

    auto boss = must_login("kierownik");
    json log;
    for (int i = 0; i < 50; ++i) {
        log = http->get("/api/v1/appointment-reminders", {bearer(boss.token)}).json();
        if (!log["items"].empty() && log["items"][0]["state"] == "sent") break;
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_EQ(log["items"].size(), 1u) << log.dump();
    EXPECT_EQ(log["items"][0]["state"], "sent");
    EXPECT_EQ(log["items"][0]["attempts"], 2);
    EXPECT_EQ(log["items"][0]["last_http_status"], 200);
    EXPECT_EQ(log["items"][0]["phone"], "+48600123456");
    auto agent = must_login("anna");
    EXPECT_EQ(http->get("/api/v1/appointment-reminders", {bearer(agent.token)}).status, 403);

    // Delivered once: no further posts.
    std::this_thread::sleep_for(3s);
    EXPECT_EQ(hook.received().size(), 2u);
}

class AppointmentRateLimitTest : public AppointmentsTest {
protected:
    void configure_more(json& config) override { config["appointments"]["public_bookings_per_hour"] = 3; }
};

TEST_F(AppointmentRateLimitTest, PublicBookingIsLimitedPerAddress) {
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(book("waste_declaration", warsaw_at(2, 9, 20 * i), "60010020" + std::to_string(i)).status, 201);
    auto r = book("waste_declaration", warsaw_at(2, 10), "600100209");
    EXPECT_EQ(r.status, 429) << r;
    EXPECT_EQ(error_code(r), "rate_limited");
    EXPECT_TRUE(r.header("retry-after").has_value());
    EXPECT_EQ(free_at("waste_declaration", warsaw_at(2, 10), 2), 3);
}

}  // namespace
}  // namespace centrala::testing
