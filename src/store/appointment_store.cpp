#include "centrala/store/appointment_store.hpp"

namespace centrala::store {
namespace {

constexpr const char* columns =
    "id, code, service_id, start_at, end_at, counter, state, name, phone, email, lang, contact_id, booked_by, "
    "address, sequence, created_at, updated_at";

constexpr const char* qualified_columns =
    "a.id, a.code, a.service_id, a.start_at, a.end_at, a.counter, a.state, a.name, a.phone, a.email, a.lang, "
    "a.contact_id, a.booked_by, a.address, a.sequence, a.created_at, a.updated_at";

AppointmentRow read_row(const Statement& st) {
    AppointmentRow a;
    a.id = st.int64(0);
    a.code = st.text(1);
    a.service_id = st.text(2);
    a.start = from_unix_ms(st.int64(3));
    a.end = from_unix_ms(st.int64(4));
    a.counter = int(st.int64(5));
    a.state = st.text(6);
    a.name = st.text(7);
    a.phone = st.text(8);
    a.email = st.text(9);
    a.lang = st.text(10);
    if (!st.is_null(11)) a.contact_id = st.int64(11);
    if (!st.is_null(12)) a.booked_by = st.int64(12);
    a.address = st.text(13);
    a.sequence = int(st.int64(14));
    a.created_at = from_unix_ms(st.int64(15));
    a.updated_at = from_unix_ms(st.int64(16));
    return a;
}

Error not_found() { return Error::not_found("appointment_not_found", "No booking with this code."); }

}  // namespace

Result<int> AppointmentStore::free_counter(const std::string& service_id, SysTime start, int counters,
                                           int64_t except_id) {
    auto st = db_.prepare(
        "SELECT counter FROM appointments WHERE service_id = ? AND start_at = ? AND state <> 'cancelled' AND id <> ? "
        "ORDER BY counter");
    if (!st) return st.error();
    st->bind(1, service_id).bind(2, to_unix_ms(start)).bind(3, except_id);
    int candidate = 1;
    for (;;) {
        auto r = st->step();
        if (!r) return r.error();
        if (!*r) break;
        const int c = int(st->int64(0));
        if (c == candidate) ++candidate;
        else if (c > candidate) break;
    }
    if (candidate > counters) return Error::conflict("slot_full", "This time has just been taken. Please choose another one.");
    return candidate;
}

Result<AppointmentRow> AppointmentStore::book(NewBooking b) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    AppointmentRow& a = b.row;
    if (a.contact_id) {
        auto st = db_.prepare("SELECT 1 FROM contacts WHERE id = ?");
        if (!st) return st.error();
        st->bind(1, *a.contact_id);
        auto r = st->step();
        if (!r) return r.error();
        if (!*r) return Error::invalid("invalid_field", "contact_id does not name a contact");
    }
    auto counter = free_counter(a.service_id, a.start, b.counters, 0);
    if (!counter) return counter.error();
    if (b.max_future_bookings > 0 && (!a.phone.empty() || !a.email.empty())) {
        // Two indexed look-ups (the literal "<> ''" lets SQLite use the partial
        // indexes); an OR of both would scan every upcoming booking.
        auto st = db_.prepare(
            "SELECT count(*) FROM (SELECT id FROM appointments WHERE service_id = ?1 AND state = 'booked' AND "
            "phone <> '' AND phone = ?3 AND start_at > ?2 UNION SELECT id FROM appointments WHERE service_id = ?1 AND "
            "state = 'booked' AND email <> '' AND email = ?4 AND start_at > ?2)");
        if (!st) return st.error();
        st->bind(1, a.service_id).bind(2, to_unix_ms(b.now)).bind(3, a.phone).bind(4, a.email);
        auto r = st->step();
        if (!r) return r.error();
        if (st->int64(0) >= b.max_future_bookings)
            return Error::conflict("too_many_bookings",
                                   "You already have " + std::to_string(st->int64(0)) +
                                       " upcoming visits for this matter. Please cancel one before booking another.");
    }
    a.counter = *counter;
    a.state = "booked";
    a.sequence = 0;
    a.created_at = a.updated_at = b.now;
    auto st = db_.prepare(
        "INSERT INTO appointments (code, service_id, start_at, end_at, counter, state, name, phone, email, lang, "
        "contact_id, booked_by, address, sequence, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 'booked', ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)");
    if (!st) return st.error();
    for (int attempt = 0;; ++attempt) {
        a.code = new_code_();
        st->reset();
        st->bind(1, a.code)
            .bind(2, a.service_id)
            .bind(3, to_unix_ms(a.start))
            .bind(4, to_unix_ms(a.end))
            .bind(5, a.counter)
            .bind(6, a.name)
            .bind(7, a.phone)
            .bind(8, a.email)
            .bind(9, a.lang)
            .bind(10, a.contact_id)
            .bind(11, a.booked_by)
            .bind(12, a.address)
            .bind(13, to_unix_ms(b.now))
            .bind(14, to_unix_ms(b.now));
        auto r = st->run();
        if (r) break;
        // A clash of random codes is all a constraint can mean here: the
        // place was checked above inside this transaction.
        if (r.error().kind != ErrorKind::conflict || attempt >= 5) return r.error();
    }
    a.id = db_.last_insert_id();
    if (auto r = tx.commit(); !r) return r.error();
    return a;
}

