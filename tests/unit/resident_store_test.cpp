// The resident's conversations and advisor phrases for a data request, on a
// real SQLite file: which chats are found (own, same browser, by text), what
// their erasure changes, and what it leaves.
#include <gtest/gtest.h>

#include "centrala/store/resident_store.hpp"
#include "temp_store.hpp"

using namespace centrala;
using namespace centrala::store;

namespace {

class ResidentStoreTest : public ::testing::Test {
protected:
    void chat(int64_t id, const std::string& name, const char* key) {
        auto st = db_->prepare(
            "INSERT INTO contacts (id, channel, state, resident_name, resident_key_hash, address, summary, created_at) "
            "VALUES (?, 'chat', 'closed', ?, ?, '10.0.0.1', 'podsumowanie', 1)");
        ASSERT_TRUE(st.ok());
        st->bind(1, id).bind(2, name);
        if (key) st->bind(3, std::string(key));
        else st->bind_null(3);
        ASSERT_TRUE(st->run().ok());
    }
    void says(int64_t chat, const std::string& body, const std::string& kind = "resident") {
        auto st = db_->prepare("INSERT INTO messages (contact_id, author_kind, author_name, body, created_at) VALUES (?, ?, ?, ?, 1)");
        ASSERT_TRUE(st.ok());
        st->bind(1, chat).bind(2, kind).bind(3, kind == "resident" ? "Jan Kowalski" : "").bind(4, body);
        ASSERT_TRUE(st->run().ok());
    }
    std::vector<std::string> bodies(int64_t chat) {
        auto st = db_->prepare("SELECT body FROM messages WHERE contact_id = ? ORDER BY id");
        st->bind(1, chat);
        std::vector<std::string> out;
        while (*st->step()) out.push_back(st->text(0));
        return out;
    }
    centrala::testing::TempStore db_;
};

TEST_F(ResidentStoreTest, FindsOwnBrowserAndTextChatsAndErasesEachAsDocumented) {
    chat(1, "Jan Kowalski", "key-jan");  // the case's chat
    says(1, "Dzień dobry");
    chat(2, "Jan", "key-jan");  // the same browser, no case
    says(2, "Mieszkam na Lipowej 5");
    chat(3, "", nullptr);  // the phone in the text, written otherwise
    says(3, "Oddzwońcie: 0048 600-100-200. Jan Kowalski");
    says(3, "Dziękuję", "bot");
    chat(4, "", nullptr);  // the e-mail, other case
    says(4, "mail JAN@example.PL");
    chat(5, "Ola", "key-ola");  // someone else: another number with the same digits in another order
    says(5, "Mój numer 601 200 300, 200 100 600, jan@example.com");

    ResidentKeys keys;
    keys.phone = "600100200";
    keys.email = "jan@example.pl";
    keys.names = {"Jan Kowalski"};
    keys.own_contacts = {1};
    ChatScanStats stats;
    ResidentStore store(*db_);
    auto found = store.chats(keys, true, &stats);
    ASSERT_TRUE(found.ok()) << found.error().message;
    ASSERT_EQ(found->size(), 4u);
    EXPECT_EQ((*found)[0].found_by, std::vector<std::string>{"case"});
    EXPECT_EQ((*found)[1].found_by, std::vector<std::string>{"browser"});
    EXPECT_EQ((*found)[2].found_by, std::vector<std::string>{"text"});
    EXPECT_EQ((*found)[3].found_by, std::vector<std::string>{"text"});
    EXPECT_EQ((*found)[2].messages.size(), 2u);
    EXPECT_EQ(stats.matches, 2);
    EXPECT_GE(stats.candidates, 2);

    ASSERT_TRUE(db_->exec("BEGIN").ok());
    auto changed = store.erase_chats(*found, keys);
    ASSERT_TRUE(db_->exec("COMMIT").ok());
    ASSERT_TRUE(changed.ok());
    EXPECT_EQ(bodies(1), std::vector<std::string>{"[usunięto]"});
    EXPECT_EQ(bodies(2), std::vector<std::string>{"[usunięto]"});
    EXPECT_EQ(bodies(3), (std::vector<std::string>{"Oddzwońcie: [usunięto]. [usunięto]", "Dziękuję"}));
    EXPECT_EQ(bodies(4), std::vector<std::string>{"mail [usunięto]"});
    EXPECT_EQ(bodies(5), std::vector<std::string>{"Mój numer 601 200 300, 200 100 600, jan@example.com"});
    // The browser's chats lose the name, key, address and summary; Ola's keep theirs.
    auto st = db_->prepare("SELECT id, resident_name, COALESCE(resident_key_hash, ''), address, summary FROM contacts ORDER BY id");
    std::vector<std::string> rows;
    while (*st->step())
        rows.push_back(std::to_string(st->int64(0)) + "|" + st->text(1) + "|" + st->text(2) + "|" + st->text(3) + "|" + st->text(4));
    EXPECT_EQ(rows, (std::vector<std::string>{"1||||", "2||||", "3|||10.0.0.1|podsumowanie", "4|||10.0.0.1|podsumowanie",
                                              "5|Ola|key-ola|10.0.0.1|podsumowanie"}));
    // Found again: nothing of theirs (the browser key is gone, the texts are redacted).
    keys.own_contacts.clear();
    EXPECT_TRUE(store.chats(keys, false)->empty());
}

TEST_F(ResidentStoreTest, AdvisorPhrasesHoldingTheEmailAreDeleted) {
    ASSERT_TRUE(db_->exec("INSERT INTO bot_unanswered (lang, phrase, example, first_seen, last_seen) VALUES "
                          "('pl', 'pisz jan kowalski example pl', 'pisz Jan.Kowalski@example.pl', 1, 1), "
                          "('pl', 'inna sprawa', 'inna sprawa', 1, 1)")
                    .ok());
    ResidentStore store(*db_);
    EXPECT_EQ(*store.count_advisor_phrases("jan.kowalski@example.pl", "jan kowalski example pl"), 1);
    EXPECT_EQ(*store.erase_advisor_phrases("jan.kowalski@example.pl", "jan kowalski example pl"), 1);
    EXPECT_EQ(*store.count_advisor_phrases("jan.kowalski@example.pl", "jan kowalski example pl"), 0);
    EXPECT_EQ(*store.erase_advisor_phrases("", ""), 0);
    auto left = db_->prepare("SELECT count(*) FROM bot_unanswered");
    ASSERT_TRUE(*left->step());
    EXPECT_EQ(left->int64(0), 1);
}

}  // namespace
