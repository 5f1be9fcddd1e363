// bench_appointments: office appointments with 100,000 existing bookings.
//
//   month listing   what GET .../slots?from=&to= (31 days) costs: the pure
//                   calendar (bookable_slots) plus store::AppointmentStore::taken
//                   and the per-slot merge, against the bare SQLite baseline:
//                   the same GROUP BY on the same table through a prepared
//                   sqlite3 statement, without the calendar.
//   booking         store::AppointmentStore::book (checks the place and the
//                   resident's limit, picks a counter, inserts; one durable
//                   transaction, synchronous=FULL as the server runs), against
//                   the bare baseline: one INSERT per BEGIN IMMEDIATE/COMMIT on
//                   the bare sqlite3 API with the same pragmas.
//
// Figures are printed as rates and as ratios to the baseline measured in the
// same run; nothing is asserted. The database lives in $CENTRALA_BENCH_DIR
// (default: the temp directory): on tmpfs fsync costs nothing.
//
// Usage: bench_appointments [seconds per measurement, default 2]
#include <sqlite3.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "centrala/domain/appointments.hpp"
#include "centrala/store/appointment_store.hpp"
#include "centrala/store/migrations.hpp"

namespace fs = std::filesystem;
using namespace centrala;
using namespace std::chrono;

namespace {

constexpr int kExisting = 100'000;

// Runs f repeatedly for about `seconds`; returns operations per second.
double rate(double seconds, const std::function<void()>& f) {
    f();  // warm-up
    const auto start = steady_clock::now();
    long n = 0;
    while (duration<double>(steady_clock::now() - start).count() < seconds) {
        f();
        ++n;
    }
    return double(n) / duration<double>(steady_clock::now() - start).count();
}

void check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        std::exit(1);
    }
}