Result<AppointmentRow> AppointmentStore::move(const std::string& code, SysTime start, SysTime end, int counters,
                                              SysTime now) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto cur = by_code(code);
    if (!cur) return cur.error();
    if (cur->state != "booked" || cur->start <= now)
        return Error::conflict("not_movable", "Only an upcoming booked visit can be moved.");
    auto counter = free_counter(cur->service_id, start, counters, cur->id);
    if (!counter) return counter.error();
    auto st = db_.prepare(
        "UPDATE appointments SET start_at = ?, end_at = ?, counter = ?, sequence = sequence + 1, updated_at = ? "
        "WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(start)).bind(2, to_unix_ms(end)).bind(3, *counter).bind(4, to_unix_ms(now)).bind(5, cur->id);
    if (auto r = st->run(); !r) return r.error();
    // A reminder already sent for the old day is due again for the new one.
    auto rm = db_.prepare("DELETE FROM appointment_reminders WHERE appointment_id = ?");
    if (!rm) return rm.error();
    rm->bind(1, cur->id);
    if (auto r = rm->run(); !r) return r.error();
    auto updated = by_id(cur->id);
    if (!updated) return updated.error();
    if (auto r = tx.commit(); !r) return r.error();
    return updated;
}

Result<AppointmentRow> AppointmentStore::cancel(const std::string& code, SysTime now) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto cur = by_code(code);
    if (!cur) return cur.error();
    if (cur->state != "booked" || cur->start <= now)
        return Error::conflict("not_cancellable", cur->state == "cancelled" ? "This booking is already cancelled."
                                                                            : "This visit can no longer be cancelled.");
    auto st = db_.prepare("UPDATE appointments SET state = 'cancelled', sequence = sequence + 1, updated_at = ? WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(now)).bind(2, cur->id);
    if (auto r = st->run(); !r) return r.error();
    auto updated = by_id(cur->id);
    if (!updated) return updated.error();
    if (auto r = tx.commit(); !r) return r.error();
    return updated;
}

Result<AppointmentRow> AppointmentStore::set_state(int64_t id, const std::string& state, SysTime now) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto cur = by_id(id);
    if (!cur) return cur.error();
    if (cur->state == "cancelled")
        return Error::conflict("invalid_transition", "A cancelled booking cannot be marked.");
    auto st = db_.prepare("UPDATE appointments SET state = ?, updated_at = ? WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, state).bind(2, to_unix_ms(now)).bind(3, id);
    if (auto r = st->run(); !r) return r.error();
    auto updated = by_id(id);
    if (!updated) return updated.error();
    if (auto r = tx.commit(); !r) return r.error();
    return updated;
}

Result<AppointmentRow> AppointmentStore::by_code(const std::string& code) {
    auto st = db_.prepare(std::string("SELECT ") + columns + " FROM appointments WHERE code = ?");
    if (!st) return st.error();
    st->bind(1, code);
    auto r = st->step();
    if (!r) return r.error();
    if (!*r) return not_found();
    return read_row(*st);
}

