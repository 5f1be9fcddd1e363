// Slot generation for office appointments: Warsaw local time across the DST
// changes, holidays and exceptions, minimum notice and the booking horizon;
// booking codes and contact details.
#include <gtest/gtest.h>

#include "centrala/domain/appointments.hpp"

using namespace centrala;
using namespace std::chrono;

namespace {

SysTime utc(const std::string& text) {
    SysTime t;
    EXPECT_TRUE(parse_rfc3339(text, t)) << text;
    return t;
}

Date date(int y, unsigned m, unsigned d) { return Date{year{y}, month{m}, day{d}}; }

// Weekdays 08:00-10:00, 30-minute visits: four slots a day.
AppointmentService weekday_service() {
    AppointmentService s;
    s.id = "vehicle_registration";
    s.duration_minutes = 30;
    s.counters = 3;
    for (int d = 0; d < 5; ++d) s.hours.days[d] = {{8 * 60, 10 * 60}};
    s.horizon_days = 30;
    s.min_notice_minutes = 60;
    return s;
}

// Every day 01:00-04:00, hourly: spans the hour the clocks change.
AppointmentService night_service() {
    AppointmentService s;
    s.duration_minutes = 60;
    for (int d = 0; d < 7; ++d) s.hours.days[d] = {{60, 4 * 60}};
    s.hours.closed_on_holidays = false;
    return s;
}

std::vector<std::string> starts(const std::vector<Slot>& slots) {
    std::vector<std::string> out;
    for (const auto& s : slots) out.push_back(to_rfc3339(s.start));
    return out;
}

const HolidayCalendar polish{true, {}, {}};

}  // namespace

TEST(WarsawTime, LocalWallTimeToUtcInWinterAndSummer) {
    EXPECT_EQ(to_rfc3339(*warsaw_instant(date(2026, 1, 15), 8 * 60)), "2026-01-15T07:00:00Z");
    EXPECT_EQ(to_rfc3339(*warsaw_instant(date(2026, 7, 15), 8 * 60)), "2026-07-15T06:00:00Z");
}

TEST(WarsawTime, TheSpringGapDoesNotExistAndTheAutumnHourIsTakenOnce) {
    EXPECT_FALSE(warsaw_instant(date(2026, 3, 29), 2 * 60 + 30).has_value());
    EXPECT_EQ(to_rfc3339(*warsaw_instant(date(2026, 3, 29), 3 * 60)), "2026-03-29T01:00:00Z");
    EXPECT_EQ(to_rfc3339(*warsaw_instant(date(2026, 10, 25), 2 * 60 + 30)), "2026-10-25T00:30:00Z");
    EXPECT_EQ(to_rfc3339(*warsaw_instant(date(2026, 10, 25), 3 * 60)), "2026-10-25T02:00:00Z");
}

TEST(AppointmentSlots, AWeekWithEasterMondayHasNoSlotsOnTheHoliday) {
    // Easter 2026 is 5 April: Monday 6 April is a public holiday.
    const auto s = weekday_service();
    const auto slots = calendar_slots(s, polish, date(2026, 4, 6), date(2026, 4, 12));
    ASSERT_EQ(slots.size(), 16u);  // Tuesday to Friday, four each
    EXPECT_EQ(to_rfc3339(slots.front().start), "2026-04-07T06:00:00Z");  // 08:00 CEST
    EXPECT_EQ(to_rfc3339(slots.front().end), "2026-04-07T06:30:00Z");
    EXPECT_EQ(to_rfc3339(slots.back().start), "2026-04-10T07:30:00Z");   // Friday 09:30
    for (const auto& slot : slots) EXPECT_NE(to_warsaw(slot.start).date, date(2026, 4, 6));

    auto open_anyway = s;
    open_anyway.hours.closed_on_holidays = false;
    EXPECT_EQ(calendar_slots(open_anyway, polish, date(2026, 4, 6), date(2026, 4, 12)).size(), 20u);
}

