// The store side of a chat the resident ends (ChatStore::end_open,
// set_disposition) and of the cases beside a chat (HistoryStore::cases).
#include <gtest/gtest.h>

#include <optional>

#include "centrala/store/chat_store.hpp"
#include "centrala/store/history_store.hpp"
#include "centrala/store/ticket_store.hpp"
#include "temp_store.hpp"

using namespace centrala;
using namespace centrala::store;

namespace {

class ChatEndStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        chats_.emplace(*db_);
        tickets_.emplace(*db_, db_.attachments_dir());
        history_.emplace(*db_);
    }

    int64_t contact(const std::string& state, const std::string& key_hash = {}) {
        ContactRow c;
        c.state = state;
        c.created_at = now_;
        c.resident_key_hash = key_hash;
        auto id = chats_->create_contact(c, "visitor-" + std::to_string(++seq_));
        EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
        return id.ok() ? *id : 0;
    }
    std::string ticket(int64_t contact_id, const std::string& subject, SysTime created) {
        TicketRow t;
        t.subject = subject;
        t.category = "podatek_nieruchomosci";
        t.department = "podatki";
        t.access_key_hash = "hash";
        t.created_at = created;
        t.due_at = created + std::chrono::hours(80);
        t.contact_id = contact_id;
        auto r = tickets_->create(t, "MCK", 2026, Actor{std::nullopt, "test"});
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        return r.ok() ? r->number : "";
    }

    centrala::testing::TempStore db_;
    std::optional<ChatStore> chats_;
    std::optional<TicketStore> tickets_;
    std::optional<HistoryStore> history_;
    TicketScope everything_{true, 0, ""};
    SysTime now_ = from_unix_ms(1'770'000'000'000);
    int seq_ = 0;
};

TEST_F(ChatEndStoreTest, AnOpenChatEndsOnceAndAnEndedOneIsLeftAsItIs) {
    const int64_t waiting = contact("waiting");
    auto first = chats_->end_open(waiting, "abandoned", now_);
    ASSERT_TRUE(first.ok());
    EXPECT_TRUE(*first);
    auto row = chats_->contact(waiting);
    ASSERT_TRUE(row.ok());
    EXPECT_EQ(row->state, "abandoned");
    ASSERT_TRUE(row->closed_at.has_value());
    EXPECT_EQ(*row->closed_at, now_);

    // A second end changes nothing, not even the time.
    auto second = chats_->end_open(waiting, "closed", now_ + std::chrono::minutes(5));
    ASSERT_TRUE(second.ok());
    EXPECT_FALSE(*second);
    row = chats_->contact(waiting);
    EXPECT_EQ(row->state, "abandoned");
    EXPECT_EQ(*row->closed_at, now_);

    // Ended chats are not restored after a restart.
    const int64_t active = contact("active");
    auto open = chats_->open_contacts();
    ASSERT_TRUE(open.ok());
    ASSERT_EQ(open->size(), 1u);
    EXPECT_EQ(open->front().id, active);
}

TEST_F(ChatEndStoreTest, TheTopicIsGivenOnceAndOnlyToAClosedChat) {
    const int64_t id = contact("active");
    auto early = chats_->set_disposition(id, "taxes", "");
    ASSERT_TRUE(early.ok());
    EXPECT_FALSE(*early) << "an open chat is closed with its topic, not given one";
    ASSERT_TRUE(chats_->end_open(id, "closed", now_).ok());
    auto set = chats_->set_disposition(id, "taxes", "Raty");
    ASSERT_TRUE(set.ok());
    EXPECT_TRUE(*set);
    auto again = chats_->set_disposition(id, "vehicles", "");
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(*again);
    auto row = chats_->contact(id);
    EXPECT_EQ(row->disposition, "taxes");
    EXPECT_EQ(row->close_note, "Raty");

    const int64_t abandoned = contact("waiting");
    ASSERT_TRUE(chats_->end_open(abandoned, "abandoned", now_).ok());
    EXPECT_FALSE(*chats_->set_disposition(abandoned, "taxes", ""));
}

TEST_F(ChatEndStoreTest, CasesBesideAChatAreTheResidentsNewestFirstAndBounded) {
    const int64_t earlier = contact("closed", "key-a");
    const int64_t current = contact("active", "key-a");
    const int64_t stranger = contact("closed", "key-b");
    const int64_t keyless = contact("active");
    for (int i = 0; i < 24; ++i) ticket(earlier, "Sprawa " + std::to_string(i), now_ + std::chrono::minutes(i));
    const std::string newest = ticket(current, "Z bieżącej rozmowy", now_ + std::chrono::hours(1));
    ticket(stranger, "Cudza", now_ + std::chrono::hours(2));
    const std::string own = ticket(keyless, "Bez klucza", now_);

    auto cases = history_->cases(current, 20, everything_);
    ASSERT_TRUE(cases.ok());
    ASSERT_EQ(cases->size(), 20u);
    EXPECT_EQ(cases->front().number, newest);
    EXPECT_EQ(cases->front().contact_id, current);
    EXPECT_EQ(cases->front().department, "podatki");
    EXPECT_EQ((*cases)[1].subject, "Sprawa 23");
    for (size_t i = 1; i < cases->size(); ++i) EXPECT_GE((*cases)[i - 1].created_at, (*cases)[i].created_at);
    for (const auto& c : *cases) EXPECT_NE(c.subject, "Cudza");

    // Without a resident key: the chat's own cases only.
    auto alone = history_->cases(keyless, 20, everything_);
    ASSERT_TRUE(alone.ok());
    ASSERT_EQ(alone->size(), 1u);
    EXPECT_EQ(alone->front().number, own);
}

// The list beside a chat follows ticket_scope, the cases panel's one rule: a
// consultant sees the cases of the resident they serve now, and nobody else's.
TEST_F(ChatEndStoreTest, CasesBesideAChatFollowTheCaseScope) {
    const int64_t earlier = contact("closed", "key-a");
    const int64_t current = contact("active", "key-a");
    const std::string old_case = ticket(earlier, "Z wcześniejszej rozmowy", now_);
    ASSERT_TRUE(db_->exec("INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at, "
                          "password_changed_at) VALUES (7, 'ewa', 'Ewa', 'agent', 'x', 0, 0, 0)")
                    .ok());
    const TicketScope ewa{false, 7, ""};
    auto before = history_->cases(current, 20, ewa);
    ASSERT_TRUE(before.ok());
    EXPECT_TRUE(before->empty()) << "not serving the resident: their cases stay hidden";

    ASSERT_TRUE(db_->exec("INSERT INTO contact_agents (contact_id, user_id, joined_at) VALUES (" + std::to_string(current) +
                          ", 7, 0)")
                    .ok());
    auto serving = history_->cases(current, 20, ewa);
    ASSERT_TRUE(serving.ok());
    ASSERT_EQ(serving->size(), 1u);
    EXPECT_EQ(serving->front().number, old_case);
    // ...and the same case opens in the cases panel (TicketStore::get under the same scope).
    EXPECT_TRUE(tickets_->get(serving->front().id, ewa).ok());

    ASSERT_TRUE(db_->exec("UPDATE contact_agents SET left_at = 1 WHERE user_id = 7").ok());
    ASSERT_TRUE(db_->exec("UPDATE contacts SET state = 'closed' WHERE id = " + std::to_string(current)).ok());
    // Having served the current chat keeps its own cases; the resident's older ones go.
    auto after = history_->cases(current, 20, ewa);
    ASSERT_TRUE(after.ok());
    EXPECT_TRUE(after->empty());
}

}  // namespace