Result<AppointmentRow> AppointmentStore::by_id(int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + columns + " FROM appointments WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, id);
    auto r = st->step();
    if (!r) return r.error();
    if (!*r) return Error::not_found("appointment_not_found", "No such appointment.");
    return read_row(*st);
}

Result<std::optional<int64_t>> AppointmentStore::contact_for_visitor(const std::string& token_hash) {
    auto st = db_.prepare("SELECT id FROM contacts WHERE visitor_token_hash = ?");
    if (!st) return st.error();
    st->bind(1, token_hash);
    auto r = st->step();
    if (!r) return r.error();
    if (!*r) return std::optional<int64_t>{};
    return std::optional<int64_t>(st->int64(0));
}

Result<std::map<int64_t, int>> AppointmentStore::taken(const std::string& service_id, SysTime from, SysTime to) {
    auto st = db_.prepare(
        "SELECT start_at, count(*) FROM appointments WHERE service_id = ? AND start_at >= ? AND start_at < ? "
        "AND state <> 'cancelled' GROUP BY start_at");
    if (!st) return st.error();
    st->bind(1, service_id).bind(2, to_unix_ms(from)).bind(3, to_unix_ms(to));
    std::map<int64_t, int> out;
    auto rows = st->for_each_row([&] { out[st->int64(0)] = int(st->int64(1)); });
    if (!rows) return rows.error();
    return out;
}

Result<std::vector<AppointmentRow>> AppointmentStore::day(const DayFilter& f) {
    std::string sql = std::string("SELECT ") + columns + " FROM appointments WHERE start_at >= ?1 AND start_at < ?2";
    if (!f.include_cancelled) sql += " AND state <> 'cancelled'";
    if (!f.service_ids.empty()) {
        sql += " AND service_id IN (";
        for (size_t i = 0; i < f.service_ids.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 3);
        sql += ")";
    }
    sql += " ORDER BY service_id, counter, start_at, id";
    auto st = db_.prepare(sql);
    if (!st) return st.error();
    st->bind(1, to_unix_ms(f.from)).bind(2, to_unix_ms(f.to));
    for (size_t i = 0; i < f.service_ids.size(); ++i) st->bind(int(i + 3), f.service_ids[i]);
    std::vector<AppointmentRow> out;
    auto rows = st->for_each_row([&] { out.push_back(read_row(*st)); });
    if (!rows) return rows.error();
    return out;
}

Result<std::vector<ReminderDue>> AppointmentStore::due_reminders(SysTime from, SysTime to, SysTime now, int limit) {
    std::string sql = std::string("SELECT ") + qualified_columns;
    sql +=
        ", coalesce(r.attempts, 0) FROM appointments a LEFT JOIN appointment_reminders r ON r.appointment_id = a.id "
        "WHERE a.state = 'booked' AND a.start_at >= ? AND a.start_at < ? "
        "AND (r.appointment_id IS NULL OR (r.state = 'pending' AND r.next_attempt_at <= ?)) ORDER BY a.start_at, a.id "
        "LIMIT ?";
    auto st = db_.prepare(sql);
    if (!st) return st.error();
    st->bind(1, to_unix_ms(from)).bind(2, to_unix_ms(to)).bind(3, to_unix_ms(now)).bind(4, int64_t(limit));
    std::vector<ReminderDue> out;
    auto rows = st->for_each_row([&] { out.push_back({read_row(*st), int(st->int64(17))}); });
    if (!rows) return rows.error();
    return out;
}

Result<void> AppointmentStore::record_attempt(int64_t appointment_id, SysTime at, bool delivered, int http_status,
                                              const std::string& error, std::optional<SysTime> next_attempt) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto log = db_.prepare(
        "INSERT INTO appointment_reminder_attempts (appointment_id, at, delivered, http_status, error) VALUES (?, ?, ?, ?, ?)");
    if (!log) return log.error();
    log->bind(1, appointment_id).bind(2, to_unix_ms(at)).bind(3, delivered ? 1 : 0).bind(4, http_status).bind(5, error);
    if (auto r = log->run(); !r) return r.error();
    const std::string state = delivered ? "sent" : (next_attempt ? "pending" : "failed");
    auto st = db_.prepare(
        "INSERT INTO appointment_reminders (appointment_id, state, attempts, last_attempt_at, next_attempt_at, "
        "last_http_status, last_error) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (appointment_id) DO UPDATE SET state = ?2, attempts = attempts + 1, last_attempt_at = ?3, "
        "next_attempt_at = ?4, last_http_status = ?5, last_error = ?6");
    if (!st) return st.error();
    st->bind(1, appointment_id)
        .bind(2, state)
        .bind(3, to_unix_ms(at))
        .bind(4, next_attempt ? std::optional<int64_t>(to_unix_ms(*next_attempt)) : std::nullopt)
        .bind(5, http_status)
        .bind(6, error);
    if (auto r = st->run(); !r) return r.error();
    return tx.commit();
}

