// Office appointments: the public booking API (contract §10), the staff side
// (booking during a contact, the department's day list with arrivals and
// no-shows, CSV export) and reminders of tomorrow's visits posted to the
// city's SMS/e-mail gateway. Runs on the network thread; every read and
// write goes through the store worker, which serialises bookings.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <unordered_map>

#include "centrala/api/module.hpp"
#include "centrala/store/appointment_store.hpp"

namespace centrala::api {

// The booking as an iCalendar file (RFC 5545): CRLF lines folded at 75
// octets, UTC times, UID from the code, SEQUENCE bumped by moves.
std::string appointment_ics(const store::AppointmentRow& a, const AppointmentService& s, SysTime stamp);

// The day's bookings as CSV (RFC 4180), local Warsaw times, one row per visit.
std::string appointments_csv(const std::vector<store::AppointmentRow>& rows,
                             const std::map<std::string, AppointmentService>& services);

class AppointmentsModule final : public Module {
public:
    explicit AppointmentsModule(ModuleContext& ctx);
    void add_routes(Router& router) override;
    void tick() override;

private:
    // public (contract §10)
    void list_services(Call c);
    void list_slots(Call c);
    void book_public(Call c);
    void get_public(Call c);
    void cancel_public(Call c);
    void move_public(Call c);
    // staff
    void list_services_staff(Call c);
    void next_slots(Call c);
    void book_staff(Call c);
    void day_list(Call c);
    void get_staff(Call c);
    void update_staff(Call c);
    void cancel_staff(Call c);
    void list_reminders(Call c);

    struct Booking {
        std::string service_id;
        SysTime start{};
        std::string name, phone, email, lang = "pl";
        std::optional<int64_t> contact_id;
        std::string visitor_token;  // a resident linking the booking to their own chat
    };
    Result<Booking> read_booking(const nlohmann::json& body, bool staff) const;
    void book(Call c, Booking b, bool staff);
    // free places per bookable slot of [from, to] for one service, then done
    void free_slots(const AppointmentService& s, Date from, Date to,
                    std::function<void(Result<nlohmann::json>)> done);
    void next_free(const AppointmentService& s, int limit, std::function<void(Result<nlohmann::json>)> done);
    const AppointmentService* service(const std::string& id) const;
    nlohmann::json public_json(const store::AppointmentRow& a) const;
    nlohmann::json staff_json(const store::AppointmentRow& a) const;
    // Per-address sliding window; false (and the wait in retry_after) when over.
    bool allow(std::unordered_map<std::string, std::deque<SysTime>>& window, const std::string& address, int per_hour,
               int& retry_after);
    void send_reminders();
    void deliver_next(std::shared_ptr<std::vector<store::ReminderDue>> batch, size_t i);

    ModuleContext& ctx_;
    const AppointmentsConfig& cfg_;
    std::map<std::string, AppointmentService> services_;
    store::AppointmentStore store_;  // used only on the store worker
    std::unordered_map<std::string, std::deque<SysTime>> booking_window_;
    std::unordered_map<std::string, std::deque<SysTime>> lookup_window_;
    SysTime last_scan_{};
    SysTime last_prune_{};
    bool delivering_ = false;
};

}  // namespace centrala::api
