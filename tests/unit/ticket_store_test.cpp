#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "centrala/store/ticket_store.hpp"
#include "temp_store.hpp"

using namespace centrala;
using namespace centrala::store;

namespace {
class TicketStoreTest : public ::testing::Test {
protected:
    void SetUp() override { store_.emplace(*db_, db_.attachments_dir()); }
    TicketRow ticket(const std::string& subject, const std::string& description, const std::string& category = "oswietlenie") {
        TicketRow t;
        t.subject = subject;
        t.description = description;
        t.category = category;
        t.department = "interwencje";
        t.access_key_hash = "hash";
        t.created_at = now_;
        t.due_at = now_ + std::chrono::hours(8);
        return t;
    }
    TicketRow create(const std::string& subject, const std::string& description = "",
                     const std::string& category = "oswietlenie") {
        auto r = store_->create(ticket(subject, description, category), "MCK", 2026, Actor{std::nullopt, "test"});
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        return r.ok() ? *r : TicketRow{};
    }
    std::vector<std::string> search(const std::string& q) {
        TicketFilter f;
        f.q = q;
        f.limit = 100;
        auto r = store_->list(f);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        std::vector<std::string> out;
        if (r.ok())
            for (const auto& t : *r) out.push_back(t.subject);
        return out;
    }
    centrala::testing::TempStore db_;
    std::optional<TicketStore> store_;
    SysTime now_ = SysTime{std::chrono::sys_days{std::chrono::year{2026} / 2 / 13}} + std::chrono::hours(9);
};
}  // namespace

TEST_F(TicketStoreTest, NumbersAreGapFreePerYear) {
    EXPECT_EQ(create("a").number, "MCK-2026-000001");
    EXPECT_EQ(create("b").number, "MCK-2026-000002");
    auto next_year = store_->create(ticket("c", ""), "MCK", 2027, Actor{});
    ASSERT_TRUE(next_year.ok());
    EXPECT_EQ(next_year->number, "MCK-2027-000001");
    // A failed insert (a contact that does not exist) gives its number back.
    auto bad = ticket("d", "");
    bad.contact_id = 999999;
    EXPECT_FALSE(store_->create(bad, "MCK", 2026, Actor{}).ok());
    EXPECT_EQ(create("e").number, "MCK-2026-000003");
}

TEST_F(TicketStoreTest, FullTextFindsPolishWordsWithAndWithoutDiacritics) {
    create("Zepsuta latarnia", "Latarnia przy ulicy Żółkiewskiego nie świeci od tygodnia.");
    create("Dziura w jezdni", "Głęboka dziura na skrzyżowaniu z ulicą Łódzką.");
    create("Opłata za śmieci", "Pytanie o zaległą opłatę za odpady.");
    EXPECT_EQ(search("latarnia"), std::vector<std::string>{"Zepsuta latarnia"});
    EXPECT_EQ(search("Żółkiewskiego"), std::vector<std::string>{"Zepsuta latarnia"});
    EXPECT_EQ(search("zolkiewskiego"), std::vector<std::string>{"Zepsuta latarnia"});
    EXPECT_EQ(search("swieci"), std::vector<std::string>{"Zepsuta latarnia"});
    EXPECT_EQ(search("lodzka"), std::vector<std::string>{"Dziura w jezdni"});
    EXPECT_EQ(search("ŁÓDZKĄ"), std::vector<std::string>{"Dziura w jezdni"});
    // Inflected forms: stems match (latarni / latarnię, opłaty / opłatę).
    EXPECT_EQ(search("latarni"), std::vector<std::string>{"Zepsuta latarnia"});
    EXPECT_EQ(search("opłaty"), std::vector<std::string>{"Opłata za śmieci"});
    // Every word must match.
    EXPECT_EQ(search("dziura skrzyżowanie"), std::vector<std::string>{"Dziura w jezdni"});
    EXPECT_TRUE(search("dziura latarnia").empty());
    EXPECT_TRUE(search("rower").empty());
    // Query syntax in the input is text, not FTS operators.
    EXPECT_EQ(search("latarnia\" NEAR(*"), std::vector<std::string>{});
    EXPECT_EQ(search("\"latarnia\""), std::vector<std::string>{"Zepsuta latarnia"});
    EXPECT_TRUE(search("!!! ***").empty());
}

