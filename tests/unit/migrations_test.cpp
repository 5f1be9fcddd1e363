#include <gtest/gtest.h>

#include "../support/temp_dir.hpp"
#include "centrala/store/migrations.hpp"

using namespace centrala;
using namespace centrala::store;

namespace {
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
    centrala::testing::TempDir t;
    auto db = Database::open(t.file("centrala.db"));
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
        centrala::testing::TempDir t;
        auto db = Database::open(t.file("centrala.db"));
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
    centrala::testing::TempDir t;
    auto db = Database::open(t.file("centrala.db"));
    ASSERT_TRUE(migrate(*db).ok());
    ASSERT_TRUE(db->exec("PRAGMA user_version = 999").ok());
    auto r = migrate(*db);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "database_too_new");
    EXPECT_NE(r.error().message.find("999"), std::string::npos);
}

TEST(Migrations, FailedMigrationLeavesNothingBehind) {
    centrala::testing::TempDir t;
    auto db = Database::open(t.file("centrala.db"));
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
    centrala::testing::TempDir t;
    auto db = Database::open(t.file("centrala.db"));
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

namespace {
std::vector<std::string> strings(Database& db, const std::string& sql) {
    std::vector<std::string> out;
    auto st = db.prepare(sql);
    EXPECT_TRUE(st.ok()) << sql;
    if (!st) return out;
    for (auto row = st->step(); row && *row; row = st->step()) out.push_back(st->is_null(0) ? "NULL" : st->text(0));
    return out;
}
// Every column of every case but source, one string per row.
const char* kTicketDump =
    "SELECT json_array(id, number, subject, description, category, department, priority, status, assignee_id, "
    "created_by, contact_id, lat, lon, address, attributes, resident_name, resident_phone, resident_email, "
    "resident_erased_at, access_key_hash, created_at, updated_at, due_at, resolved_at, closed_at, search_terms, "
    "media_url) FROM tickets ORDER BY id";
}  // namespace

// 0013 rebuilds the tickets table to allow source 'chat': the cases, their
// comments, history, attachments, indexes and the full-text index survive,
// and the cases the advisor filed before are recognised.
TEST(Migrations, TicketSourceChatKeepsEveryCaseAndMarksTheAdvisorsOnes) {
    const auto& all = embedded_migrations();
    ASSERT_GE(all.size(), 13u);
    ASSERT_EQ(all[12].version, 13);
    centrala::testing::TempDir t;
    auto db = Database::open(t.file("centrala.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(migrate(*db, std::vector<Migration>(all.begin(), all.begin() + 12)).ok());
    auto r = db->exec(R"sql(
        INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at, password_changed_at)
            VALUES (7, 'anna', 'Anna Nowak', 'agent', 'x', 1, 1, 1);
        INSERT INTO contacts (id, channel, state, created_at) VALUES (40, 'chat', 'closed', 1), (41, 'chat', 'bot', 2);
        -- A consultant's case from a chat, an Open311 request, the advisor's report
        -- (no creator, a chat), and a consultant's case without a chat.
        INSERT INTO tickets (id, number, subject, description, category, department, priority, status, created_by,
                             source, contact_id, address, access_key_hash, created_at, updated_at, due_at,
                             search_terms, media_url)
        VALUES (1, 'MCK-2026-000001', 'Wniosek', 'opis', 'vehicles', 'komunikacja', 'normal', 'new', 7,
                'staff', 40, '', 'h1', 10, 10, 100, 'wniosek rejestracja', ''),
               (2, 'MCK-2026-000002', 'Dziura', '', 'pothole', 'drogi', 'high', 'in_progress', NULL,
                'open311', NULL, 'ul. Długa 1', 'h2', 20, 25, 200, 'dziura jezdnia', 'https://example.org/a.jpg'),
               (3, 'MCK-2026-000003', 'Martwe zwierzę — Rynek', 'leży lis', 'dead_animal', 'srodowisko', 'normal',
                'new', NULL, 'staff', 41, 'Rynek 5', 'h3', 30, 30, 300, 'martwe zwierze lis rynek', ''),
               (4, 'MCK-2026-000004', 'Podatek', '', 'taxes', 'podatki', 'low', 'closed', 7,
                'staff', NULL, '', 'h4', 40, 50, 400, 'podatek', '');
        INSERT INTO ticket_comments (ticket_id, author_id, author_name, body, internal, created_at)
            VALUES (1, 7, 'Anna Nowak', 'Sprawdzam', 1, 11), (3, NULL, 'mieszkaniec', 'Nadal leży', 0, 31);
        INSERT INTO ticket_history (ticket_id, at, actor_id, actor, field, old_value, new_value)
            VALUES (1, 10, 7, 'anna', 'status', NULL, 'new'), (3, 30, NULL, 'resident', 'status', NULL, 'new');
        INSERT INTO ticket_attachments (ticket_id, file_name, content_type, size, sha256, created_at)
            VALUES (3, 'zdjecie.jpg', 'image/jpeg', 10, 'abc', 32);
    )sql");
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto before = strings(*db, kTicketDump);
    const char* kObjects =
        "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE tbl_name = 'tickets' "
        "ORDER BY type, name";
    const auto objects_before = strings(*db, kObjects);
    ASSERT_EQ(strings(*db, "SELECT source FROM tickets ORDER BY id"),
              (std::vector<std::string>{"staff", "open311", "staff", "staff"}));

    auto v = migrate(*db);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(*v, all.back().version);

    // Only the advisor's case changed, and only its source.
    EXPECT_EQ(strings(*db, "SELECT source FROM tickets ORDER BY id"),
              (std::vector<std::string>{"staff", "open311", "chat", "staff"}));
    EXPECT_EQ(strings(*db, kTicketDump), before);
    EXPECT_EQ(strings(*db, "SELECT count(*) FROM ticket_comments"), std::vector<std::string>{"2"});
    EXPECT_EQ(strings(*db, "SELECT count(*) FROM ticket_history"), std::vector<std::string>{"2"});
    EXPECT_EQ(strings(*db, "SELECT ticket_id FROM ticket_attachments"), std::vector<std::string>{"3"});
    // The same indexes and triggers (the CHECK aside, the table itself is the same).
    auto objects_after = strings(*db, kObjects);
    auto without_table = [](std::vector<std::string> v) {
        std::erase_if(v, [](const std::string& s) { return s.rfind("table ", 0) == 0; });
        return v;
    };
    EXPECT_EQ(without_table(objects_after), without_table(objects_before));
    EXPECT_EQ(without_table(objects_after).size(), 14u) << "10 indexes, the one behind UNIQUE (number), 3 full-text triggers";

    EXPECT_TRUE(strings(*db, "PRAGMA foreign_key_check").empty());
    EXPECT_EQ(strings(*db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    EXPECT_TRUE(db->exec("INSERT INTO tickets_fts (tickets_fts) VALUES ('integrity-check')").ok())
        << "the full-text index still matches the cases";
    EXPECT_EQ(strings(*db, "SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH 'lis'"),
              std::vector<std::string>{"3"});
    EXPECT_EQ(strings(*db, "PRAGMA foreign_keys"), std::vector<std::string>{"1"}) << "foreign keys are back on";

    // The triggers work on the new table, the new value is allowed, a wrong one is not,
    // and foreign keys still point at it.
    ASSERT_TRUE(db->exec("UPDATE tickets SET search_terms = search_terms || ' kot' WHERE id = 3").ok());
    EXPECT_EQ(strings(*db, "SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH 'kot'"),
              std::vector<std::string>{"3"});
    EXPECT_TRUE(db->exec("INSERT INTO tickets (number, subject, category, department, priority, status, source, "
                         "access_key_hash, created_at, updated_at, due_at, search_terms) VALUES ('MCK-2026-000005', "
                         "'x', 'other', 'ogolny', 'normal', 'new', 'chat', 'h', 1, 1, 1, 'latarnia')")
                    .ok());
    EXPECT_EQ(strings(*db, "SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH 'latarnia'"),
              std::vector<std::string>{"5"});
    EXPECT_FALSE(db->exec("INSERT INTO tickets (number, subject, category, department, priority, status, source, "
                          "access_key_hash, created_at, updated_at, due_at) VALUES ('MCK-2026-000006', 'x', "
                          "'other', 'ogolny', 'normal', 'new', 'fax', 'h', 1, 1, 1)")
                     .ok());
    EXPECT_FALSE(db->exec("INSERT INTO ticket_comments (ticket_id, body, internal, created_at) VALUES (99, 'x', 0, 1)")
                     .ok());
    EXPECT_FALSE(db->exec("DELETE FROM tickets WHERE id = 1").ok()) << "comments still reference case 1";
}

// A migration that would leave a dangling reference is not applied.
TEST(Migrations, MigrationBreakingAForeignKeyIsRolledBack) {
    centrala::testing::TempDir t;
    auto db = Database::open(t.file("centrala.db"));
    std::vector<Migration> ms = {
        {1, "parent", "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p (id));"},
        {2, "dangling", "INSERT INTO c VALUES (5);"}};
    auto r = migrate(*db, ms);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("migration 2 (dangling) would break a foreign key"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(*schema_version(*db), 1);
    EXPECT_EQ(strings(*db, "SELECT count(*) FROM c"), std::vector<std::string>{"0"});
    EXPECT_EQ(strings(*db, "PRAGMA foreign_keys"), std::vector<std::string>{"1"});
}
