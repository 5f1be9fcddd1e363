// The supervisor's wallboard, reports and actions through the real server:
// a scripted day whose counts are known by hand, checked on the live stats,
// the report (sums and recount) and its CSV, and again after a restart; role
// checks; audited actions; watching a chat and whispering, which never
// reaches the resident.
#include "chat_common.hpp"

namespace centrala::testing::chat {
namespace {

class WallboardTest : public ChatTest {
protected:
    void configure(json& config) override {
        ChatTest::configure(config);
        config["chat"]["abandon_grace_seconds"] = 5;
    }

    static json item(const json& report, const std::string& key, const std::string& value) {
        for (const auto& i : report["items"])
            if (i.value(key, "") == value) return i;
        return json::object();
    }
    json report(const Login& who, const std::string& query) {
        auto r = http->get("/api/v1/reports/summary?" + query, {bearer(who.token)});
        EXPECT_EQ(r.status, 200) << r;
        return r.json();
    }
    // Events reach the disk within a quarter of a second of happening: polls
    // until the report shows `offered` for the queue.
    json report_when(const Login& who, const std::string& query, const std::string& qid, int64_t offered) {
        json rep;
        for (int i = 0; i < 30; ++i) {
            rep = report(who, query);
            if (item(rep, "queue", qid).value("offered", int64_t(-1)) == offered) break;
            std::this_thread::sleep_for(100ms);
        }
        return rep;
    }
    // Polls until pred(live stats) holds (events are stored a few times a second,
    // ratings counted every 2 s).
    json live_until(const Login& who, const std::function<bool(const json&)>& pred, std::chrono::seconds timeout = 8s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        json s;
        while (std::chrono::steady_clock::now() < deadline) {
            s = live(who);
            if (pred(s)) return s;
            std::this_thread::sleep_for(100ms);
        }
        ADD_FAILURE() << "live stats never matched: " << s.dump();
        return s;
    }
    void close_chat(const Agent& a, const std::string& id) {
        auto r = http->post("/api/v1/contacts/" + id + "/close", {{"disposition", "other"}}, {a.auth()});
        EXPECT_EQ(r.status, 200) << r;
    }
};

const std::vector<std::string> compared = {"offered_today", "answered_today", "abandoned_today",
                                           "abandoned_short_today", "service_level_pct", "asa_seconds",
                                           "aht_seconds"};
const std::map<std::string, std::string> report_name = {
    {"offered_today", "offered"},           {"answered_today", "answered"},
    {"abandoned_today", "abandoned"},       {"abandoned_short_today", "abandoned_short"},
    {"service_level_pct", "service_level_pct"}, {"asa_seconds", "asa_seconds"},
    {"aht_seconds", "aht_seconds"}};

TEST_F(WallboardTest, ScriptedDayAgreesLiveInTheReportInCsvAndAfterARestart) {
    Login sup = must_login("kierownik");
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");

    // A: served, closed, rated 5.
    Resident a = create_chat("Adam");
    connect_resident(a);
    handoff(a);
    serve(anna, a);
    agent_says_ok(anna, a.chat_id, "Dzień dobry", "a1");
    close_chat(anna, a.chat_id);
    auto rated = http->post(a.path("/rating"), {{"score", 5}}, {a.header()});
    EXPECT_EQ(rated.status, 201) << rated;

    // B: waits while anna is on a break and leaves (abandoned after the 5 s grace).
    set_state(anna, "break");
    Resident b = create_chat("Beata");
    connect_resident(b);
    handoff(b);
    b.sock->close();

    // C: served, transferred to a department nobody here can serve, raised
    // and moved back by the supervisor, served again and closed.
    Resident c = create_chat("Celina");
    connect_resident(c);
    handoff(c);
    live_until(sup, [](const json& s) { return queue_of(s, "general")["abandoned_today"] == 1; }, 12s);
    set_state(anna, "available");
    serve(anna, c);
    auto tr = http->post("/api/v1/contacts/" + c.chat_id + "/transfer", {{"queue", "dept_interwencje"}}, {anna.auth()});
    EXPECT_EQ(tr.status, 200) << tr;
    auto pr = http->post("/api/v1/contacts/" + c.chat_id + "/priority", {{"priority", 5}}, {bearer(sup.token)});
    EXPECT_EQ(pr.status, 200) << pr;
    auto mv = http->post("/api/v1/contacts/" + c.chat_id + "/move", {{"queue", "general"}}, {bearer(sup.token)});
    EXPECT_EQ(mv.status, 200) << mv;
    serve(anna, c);
    close_chat(anna, c.chat_id);

    // Hand-counted: general offered A, B, C and C moved back = 4; answered A and
    // C twice = 3; abandoned B; dept_interwencje offered C once, answered never.
    json s = live_until(sup, [](const json& s) { return queue_of(s, "general")["csat_count"] == 1; });
    json g = queue_of(s, "general");
    EXPECT_EQ(g["offered_today"], 4);
    EXPECT_EQ(g["answered_today"], 3);
    EXPECT_EQ(g["abandoned_today"], 1);
    EXPECT_EQ(g["csat_avg"], 5.0);
    json d = queue_of(s, "dept_interwencje");
    EXPECT_EQ(d["offered_today"], 1);
    EXPECT_EQ(d["answered_today"], 0);
    EXPECT_EQ(d["service_level_pct"], 0.0);
    json anna_row;
    for (const auto& ag : s["agents"])
        if (ag["id"] == anna.id) anna_row = ag;
    EXPECT_EQ(anna_row["handled_today"], 3) << "A closed, C transferred, C closed";
    EXPECT_EQ(anna_row["csat_avg"], 5.0);

    // The report for today (its default range: today in Warsaw), from the sums
    // and recounted from the stored events.
    for (const std::string source : {"sums", "events"}) {
        SCOPED_TRACE(source);
        json rep = report_when(sup, "group_by=queue&source=" + source, "general", 4);
        EXPECT_EQ(rep["time_zone"], "Europe/Warsaw");
        for (const std::string qid : {"general", "dept_interwencje"}) {
            json row = item(rep, "queue", qid);
            json q = queue_of(s, qid);
            for (const auto& k : compared) EXPECT_EQ(row.value(report_name.at(k), json()), q[k]) << qid << " " << k;
        }
        json gr = item(rep, "queue", "general");
        EXPECT_EQ(gr["transfers"], 1);
        EXPECT_EQ(gr["closed"], 2);
        EXPECT_EQ(gr["first_contact_resolved"], 1) << "A only: C was transferred";
        EXPECT_EQ(gr["fcr_pct"], 50.0);
        EXPECT_EQ(gr["cases_opened"], 0);
        EXPECT_EQ(gr["csat_avg"], 5.0);
        EXPECT_EQ(gr["csat_count"], 1);
        EXPECT_EQ(item(rep, "queue", "dept_interwencje")["transfers"], 1) << "the supervisor's move back";
        json agents = report(sup, "group_by=agent&source=" + source);
        json ar = item(agents, "agent_id", anna.id);
        EXPECT_EQ(ar["display_name"], "Anna Nowak");
        EXPECT_EQ(ar["handled"], 3);
        EXPECT_EQ(ar["aht_seconds"], anna_row["aht_seconds"]);
        EXPECT_TRUE(ar["offered"].is_null());
    }

    // CSV: a header row and the same figures.
    auto csv = http->get("/api/v1/reports/summary?group_by=queue&format=csv", {bearer(sup.token)});
    ASSERT_EQ(csv.status, 200) << csv;
    EXPECT_NE(csv.header("content-type").value_or("").find("text/csv"), std::string::npos);
    auto accept_csv = http->get("/api/v1/reports/summary?group_by=queue", {bearer(sup.token), {"Accept", "text/csv"}});
    EXPECT_EQ(accept_csv.body, csv.body);
    std::istringstream lines(csv.body);
    std::string header, line, general_line;
    std::getline(lines, header);
    EXPECT_EQ(header.rfind("queue,offered,answered,answered_in_sla,abandoned,abandoned_short,service_level_pct,", 0), 0u)
        << header;
    while (std::getline(lines, line))
        if (line.rfind("general,", 0) == 0) general_line = line;
    EXPECT_EQ(general_line.rfind("general,4,3,", 0), 0u) << general_line;

    // Before any case: two closes in general, A resolved at first contact
    // (counted from the stored rows: at most a moment later).
    s = live_until(sup, [](const json& s) { return queue_of(s, "general")["closed_today"] == 2; });
    g = queue_of(s, "general");
    EXPECT_EQ(g["closed_today"], 2);
    EXPECT_EQ(g["first_contact_resolved_today"], 1);
    EXPECT_EQ(g["fcr_pct"], 50.0);
    EXPECT_EQ(g["cases_opened_today"], 0);

    // Cases: anna opens one from A after closing it (A is no longer resolved
    // at first contact) and one from C (transferred: nothing to take back);
    // both count for general, where A and C were last queued. One more from a
    // chat with the advisor that never reached a queue.
    auto open_case = [&](const std::string& contact_id) {
        auto r = http->post("/api/v1/tickets",
                            {{"subject", "Nieodebrane odpady"}, {"category", "odpady_deklaracja"}, {"contact_id", contact_id}},
                            {anna.auth()});
        EXPECT_EQ(r.status, 201) << r;
    };
    open_case(a.chat_id);
    open_case(c.chat_id);
    Resident bot_only = create_chat("Daria");
    open_case(bot_only.chat_id);
    s = live_until(sup, [](const json& s) {
        return queue_of(s, "general")["cases_opened_today"] == 2 && s["today"]["cases_opened"] == 3;
    });
    g = queue_of(s, "general");
    EXPECT_EQ(g["closed_today"], 2);
    EXPECT_EQ(g["first_contact_resolved_today"], 0) << "A got a case";
    EXPECT_EQ(g["fcr_pct"], 0.0);
    EXPECT_EQ(s["today"]["closed"], 2);
    EXPECT_EQ(s["today"]["first_contact_resolved"], 0);
    for (const auto& ag : s["agents"])
        if (ag["id"] == anna.id) {
            EXPECT_EQ(ag["cases_opened_today"], 3) << "anna opened all three";
        }
    for (const std::string source : {"sums", "events"}) {
        SCOPED_TRACE(source);
        json rep = report(sup, "group_by=queue&source=" + source);
        json gr = item(rep, "queue", "general");
        EXPECT_EQ(gr["cases_opened"], 2);
        EXPECT_EQ(gr["closed"], 2);
        EXPECT_EQ(gr["first_contact_resolved"], 0);
        EXPECT_EQ(gr["fcr_pct"], 0.0);
        EXPECT_EQ(rep["totals"]["cases_opened"], 3);
        EXPECT_EQ(rep["totals"]["first_contact_resolved"], 0);
        json ar = item(report(sup, "group_by=agent&source=" + source), "agent_id", anna.id);
        EXPECT_EQ(ar["cases_opened"], 3);
        EXPECT_EQ(ar["closed"], 2);
        EXPECT_EQ(ar["first_contact_resolved"], 0);
    }
    auto csv_cases = http->get("/api/v1/reports/summary?group_by=day&format=csv", {bearer(sup.token)});
    EXPECT_NE(csv_cases.body.find(",cases_opened,"), std::string::npos) << csv_cases.body;

    // A restart keeps today's figures.
    stop_server();
    start_server();
    sup = must_login("kierownik");
    json after = live(sup);
    EXPECT_EQ(queue_of(after, "general")["cases_opened_today"], 2);
    EXPECT_EQ(queue_of(after, "general")["first_contact_resolved_today"], 0);
    EXPECT_EQ(queue_of(after, "general")["closed_today"], 2);
    EXPECT_EQ(after["today"]["cases_opened"], 3);
    for (const std::string qid : {"general", "dept_interwencje"})
        for (const auto& k : compared) EXPECT_EQ(queue_of(after, qid)[k], queue_of(s, qid)[k]) << "after restart: " << qid << " " << k;
    EXPECT_EQ(queue_of(after, "general")["csat_avg"], 5.0);
    for (const auto& ag : after["agents"]) {
        if (ag["id"] == anna.id) {
            EXPECT_EQ(ag["handled_today"], 3);
        }
    }
}

TEST_F(WallboardTest, AgentsCannotReadTheWallboardOrActAsSupervisor) {
    Login anna = must_login("anna");
    Login sup = must_login("kierownik");
    const auto h = bearer(anna.token);
    EXPECT_EQ(http->get("/api/v1/stats/live", {h}).status, 403);
    EXPECT_EQ(http->get("/api/v1/stats/history", {h}).status, 403);
    EXPECT_EQ(http->get("/api/v1/reports/summary", {h}).status, 403);
    EXPECT_EQ(http->put("/api/v1/agents/" + sup.user.value("id", "") + "/state", {{"state", "offline"}}, {h}).status, 403);
    EXPECT_EQ(http->patch("/api/v1/queues/general", {{"sla_seconds", 10}}, {h}).status, 403);
    EXPECT_EQ(http->post("/api/v1/contacts/1/watch", json::object(), {h}).status, 403);
    EXPECT_EQ(http->post("/api/v1/contacts/1/whisper", {{"text", "x"}}, {h}).status, 403);
    EXPECT_EQ(http->post("/api/v1/contacts/1/priority", {{"priority", 1}}, {h}).status, 403);
    EXPECT_EQ(http->post("/api/v1/contacts/1/move", {{"queue", "general"}}, {h}).status, 403);
    // Bad input is 400, never 500.
    const auto s = bearer(sup.token);
    EXPECT_EQ(http->get("/api/v1/reports/summary?from=2026-13-01", {s}).status, 400);
    EXPECT_EQ(http->get("/api/v1/reports/summary?from=2026-02-10&to=2026-02-01", {s}).status, 400);
    EXPECT_EQ(http->get("/api/v1/reports/summary?group_by=week", {s}).status, 400);
    EXPECT_EQ(http->get("/api/v1/reports/summary?from=2020-01-01&to=2026-01-01", {s}).status, 400);
    EXPECT_EQ(http->get("/api/v1/reports/summary?from=2026-01-01&to=2026-03-01&source=events", {s}).status, 400);
    EXPECT_EQ(http->get("/api/v1/reports/summary?from=2026-01-01&to=2026-03-01", {s}).status, 200);
    EXPECT_EQ(http->get("/api/v1/reports/summary?format=xml", {s}).status, 400);
    EXPECT_EQ(http->patch("/api/v1/queues/general", {{"channels", json::array({"chat"})}}, {s}).status, 400);
    EXPECT_EQ(http->patch("/api/v1/queues/general", {{"overflow", {{"after_seconds", 10}, {"queue", "general"}}}}, {s}).status, 400);
    EXPECT_EQ(http->patch("/api/v1/queues/general", {{"hours", "nope"}}, {s}).status, 400);
    EXPECT_EQ(http->patch("/api/v1/queues/nope", {{"sla_seconds", 10}}, {s}).status, 404);
    EXPECT_EQ(http->put("/api/v1/agents/" + anna.user.value("id", "") + "/state", {{"state", "available"}}, {s}).status, 400);
}

TEST_F(WallboardTest, ActionsAreAuditedWatchingIsLiveAndWhispersNeverReachTheResident) {
    Login admin = must_login("admin");
    Agent sup = agent("kierownik");
    open_agent_socket(sup);
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    Resident r = create_chat("Zofia");
    connect_resident(r);
    handoff(r);
    serve(anna, r);

    auto w = http->post("/api/v1/contacts/" + r.chat_id + "/watch", json::object(), {sup.auth()});
    ASSERT_EQ(w.status, 200) << w;
    resident_says_ok(r, "Czy mogę zapłacić przelewem?", "r1");
    auto seen = sup.sock->wait(
        [&](const json& j) { return j.value("type", "") == "message" && j.value("watching", false) &&
                                    j["message"].value("text", "") == "Czy mogę zapłacić przelewem?"; },
        5s);
    EXPECT_TRUE(seen.has_value()) << "the watching supervisor did not get the resident's message live";

    const std::string secret = "Szept: zaproponuj e-Urząd";
    auto wh = http->post("/api/v1/contacts/" + r.chat_id + "/whisper", {{"text", secret}}, {sup.auth()});
    ASSERT_EQ(wh.status, 201) << wh;
    EXPECT_EQ(wh.json()["internal"], true);
    auto note = anna.sock->wait(
        [&](const json& j) { return j.value("type", "") == "message" && j["message"].value("text", "") == secret; }, 5s);
    ASSERT_TRUE(note.has_value()) << "the consultant did not get the whisper";
    EXPECT_EQ((*note)["message"]["internal"], true);
    r.sock->drain(500ms);
    EXPECT_FALSE(frames_mention(*r.sock, "e-Urz")) << "the whisper reached the resident's socket";
    EXPECT_FALSE(any_text(public_messages(r), secret)) << "the whisper is in the resident's history";

    auto q = http->patch("/api/v1/queues/general", {{"sla_seconds", 45}, {"offer_timeout_seconds", 25}}, {sup.auth()});
    ASSERT_EQ(q.status, 200) << q;
    EXPECT_EQ(q.json()["sla_seconds"], 45);

    auto f = http->put("/api/v1/agents/" + anna.id + "/state", {{"state", "offline"}}, {sup.auth()});
    ASSERT_EQ(f.status, 200) << f;
    EXPECT_EQ(f.json()["status"], "offline");
    auto st = anna.sock->wait(
        [](const json& j) { return j.value("type", "") == "state" && j.value("status", "") == "offline"; }, 5s);
    EXPECT_TRUE(st.has_value()) << "the agent was not told";

    auto audit = http->get("/api/v1/audit?limit=100", {bearer(admin.token)});
    ASSERT_EQ(audit.status, 200) << audit;
    std::set<std::string> actions;
    const json entries = audit.json();
    for (const auto& e : entries["items"])
        if (e["actor"] == "kierownik") actions.insert(e["action"].get<std::string>());
    for (const std::string a : {"chat_watched", "whisper", "queue_updated", "agent_state_forced"})
        EXPECT_TRUE(actions.count(a)) << "no audit entry " << a;

    // Queue settings survive a restart.
    stop_server();
    start_server();
    Login s2 = must_login("kierownik");
    auto g = http->get("/api/v1/queues/general", {bearer(s2.token)});
    EXPECT_EQ(g.json()["sla_seconds"], 45) << g;
    EXPECT_EQ(g.json()["offer_timeout_seconds"], 25) << g;
    auto live = http->get("/api/v1/stats/live", {bearer(s2.token)}).json();
    for (const auto& qq : live["queues"]) {
        if (qq["id"] == "general") {
            EXPECT_EQ(qq["sla_seconds"], 45);
        }
    }
}

}  // namespace
}  // namespace centrala::testing::chat

