#include <gtest/gtest.h>

#include <filesystem>

#include "centrala/store/migrations.hpp"

using namespace centrala;
using namespace centrala::store;

namespace {
struct TempDb {
    std::string path;
    TempDb() {
        path = (std::filesystem::temp_directory_path() /
                ("centrala-mig-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
                   .string();
        std::filesystem::remove(path);
    }
    ~TempDb() {
        for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
    }
    static inline int counter = 0;
};

bool table_exists(Database& db, const std::string& name) {
    auto st = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
    st->bind(1, name);
    (void)st->step();
    return st->int64(0) == 1;
}
}  // namespace

TEST(Migrations, ShippedFilesAreNumberedFromOneWithoutGaps) {
    const auto& all = embedded_migrations();
    ASSERT_FALSE(all.empty());
    for (size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(all[i].version, int(i) + 1);
        EXPECT_FALSE(all[i].sql.empty());
    }
}

TEST(Migrations, FreshDatabaseGetsEverySchemaVersion) {
    TempDb t;
    auto db = Database::open(t.path);
    ASSERT_TRUE(db.ok());
    auto v = migrate(*db);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(*v, embedded_migrations().back().version);
    EXPECT_EQ(*schema_version(*db), *v);
    EXPECT_TRUE(table_exists(*db, "users"));
    EXPECT_TRUE(table_exists(*db, "sessions"));
    EXPECT_TRUE(table_exists(*db, "audit_log"));
    auto st = db->prepare("SELECT count(*) FROM schema_migrations");
    (void)st->step();
    EXPECT_EQ(st->int64(0), int64_t(embedded_migrations().size()));
    // Running again changes nothing.
    EXPECT_EQ(*migrate(*db), *v);
}

TEST(Migrations, UpgradesFromEachEarlierVersion) {
    const auto& all = embedded_migrations();
    for (size_t k = 0; k < all.size(); ++k) {
        TempDb t;
        auto db = Database::open(t.path);
        ASSERT_TRUE(db.ok());
        std::vector<Migration> prefix(all.begin(), all.begin() + long(k));
        ASSERT_TRUE(migrate(*db, prefix).ok());
        EXPECT_EQ(*schema_version(*db), int(k));
        auto v = migrate(*db);
        ASSERT_TRUE(v.ok()) << "from version " << k << ": " << v.error().message;
        EXPECT_EQ(*v, all.back().version);
    }
}

TEST(Migrations, RefusesDatabaseNewerThanBinary) {
    TempDb t;
    auto db = Database::open(t.path);
    ASSERT_TRUE(migrate(*db).ok());
    ASSERT_TRUE(db->exec("PRAGMA user_version = 999").ok());
    auto r = migrate(*db);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "database_too_new");
    EXPECT_NE(r.error().message.find("999"), std::string::npos);
}

TEST(Migrations, FailedMigrationLeavesNothingBehind) {
    TempDb t;
    auto db = Database::open(t.path);
    std::vector<Migration> ms = {{1, "good", "CREATE TABLE a (x INTEGER);"},
                                 {2, "bad", "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);"}};
    auto r = migrate(*db, ms);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("migration 2 (bad) failed"), std::string::npos);
    EXPECT_EQ(*schema_version(*db), 1);
    EXPECT_TRUE(table_exists(*db, "a"));
    EXPECT_FALSE(table_exists(*db, "b"));
}

TEST(Database, UsesWalFullSyncAndForeignKeys) {
    TempDb t;
    auto db = Database::open(t.path);
    auto mode = db->prepare("PRAGMA journal_mode");
    (void)mode->step();
    EXPECT_EQ(mode->text(0), "wal");
    auto sync = db->prepare("PRAGMA synchronous");
    (void)sync->step();
    EXPECT_EQ(sync->int64(0), 2);  // FULL
    auto fk = db->prepare("PRAGMA foreign_keys");
    (void)fk->step();
    EXPECT_EQ(fk->int64(0), 1);
}
