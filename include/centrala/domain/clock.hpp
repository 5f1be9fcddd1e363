// Time as an injected dependency: the routing core and the session rules take
// a Clock so tests can move time by hand.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace centrala {

using SysTime = std::chrono::sys_time<std::chrono::milliseconds>;

class Clock {
public:
    virtual ~Clock() = default;
    virtual SysTime now() const = 0;
};

class SystemClock final : public Clock {
public:
    SysTime now() const override {
        return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    }
};

// For tests: time moves only when told to.
class ManualClock final : public Clock {
public:
    explicit ManualClock(SysTime start) : now_(start) {}
    SysTime now() const override { return now_; }
    void advance(std::chrono::milliseconds d) { now_ += d; }
    void set(SysTime t) { now_ = t; }

private:
    SysTime now_;
};

// RFC 3339 UTC with second precision, as the contract wants ("2026-02-13T09:15:00Z").
std::string to_rfc3339(SysTime t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff]Z"; returns false on anything else.
bool parse_rfc3339(const std::string& text, SysTime& out);
int64_t to_unix_ms(SysTime t);
SysTime from_unix_ms(int64_t ms);

}  // namespace centrala
