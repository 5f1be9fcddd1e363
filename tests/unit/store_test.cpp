#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "centrala/store/staff_store.hpp"
#include "centrala/store/worker.hpp"
#include "temp_store.hpp"

using namespace centrala;
using namespace centrala::store;

namespace {
class StaffStoreTest : public ::testing::Test {
protected:
    User user(const std::string& name, Role role = Role::agent) {
        User u;
        u.username = name;
        u.display_name = "Zofia Łęcka-" + name;
        u.role = role;
        u.skills = {{"vehicles", 5}, {"pjm", 2}};
        u.capacity = default_capacity();
        return u;
    }
    centrala::testing::TempStore db_;
    SysTime now_ = from_unix_ms(1'780'000'000'000);
};
}  // namespace

TEST_F(StaffStoreTest, UsersRoundTripWithPolishText) {
    StaffStore s(*db_);
    auto created = s.insert_user(user("anna"), "$argon2id$x", now_);
    ASSERT_TRUE(created.ok()) << created.error().message;
    auto back = s.user_by_username("anna");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->user.display_name, "Zofia Łęcka-anna");
    EXPECT_EQ(back->user.skills.at("vehicles"), 5);
    EXPECT_EQ(back->user.capacity.at("chat"), 3);
    EXPECT_EQ(back->password_hash, "$argon2id$x");
    EXPECT_EQ(back->user.created_at, now_);
}

TEST_F(StaffStoreTest, DuplicateUsernameIsAConflict) {
    StaffStore s(*db_);
    ASSERT_TRUE(s.insert_user(user("anna"), "h", now_).ok());
    auto again = s.insert_user(user("anna"), "h", now_);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, "username_taken");
}

TEST_F(StaffStoreTest, UpdateChangesPasswordOnlyWhenGiven) {
    StaffStore s(*db_);
    auto u = s.insert_user(user("anna"), "old", now_);
    User changed = u->user;
    changed.role = Role::supervisor;
    ASSERT_TRUE(s.update_user(changed, std::nullopt, now_ + std::chrono::seconds(1)).ok());
    EXPECT_EQ(s.user_by_id(u->user.id)->password_hash, "old");
    EXPECT_EQ(s.user_by_id(u->user.id)->user.role, Role::supervisor);
    ASSERT_TRUE(s.update_user(changed, std::string("new"), now_ + std::chrono::seconds(2)).ok());
    EXPECT_EQ(s.user_by_id(u->user.id)->password_hash, "new");
    EXPECT_EQ(s.user_by_id(u->user.id)->password_changed_at, now_ + std::chrono::seconds(2));
    changed.id = 9999;
    EXPECT_EQ(s.update_user(changed, std::nullopt, now_).error().kind, ErrorKind::not_found);
}

TEST_F(StaffStoreTest, LiveSessionsExcludeRevokedExpiredAndDeactivated) {
    StaffStore s(*db_);
    auto a = s.insert_user(user("anna"), "h", now_);
    auto b = s.insert_user(user("bartek"), "h", now_);
    auto session = [&](const std::string& id, int64_t uid, SysTime expires) {
        return SessionRecord{id, uid, "csrf", now_, now_, expires, "127.0.0.1", "test"};
    };
    const auto later = now_ + std::chrono::hours(12);
    ASSERT_TRUE(s.insert_session(session("s1", a->user.id, later)).ok());
    ASSERT_TRUE(s.insert_session(session("s2", a->user.id, later)).ok());
    ASSERT_TRUE(s.insert_session(session("s3", a->user.id, now_ - std::chrono::seconds(1))).ok());
    ASSERT_TRUE(s.insert_session(session("s4", b->user.id, later)).ok());
    ASSERT_TRUE(s.revoke_session("s2", now_).ok());
    User off = b->user;
    off.active = false;
    ASSERT_TRUE(s.update_user(off, std::nullopt, now_).ok());
    auto live = s.live_sessions(now_);
    ASSERT_TRUE(live.ok());
    ASSERT_EQ(live->size(), 1u);
    EXPECT_EQ((*live)[0].id, "s1");
    ASSERT_TRUE(s.revoke_user_sessions(a->user.id, now_, "s1").ok());
    EXPECT_EQ(s.live_sessions(now_)->size(), 1u);
    ASSERT_TRUE(s.revoke_user_sessions(a->user.id, now_).ok());
    EXPECT_TRUE(s.live_sessions(now_)->empty());
}

TEST_F(StaffStoreTest, SessionForUnknownUserIsRefused) {
    StaffStore s(*db_);
    auto r = s.insert_session(SessionRecord{"x", 4242, "c", now_, now_, now_, "", ""});
    EXPECT_FALSE(r.ok());
}

TEST_F(StaffStoreTest, AuditLogPagesNewestFirst) {
    StaffStore s(*db_);
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(s.audit({0, now_, std::nullopt, "cli", "action" + std::to_string(i), "", "", "{}"}).ok());
    auto first = s.audit_page(0, 2);
    ASSERT_EQ(first->size(), 2u);
    EXPECT_EQ((*first)[0].action, "action4");
    auto next = s.audit_page(first->back().id, 10);
    ASSERT_EQ(next->size(), 3u);
    EXPECT_EQ(next->back().action, "action0");
    EXPECT_FALSE(s.audit({0, now_, std::nullopt, "cli", "x", "", "", "not json"}).ok());
}

TEST_F(StaffStoreTest, WritesSurviveReopening) {
    {
        StaffStore s(*db_);
        ASSERT_TRUE(s.insert_user(user("anna"), "h", now_).ok());
    }
    db_.close();
    auto db = Database::open(db_.path());
    StaffStore s(*db);
    EXPECT_TRUE(s.user_by_username("anna").ok());
}

TEST_F(StaffStoreTest, BackupCopiesALiveDatabase) {
    StaffStore s(*db_);
    ASSERT_TRUE(s.insert_user(user("anna"), "h", now_).ok());
    const auto copy = db_.path() + ".bak";
    ASSERT_TRUE(backup(*db_, copy).ok());
    auto db = Database::open(copy);
    EXPECT_TRUE(StaffStore(*db).user_by_username("anna").ok());
    std::filesystem::remove(copy);
}

TEST(Worker, RunsTasksInOrderAndDrainsOnStop) {
    std::vector<int> seen;
    {
        Worker w("test", 100);
        for (int i = 0; i < 50; ++i) ASSERT_TRUE(w.post([&seen, i] { seen.push_back(i); }));
        w.stop();
        EXPECT_FALSE(w.post([] {}));
    }
    ASSERT_EQ(seen.size(), 50u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(seen[i], i);
}

TEST(Worker, RefusesWorkBeyondItsBound) {
    std::atomic<bool> release{false};
    Worker w("test", 2);
    ASSERT_TRUE(w.post([&] {
        while (!release) std::this_thread::yield();
    }));
    // The first task may or may not have been taken off the queue yet.
    int accepted = 0;
    for (int i = 0; i < 5; ++i) accepted += w.post([] {}) ? 1 : 0;
    EXPECT_LE(accepted, 2);
    EXPECT_GE(accepted, 1);
    release = true;
}
