// Canned responses: consultants search them (folded diacritics, the chat's
// queue and language), supervisors maintain them, every change is audited and
// survives a restart.
#include "common.hpp"

namespace centrala::testing {
namespace {

class CannedTest : public ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        admin = must_login("admin");
        supervisor = must_login("kierownik");
        agent = must_login("anna");
    }

    std::string create(const nlohmann::json& body) {
        auto r = http->post("/api/v1/canned-responses", body, {bearer(supervisor.token)});
        EXPECT_EQ(r.status, 201) << r;
        return r.json().value("id", "");
    }

    std::vector<std::string> titles(const std::string& query, const Login& who) {
        auto r = http->get("/api/v1/canned-responses" + query, {bearer(who.token)});
        EXPECT_EQ(r.status, 200) << r;
        std::vector<std::string> out;
        const auto body = r.json();
        for (const auto& i : body["items"]) out.push_back(i["title"].get<std::string>());
        return out;
    }

    Login admin, supervisor, agent;
};

TEST_F(CannedTest, ConsultantFindsTheQueuesResponsesByWordsWithoutDiacritics) {
    create({{"title", "Rejestracja używanego samochodu"},
            {"body", "Potrzebne są: umowa kupna, dowód rejestracyjny i tablice."},
            {"queue", "vehicles"},
            {"shortcut", "rejestracja"}});
    create({{"title", "Harmonogram odbioru odpadów"}, {"body", "Harmonogram jest na stronie miasta."}, {"queue", "waste"}});
    create({{"title", "Powitanie"}, {"body", "Dzień dobry, w czym mogę pomóc?"}});
    create({{"title", "Greeting"}, {"body", "Good morning, how can I help?"}, {"lang", "en"}});

    // Typed without Polish letters, a word's beginning is enough.
    EXPECT_EQ(titles("?q=uzywan%20samoch", agent), std::vector<std::string>{"Rejestracja używanego samochodu"});
    EXPECT_EQ(titles("?q=ODPADOW", agent), std::vector<std::string>{"Harmonogram odbioru odpadów"});
    // The body is searched too.
    EXPECT_EQ(titles("?q=tablice", agent), std::vector<std::string>{"Rejestracja używanego samochodu"});
    // For a vehicles chat in Polish: that queue's responses first, then the general ones, no other queue's.
    EXPECT_EQ(titles("?queue=vehicles&lang=pl", agent),
              (std::vector<std::string>{"Rejestracja używanego samochodu", "Powitanie"}));
    EXPECT_EQ(titles("?lang=en", agent), std::vector<std::string>{"Greeting"});
    EXPECT_TRUE(titles("?q=nieistniejace", agent).empty());
    auto bad = http->get("/api/v1/canned-responses?lang=de", {bearer(agent.token)});
    EXPECT_EQ(bad.status, 400) << bad;
}

TEST_F(CannedTest, OnlySupervisorsChangeThemAndEveryChangeIsAudited) {
    const nlohmann::json body = {{"title", "Powitanie"}, {"body", "Dzień dobry!"}};
    auto r = http->post("/api/v1/canned-responses", body, {bearer(agent.token)});
    EXPECT_EQ(r.status, 403) << r;
    const std::string id = create(body);
    ASSERT_FALSE(id.empty());
    r = http->patch("/api/v1/canned-responses/" + id, {{"body", "Dzień dobry, słucham."}}, {bearer(agent.token)});
    EXPECT_EQ(r.status, 403) << r;
    r = http->del("/api/v1/canned-responses/" + id, {bearer(agent.token)});
    EXPECT_EQ(r.status, 403) << r;

    r = http->patch("/api/v1/canned-responses/" + id, {{"body", "Dzień dobry, słucham."}}, {bearer(supervisor.token)});
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.json()["body"], "Dzień dobry, słucham.");
    EXPECT_EQ(r.json()["title"], "Powitanie");

    r = http->del("/api/v1/canned-responses/" + id, {bearer(supervisor.token)});
    EXPECT_EQ(r.status, 204) << r;
    EXPECT_TRUE(titles("", agent).empty());
    r = http->del("/api/v1/canned-responses/" + id, {bearer(supervisor.token)});
    EXPECT_EQ(r.status, 404) << r;

    auto audit = http->get("/api/v1/audit?limit=500", {bearer(admin.token)});
    ASSERT_EQ(audit.status, 200) << audit;
    std::multiset<std::string> actions;
    const auto entries = audit.json();
    for (const auto& e : entries["items"])
        if (e.value("target", "") == "canned_response:" + id) actions.insert(e["action"].get<std::string>());
    EXPECT_EQ(actions, (std::multiset<std::string>{"canned_response_created", "canned_response_updated",
                                                   "canned_response_deleted"}));
}

TEST_F(CannedTest, BadInputIsRefusedAndChangesNothing) {
    const std::string id = create({{"title", "Powitanie"}, {"body", "Dzień dobry!"}, {"shortcut", "witam"}});
    const std::vector<nlohmann::json> bad = {
        {{"body", "bez tytułu"}},
        {{"title", ""}, {"body", "x"}},
        {{"title", 5}, {"body", "x"}},
        {{"title", "x"}, {"body", std::string(4001, 'a')}},
        {{"title", "x"}, {"body", "y"}, {"queue", "no_such_queue"}},
        {{"title", "x"}, {"body", "y"}, {"lang", "de"}},
        {{"title", "x"}, {"body", "y"}, {"shortcut", "Z spacją"}},
        {{"title", "x"}, {"body", "y"}, {"colour", "red"}},
    };
    for (const auto& b : bad) {
        auto r = http->post("/api/v1/canned-responses", b, {bearer(supervisor.token)});
        EXPECT_EQ(r.status, 400) << b.dump() << " → " << r;
        error_code(r);
    }
    // The same shortcut in the same language and queue names one response only.
    auto dup = http->post("/api/v1/canned-responses", {{"title", "Inne"}, {"body", "y"}, {"shortcut", "witam"}},
                          {bearer(supervisor.token)});
    EXPECT_EQ(dup.status, 409) << dup;
    auto r = http->request("POST", "/api/v1/canned-responses", "{not json", {{"Content-Type", "application/json"},
                                                                             bearer(supervisor.token)});
    EXPECT_EQ(r.status, 400) << r;
    r = http->patch("/api/v1/canned-responses/" + id, {{"title", ""}}, {bearer(supervisor.token)});
    EXPECT_EQ(r.status, 400) << r;
    r = http->patch("/api/v1/canned-responses/999999", {{"title", "x"}}, {bearer(supervisor.token)});
    EXPECT_EQ(r.status, 404) << r;
    r = http->patch("/api/v1/canned-responses/abc", {{"title", "x"}}, {bearer(supervisor.token)});
    EXPECT_EQ(r.status, 404) << r;
    EXPECT_EQ(titles("", agent), std::vector<std::string>{"Powitanie"});
}

TEST_F(CannedTest, ResponsesSurviveARestart) {
    create({{"title", "Podatek od nieruchomości — terminy"}, {"body", "Raty płatne do 15 marca, 15 maja, 15 września i 15 listopada."},
            {"queue", "taxes"}});
    stop_server();
    start_server();
    agent = must_login("anna");
    EXPECT_EQ(titles("?q=nieruchomosci", agent), std::vector<std::string>{"Podatek od nieruchomości — terminy"});
}

}  // namespace
}  // namespace centrala::testing
