#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "centrala/app/config.hpp"
#include "source_file.hpp"

using namespace centrala;
using nlohmann::json;

namespace {

json shipped() { return json::parse(centrala::testing::source_file("config/centrala.json")); }

// Applies `edit` to the shipped config and returns the error message.
std::string error_after(const std::function<void(json&)>& edit) {
    json j = shipped();
    edit(j);
    auto r = app::parse_config(j.dump(), "test.json");
    if (r.ok()) return "(accepted)";
    return r.error().message;
}

}  // namespace

TEST(Config, ShippedConfigIsValidAndComplete) {
    auto r = app::load_config_file(std::string(CENTRALA_SOURCE_DIR) + "/config/centrala.json");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->limits.body_bytes, 1u << 20);
    EXPECT_EQ(r->sessions.idle_minutes, 30);
    EXPECT_EQ(r->sessions.absolute_hours, 12);
    EXPECT_GE(r->security.argon2.memory_kib, 19456u);  // OWASP minimum in production
    EXPECT_GE(r->security.argon2.iterations, 2u);
    EXPECT_FALSE(r->queues.empty());
    EXPECT_FALSE(r->departments.empty());
    EXPECT_TRUE(r->business_hours.count("office"));
}

TEST(Config, EmbeddedDefaultEqualsShippedFile) {
    EXPECT_EQ(json::parse(app::embedded_default_config()), shipped());
}

TEST(Config, MissingFileIsNamed) {
    auto r = app::load_config_file("/nonexistent/centrala.json");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("/nonexistent/centrala.json"), std::string::npos);
}

TEST(Config, SyntaxErrorNamesTheFile) {
    auto r = app::parse_config("{\"listen\": ", "broken.json");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("broken.json"), std::string::npos);
    EXPECT_NE(r.error().message.find("not valid JSON"), std::string::npos);
}

TEST(Config, UnknownKeysAreRejectedAtEveryLevel) {
    EXPECT_EQ(error_after([](json& j) { j["lmits"] = json::object(); }), "test.json: lmits: is not a known setting");
    EXPECT_EQ(error_after([](json& j) { j["limits"]["body_byte"] = 1; }),
              "test.json: limits.body_byte: is not a known setting");
    EXPECT_EQ(error_after([](json& j) { j["queues"][1]["sla"] = 5; }),
              "test.json: queues[1].sla: is not a known setting");
    EXPECT_EQ(error_after([](json& j) { j["security"]["argon2"]["salt"] = 5; }),
              "test.json: security.argon2.salt: is not a known setting");
}

TEST(Config, WrongTypesNameTheKey) {
    EXPECT_NE(error_after([](json& j) { j["limits"]["body_bytes"] = "1MB"; }).find("limits.body_bytes: must be a whole number"),
              std::string::npos);
    EXPECT_EQ(error_after([](json& j) { j["log_level"] = 3; }), "test.json: log_level: must be a string");
    EXPECT_EQ(error_after([](json& j) { j["security"]["tls"]["enabled"] = "yes"; }),
              "test.json: security.tls.enabled: must be true or false");
    EXPECT_EQ(error_after([](json& j) { j["queues"] = json::object(); }), "test.json: queues: must be an array");
    EXPECT_EQ(error_after([](json& j) { j["limits"] = 5; }), "test.json: limits: must be an object");
    EXPECT_EQ(error_after([](json& j) { j["limits"]["body_bytes"] = 1.5; }).find("(accepted)"), std::string::npos);
}

TEST(Config, ImpossibleValuesAreRefused) {
    EXPECT_EQ(error_after([](json& j) { j["limits"]["body_bytes"] = 10; }),
              "test.json: limits.body_bytes: must be between 1024 and 1073741824 (got 10)");
    EXPECT_EQ(error_after([](json& j) { j["limits"]["max_connections"] = -1; }),
              "test.json: limits.max_connections: must be between 1 and 1000000 (got -1)");
    EXPECT_NE(error_after([](json& j) { j["listen"] = "localhost"; }).find("listen: must be HOST:PORT"), std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["listen"] = "0.0.0.0:99999"; }).find("listen"), std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["log_level"] = "verbose"; }).find("log_level: must be one of"), std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["sessions"]["idle_minutes"] = 800; }).find("sessions.idle_minutes"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["security"]["tls"]["enabled"] = true; }).find("security.tls.certificate: is required"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["security"]["allowed_origins"] = {"www.kielce.eu"}; })
                  .find("security.allowed_origins[0]"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["security"]["frame_ancestors"] = {"https://a.pl; script-src *"}; })
                  .find("security.frame_ancestors[0]"),
              std::string::npos);
}

