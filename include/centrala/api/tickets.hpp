// Cases (tickets) for the second line: the staff API (/api/v1/tickets), the
// resident's status check (/api/v1/public/tickets), Open311 GeoReport v2
// (/open311/v2/, in tickets_open311.cpp), personal-data export and erasure,
// and the retention job. Runs on the network thread; the TicketStore only on
// the store worker.
#pragma once

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

#include "centrala/api/module.hpp"
#include "centrala/domain/ticket.hpp"
#include "centrala/store/ticket_store.hpp"

namespace centrala::api {

// At most `max` hits per address within `window`; the map is pruned so a
// flood of addresses cannot grow it without bound.
class AddressLimiter {
public:
    AddressLimiter(int max, std::chrono::seconds window) : max_(max), window_(window) {}
    // 0 when allowed (and counted), else the seconds to wait.
    int hit(const std::string& address, SysTime now);
    void prune(SysTime now);

private:
    int max_;
    std::chrono::seconds window_;
    std::unordered_map<std::string, std::deque<SysTime>> hits_;
};

// A phone number as stored and compared: a leading + and the digits.
std::string normalise_phone(const std::string& phone);

// A case the virtual advisor files for a resident in a chat (a report of a
// problem, a message left outside opening hours): checked by the same rules
// as a staff case (category, location where the category needs one, contact
// details), linked to the chat, with an optional photo (type from the bytes).
struct ChatCase {
    int64_t contact_id = 0;
    std::string category;  // a service_code
    std::string subject;
    std::string description;
    std::optional<double> lat, lon;
    std::string address;
    std::string phone, email;  // optional
    std::string photo;         // bytes, may be empty
};
struct FiledCase {
    int64_t id = 0;
    std::string number;
    std::string access_key;
    bool photo_attached = false;
};

class TicketsModule final : public Module {
public:
    explicit TicketsModule(ModuleContext& ctx);
    void add_routes(Router& router) override;
    Result<void> load() override;
    void tick() override;

    // The due time of a case of `department` opened at `opened`.
    SysTime due_time(const std::string& department, SysTime opened) const;

    // Files a ChatCase (the advisor's interface to cases). The chat gets the
    // consultants' note only: the advisor tells the resident the number and
    // the key itself.
    void file_from_chat(ChatCase c, std::function<void(Result<FiledCase>)> done);

private:
    struct Draft {
        store::TicketRow row;
        std::string access_key;
    };
    // Validates a creation request (staff JSON) into a row.
    Result<Draft> draft_from_json(const nlohmann::json& body, const Principal& who) const;
    Result<void> validate_location(const Service& s, const store::TicketRow& row) const;
    void store_new_ticket(Draft d, std::optional<Principal> who, std::string address,
                          std::function<void(Result<store::TicketRow>, std::string access_key)> done,
                          bool tell_resident = true);

    const Service* service(const std::string& code) const;
    const Department* department(const std::string& id) const;
    nlohmann::json ticket_json(const store::TicketRow& t, bool with_resident) const;
    nlohmann::json public_json(const store::TicketRow& t, const std::vector<store::TicketComment>& comments,
                               const std::vector<store::TicketAttachment>& attachments) const;
    std::string status_name_pl(const std::string& status) const;

    void create(Call c);
    void list(Call c);
    void export_csv(Call c);
    void get(Call c);
    void update(Call c);
    void comment(Call c);
    void attach(Call c);
    void download(Call c);
    void categories(Call c);
    void public_get(Call c);
    void public_download(Call c);
    void resident_export(Call c);
    void resident_erase(Call c);
    void run_retention(std::function<void(size_t)> done);

    // Open311 GeoReport v2 (tickets_open311.cpp).
    void add_open311_routes(Router& router);
    void open311_root(Call c);
    void open311_service(Call c);
    void open311_request(Call c);
    void open311_list(Call c, const std::string& format);
    void open311_create(Call c, const std::string& format);
    bool open311_visible(const store::TicketRow& t) const;

    ModuleContext& ctx_;
    store::TicketStore store_;  // used only on the store worker
    std::map<std::string, int> retention_by_category_;
    AddressLimiter public_reads_;
    AddressLimiter public_creates_;
    SysTime next_retention_{};
    bool retention_running_ = false;
};

}  // namespace centrala::api