TEST(AppointmentSlots, SpringForwardSkipsTheMissingHour) {
    const auto s = night_service();
    EXPECT_EQ(starts(calendar_slots(s, polish, date(2026, 3, 28), date(2026, 3, 30))),
              (std::vector<std::string>{
                  "2026-03-28T00:00:00Z", "2026-03-28T01:00:00Z", "2026-03-28T02:00:00Z",  // CET
                  "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z",                          // 01:00 CET, 03:00 CEST
                  "2026-03-29T23:00:00Z", "2026-03-30T00:00:00Z", "2026-03-30T01:00:00Z",  // CEST
              }));
}

TEST(AppointmentSlots, FallBackOffersTheRepeatedHourOnce) {
    const auto s = night_service();
    EXPECT_EQ(starts(calendar_slots(s, polish, date(2026, 10, 24), date(2026, 10, 25))),
              (std::vector<std::string>{
                  "2026-10-23T23:00:00Z", "2026-10-24T00:00:00Z", "2026-10-24T01:00:00Z",  // CEST
                  "2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z",  // 01:00, 02:00 CEST, 03:00 CET
              }));
}

TEST(AppointmentSlots, OfficeHoursKeepTheirLocalTimeAcrossTheChange) {
    const auto s = weekday_service();
    auto before = calendar_slots(s, polish, date(2026, 3, 27), date(2026, 3, 27));
    auto after = calendar_slots(s, polish, date(2026, 3, 30), date(2026, 3, 30));
    ASSERT_FALSE(before.empty());
    ASSERT_FALSE(after.empty());
    EXPECT_EQ(to_rfc3339(before.front().start), "2026-03-27T07:00:00Z");  // 08:00 CET
    EXPECT_EQ(to_rfc3339(after.front().start), "2026-03-30T06:00:00Z");   // 08:00 CEST
    EXPECT_EQ(to_warsaw(after.front().start).minute_of_day, 8 * 60);
}

TEST(AppointmentSlots, ExceptionsShortenOrCloseADay) {
    auto s = weekday_service();
    s.exceptions[date(2026, 3, 3)] = {{8 * 60, 9 * 60}};  // shortened Tuesday
    s.exceptions[date(2026, 3, 4)] = {};                   // closed Wednesday
    s.exceptions[date(2026, 3, 7)] = {{9 * 60, 10 * 60}};  // an open Saturday
    const auto slots = calendar_slots(s, polish, date(2026, 3, 2), date(2026, 3, 8));
    std::map<Date, int> per_day;
    for (const auto& slot : slots) per_day[to_warsaw(slot.start).date]++;
    EXPECT_EQ(per_day[date(2026, 3, 2)], 4);
    EXPECT_EQ(per_day[date(2026, 3, 3)], 2);
    EXPECT_EQ(per_day.count(date(2026, 3, 4)), 0u);
    EXPECT_EQ(per_day[date(2026, 3, 7)], 2);
    EXPECT_EQ(slots.size(), 4u + 2 + 4 + 4 + 2);
}

TEST(AppointmentSlots, MinimumNoticeAndHorizonBoundWhatIsBookable) {
    auto s = weekday_service();
    s.horizon_days = 3;
    const SysTime now = utc("2026-03-02T07:05:00Z");  // Monday 08:05 CET
    const auto slots = bookable_slots(s, polish, date(2026, 3, 2), date(2026, 3, 13), now);
    ASSERT_FALSE(slots.empty());
    // 08:30 and 09:00 CET start within the hour of notice; 09:30 CET is the first.
    EXPECT_EQ(to_rfc3339(slots.front().start), "2026-03-02T08:30:00Z");
    // The last bookable day is Thursday (Monday + 3).
    EXPECT_EQ(to_warsaw(slots.back().start).date, date(2026, 3, 5));
    EXPECT_EQ(slots.size(), 1u + 4 + 4 + 4);

    EXPECT_EQ(check_slot(s, polish, now, utc("2026-03-02T07:30:00Z")).error().code, "too_soon");
    EXPECT_EQ(check_slot(s, polish, now, utc("2026-03-06T07:00:00Z")).error().code, "beyond_horizon");
    EXPECT_TRUE(check_slot(s, polish, now, utc("2026-03-05T08:30:00Z")).ok());
}