TEST(Config, QueuesAreChecked) {
    EXPECT_NE(error_after([](json& j) { j["queues"][0]["topics"] = {"cars"}; }).find("queues[0].topics[0]: is not a known topic"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["queues"][0]["channels"] = {"fax"}; }).find("queues[0].channels[0]"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["queues"][0]["skills"] = {{"vehicles", 9}}; }).find("queues[0].skills.vehicles"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["queues"][1]["id"] = "vehicles"; }).find("duplicates queue 'vehicles'"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["queues"][0]["hours"] = "night"; }).find("queues[0].hours: names schedule 'night'"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["queues"][0]["overflow"]["queue"] = "nowhere"; })
                  .find("queues[0].overflow.queue: names queue 'nowhere'"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["queues"][0].erase("name"); }).find("queues[0].name: is required"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) {
                  for (auto& q : j["queues"]) {
                      auto& t = q["topics"];
                      for (size_t i = 0; i < t.size(); ++i)
                          if (t[i] == "other") t.erase(i);
                  }
              }).find("serve topic 'other'"),
              std::string::npos);
}

TEST(Config, DepartmentsHoursAndHolidaysAreChecked) {
    EXPECT_NE(error_after([](json& j) { j["departments"][0]["queue"] = "nowhere"; }).find("departments[0].queue"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["departments"][0].erase("sla_business_hours"); })
                  .find("departments[0].sla_business_hours: is required"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["business_hours"]["office"]["mon"] = {"16:00-08:00"}; })
                  .find("business_hours.office.mon[0]"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["business_hours"]["office"]["monday"] = json::array(); })
                  .find("business_hours.office.monday: is not a known setting"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["holidays"]["extra"] = {"2026-02-30"}; }).find("holidays.extra[0]"),
              std::string::npos);
}

TEST(Config, ValuesAreRead) {
    json j = shipped();
    j["limits"]["body_bytes"] = 4096;
    j["security"]["argon2"] = {{"memory_kib", 64}, {"iterations", 1}, {"parallelism", 1}};
    j["holidays"]["extra"] = {"2026-05-02"};
    auto r = app::parse_config(j.dump(), "t.json");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->limits.body_bytes, 4096u);
    EXPECT_EQ(r->security.argon2.memory_kib, 64u);
    EXPECT_TRUE(r->holidays.is_holiday(std::chrono::year{2026} / 5 / 2));
    ASSERT_TRUE(r->queues[0].overflow.has_value());
    EXPECT_EQ(r->queues[0].overflow->queue, "general");
}

TEST(Config, HostPortSplitting) {
    std::string h;
    unsigned short p;
    EXPECT_TRUE(app::split_host_port("127.0.0.1:0", h, p));
    EXPECT_EQ(h, "127.0.0.1");
    EXPECT_EQ(p, 0);
    EXPECT_TRUE(app::split_host_port("[::1]:8080", h, p));
    EXPECT_EQ(h, "::1");
    EXPECT_FALSE(app::split_host_port(":80", h, p));
    EXPECT_FALSE(app::split_host_port("host:", h, p));
    EXPECT_FALSE(app::split_host_port("host:http", h, p));
}

TEST(Config, AppointmentServicesAreReadFromTheShippedFile) {
    auto r = app::load_config_file(std::string(CENTRALA_SOURCE_DIR) + "/config/centrala.json");
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& a = r->appointments;
    ASSERT_FALSE(a.services.empty());
    const auto& vr = a.services.front();
    EXPECT_EQ(vr.id, "vehicle_registration");
    EXPECT_EQ(vr.department, "komunikacja");
    EXPECT_GT(vr.counters, 1);
    EXPECT_FALSE(vr.hours.days[0].empty());  // the "office" schedule, Monday
    EXPECT_EQ(a.topics.at("vehicles"), "vehicle_registration");
    EXPECT_TRUE(a.reminders.webhook_url.empty());
    EXPECT_EQ(a.reminders.send_from_minute, 16 * 60);
}

