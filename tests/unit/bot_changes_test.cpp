// What a knowledge-base change is recorded as: answers added, removed and
// edited, topics and sections changed; comments do not count.
#include <gtest/gtest.h>

#include "centrala/api/bot.hpp"

using nlohmann::json;

namespace {
json kb() {
    return {{"_notice", "check figures"},
            {"messages", {{"greeting", {{"pl", "Dzień dobry"}}}}},
            {"topics",
             {{{"id", "waste"},
               {"name", {{"pl", "Odpady"}}},
               {"answers",
                {{{"id", "fee"}, {"text", {{"pl", "Opłata"}}}}, {{"id", "bulky"}, {"text", {{"pl", "Gabaryty"}}}}}}},
              {{"id", "taxes"}, {"name", {{"pl", "Podatki"}}}, {"answers", {{{"id", "dog_fee"}, {"text", {{"pl", "Psy"}}}}}}}}}};
}
}  // namespace

TEST(KnowledgeChanges, NamesTheAnswersTopicsAndSectionsThatChanged) {
    json before = kb(), after = kb();
    after["_notice"] = "only a comment";
    after["topics"][0]["answers"][0]["text"]["pl"] = "Nowa opłata";
    after["topics"][0]["answers"].erase(1);
    after["topics"][1]["answers"].push_back({{"id", "relief"}, {"text", {{"pl", "Ulgi"}}}});
    after["topics"][1]["name"]["pl"] = "Podatki lokalne";
    after["messages"]["greeting"]["pl"] = "Witamy";
    const json c = centrala::api::knowledge_changes(before.dump(), after.dump());
    EXPECT_EQ(c["changed"], json::array({"waste.fee"}));
    EXPECT_EQ(c["removed"], json::array({"waste.bulky"}));
    EXPECT_EQ(c["added"], json::array({"taxes.relief"}));
    EXPECT_EQ(c["topics_changed"], json::array({"taxes"}));
    EXPECT_EQ(c["sections_changed"], json::array({"messages"}));
}

TEST(KnowledgeChanges, CommentsAloneAndTheFirstVersionAreHandled) {
    json after = kb();
    after["topics"][0]["_comment"] = "a note";
    const json same = centrala::api::knowledge_changes(kb().dump(), after.dump());
    for (const char* k : {"added", "removed", "changed", "topics_changed", "sections_changed"})
        EXPECT_TRUE(same[k].empty()) << k << ": " << same.dump();
    const json first = centrala::api::knowledge_changes("", kb().dump());
    EXPECT_TRUE(first["added"].empty()) << "no previous version: nothing to compare";
}
