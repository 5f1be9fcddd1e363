// The shipped knowledge base is valid and complete; a broken one is refused
// with an error naming the path of the offending field.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "centrala/bot/knowledge.hpp"
#include "centrala/domain/organisation.hpp"
#include "source_file.hpp"

using namespace centrala;
using namespace centrala::bot;
using centrala::testing::source_file;
using nlohmann::json;

namespace {

const std::string& shipped_text() {
    static const std::string text = source_file("config/knowledge.json");
    return text;
}

json shipped() { return json::parse(shipped_text()); }

// The error message for a knowledge base changed by `edit`.
template <class Edit>
std::string refused(Edit edit) {
    json j = shipped();
    edit(j);
    auto r = parse_knowledge(j.dump());
    if (r.ok()) return "(accepted)";
    EXPECT_EQ(r.error().kind, ErrorKind::invalid);
    EXPECT_EQ(r.error().code, "knowledge_invalid");
    return r.error().message;
}

int topic_at(const json& j, const std::string& id) {
    for (std::size_t i = 0; i < j["topics"].size(); ++i)
        if (j["topics"][i]["id"] == id) return static_cast<int>(i);
    return -1;
}

}  // namespace

TEST(BotKnowledge, ShippedKnowledgeBaseIsValidAndComplete) {
    ASSERT_FALSE(shipped_text().empty()) << "config/knowledge.json not found";
    auto kb = parse_knowledge(shipped_text());
    ASSERT_TRUE(kb.ok()) << kb.error().message;
    EXPECT_FALSE(kb->notice.empty());
    EXPECT_EQ(kb->topics.size(), std::size(topic_ids));
    for (auto id : topic_ids) EXPECT_NE(kb->topic(id), nullptr) << id;
    int verified = 0, answers = 0;
    for (const auto& t : kb->topics) {
        EXPECT_FALSE(t.answers.empty()) << t.id;
        for (const auto& a : t.answers) {
            ++answers;
            verified += a.verify;
            for (Lang l : all_langs) {
                EXPECT_FALSE(a.text[l].empty()) << t.id << "." << a.id;
                EXPECT_FALSE(a.examples[l].empty()) << t.id << "." << a.id;
            }
        }
    }
    EXPECT_GE(answers, 40);
    EXPECT_GE(verified, 25);  // fees and deadlines are flagged for the city to check
    EXPECT_TRUE(kb->topic("human")->handoff);
    EXPECT_NE(kb->answer("vehicles.used_car"), nullptr);
    EXPECT_EQ(kb->answer("vehicles.nope"), nullptr);
    EXPECT_EQ(kb->answer("vehicles"), nullptr);
    EXPECT_TRUE(kb->links.count("appointment"));
    EXPECT_TRUE(kb->links.count("report"));
}

TEST(BotKnowledge, UkrainianTextIsCyrillic) {
    auto kb = parse_knowledge(shipped_text());
    ASSERT_TRUE(kb.ok());
    for (const auto& t : kb->topics)
        for (const auto& a : t.answers) {
            // Polish names of offices and services may appear in brackets.
            Script s = script_of(a.text.uk);
            EXPECT_GT(s.cyrillic, 3 * s.latin) << t.id << "." << a.id;
        }
}

TEST(BotKnowledge, MissingTranslationNamesThePath) {
    EXPECT_EQ(refused([](json& j) { j["topics"][2]["answers"][0]["text"].erase("uk"); }),
              "topics[2].answers[0].text.uk: is required");
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["name"]["en"] = "  "; }), "topics[0].name.en: must not be empty");
    EXPECT_EQ(refused([](json& j) { j["topics"][1]["answers"][3]["examples"]["pl"] = json::array(); }),
              "topics[1].answers[3].examples.pl: needs at least one phrasing");
    EXPECT_EQ(refused([](json& j) { j["messages"]["clarify"].erase("pl"); }), "messages.clarify.pl: is required");
}

TEST(BotKnowledge, TypesAreChecked) {
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["answers"][0]["examples"]["en"][1] = 7; }),
              "topics[0].answers[0].examples.en[1]: must be a string");
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["handoff"] = "yes"; }), "topics[0].handoff: must be true or false");
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["answers"][0]["examples"]["pl"][0] = "?!"; }),
              "topics[0].answers[0].examples.pl[0]: has no words (only punctuation)");
    EXPECT_EQ(refused([](json& j) { j["topics"] = json::object(); }), "topics: must be an array");
    EXPECT_EQ(refused([](json& j) { j["topics"][3] = 1; }), "topics[3]: must be an object");
}