Result<std::vector<ReminderRow>> AppointmentStore::reminders(SysTime from, SysTime to, int limit, size_t offset) {
    auto st = db_.prepare(
        "SELECT a.id, a.code, a.service_id, a.start_at, a.name, a.phone, a.email, coalesce(r.state, 'pending'), "
        "coalesce(r.attempts, 0), r.last_attempt_at, r.next_attempt_at, coalesce(r.last_http_status, 0), "
        "coalesce(r.last_error, '') FROM appointments a LEFT JOIN appointment_reminders r ON r.appointment_id = a.id "
        "WHERE a.start_at >= ? AND a.start_at < ? AND (a.state = 'booked' OR r.appointment_id IS NOT NULL) "
        "ORDER BY a.start_at, a.id LIMIT ? OFFSET ?");
    if (!st) return st.error();
    st->bind(1, to_unix_ms(from)).bind(2, to_unix_ms(to)).bind(3, int64_t(limit)).bind(4, int64_t(offset));
    std::vector<ReminderRow> out;
    auto rows = st->for_each_row([&] {
        ReminderRow row;
        row.appointment_id = st->int64(0);
        row.code = st->text(1);
        row.service_id = st->text(2);
        row.start = from_unix_ms(st->int64(3));
        row.name = st->text(4);
        row.phone = st->text(5);
        row.email = st->text(6);
        row.state = st->text(7);
        row.attempts = int(st->int64(8));
        if (!st->is_null(9)) row.last_attempt_at = from_unix_ms(st->int64(9));
        if (!st->is_null(10)) row.next_attempt_at = from_unix_ms(st->int64(10));
        row.last_http_status = int(st->int64(11));
        row.last_error = st->text(12);
        out.push_back(std::move(row));
    });
    if (!rows) return rows.error();
    return out;
}

Result<std::vector<AppointmentRow>> AppointmentStore::by_resident(const std::vector<std::string>& phones,
                                                                 const std::string& email) {
    std::string in = "NULL";  // never equal: no phone given matches nothing
    for (size_t k = 0; k < phones.size(); ++k) in += ",?";
    auto st = db_.prepare(std::string("SELECT ") + columns + " FROM appointments WHERE phone IN (" + in +
                          ") OR (? <> '' AND email = ? COLLATE NOCASE) ORDER BY start_at, id");
    if (!st) return st.error();
    int i = 1;
    for (const auto& p : phones) st->bind(i++, p);
    st->bind(i++, email);
    st->bind(i++, email);
    std::vector<AppointmentRow> out;
    auto rows = st->for_each_row([&] { out.push_back(read_row(*st)); });
    if (!rows) return rows.error();
    return out;
}

Result<std::vector<std::string>> AppointmentStore::erase_resident(const std::vector<AppointmentRow>& rows,
                                                                  SysTime now) {
    auto st = db_.prepare(
        "UPDATE appointments SET name = '[usunięto]', phone = '', email = '', address = '', "
        "state = CASE WHEN state = 'booked' AND start_at > ?1 THEN 'cancelled' ELSE state END, "
        "sequence = sequence + 1, updated_at = ?1 WHERE id = ?2");
    if (!st) return st.error();
    std::vector<std::string> cancelled;
    for (const auto& a : rows) {
        st->reset();
        st->bind(1, to_unix_ms(now)).bind(2, a.id);
        if (auto r = st->run(); !r) return r.error();
        if (a.state == "booked" && a.start > now) cancelled.push_back(a.code);
    }
    return cancelled;
}

}  // namespace centrala::store