AppointmentService service(const std::string& id, int counters) {
    AppointmentService s;
    s.id = id;
    s.name = id;
    s.duration_minutes = 15;
    s.counters = counters;
    for (int d = 0; d < 5; ++d) s.hours.days[d] = {{7 * 60 + 30, 15 * 60 + 30}};
    s.hours.days[2] = {{7 * 60 + 30, 17 * 60}};
    s.horizon_days = 60;
    s.min_notice_minutes = 0;
    s.max_future_bookings = 5;
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    const char* env = std::getenv("CENTRALA_BENCH_DIR");
    const fs::path dir = env ? fs::path(env) : fs::temp_directory_path();
    const std::string path = (dir / ("centrala-appt-bench-" + std::to_string(::getpid()) + ".db")).string();
    auto cleanup = [&] {
        for (auto s : {"", "-wal", "-shm"}) fs::remove(path + s);
    };
    cleanup();
    struct statfs sfs{};
    statfs(dir.c_str(), &sfs);
    std::printf("bench_appointments: database %s%s\n", path.c_str(),
                sfs.f_type == 0x01021994 ? "  (WARNING: tmpfs, fsync costs nothing)" : "");

    const HolidayCalendar holidays(true, {}, {});
    const SysTime now = from_unix_ms(1'772'438'400'000);  // Monday 2026-03-02 08:00 UTC
    const Date from = warsaw_today(now), to = Date{sys_days{from} + days{30}};
    // 100,000 bookings: the measured service's month is full to 3 of its 4
    // counters, the rest spread over 40 other services and the following months.
    const auto measured = service("vehicle_registration", 4);
    {
        auto db = store::Database::open(path, store::Durability::normal);
        if (!db || !store::migrate(*db)) return 1;
        sqlite3* h = db->handle();
        check(sqlite3_exec(h, "BEGIN", nullptr, nullptr, nullptr), h, "begin");
        sqlite3_stmt* ins = nullptr;
        check(sqlite3_prepare_v2(h,
                                 "INSERT INTO appointments (code, service_id, start_at, end_at, counter, state, name, "
                                 "phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'booked', 'Jan Kowalski', ?, ?, ?)",
                                 -1, &ins, nullptr),
              h, "prepare");
        int n = 0;
        auto put = [&](const std::string& sid, SysTime start, int counter) {
            char code[16];
            std::snprintf(code, sizeof code, "B%07d", n);
            sqlite3_bind_text(ins, 1, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, sid.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins, 3, to_unix_ms(start));
            sqlite3_bind_int64(ins, 4, to_unix_ms(start + minutes{15}));
            sqlite3_bind_int(ins, 5, counter);
            const std::string phone = "+48" + std::to_string(500000000 + n);
            sqlite3_bind_text(ins, 6, phone.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins, 7, to_unix_ms(now));
            sqlite3_bind_int64(ins, 8, to_unix_ms(now));
            check(sqlite3_step(ins), h, "insert");
            sqlite3_reset(ins);
            ++n;
        };
        for (const auto& slot : calendar_slots(measured, holidays, from, to))
            for (int c = 1; c <= 3; ++c) put(measured.id, slot.start, c);
        for (int s = 0; n < kExisting; ++s) {
            const auto other = service("service_" + std::to_string(s), 4);
            for (const auto& slot : calendar_slots(other, holidays, from, Date{sys_days{from} + days{120}})) {
                if (n >= kExisting) break;
                put(other.id, slot.start, 1 + n % 4);
            }
        }
        sqlite3_finalize(ins);
        check(sqlite3_exec(h, "COMMIT", nullptr, nullptr, nullptr), h, "commit");
        std::printf("  %d bookings written\n", n);
    }

    auto db = store::Database::open(path, store::Durability::full);
    if (!db) return 1;
    sqlite3* h = db->handle();
    int seq = 0;
    store::AppointmentStore st(*db, [&] {
        char code[16];
        std::snprintf(code, sizeof code, "N%07d", seq++);
        return std::string(code);
    });

    // ---- month listing -----------------------------------------------------------
    size_t listed = 0;
    volatile size_t sink = 0;  // keeps the merge from being optimised away
    const double listing = rate(seconds, [&] {
        auto slots = bookable_slots(measured, holidays, from, to, now);
        auto taken = st.taken(measured.id, slots.front().start, slots.back().end);
        size_t free = 0;
        for (const auto& s : slots) {
            auto it = taken->find(to_unix_ms(s.start));
            free += size_t(measured.counters - (it == taken->end() ? 0 : it->second));
        }
        listed = slots.size();
        sink = sink + free;
    });
    sqlite3_stmt* q = nullptr;
    check(sqlite3_prepare_v2(h,
                             "SELECT start_at, count(*) FROM appointments WHERE service_id = ? AND start_at >= ? AND "
                             "start_at < ? AND state <> 'cancelled' GROUP BY start_at",
                             -1, &q, nullptr),
          h, "prepare");
    const auto all = calendar_slots(measured, holidays, from, to);
    const int64_t lo = to_unix_ms(all.front().start), hi = to_unix_ms(all.back().end);
    const double listing_bare = rate(seconds, [&] {
        sqlite3_bind_text(q, 1, measured.id.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, lo);
        sqlite3_bind_int64(q, 3, hi);
        size_t rows = 0;
        while (sqlite3_step(q) == SQLITE_ROW) rows += size_t(sqlite3_column_int(q, 1));
        sqlite3_reset(q);
        sink = sink + rows;
    });
    sqlite3_finalize(q);

    // ---- booking -----------------------------------------------------------------
    // Fills the measured service's fourth counters in order, as residents would.
    size_t next_slot = 0;
    const double booking = rate(seconds, [&] {
        if (next_slot >= all.size()) next_slot = 0;
        store::NewBooking b;
        b.row.service_id = measured.id;
        b.row.start = all[next_slot].start;
        b.row.end = all[next_slot].end;
        b.row.name = "Anna Nowak";
        b.row.phone = "+48" + std::to_string(700000000 + seq);
        b.counters = measured.counters + int(seq / all.size());  // never full
        b.max_future_bookings = 5;
        b.now = now;
        auto r = st.book(b);
        if (!r) {
            std::fprintf(stderr, "book: %s\n", r.error().message.c_str());
            std::exit(1);
        }
        ++next_slot;
    });
    sqlite3_stmt* ins = nullptr;
    check(sqlite3_prepare_v2(h,
                             "INSERT INTO appointments (code, service_id, start_at, end_at, counter, state, name, phone, "
                             "created_at, updated_at) VALUES (?, 'baseline', ?, ?, 1, 'booked', 'Anna Nowak', '', 0, 0)",
                             -1, &ins, nullptr),
          h, "prepare");
    int bare_n = 0;
    const double booking_bare = rate(seconds, [&] {
        char code[16];
        std::snprintf(code, sizeof code, "X%07d", bare_n);
        check(sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), h, "begin");
        sqlite3_bind_text(ins, 1, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 2, int64_t(bare_n) * 900000);
        sqlite3_bind_int64(ins, 3, int64_t(bare_n) * 900000 + 900000);
        check(sqlite3_step(ins), h, "insert");
        sqlite3_reset(ins);
        check(sqlite3_exec(h, "COMMIT", nullptr, nullptr, nullptr), h, "commit");
        ++bare_n;
    });
    sqlite3_finalize(ins);

    std::printf("  month listing (%zu slots of one service, 31 days):\n", listed);
    std::printf("    centrala  %10.0f listings/s  (%.1f us each)\n", listing, 1e6 / listing);
    std::printf("    bare SQL  %10.0f queries/s   (%.1f us each)\n", listing_bare, 1e6 / listing_bare);
    std::printf("    ratio centrala/bare: %.2f\n", listing / listing_bare);
    std::printf("  booking (durable, synchronous=FULL):\n");
    std::printf("    centrala  %10.0f bookings/s  (%.1f us each)\n", booking, 1e6 / booking);
    std::printf("    bare SQL  %10.0f inserts/s   (%.1f us each)\n", booking_bare, 1e6 / booking_bare);
    std::printf("    ratio centrala/bare: %.2f\n", booking / booking_bare);
    cleanup();  // unlinking an open file is fine; the space goes when we exit
    return 0;
}