TEST(BotKnowledge, UnknownFieldsAreRefusedCommentsAllowed) {
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["answers"][1]["exmples"] = json::object(); }),
              "topics[0].answers[1].exmples: is not a known field");
    EXPECT_EQ(refused([](json& j) { j["nlu"]["treshold"] = 0.3; }), "nlu.treshold: is not a known field");
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["_comment"] = "reviewed by the registration office"; }),
              "(accepted)");
}

TEST(BotKnowledge, TopicsMustBeTheContractTopicsEachOnce) {
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["id"] = "cars"; }),
              "topics[0].id: \"cars\" is not a topic id of contract 6a");
    EXPECT_EQ(refused([](json& j) {
                  int h = topic_at(j, "human");
                  j["topics"].erase(static_cast<std::size_t>(h));
              }),
              "topics: topic \"human\" is missing");
    EXPECT_EQ(refused([](json& j) { j["topics"].push_back(j["topics"][0]); }),
              "topics[10].id: topic \"vehicles\" appears twice");
}

TEST(BotKnowledge, AnswerIdsAreUniqueAndWellFormed) {
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["answers"][1]["id"] = j["topics"][0]["answers"][0]["id"]; }),
              "topics[0].answers[1].id: \"used_car\" is used twice in this topic");
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["answers"][0]["id"] = "Used Car"; }),
              "topics[0].answers[0].id: must be lower-case letters, digits and _ (got \"Used Car\")");
    EXPECT_EQ(refused([](json& j) { j["topics"][4]["answers"] = json::array(); }),
              "topics[4].answers: must be an array with at least one answer");
}

TEST(BotKnowledge, ButtonsAndLinksMustResolve) {
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["menu"][0] = "answer:vehicles.flying_car"; }),
              "topics[0].menu[0]: \"answer:vehicles.flying_car\": no such answer");
    EXPECT_EQ(refused([](json& j) { j["main_menu"][1] = "topic:parking"; }),
              "main_menu[1]: \"topic:parking\": no such topic");
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["answers"][0]["buttons"] = {"https://example.org"}; }),
              "topics[0].answers[0].buttons[0]: \"https://example.org\" must be \"topic:ID\" or \"answer:TOPIC.ID\"");
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["answers"][0]["links"] = {"nowhere"}; }),
              "topics[0].answers[0].links[0]: \"nowhere\": no such link in links");
    EXPECT_EQ(refused([](json& j) { j["links"]["report"]["url"] = "javascript:alert(1)"; }),
              "links.report.url: must start with https://, http:// or /");
}

TEST(BotKnowledge, KeywordsAndSynonyms) {
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["keywords"]["pl"][0] = {{"term", "blachy"}, {"weight", 50}}; }),
              "topics[0].keywords.pl[0].weight: must be between 0.1 and 10.0 (got 50)");
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["keywords"]["pl"][0] = {{"weight", 2}}; }),
              "topics[0].keywords.pl[0].term: is required");
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["keywords"]["de"] = {"Auto"}; }),
              "topics[0].keywords.de: is not a known field");
    EXPECT_EQ(refused([](json& j) { j["topics"][0]["synonyms"]["pl"][0] = {"blachy"}; }),
              "topics[0].synonyms.pl[0]: must be an array of at least two expressions");
}

TEST(BotKnowledge, SettingsAreRangeChecked) {
    EXPECT_EQ(refused([](json& j) { j["nlu"]["confidence_threshold"] = 1.5; }),
              "nlu.confidence_threshold: must be between 0.0 and 1.0 (got 1.5)");
    EXPECT_EQ(refused([](json& j) { j["nlu"]["clarify_topics"] = 9; }),
              "nlu.clarify_topics: must be a whole number between 2 and 5");
    EXPECT_EQ(refused([](json& j) { j["version"] = 2; }), "version: must be 1");
}

TEST(BotKnowledge, NotJsonIsASyntaxError) {
    auto r = parse_knowledge("{\"topics\": [");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "knowledge_syntax");
    EXPECT_EQ(parse_knowledge("[]").error().message, "(top level): must be an object");
    EXPECT_EQ(parse_knowledge("{}").error().message, "messages: is required");
}