TEST(AppointmentSlots, CheckSlotExplainsEveryRefusal) {
    const auto s = weekday_service();
    const SysTime now = utc("2026-03-30T06:00:00Z");  // Monday after the spring change
    EXPECT_EQ(check_slot(s, polish, now, utc("2026-03-30T05:00:00Z")).error().code, "in_the_past");
    EXPECT_EQ(check_slot(s, polish, now, utc("2026-04-06T06:00:00Z")).error().code, "office_closed");  // Easter Monday
    EXPECT_EQ(check_slot(s, polish, now, utc("2026-04-04T06:00:00Z")).error().code, "office_closed");  // Saturday
    EXPECT_EQ(check_slot(s, polish, now, utc("2026-03-31T06:10:00Z")).error().code, "outside_hours");  // not a start
    EXPECT_EQ(check_slot(s, polish, now, utc("2026-03-31T09:00:00Z")).error().code, "outside_hours");  // after closing
    auto ok = check_slot(s, polish, now, utc("2026-03-31T06:30:00Z"));
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(to_rfc3339(ok->end), "2026-03-31T07:00:00Z");
    for (const auto& e : {check_slot(s, polish, now, utc("2026-03-30T05:00:00Z")).error(),
                          check_slot(s, polish, now, utc("2026-04-06T06:00:00Z")).error()}) {
        EXPECT_EQ(e.kind, ErrorKind::invalid);
        EXPECT_FALSE(e.message.empty());
    }
}

TEST(BookingCodes, AreEightUnambiguousCharactersAndReadBackInAnyForm) {
    unsigned char r1[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    unsigned char r2[8] = {255, 255, 255, 255, 255, 255, 255, 255};
    for (auto* r : {r1, r2}) {
        const auto code = make_booking_code(r);
        ASSERT_EQ(code.size(), 8u);
        for (char c : code) EXPECT_NE(booking_code_alphabet.find(c), std::string_view::npos) << code;
        EXPECT_EQ(normalize_code(display_code(code)), code);
    }
    EXPECT_EQ(normalize_code("abcd-efgh"), "ABCDEFGH");
    EXPECT_EQ(normalize_code("ABCD EFGH"), "ABCDEFGH");
    EXPECT_FALSE(normalize_code("ABCD-EFG0"));  // 0 is not in the alphabet (looks like O)
    EXPECT_FALSE(normalize_code("ABCD-EFGHJ"));
    EXPECT_FALSE(normalize_code("ABC"));
    EXPECT_FALSE(normalize_code("../../etc"));
    EXPECT_EQ(display_code("ABCDEFGH"), "ABCD-EFGH");
}

TEST(ContactDetails, PhonesAndEmailsAreNormalised) {
    EXPECT_EQ(normalize_phone("600 700 800"), "+48600700800");
    EXPECT_EQ(normalize_phone("+48 600-700-800"), "+48600700800");
    EXPECT_EQ(normalize_phone("0048 (600) 700 800"), "+48600700800");
    EXPECT_EQ(normalize_phone("+380 44 123 4567"), "+380441234567");
    EXPECT_FALSE(normalize_phone("600 700"));
    EXPECT_FALSE(normalize_phone("call me"));
    EXPECT_FALSE(normalize_phone("+48 600 700 800 +1"));
    EXPECT_EQ(normalize_email(" Jan.Kowalski@Example.PL "), "jan.kowalski@example.pl");
    EXPECT_FALSE(normalize_email("jan@"));
    EXPECT_FALSE(normalize_email("jan@example"));
    EXPECT_FALSE(normalize_email("a@b@c.pl"));
    EXPECT_FALSE(normalize_email("jan kowalski@example.pl"));
}
