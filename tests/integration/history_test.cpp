// The resident's earlier conversations beside the current chat: linked by the
// widget's resident key, shown to the consultant who serves the chat now (and
// to supervisors), never to other consultants.
#include "chat_common.hpp"

namespace centrala::testing::chat {
namespace {

class HistoryTest : public ChatTest {
protected:
    void SetUp() override {
        env.add_user("piotr", "agent", kPassword, "Piotr Wiśniewski");
        ChatTest::SetUp();
    }

    Resident chat_with_key(const std::string& name, const std::string& key) {
        Resident r;
        r.name = name;
        json body = {{"name", name}, {"lang", "pl"}};
        if (!key.empty()) body["resident_key"] = key;
        auto res = http->post("/api/v1/public/chats", body);
        EXPECT_EQ(res.status, 201) << res;
        const auto j = res.json();
        r.chat_id = j.value("chat_id", "");
        r.token = j.value("visitor_token", "");
        return r;
    }

    void close(Agent& a, const std::string& chat_id, const std::string& disposition, const std::string& note) {
        auto r = http->post("/api/v1/contacts/" + chat_id + "/close", {{"disposition", disposition}, {"note", note}},
                            {a.auth()});
        EXPECT_EQ(r.status, 200) << r;
    }

    HttpResponse history(const Agent& a, const std::string& chat_id) {
        return http->get("/api/v1/contacts/" + chat_id + "/history", {a.auth()});
    }
};

TEST_F(HistoryTest, TheConsultantSeesTheResidentsEarlierConversationAndCanReadIt) {
    const std::string key = "k7Qp2vXy9LmN4sTb8RwZ";
    Agent piotr = agent("piotr");
    Agent anna = agent("anna");
    open_agent_socket(piotr);
    set_state(piotr, "available");

    // Last week: Piotr helped with a car registration; the resident rated it 4.
    Resident first = chat_with_key("Jan Kowalski", key);
    connect_resident(first);
    handoff(first);
    serve(piotr, first);
    resident_says_ok(first, "Kupiłem passata, co z rejestracją?", "r1");
    agent_says_ok(piotr, first.chat_id, "Potrzebna umowa kupna i dowód rejestracyjny.", "a1");
    close(piotr, first.chat_id, "vehicles", "Wyjaśnione dokumenty do rejestracji");
    ASSERT_TRUE(first.sock->wait_type("rating_request").has_value());
    auto rated = http->post(first.path("/rating"), {{"score", 4}}, {first.header()});
    ASSERT_EQ(rated.status, 201) << rated;
    set_state(piotr, "offline");

    // Someone else's chat, and a chat without a key, are not this resident's.
    Resident stranger = chat_with_key("Ktoś Inny", "zzzzzzzzzzzzzzzzzzzzzz");
    Resident keyless = chat_with_key("Bez Klucza", "");

    // Today the same browser writes again and Anna answers.
    Resident second = chat_with_key("Jan Kowalski", key);
    connect_resident(second);
    open_agent_socket(anna);
    // Before Anna serves the new chat she may not read the old one.
    EXPECT_EQ(http->get("/api/v1/contacts/" + first.chat_id + "/messages", {anna.auth()}).status, 404);
    set_state(anna, "available");
    handoff(second);
    serve(anna, second);

    auto h = history(anna, second.chat_id);
    ASSERT_EQ(h.status, 200) << h;
    const auto items = h.json()["items"];
    ASSERT_EQ(items.size(), 1u) << h;
    EXPECT_EQ(items[0]["id"], first.chat_id);
    EXPECT_EQ(items[0]["state"], "closed");
    EXPECT_EQ(items[0]["disposition"], "vehicles");
    EXPECT_EQ(items[0]["close_note"], "Wyjaśnione dokumenty do rejestracji");
    EXPECT_EQ(items[0]["rating"], 4);
    EXPECT_EQ(items[0]["agents"], json::array({"Piotr Wiśniewski"}));
    EXPECT_TRUE(is_rfc3339_utc(items[0]["created_at"].get<std::string>())) << items[0];
    EXPECT_GE(items[0]["messages"].get<int>(), 2);

    // And she can open that conversation now.
    auto old = staff_messages(anna.login, first.chat_id);
    EXPECT_TRUE(any_text(old, "Kupiłem passata, co z rejestracją?")) << old.dump();
    EXPECT_TRUE(any_text(old, "Potrzebna umowa kupna i dowód rejestracyjny.")) << old.dump();
    // Not the stranger's.
    EXPECT_EQ(http->get("/api/v1/contacts/" + stranger.chat_id + "/messages", {anna.auth()}).status, 404);

    // Piotr does not serve the new chat: no history for him.
    EXPECT_EQ(history(piotr, second.chat_id).status, 404);
    // A supervisor sees it.
    auto sup = http->get("/api/v1/contacts/" + second.chat_id + "/history", {bearer(must_login("kierownik").token)});
    ASSERT_EQ(sup.status, 200) << sup;
    EXPECT_EQ(sup.json()["items"].size(), 1u);
    // A chat without a key has no history.
    auto none = http->get("/api/v1/contacts/" + keyless.chat_id + "/history", {bearer(must_login("kierownik").token)});
    ASSERT_EQ(none.status, 200) << none;
    EXPECT_TRUE(none.json()["items"].empty());
    EXPECT_EQ(http->get("/api/v1/contacts/999999/history", {bearer(must_login("kierownik").token)}).status, 404);
    EXPECT_EQ(http->get("/api/v1/contacts/abc/history", {anna.auth()}).status, 404);
}

TEST_F(HistoryTest, TheCasesFiledFromTheResidentsConversationsAreBesideTheChat) {
    const std::string key = "Cq8sWm3Ld5Vx1Ph7Nz2T";
    Agent anna = agent("anna");
    Agent piotr = agent("piotr");
    open_agent_socket(anna);
    set_state(anna, "available");
    auto file_case = [&](const std::string& chat_id, const std::string& subject, const std::string& category) {
        auto r = http->post("/api/v1/tickets",
                            {{"subject", subject}, {"description", "Z rozmowy"}, {"category", category}, {"contact_id", chat_id}},
                            {anna.auth()});
        EXPECT_EQ(r.status, 201) << r;
        return r.json();
    };

    // An earlier conversation gave a tax case; a stranger's gave another.
    Resident first = chat_with_key("Jan Kowalski", key);
    connect_resident(first);
    handoff(first);
    serve(anna, first);
    json tax = file_case(first.chat_id, "Raty podatku od nieruchomości", "podatek_nieruchomosci");
    close(anna, first.chat_id, "taxes", "");
    Resident stranger = chat_with_key("Ktoś Inny", "zzzzzzzzzzzzzzzzzzzzzz");
    connect_resident(stranger);
    handoff(stranger);
    serve(anna, stranger);
    file_case(stranger.chat_id, "Cudza sprawa", "podatek_nieruchomosci");
    close(anna, stranger.chat_id, "taxes", "");

    // Today's conversation: the case filed from it comes first.
    Resident second = chat_with_key("Jan Kowalski", key);
    connect_resident(second);
    handoff(second);
    serve(anna, second);
    std::this_thread::sleep_for(5ms);  // a later creation time
    json licence = file_case(second.chat_id, "Wymiana prawa jazdy — \"zagubione\" <b>dokumenty</b>", "prawo_jazdy");

    auto h = history(anna, second.chat_id);
    ASSERT_EQ(h.status, 200) << h;
    const json cases = h.json()["cases"];
    ASSERT_EQ(cases.size(), 2u) << h;
    EXPECT_EQ(cases[0]["id"], licence["id"]);
    EXPECT_EQ(cases[0]["number"], licence["number"]);
    EXPECT_EQ(cases[0]["subject"], "Wymiana prawa jazdy — \"zagubione\" <b>dokumenty</b>");
    EXPECT_EQ(cases[0]["status"], "new");
    EXPECT_EQ(cases[0]["contact_id"], second.chat_id);
    EXPECT_EQ(cases[1]["id"], tax["id"]);
    EXPECT_EQ(cases[1]["department"], "podatki");
    EXPECT_EQ(cases[1]["department_name"], "Wydział Podatków");
    EXPECT_EQ(cases[1]["contact_id"], first.chat_id);
    EXPECT_TRUE(is_rfc3339_utc(cases[1]["created_at"].get<std::string>())) << cases[1];
    // A status change shows.
    auto moved = http->patch("/api/v1/tickets/" + tax["id"].get<std::string>(), {{"assignee_id", anna.id}}, {anna.auth()});
    ASSERT_EQ(moved.status, 200) << moved;
    EXPECT_EQ(history(anna, second.chat_id).json()["cases"][1]["status"], "assigned");

    // The cases come with the first page only; a consultant who does not serve the chat gets nothing.
    auto page2 = http->get("/api/v1/contacts/" + second.chat_id + "/history?cursor=" + first.chat_id, {anna.auth()});
    ASSERT_EQ(page2.status, 200) << page2;
    EXPECT_FALSE(page2.json().contains("cases")) << page2;
    EXPECT_EQ(history(piotr, second.chat_id).status, 404);
    // The stranger's history has only the stranger's case.
    auto sup = http->get("/api/v1/contacts/" + stranger.chat_id + "/history", {bearer(must_login("kierownik").token)});
    ASSERT_EQ(sup.status, 200) << sup;
    ASSERT_EQ(sup.json()["cases"].size(), 1u) << sup;
    EXPECT_EQ(sup.json()["cases"][0]["subject"], "Cudza sprawa");
}

TEST_F(HistoryTest, AMalformedResidentKeyIsRefused) {
    for (const json& key : {json("short"), json(std::string(129, 'a')), json("spacje są złe spacje"), json(42)}) {
        auto res = http->post("/api/v1/public/chats", {{"lang", "pl"}, {"resident_key", key}});
        EXPECT_EQ(res.status, 400) << key.dump() << " → " << res;
    }
}

}  // namespace
}  // namespace centrala::testing::chat
