#include "centrala/store/resident_store.hpp"

#include <algorithm>
#include <map>

#include "centrala/domain/ticket.hpp"

namespace centrala::store {
namespace {

constexpr const char* kErased = "[usunięto]";

std::string like_escaped(std::string_view s) {
    std::string out = "%";
    for (char c : s) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
}

// The phone, e-mail and every known name replaced by the mark.
std::string redact_all(const std::string& text, const ResidentKeys& k) {
    if (k.names.empty()) return redact_contact(text, k.phone, k.email, "");
    std::string out = redact_contact(text, k.phone, k.email, k.names.front());
    for (size_t i = 1; i < k.names.size(); ++i) out = redact_contact(out, "", "", k.names[i]);
    return out;
}

bool is_their_name(const std::string& name, const ResidentKeys& k) {
    if (name.empty()) return false;
    for (const auto& n : k.names)
        if (lower_ascii(n) == lower_ascii(name)) return true;
    return redact_contact(name, k.phone, k.email, "") != name;
}

Result<void> exec1(Database& db, const char* sql, int64_t id) {
    auto st = db.prepare(sql);
    if (!st) return st.error();
    st->bind(1, id);
    return st->run();
}

}  // namespace

bool ResidentChat::wiped() const {
    return std::find(found_by.begin(), found_by.end(), "case") != found_by.end() ||
           std::find(found_by.begin(), found_by.end(), "browser") != found_by.end();
}

Result<std::vector<ResidentChat>> ResidentStore::chats(const ResidentKeys& keys, bool with_messages,
                                                       ChatScanStats* stats) {
    std::map<int64_t, std::vector<std::string>> why;
    for (int64_t id : keys.own_contacts) why[id].push_back("case");
    {
        auto st = db_.prepare(
            "SELECT e.id FROM contacts c JOIN contacts e ON e.resident_key_hash = c.resident_key_hash "
            "WHERE c.id = ? AND c.resident_key_hash IS NOT NULL AND e.id <> c.id");
        if (!st) return st.error();
        for (int64_t id : keys.own_contacts) {
            st->reset();
            st->bind(1, id);
            auto each = st->for_each_row([&] {
                auto& w = why[st->int64(0)];
                if (w.empty() || w.back() != "browser") w.push_back("browser");
            });
            if (!each) return each.error();
        }
    }
    const std::string phone_pattern = phone_like_pattern(keys.phone);
    const std::string email_pattern = keys.email.find('@') != std::string::npos ? like_escaped(keys.email) : "";
    if (!phone_pattern.empty() || !email_pattern.empty()) {
        // One pass over every message: LIKE (ASCII case-insensitive) lets
        // through the texts that may hold the phone or e-mail, redact_contact
        // decides.
        auto st = db_.prepare(
            "SELECT contact_id, body FROM messages WHERE (?1 <> '' AND body LIKE ?1 ESCAPE '\\') OR "
            "(?2 <> '' AND body LIKE ?2)");
        if (!st) return st.error();
        st->bind(1, email_pattern).bind(2, phone_pattern);
        for (;;) {
            auto has = st->step();
            if (!has) return has.error();
            if (!*has) break;
            if (stats) ++stats->candidates;
            const std::string body = st->text(1);
            if (redact_contact(body, keys.phone, keys.email, "") == body) continue;
            if (stats) ++stats->matches;
            auto& w = why[st->int64(0)];
            if (std::find(w.begin(), w.end(), "text") == w.end()) w.push_back("text");
        }
    }
    std::vector<ResidentChat> out;
    auto c = db_.prepare(
        "SELECT id, channel, state, topic, lang, resident_name, created_at, closed_at FROM contacts WHERE id = ?");
    if (!c) return c.error();
    auto m = db_.prepare(
        "SELECT id, author_kind, author_name, body, created_at FROM messages WHERE contact_id = ? AND internal = 0 "
        "ORDER BY id");
    if (!m) return m.error();
    for (auto& [id, reasons] : why) {
        c->reset();
        c->bind(1, id);
        auto has = c->step();
        if (!has) return has.error();
        if (!*has) continue;
        ResidentChat chat;
        chat.id = c->int64(0);
        chat.channel = c->text(1);
        chat.state = c->text(2);
        chat.topic = c->text(3);
        chat.lang = c->text(4);
        chat.resident_name = c->text(5);
        chat.created_at = from_unix_ms(c->int64(6));
        if (!c->is_null(7)) chat.closed_at = from_unix_ms(c->int64(7));
        chat.found_by = reasons;
        if (with_messages) {
            m->reset();
            m->bind(1, id);
            auto rows = m->for_each_row([&] {
                chat.messages.push_back({m->int64(0), m->text(1), m->text(2), m->text(3), from_unix_ms(m->int64(4))});
            });
            if (!rows) return rows.error();
        }
        out.push_back(std::move(chat));
    }
    return out;
}

Result<int64_t> ResidentStore::erase_chats(const std::vector<ResidentChat>& chats, const ResidentKeys& keys) {
    int64_t changed = 0;
    for (const auto& chat : chats) {
        // The closing note, summary and rating comment: redacted (wiped chats lose summary and comment).
        std::string close_note, summary, comment, name;
        {
            auto st = db_.prepare(
                "SELECT c.close_note, c.summary, COALESCE(r.comment, ''), c.resident_name FROM contacts c "
                "LEFT JOIN ratings r ON r.contact_id = c.id WHERE c.id = ?");
            if (!st) return st.error();
            st->bind(1, chat.id);
            auto has = st->step();
            if (!has) return has.error();
            if (!*has) continue;
            close_note = redact_all(st->text(0), keys);
            summary = redact_all(st->text(1), keys);
            comment = redact_all(st->text(2), keys);
            name = st->text(3);
        }
        if (chat.wiped()) {
            auto st = db_.prepare(
                "UPDATE messages SET body = '[usunięto]', buttons = NULL WHERE contact_id = ? AND "
                "(body <> '[usunięto]' OR buttons IS NOT NULL)");
            if (!st) return st.error();
            st->bind(1, chat.id);
            if (auto r = st->run(); !r) return r.error();
            changed += db_.changes();
            for (const char* sql : {"UPDATE messages SET author_name = '' WHERE contact_id = ? AND author_kind = 'resident'",
                                    "UPDATE ratings SET comment = '' WHERE contact_id = ?"})
                if (auto r = exec1(db_, sql, chat.id); !r) return r.error();
            auto c = db_.prepare(
                "UPDATE contacts SET resident_name = '', summary = '', address = '', resident_key_hash = NULL, "
                "close_note = ? WHERE id = ?");
            if (!c) return c.error();
            c->bind(1, close_note).bind(2, chat.id);
            if (auto r = c->run(); !r) return r.error();
            continue;
        }
        // Found by its text: only the occurrences go.
        std::vector<std::pair<int64_t, std::string>> updates;
        {
            auto st = db_.prepare("SELECT id, body FROM messages WHERE contact_id = ? ORDER BY id");
            if (!st) return st.error();
            st->bind(1, chat.id);
            auto rows = st->for_each_row([&] {
                const std::string body = st->text(1), redacted = redact_all(body, keys);
                if (redacted != body) updates.emplace_back(st->int64(0), redacted);
            });
            if (!rows) return rows.error();
        }
        auto up = db_.prepare("UPDATE messages SET body = ? WHERE id = ?");
        if (!up) return up.error();
        for (const auto& [id, body] : updates) {
            up->reset();
            up->bind(1, body).bind(2, id);
            if (auto r = up->run(); !r) return r.error();
        }
        changed += int64_t(updates.size());
        const bool theirs = is_their_name(name, keys);
        if (theirs)
            if (auto r = exec1(db_, "UPDATE messages SET author_name = '' WHERE contact_id = ? AND author_kind = 'resident'",
                               chat.id);
                !r)
                return r.error();
        auto c = db_.prepare(
            "UPDATE contacts SET close_note = ?, summary = ?, resident_name = CASE WHEN ? THEN '' ELSE resident_name END "
            "WHERE id = ?");
        if (!c) return c.error();
        c->bind(1, close_note).bind(2, summary).bind(3, int64_t{theirs}).bind(4, chat.id);
        if (auto r = c->run(); !r) return r.error();
        auto rc = db_.prepare("UPDATE ratings SET comment = ? WHERE contact_id = ?");
        if (!rc) return rc.error();
        rc->bind(1, comment).bind(2, chat.id);
        if (auto r = rc->run(); !r) return r.error();
    }
    return changed;
}

Result<std::vector<int64_t>> ResidentStore::end_open_chats(const std::vector<ResidentChat>& chats, SysTime at) {
    std::vector<int64_t> ended;
    auto st = db_.prepare(
        "UPDATE contacts SET state = CASE state WHEN 'waiting' THEN 'abandoned' ELSE 'closed' END, closed_at = ?, "
        "disposition = coalesce(disposition, 'erased') WHERE id = ? AND state IN ('bot', 'waiting', 'active')");
    if (!st) return st.error();
    auto leave = db_.prepare("UPDATE contact_agents SET left_at = ? WHERE contact_id = ? AND left_at IS NULL");
    if (!leave) return leave.error();
    for (const auto& chat : chats) {
        st->reset();
        st->bind(1, to_unix_ms(at)).bind(2, chat.id);
        if (auto r = st->run(); !r) return r.error();
        if (db_.changes() == 0) continue;
        ended.push_back(chat.id);
        leave->reset();
        leave->bind(1, to_unix_ms(at)).bind(2, chat.id);
        if (auto r = leave->run(); !r) return r.error();
    }
    return ended;
}

namespace {
constexpr const char* kPhraseWhere =
    " FROM bot_unanswered WHERE (?1 <> '' AND example LIKE ?1 ESCAPE '\\') OR (?2 <> '' AND phrase LIKE ?2 ESCAPE '\\')";
}

Result<int64_t> ResidentStore::count_advisor_phrases(const std::string& email, const std::string& normalized) {
    if (email.find('@') == std::string::npos) return int64_t{0};
    auto st = db_.prepare(std::string("SELECT count(*)") + kPhraseWhere);
    if (!st) return st.error();
    st->bind(1, like_escaped(email)).bind(2, normalized.size() >= 6 ? like_escaped(normalized) : std::string());
    auto has = st->step();
    if (!has) return has.error();
    return st->int64(0);
}

Result<int64_t> ResidentStore::erase_advisor_phrases(const std::string& email, const std::string& normalized) {
    if (email.find('@') == std::string::npos) return int64_t{0};
    auto st = db_.prepare(std::string("DELETE") + kPhraseWhere);
    if (!st) return st.error();
    st->bind(1, like_escaped(email)).bind(2, normalized.size() >= 6 ? like_escaped(normalized) : std::string());
    if (auto r = st->run(); !r) return r.error();
    return int64_t(db_.changes());
}

Result<std::vector<ResidentCallback>> ResidentStore::callbacks(const std::string& phone) {
    std::vector<ResidentCallback> out;
    if (phone.empty()) return out;
    auto st = db_.prepare("SELECT contact_id, chat_id, phone, state, created_at FROM callbacks WHERE phone = ? ORDER BY contact_id");
    if (!st) return st.error();
    std::set<int64_t> seen;
    for (const auto& form : phone_variants(phone)) {
        st->reset();
        st->bind(1, form);
        for (;;) {
            auto has = st->step();
            if (!has) return has.error();
            if (!*has) break;
            if (!seen.insert(st->int64(0)).second) continue;
            ResidentCallback c;
            c.contact_id = st->int64(0);
            if (!st->is_null(1)) c.chat_id = st->int64(1);
            c.phone = st->text(2);
            c.state = st->text(3);
            c.created_at = from_unix_ms(st->int64(4));
            out.push_back(std::move(c));
        }
    }
    return out;
}

Result<int64_t> ResidentStore::erase_callbacks(const std::vector<ResidentCallback>& callbacks) {
    int64_t changed = 0;
    auto st = db_.prepare("UPDATE callbacks SET phone = '[usunięto]' WHERE contact_id = ? AND phone <> '[usunięto]'");
    if (!st) return st.error();
    for (const auto& c : callbacks) {
        st->reset();
        st->bind(1, c.contact_id);
        if (auto r = st->run(); !r) return r.error();
        changed += db_.changes();
    }
    return changed;
}

}  // namespace centrala::store