TEST_F(TicketStoreTest, CommentsAreSearchable) {
    auto t = create("Sprawa bez opisu");
    TicketComment c;
    c.ticket_id = t.id;
    c.body = "Mieszkaniec dosłał zdjęcie hydrantu.";
    c.internal = true;
    c.created_at = now_;
    ASSERT_TRUE(store_->add_comment(c).ok());
    EXPECT_EQ(search("hydrantu"), std::vector<std::string>{"Sprawa bez opisu"});
    EXPECT_EQ(search("zdjecie"), std::vector<std::string>{"Sprawa bez opisu"});
    auto pub = store_->comments(t.id, false);
    ASSERT_TRUE(pub.ok());
    EXPECT_TRUE(pub->empty());
    c.ticket_id = 424242;
    EXPECT_FALSE(store_->add_comment(c).ok());
}

TEST_F(TicketStoreTest, WorkflowAndHistory) {
    auto t = create("Latarnia");
    TicketChange to_resolved;
    to_resolved.status = "resolved";
    auto refused = store_->update(t.id, to_resolved, Actor{std::nullopt, "anna"}, now_);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, "invalid_transition");
    EXPECT_NE(refused.error().message.find("assigned"), std::string::npos);
    for (const char* s : {"assigned", "in_progress", "waiting_resident", "in_progress", "resolved", "in_progress",
                          "resolved", "closed"}) {
        TicketChange ch;
        ch.status = s;
        auto r = store_->update(t.id, ch, Actor{std::nullopt, "anna"}, now_ + std::chrono::minutes(1));
        ASSERT_TRUE(r.ok()) << s << ": " << r.error().message;
        EXPECT_EQ(r->status, s);
    }
    TicketChange reopen;
    reopen.status = "in_progress";
    auto closed = store_->update(t.id, reopen, Actor{std::nullopt, "anna"}, now_);
    ASSERT_FALSE(closed.ok());
    EXPECT_EQ(closed.error().kind, ErrorKind::conflict);
    auto h = store_->history(t.id);
    ASSERT_TRUE(h.ok());
    ASSERT_EQ(h->size(), 9u);  // created + eight moves
    EXPECT_EQ(h->back().old_value, std::optional<std::string>("resolved"));
    EXPECT_EQ(h->back().new_value, std::optional<std::string>("closed"));
    EXPECT_EQ(h->back().actor, "anna");
    auto row = store_->get(t.id);
    ASSERT_TRUE(row.ok());
    EXPECT_TRUE(row->closed_at.has_value());
}

TEST_F(TicketStoreTest, RetentionErasesContactDataAfterClosing) {
    auto old_t = ticket("Stara sprawa", "");
    old_t.resident_name = "Jan Kowalski";
    old_t.resident_phone = "+48 600 100 200";
    old_t.resident_email = "jan@example.pl";
    auto a = store_->create(old_t, "MCK", 2026, Actor{});
    auto b = store_->create(old_t, "MCK", 2026, Actor{});  // stays open
    auto c = store_->create(old_t, "MCK", 2026, Actor{});  // a category with a longer retention
    c->category = "podatek";
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    ASSERT_TRUE(db_->exec("UPDATE tickets SET category = 'podatek' WHERE id = " + std::to_string(c->id)).ok());
    for (auto id : {a->id, c->id})
        for (const char* s : {"assigned", "in_progress", "resolved", "closed"}) {
            TicketChange ch;
            ch.status = s;
            ASSERT_TRUE(store_->update(id, ch, Actor{}, now_).ok());
        }
    const std::map<std::string, int> by_cat = {{"podatek", 100}};
    // Not yet: 29 days after closing with a 30-day retention.
    auto none = store_->erase_expired(now_ + std::chrono::days(29), 30, by_cat, 100);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty());
    auto erased = store_->erase_expired(now_ + std::chrono::days(31), 30, by_cat, 100);
    ASSERT_TRUE(erased.ok());
    EXPECT_EQ(*erased, std::vector<std::string>{a->number});
    auto row = store_->get(a->id);
    EXPECT_EQ(row->resident_name, "");
    EXPECT_EQ(row->resident_phone, "");
    EXPECT_EQ(row->resident_email, "");
    EXPECT_TRUE(row->resident_erased_at.has_value());
    EXPECT_EQ(store_->get(b->id)->resident_name, "Jan Kowalski");
    EXPECT_EQ(store_->get(c->id)->resident_name, "Jan Kowalski");
    // Done once: a second pass finds nothing.
    EXPECT_TRUE(store_->erase_expired(now_ + std::chrono::days(31), 30, by_cat, 100)->empty());
    EXPECT_EQ(*store_->erase_expired(now_ + std::chrono::days(101), 30, by_cat, 100),
              std::vector<std::string>{c->number});
}

