// The appointment store on a real SQLite file: places per counter, the
// per-resident limit, cancelling and moving, reminders' delivery log.
#include <gtest/gtest.h>

#include "centrala/store/appointment_store.hpp"
#include "temp_store.hpp"

using namespace centrala;
using namespace centrala::store;
using namespace std::chrono;

namespace {

class AppointmentStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        store_.emplace(*db_, [this] { return codes_.empty() ? std::string("ZZZZZZZZ") : next_code(); });
    }
    std::string next_code() {
        auto c = codes_.front();
        codes_.erase(codes_.begin());
        return c;
    }
    NewBooking booking(const std::string& phone, SysTime start, int counters = 2) {
        NewBooking b;
        b.row.service_id = "vehicle_registration";
        b.row.start = start;
        b.row.end = start + minutes{15};
        b.row.name = "Jan Kowalski";
        b.row.phone = phone;
        b.counters = counters;
        b.max_future_bookings = 2;
        b.now = now_;
        return b;
    }

    centrala::testing::TempStore db_;
    std::optional<AppointmentStore> store_;
    std::vector<std::string> codes_ = {"AAAA2222", "AAAA3333", "AAAA4444", "AAAA5555", "AAAA6666", "AAAA7777"};
    SysTime now_ = from_unix_ms(1'772'000'000'000);
    SysTime slot_ = now_ + hours{24};
};

}  // namespace

TEST_F(AppointmentStoreTest, CountersAreFilledInOrderAndAFullSlotIsAConflict) {
    auto a = store_->book(booking("+48600000001", slot_));
    auto b = store_->book(booking("+48600000002", slot_));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->counter, 1);
    EXPECT_EQ(b->counter, 2);
    auto c = store_->book(booking("+48600000003", slot_));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, "slot_full");
    EXPECT_EQ(c.error().kind, ErrorKind::conflict);
    auto taken = store_->taken("vehicle_registration", slot_, slot_ + minutes{15});
    ASSERT_TRUE(taken.ok());
    EXPECT_EQ(taken->at(to_unix_ms(slot_)), 2);

    // Cancelling frees exactly that counter.
    ASSERT_TRUE(store_->cancel(a->code, now_).ok());
    auto d = store_->book(booking("+48600000003", slot_));
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->counter, 1);
    EXPECT_EQ(store_->cancel(a->code, now_).error().code, "not_cancellable");
}

TEST_F(AppointmentStoreTest, OneResidentHoldsAtMostTheConfiguredNumberOfUpcomingVisits) {
    ASSERT_TRUE(store_->book(booking("+48600000001", slot_)).ok());
    ASSERT_TRUE(store_->book(booking("+48600000001", slot_ + minutes{15})).ok());
    auto third = store_->book(booking("+48600000001", slot_ + minutes{30}));
    ASSERT_FALSE(third.ok());
    EXPECT_EQ(third.error().code, "too_many_bookings");
    // By e-mail too: the same address under another phone is the same resident.
    auto a = booking("+48600000009", slot_ + hours{2});
    a.row.email = "jan@example.pl";
    ASSERT_TRUE(store_->book(a).ok());
    auto b = booking("", slot_ + hours{3});
    b.row.email = "jan@example.pl";
    auto booked_b = store_->book(b);
    ASSERT_TRUE(booked_b.ok());
    auto c = booking("+48600000008", slot_ + hours{4});
    c.row.email = "jan@example.pl";
    EXPECT_EQ(store_->book(c).error().code, "too_many_bookings");
    // A cancelled visit no longer counts.
    ASSERT_TRUE(store_->cancel(booked_b->code, now_).ok());
    EXPECT_TRUE(store_->book(c).ok());
    // Another service is counted apart.
    auto other = booking("+48600000001", slot_ + minutes{30});
    other.row.service_id = "driving_licence";
    EXPECT_TRUE(store_->book(other).ok());
}

TEST_F(AppointmentStoreTest, MovingKeepsTheCodeAndFreesTheOldPlace) {
    auto a = store_->book(booking("+48600000001", slot_, 1));
    ASSERT_TRUE(a.ok());
    auto moved = store_->move(a->code, slot_ + hours{1}, slot_ + hours{1} + minutes{15}, 1, now_);
    ASSERT_TRUE(moved.ok()) << moved.error().message;
    EXPECT_EQ(moved->code, a->code);
    EXPECT_EQ(moved->start, slot_ + hours{1});
    EXPECT_EQ(moved->sequence, 1);
    EXPECT_TRUE(store_->book(booking("+48600000002", slot_, 1)).ok());
    EXPECT_EQ(store_->move(a->code, slot_, slot_ + minutes{15}, 1, now_).error().code, "slot_full");
}