namespace centrala::testing::chat {
namespace {

// The "last hours" charts sample every second here, so a test sees samples
// without waiting for the minute.
class WallboardChartTest : public WallboardTest {
protected:
    void configure(json& config) override {
        WallboardTest::configure(config);
        config["wallboard"]["sample_seconds"] = 1;
    }
    json history(const Login& who) {
        auto r = http->get("/api/v1/stats/history", {bearer(who.token)});
        EXPECT_EQ(r.status, 200) << r;
        return r.json();
    }
};

TEST_F(WallboardChartTest, ARestartKeepsTheChartHistory) {
    Login sup = must_login("kierownik");
    Resident r = create_chat("Ewa");
    connect_resident(r);
    handoff(r);
    // Samples with the waiting chat in them.
    json before;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        before = history(sup);
        int with_one = 0;
        for (const auto& s : before["items"]) with_one += s["waiting"] == 1;
        if (with_one >= 2) break;
        std::this_thread::sleep_for(200ms);
    }
    EXPECT_EQ(before["interval_seconds"], 1);
    ASSERT_GE(before["items"].size(), 2u) << before.dump();
    json last = before["items"].back();
    EXPECT_EQ(last["waiting"], 1);
    EXPECT_TRUE(last.contains("service_level_pct"));
    ASSERT_TRUE(last["queues"].is_array());

    stop_server();
    start_server();
    sup = must_login("kierownik");
    json after = history(sup);
    // Every sample shown before the restart is shown after it, unchanged.
    std::map<std::string, json> by_time;
    for (const auto& s : after["items"]) by_time[s["at"].get<std::string>()] = s;
    for (const auto& s : before["items"]) {
        auto it = by_time.find(s["at"].get<std::string>());
        ASSERT_NE(it, by_time.end()) << "sample at " << s["at"] << " lost in the restart";
        EXPECT_EQ(it->second, s);
    }
    // Oldest first.
    std::string prev;
    for (const auto& s : after["items"]) {
        EXPECT_LT(prev, s["at"].get<std::string>());
        prev = s["at"].get<std::string>();
    }
}

}  // namespace
}  // namespace centrala::testing::chat
