// A consultant asks for a rating during the conversation: the resident's
// widget gets `rating_request` and a system line, can rate at once, and the
// chat goes on. Only the serving consultant (or a supervisor) may ask.
#include "chat_common.hpp"

namespace centrala::testing::chat {
namespace {

using RatingRequestTest = ChatTest;

TEST_F(RatingRequestTest, TheResidentIsAskedAndCanRateWhileTheChatGoesOn) {
    Agent anna = agent("anna");
    open_agent_socket(anna);
    set_state(anna, "available");
    Resident r = create_chat("Jan Ocenia");
    connect_resident(r);

    // Not served yet: nobody can ask (a supervisor gets 409, not a rating form).
    auto early = http->post("/api/v1/contacts/" + r.chat_id + "/rating-request", json::object(), {anna.auth()});
    EXPECT_EQ(early.status, 404) << early;
    auto sup_early = http->post("/api/v1/contacts/" + r.chat_id + "/rating-request", json::object(),
                                {bearer(must_login("kierownik").token)});
    EXPECT_EQ(sup_early.status, 409) << sup_early;

    handoff(r);
    serve(anna, r);
    auto asked = http->post("/api/v1/contacts/" + r.chat_id + "/rating-request", json::object(), {anna.auth()});
    ASSERT_EQ(asked.status, 202) << asked;
    EXPECT_TRUE(r.sock->wait_type("rating_request", 5s).has_value());
    EXPECT_TRUE(r.sock->wait([](const json& f) {
                    return f.value("type", "") == "message" && f.contains("text") &&
                           f["text"].get<std::string>().find("prosi o ocenę") != std::string::npos;
                }).has_value());

    auto rated = http->post(r.path("/rating"), {{"score", 5}, {"comment", "Szybko i konkretnie"}}, {r.header()});
    EXPECT_EQ(rated.status, 201) << rated;
    // The conversation continues after the rating.
    resident_says_ok(r, "Jeszcze jedno pytanie", "after-rating");
    agent_says_ok(anna, r.chat_id, "Słucham", "a-after");

    // Another consultant may not ask in Anna's chat.
    create_agent(must_login("admin"), "piotr", "Piotr Obcy");
    Agent piotr = agent("piotr");
    auto other = http->post("/api/v1/contacts/" + r.chat_id + "/rating-request", json::object(), {piotr.auth()});
    EXPECT_EQ(other.status, 404) << other;
}

}  // namespace
}  // namespace centrala::testing::chat