TEST_F(AppointmentStoreTest, RemindersAreDueOnceDeliveredAndRetriedUntilGivenUp) {
    auto a = store_->book(booking("+48600000001", slot_));
    auto b = store_->book(booking("+48600000002", slot_ + minutes{15}));
    ASSERT_TRUE(a.ok() && b.ok());
    const SysTime from = slot_ - hours{1}, to = slot_ + hours{1};
    auto due = store_->due_reminders(from, to, now_, 10);
    ASSERT_TRUE(due.ok());
    ASSERT_EQ(due->size(), 2u);
    ASSERT_TRUE(store_->record_attempt(a->id, now_, true, 200, "", std::nullopt).ok());
    ASSERT_TRUE(store_->record_attempt(b->id, now_, false, 503, "HTTP 503", now_ + seconds{60}).ok());
    EXPECT_TRUE(store_->due_reminders(from, to, now_ + seconds{30}, 10)->empty());
    due = store_->due_reminders(from, to, now_ + seconds{60}, 10);
    ASSERT_EQ(due->size(), 1u);
    EXPECT_EQ((*due)[0].appointment.id, b->id);
    EXPECT_EQ((*due)[0].attempts, 1);
    ASSERT_TRUE(store_->record_attempt(b->id, now_ + seconds{60}, false, 0, "connect: refused", std::nullopt).ok());
    EXPECT_TRUE(store_->due_reminders(from, to, now_ + hours{1}, 10)->empty());
    auto log = store_->reminders(from, to, 10, 0);
    ASSERT_TRUE(log.ok());
    ASSERT_EQ(log->size(), 2u);
    EXPECT_EQ((*log)[0].state, "sent");
    EXPECT_EQ((*log)[1].state, "failed");
    EXPECT_EQ((*log)[1].attempts, 2);
    EXPECT_EQ((*log)[1].last_error, "connect: refused");
}

TEST_F(AppointmentStoreTest, ArrivalsAndNoShowsAreMarkedButNotOnCancelledVisits) {
    auto a = store_->book(booking("+48600000001", slot_));
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(store_->set_state(a->id, "arrived", now_)->state, "arrived");
    EXPECT_EQ(store_->set_state(a->id, "no_show", now_)->state, "no_show");
    auto b = store_->book(booking("+48600000002", slot_));
    ASSERT_TRUE(store_->cancel(b->code, now_).ok());
    EXPECT_EQ(store_->set_state(b->id, "arrived", now_).error().code, "invalid_transition");
    DayFilter f{{"vehicle_registration"}, slot_ - hours{1}, slot_ + hours{1}};
    EXPECT_EQ(store_->day(f)->size(), 1u);
    f.include_cancelled = true;
    EXPECT_EQ(store_->day(f)->size(), 2u);
}

TEST_F(AppointmentStoreTest, ErasureClearsTheContactDataCancelsOnlyFutureVisitsAndKeepsTheShell) {
    auto past = booking("+48600100200", slot_);
    past.row.email = "jan@example.pl";
    auto past_row = store_->book(past);
    ASSERT_TRUE(past_row.ok());
    ASSERT_TRUE(store_->set_state(past_row->id, "arrived", slot_ + minutes{5}).ok());
    auto future = store_->book(booking("+48600100200", slot_ + hours{48}));
    auto by_mail = booking("", slot_ + hours{72});
    by_mail.row.email = "jan@example.pl";
    auto mail_row = store_->book(by_mail);
    auto other = store_->book(booking("+48601200300", slot_ + hours{48}));
    ASSERT_TRUE(future.ok() && mail_row.ok() && other.ok());

    const SysTime later = slot_ + hours{1};  // the first visit is over, the others are ahead
    auto found = store_->by_resident({"600100200", "+48600100200"}, "JAN@example.pl");
    ASSERT_TRUE(found.ok());
    ASSERT_EQ(found->size(), 3u);
    auto cancelled = store_->erase_resident(*found, later);
    ASSERT_TRUE(cancelled.ok());
    EXPECT_EQ(*cancelled, (std::vector<std::string>{future->code, mail_row->code}));

    auto p = store_->by_id(past_row->id);
    EXPECT_EQ(p->state, "arrived");  // what happened stays, for the office's statistics
    EXPECT_EQ(p->name, "[usunięto]");
    EXPECT_EQ(p->phone, "");
    EXPECT_EQ(p->email, "");
    EXPECT_EQ(p->start, slot_);
    auto f = store_->by_id(future->id);
    EXPECT_EQ(f->state, "cancelled");
    EXPECT_EQ(f->name, "[usunięto]");
    // The freed place can be booked again; the other resident is untouched.
    EXPECT_TRUE(store_->book(booking("+48602000000", slot_ + hours{48}, 2)).ok());
    auto o = store_->by_id(other->id);
    EXPECT_EQ(o->state, "booked");
    EXPECT_EQ(o->name, "Jan Kowalski");
    EXPECT_EQ(o->phone, "+48601200300");
    // Nothing is found by the phone or e-mail any more.
    EXPECT_TRUE(store_->by_resident({"600100200", "+48600100200"}, "jan@example.pl")->empty());
}