TEST_F(TicketStoreTest, ResidentExportAndErase) {
    auto t = ticket("Moja sprawa", "");
    t.resident_name = "Ołena Шевченко";
    t.resident_phone = "600100200";
    t.resident_email = "Olena@Example.pl";
    auto a = store_->create(t, "MCK", 2026, Actor{});
    t.resident_phone = "";
    auto b = store_->create(t, "MCK", 2026, Actor{});
    auto other = ticket("Cudza sprawa", "");
    other.resident_phone = "700700700";
    auto c = store_->create(other, "MCK", 2026, Actor{});
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    auto found = store_->by_resident("", "olena@example.pl");
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->size(), 2u);
    EXPECT_EQ(store_->by_resident("600100200", "")->size(), 1u);
    EXPECT_TRUE(store_->by_resident("", "")->empty());
    auto erased = store_->erase_resident("600100200", "olena@example.pl", now_);
    ASSERT_TRUE(erased.ok());
    EXPECT_EQ(erased->size(), 2u);
    EXPECT_TRUE(store_->by_resident("600100200", "olena@example.pl")->empty());
    EXPECT_EQ(store_->get(c->id)->resident_phone, "700700700");
}

TEST_F(TicketStoreTest, AttachmentsLiveInTheirDirectoryNamedById) {
    auto t = create("Zdjęcie");
    TicketAttachment a;
    a.ticket_id = t.id;
    a.file_name = "zdjecie.png";
    a.content_type = "image/png";
    a.size = 4;
    a.sha256 = "x";
    a.created_at = now_;
    auto stored = store_->add_attachment(a, "\x89PNG", 2);
    ASSERT_TRUE(stored.ok());
    EXPECT_TRUE(std::filesystem::exists(db_.attachments_dir() + "/" + std::to_string(stored->id) + ".bin"));
    EXPECT_EQ(*store_->attachment_bytes(stored->id), "\x89PNG");
    ASSERT_TRUE(store_->add_attachment(a, "\x89PNG", 2).ok());
    auto third = store_->add_attachment(a, "\x89PNG", 2);
    ASSERT_FALSE(third.ok());
    EXPECT_EQ(third.error().code, "too_many_attachments");
    EXPECT_EQ(store_->attachments(t.id)->size(), 2u);
}

TEST_F(TicketStoreTest, FiltersAndOrder) {
    auto a = create("A");
    auto b = create("B", "", "dziura_w_jezdni");
    ASSERT_TRUE(db_->exec("UPDATE tickets SET due_at = 0 WHERE id = " + std::to_string(b.id)).ok());
    TicketFilter f;
    f.now = now_;
    f.overdue = true;
    auto over = store_->list(f);
    ASSERT_EQ(over->size(), 1u);
    EXPECT_EQ(over->front().id, b.id);
    TicketFilter by_cat;
    by_cat.category = "oswietlenie";
    EXPECT_EQ(store_->list(by_cat)->size(), 1u);
    TicketFilter due;
    due.sort = "due";
    EXPECT_EQ(store_->list(due)->front().id, b.id);
    TicketFilter newest;
    EXPECT_EQ(newest.sort, "created");
    EXPECT_EQ(store_->list(newest)->front().id, b.id);
    TicketFilter unassigned;
    unassigned.assignee_id = 0;
    EXPECT_EQ(store_->list(unassigned)->size(), 2u);
    TicketFilter page;
    page.limit = 1;
    page.offset = 1;
    EXPECT_EQ(store_->list(page)->front().id, a.id);
}
