// Callback windows: the time slots a resident may choose for a call back,
// cut from a queue's opening hours (domain/calendar). Pure; the caller gives
// the current instant (the injected clock).
#pragma once

#include <string>
#include <vector>

#include "centrala/domain/calendar.hpp"

namespace centrala {

struct CallbackWindow {
    SysTime from{};  // UTC; may lie before `now` when the window has begun
    SysTime to{};
    Date date{};           // Warsaw local date
    int start_minute = 0;  // Warsaw local minutes of the day
    int end_minute = 0;
};

// The next `max_windows` windows, each at most `window_minutes` long, cut from
// the opening ranges of the next opening days (holidays skipped when the
// schedule closes on them), looking at most `horizon_days` ahead. A window
// counts when at least `lead_minutes` of it are still ahead of `now`.
std::vector<CallbackWindow> callback_windows(const WeeklySchedule& schedule, const HolidayCalendar& holidays,
                                             SysTime now, int window_minutes = 240, int max_windows = 4,
                                             int lead_minutes = 30, int horizon_days = 14);

// "jutro 8:00–12:00" (pl), "tomorrow 8:00–12:00" (en), "завтра 8:00–12:00"
// (uk); days further ahead by weekday and date ("pon. 07.12, 8:00–12:00").
std::string callback_window_label(const CallbackWindow& w, SysTime now, const std::string& lang);

}  // namespace centrala
