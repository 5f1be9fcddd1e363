// The advisor's tables: knowledge-base versions (numbering, optimistic
// concurrency, history) and unanswered phrases (counting, order, dismissal).
#include <gtest/gtest.h>

#include "centrala/store/bot_store.hpp"
#include "temp_store.hpp"

using namespace centrala;
using namespace centrala::store;

namespace {
class BotStoreTest : public ::testing::Test {
protected:
    static KnowledgeVersion version(const std::string& body, const std::string& source = "api") {
        KnowledgeVersion v;
        v.body = body;
        v.sha256 = "sha-" + body;
        v.source = source;
        v.created_at = from_unix_ms(1'700'000'000'000);
        v.author = source == "config" ? "config/knowledge.json" : "admin";
        return v;
    }
    centrala::testing::TempStore db_;
};
}  // namespace

TEST_F(BotStoreTest, VersionsAreNumberedAndTheNewestIsCurrent) {
    BotStore s(*db_);
    auto none = s.current_knowledge();
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
    auto v1 = s.add_knowledge(version("{\"a\":1}", "config"), std::nullopt);
    ASSERT_TRUE(v1.ok()) << v1.error().message;
    EXPECT_EQ(v1->version, 1);
    auto v2 = s.add_knowledge(version("{\"a\":2}"), 1);
    ASSERT_TRUE(v2.ok()) << v2.error().message;
    EXPECT_EQ(v2->version, 2);
    EXPECT_EQ(v2->bytes, 7);
    auto cur = s.current_knowledge();
    ASSERT_TRUE(cur.ok() && cur->has_value());
    EXPECT_EQ((*cur)->version, 2);
    EXPECT_EQ((*cur)->body, "{\"a\":2}");
    // Someone saved meanwhile: refused, nothing stored.
    auto stale = s.add_knowledge(version("{\"a\":3}"), 1);
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().code, "version_conflict");
    auto list = s.knowledge_versions(10, 0);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].version, 2);
    EXPECT_TRUE((*list)[0].body.empty()) << "listings carry no bodies";
    EXPECT_EQ((*list)[1].source, "config");
    auto old = s.knowledge_version(1);
    ASSERT_TRUE(old.ok());
    EXPECT_EQ(old->body, "{\"a\":1}");
    EXPECT_EQ(s.knowledge_version(7).error().kind, ErrorKind::not_found);
}

TEST_F(BotStoreTest, UnansweredPhrasesAreCountedPerLanguageMostFrequentFirst) {
    BotStore s(*db_);
    const auto t0 = from_unix_ms(1'700'000'000'000);
    ASSERT_TRUE(s.record_unanswered("pl", "gdzie jest kot", "Gdzie jest kot?", "other", 0, t0).ok());
    ASSERT_TRUE(s.record_unanswered("pl", "jak zyc", "jak żyć", "other", 100, t0).ok());
    ASSERT_TRUE(s.record_unanswered("pl", "jak zyc", "Jak żyć?!", "taxes", 300, t0 + std::chrono::minutes(5)).ok());
    ASSERT_TRUE(s.record_unanswered("en", "jak zyc", "jak zyc", "other", 0, t0).ok());
    auto pl = s.unanswered("pl", 50, 0);
    ASSERT_TRUE(pl.ok());
    ASSERT_EQ(pl->size(), 2u);
    EXPECT_EQ((*pl)[0].phrase, "jak zyc");
    EXPECT_EQ((*pl)[0].count, 2);
    EXPECT_EQ((*pl)[0].example, "Jak żyć?!") << "the latest wording";
    EXPECT_EQ((*pl)[0].best_topic, "taxes");
    EXPECT_EQ((*pl)[0].first_seen, t0);
    EXPECT_EQ((*pl)[0].last_seen, t0 + std::chrono::minutes(5));
    EXPECT_EQ(s.unanswered("", 50, 0)->size(), 3u);
    EXPECT_EQ(s.unanswered("", 1, 1)->size(), 1u);
    ASSERT_TRUE(s.forget_unanswered((*pl)[0].id).ok());
    EXPECT_EQ(s.forget_unanswered((*pl)[0].id).error().kind, ErrorKind::not_found);
    EXPECT_EQ(s.unanswered("pl", 50, 0)->size(), 1u);
}
