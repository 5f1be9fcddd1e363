#include "centrala/domain/clock.hpp"

#include <cstdio>

namespace centrala {

std::string to_rfc3339(SysTime t) {
    using namespace std::chrono;
    const auto secs = floor<seconds>(t);
    const auto day = floor<days>(secs);
    const year_month_day ymd{day};
    const hh_mm_ss hms{secs - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
                  int(hms.seconds().count()));
    return buf;
}

bool parse_rfc3339(const std::string& text, SysTime& out) {
    using namespace std::chrono;
    int y, mo, d, h, mi, s;
    char tail[16] = {0};
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &y, &mo, &d, &h, &mi, &s, tail) != 7) return false;
    int ms = 0;
    std::string rest = tail;
    if (!rest.empty() && rest[0] == '.') {
        size_t i = 1;
        int digits = 0;
        while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
            if (digits < 3) ms = ms * 10 + (rest[i] - '0');
            ++digits;
            ++i;
        }
        if (digits == 0) return false;
        for (int k = digits; k < 3; ++k) ms *= 10;
        rest = rest.substr(i);
    }
    if (rest != "Z") return false;
    const year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return false;
    out = SysTime{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms};
    return true;
}

int64_t to_unix_ms(SysTime t) { return t.time_since_epoch().count(); }
SysTime from_unix_ms(int64_t ms) { return SysTime{std::chrono::milliseconds{ms}}; }

}  // namespace centrala