TEST(Config, AppointmentMistakesNameTheKey) {
    auto svc = [](json& j) -> json& { return j["appointments"]["services"][0]; };
    EXPECT_EQ(error_after([&](json& j) { svc(j)["counter"] = 2; }),
              "test.json: appointments.services[0].counter: is not a known setting");
    EXPECT_EQ(error_after([&](json& j) { svc(j)["department"] = "nowhere"; }),
              "test.json: appointments.services[0].department: names department 'nowhere', which does not exist");
    EXPECT_EQ(error_after([&](json& j) { svc(j)["counters"] = 0; }),
              "test.json: appointments.services[0].counters: must be between 1 and 100 (got 0)");
    EXPECT_EQ(error_after([&](json& j) { svc(j)["hours"] = "night"; }),
              "test.json: appointments.services[0].hours: names schedule 'night', which business_hours does not define");
    EXPECT_EQ(error_after([&](json& j) { svc(j)["exceptions"] = {{"2026-02-30", json::array()}}; }),
              "test.json: appointments.services[0].exceptions.2026-02-30: is not a date YYYY-MM-DD");
    EXPECT_EQ(error_after([&](json& j) { svc(j)["exceptions"] = {{"2026-12-31", {"08:00-12:00", "11:00-13:00"}}}; }),
              "test.json: appointments.services[0].exceptions.2026-12-31: has overlapping ranges");
    EXPECT_EQ(error_after([&](json& j) { svc(j).erase("duration_minutes"); }),
              "test.json: appointments.services[0].duration_minutes: is required");
    EXPECT_EQ(error_after([&](json& j) { j["appointments"]["services"][1]["id"] = "vehicle_registration"; }),
              "test.json: appointments.services[1].id: duplicates service 'vehicle_registration'");
    EXPECT_EQ(error_after([&](json& j) { j["appointments"]["topics"]["vehicles"] = "ghost"; }),
              "test.json: appointments.topics.vehicles: names service 'ghost', which does not exist");
    EXPECT_EQ(error_after([&](json& j) { j["appointments"]["topics"]["cars"] = "driving_licence"; }),
              "test.json: appointments.topics.cars: is not a known topic");
    EXPECT_EQ(error_after([&](json& j) { j["appointments"]["reminders"]["webhook_url"] = "ftp://gateway"; }),
              "test.json: appointments.reminders.webhook_url: must be an http:// or https:// URL, or empty");
    EXPECT_EQ(error_after([&](json& j) { j["appointments"]["reminders"]["send_from"] = "25:00"; }),
              "test.json: appointments.reminders.send_from: must be a local time HH:MM");
    EXPECT_EQ(error_after([&](json& j) { j["appointments"]["reminders"]["retries"] = 3; }),
              "test.json: appointments.reminders.retries: is not a known setting");
    EXPECT_EQ(error_after([&](json& j) { j["appointments"]["reminders"]["webhook_url"] = "https://sms.example.pl/hook"; }),
              "(accepted)");
}

TEST(Config, TicketsAndServicesAreValidated) {
    auto base = [] {
        return nlohmann::json::parse(centrala::app::embedded_default_config());
    };
    auto parsed = centrala::app::parse_config(base().dump(), "c.json");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->tickets.number_prefix, "MCK");
    ASSERT_FALSE(parsed->services.empty());
    // The SLA of a department follows its queue's schedule unless it names one.
    for (const auto& d : parsed->departments)
        if (d.id == "interwencje") EXPECT_EQ(d.hours, "always");
        else EXPECT_EQ(d.hours, "office");
    auto expect_error = [&](nlohmann::json j, const std::string& key) {
        auto r = centrala::app::parse_config(j.dump(), "c.json");
        ASSERT_FALSE(r.ok()) << key;
        EXPECT_NE(r.error().message.find(key), std::string::npos) << r.error().message;
    };
    auto j = base();
    j["services"][0]["department"] = "nowhere";
    expect_error(j, "services[0].department");
    j = base();
    j["services"][1]["service_code"] = j["services"][0]["service_code"];
    expect_error(j, "services[1].service_code");
    j = base();
    j["services"][0]["colour"] = "red";
    expect_error(j, "services[0].colour");
    j = base();
    j["services"][3]["attributes"][0]["values"] = nlohmann::json::array();
    expect_error(j, "services[3].attributes[0].values");
    j = base();
    j["tickets"]["number_prefix"] = "mck";
    expect_error(j, "tickets.number_prefix");
    j = base();
    j["tickets"]["attachment_max_bytes"] = 2000000;
    expect_error(j, "tickets.attachment_max_bytes");
    j = base();
    j["tickets"]["open311"]["api_key"] = "short";
    expect_error(j, "tickets.open311.api_key");
    j = base();
    j["tickets"]["retention_days"] = 0;
    expect_error(j, "tickets.retention_days");
    j = base();
    j["departments"][0]["hours"] = "weekends";
    expect_error(j, "departments[0].hours");
}

TEST(Config, WallboardThresholdsAreChecked) {
    auto r = app::parse_config(shipped().dump(), "t.json");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->wallboard.waiting_warn, 5);
    EXPECT_EQ(r->wallboard.service_level_alert_pct, 60);
    EXPECT_NE(error_after([](json& j) { j["wallboard"]["waiting_alert"] = 2; }).find("wallboard.waiting_alert"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["wallboard"]["service_level_alert_pct"] = 90; })
                  .find("wallboard.service_level_alert_pct"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["wallboard"]["service_level_warn_pct"] = 101; })
                  .find("wallboard.service_level_warn_pct"),
              std::string::npos);
    EXPECT_NE(error_after([](json& j) { j["wallboard"]["colour"] = "red"; }).find("wallboard.colour"), std::string::npos);
    EXPECT_EQ(r->wallboard.sample_seconds, 60);
    EXPECT_NE(error_after([](json& j) { j["wallboard"]["sample_seconds"] = 0; }).find("wallboard.sample_seconds"),
              std::string::npos);
    auto every_second = shipped();
    every_second["wallboard"]["sample_seconds"] = 1;
    auto r1 = app::parse_config(every_second.dump(), "t.json");
    ASSERT_TRUE(r1.ok());
    EXPECT_EQ(r1->wallboard.sample_seconds, 1);
}

TEST(Config, CaseCategoryNamesForResidentsAreCheckedPerLanguage) {
    auto first = [](json& j) -> json& { return j["services"][0]; };
    EXPECT_EQ(error_after([&](json& j) { first(j)["names"] = {{"de", "Zulassung"}}; }),
              "test.json: services[0].names.de: unknown language (en, uk; Polish is \"name\")");
    EXPECT_EQ(error_after([&](json& j) { first(j)["names"] = {{"en", ""}}; }),
              "test.json: services[0].names.en: must be a text of 1..200 bytes");
    EXPECT_EQ(error_after([&](json& j) { first(j)["names"] = "Vehicle"; }),
              "test.json: services[0].names: must be an object {\"en\": text, \"uk\": text}");
    auto ok = app::parse_config(shipped().dump(), "test.json");
    ASSERT_TRUE(ok.ok());
    bool translated = false;
    for (const auto& s : ok->services)
        if (s.code == "martwe_zwierze") translated = s.names.count("uk") && s.names.count("en");
    EXPECT_TRUE(translated) << "the shipped report kinds have English and Ukrainian names";
}

TEST(Config, TheCallbackOfferWhileWaitingIsCheckedAndRead) {
    EXPECT_EQ(error_after([](json& j) { j["callback"]["offer_after_wait_seconds"] = -5; }),
              "test.json: callback.offer_after_wait_seconds: must be between 0 and 86400 (got -5)");
    EXPECT_NE(error_after([](json& j) { j["callback"]["offer_after_wait_seconds"] = "5 min"; })
                  .find("callback.offer_after_wait_seconds"),
              std::string::npos);
    json j = shipped();
    auto off = app::parse_config(j.dump(), "t.json");
    ASSERT_TRUE(off.ok()) << off.error().message;
    EXPECT_EQ(off->callback.offer_after_wait_seconds, 0) << "never, unless the city turns it on";
    j["callback"]["offer_after_wait_seconds"] = 300;
    auto on = app::parse_config(j.dump(), "t.json");
    ASSERT_TRUE(on.ok()) << on.error().message;
    EXPECT_EQ(on->callback.offer_after_wait_seconds, 300);
}
