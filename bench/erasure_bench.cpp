// A resident's data request at scale: the cost of finding the chats whose
// messages hold one phone number or e-mail (ResidentStore::chats — one LIKE
// scan over every message, confirmed by redact_contact) and of erasing them,
// with N generated messages (default 1 000 000, 10 per chat), against a bare
// `SELECT count(*) ... LIKE` over the same table in the same run.
//
//   bench_erasure [--messages N] [--dir DIR] [--runs R]
//
// Messages are Polish sentences from a fixed-seed vocabulary; 2 % give some
// phone number (in several writings) and 1 % some e-mail, as residents do;
// the resident looked for wrote their number in 3 chats and their e-mail in 2.
// Nothing is asserted; figures are printed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "centrala/domain/ticket.hpp"
#include "centrala/store/migrations.hpp"
#include "centrala/store/resident_store.hpp"

using namespace centrala;
using namespace centrala::store;
using Steady = std::chrono::steady_clock;

namespace {

const char* kWords[] = {"dzień", "dobry", "chciałbym", "zapytać", "o", "deklarację", "śmieciową", "podatek",
                        "od", "nieruchomości", "termin", "odbioru", "odpadów", "na", "ulicy", "Lipowej",
                        "rejestracja", "samochodu", "dowód", "osobisty", "kiedy", "mogę", "przyjść", "urząd",
                        "dziękuję", "proszę", "informację", "opłata", "zaległość", "wniosek", "w", "sprawie",
                        "paszport", "akt", "urodzenia", "ślubu", "godziny", "otwarcia", "wydział", "komunikacji"};
constexpr size_t kWordCount = sizeof kWords / sizeof kWords[0];

template <class T>
T must(Result<T> r, const char* what) {
    if (!r) {
        std::fprintf(stderr, "%s: %s\n", what, r.error().message.c_str());
        std::exit(1);
    }
    return std::move(*r);
}
void must(Result<void> r, const char* what) {
    if (!r) {
        std::fprintf(stderr, "%s: %s\n", what, r.error().message.c_str());
        std::exit(1);
    }
}

std::string sentence(std::mt19937& rng, int words) {
    std::uniform_int_distribution<size_t> pick(0, kWordCount - 1);
    std::string s;
    for (int i = 0; i < words; ++i) s += (i ? " " : "") + std::string(kWords[pick(rng)]);
    return s;
}

std::string some_phone(std::mt19937& rng) {
    std::uniform_int_distribution<int> d(100000000, 899999999);
    const std::string n = std::to_string(d(rng));
    switch (rng() % 4) {
        case 0: return n;
        case 1: return "+48 " + n.substr(0, 3) + " " + n.substr(3, 3) + " " + n.substr(6);
        case 2: return n.substr(0, 3) + "-" + n.substr(3, 3) + "-" + n.substr(6);
        default: return "0048" + n;
    }
}

double ms_since(Steady::time_point t0) { return std::chrono::duration<double, std::milli>(Steady::now() - t0).count(); }

}  // namespace

int main(int argc, char** argv) {
    int64_t n = 1000000;
    int runs = 5;
    std::string dir = std::filesystem::temp_directory_path().string();
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--messages")) n = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
        else if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    }
    const std::string path = dir + "/centrala-erasure-bench.db";
    for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
    auto db = must(Database::open(path, Durability::normal), "open");
    must(migrate(db), "migrate");
    must(db.exec("PRAGMA synchronous=OFF"), "pragma");

    std::mt19937 rng(42);
    const int64_t per_chat = 10, chats = std::max<int64_t>(1, n / per_chat);
    const std::string phone = "+48600100200", email = "jan.kowalski@example.pl";
    const auto t_fill = Steady::now();
    {
        must(db.exec("BEGIN"), "begin");
        auto c = must(db.prepare("INSERT INTO contacts (id, channel, state, topic, lang, created_at) "
                                 "VALUES (?, 'chat', 'closed', 'other', 'pl', ?)"),
                      "contact insert");
        auto m = must(db.prepare("INSERT INTO messages (contact_id, author_kind, body, created_at) VALUES (?, ?, ?, ?)"),
                      "message insert");
        std::uniform_int_distribution<int> pct(0, 99), words(4, 18);
        for (int64_t id = 1; id <= chats; ++id) {
            c.reset();
            c.bind(1, id).bind(2, id * 1000);
            must(c.run(), "contact");
            for (int64_t k = 0; k < per_chat; ++k) {
                std::string body = sentence(rng, words(rng));
                const int p = pct(rng);
                if (p < 2) body += " mój numer " + some_phone(rng);
                else if (p < 3) body += " mail: osoba" + std::to_string(rng() % 100000) + "@example.pl";
                if (id % (chats / 3 + 1) == 7 && k == 3) body += " proszę oddzwonić 600-100-200";
                if (id % (chats / 2 + 1) == 11 && k == 5) body += " pisz na Jan.Kowalski@Example.pl";
                m.reset();
                m.bind(1, id).bind(2, k % 2 ? "bot" : "resident").bind(3, body).bind(4, id * 1000 + k);
                must(m.run(), "message");
            }
        }
        must(db.exec("COMMIT"), "commit");
    }
    std::printf("filled %lld messages in %lld chats in %.1f s; database %.0f MB\n", (long long)(chats * per_chat),
                (long long)chats, ms_since(t_fill) / 1000, std::filesystem::file_size(path) / 1e6);

    // The bare scan: the same LIKE patterns, counted by SQLite alone.
    auto bare = must(db.prepare("SELECT count(*) FROM messages WHERE body LIKE ?1 ESCAPE '\\' OR body LIKE ?2"), "bare");
    const std::string phone_pattern = phone_like_pattern(phone);
    std::vector<double> bare_ms, scan_ms;
    int64_t bare_count = 0;
    ResidentKeys keys;
    keys.phone = phone;
    keys.email = email;
    keys.names = {"Jan Kowalski"};
    ChatScanStats stats;
    std::vector<ResidentChat> found;
    ResidentStore store(db);
    for (int r = 0; r < runs; ++r) {
        auto t0 = Steady::now();
        bare.reset();
        bare.bind(1, "%" + email + "%").bind(2, phone_pattern);
        must(bare.step(), "bare step");
        bare_count = bare.int64(0);
        bare_ms.push_back(ms_since(t0));
        t0 = Steady::now();
        stats = {};
        found = must(store.chats(keys, false, &stats), "chats");
        scan_ms.push_back(ms_since(t0));
    }
    std::sort(bare_ms.begin(), bare_ms.end());
    std::sort(scan_ms.begin(), scan_ms.end());
    std::printf("bare LIKE count: %lld rows, median %.0f ms (min %.0f, max %.0f)\n", (long long)bare_count,
                bare_ms[bare_ms.size() / 2], bare_ms.front(), bare_ms.back());
    std::printf("ResidentStore::chats: %zu chats, %lld candidates, %lld confirmed; median %.0f ms (min %.0f, max %.0f)\n",
                found.size(), (long long)stats.candidates, (long long)stats.matches, scan_ms[scan_ms.size() / 2],
                scan_ms.front(), scan_ms.back());
    const auto t_erase = Steady::now();
    must(db.exec("BEGIN IMMEDIATE"), "begin");
    const auto changed = must(store.erase_chats(found, keys), "erase");
    must(db.exec("COMMIT"), "commit");
    std::printf("erase_chats: %lld messages changed in %.1f ms (after the scan)\n", (long long)changed,
                ms_since(t_erase));
    for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
    return 0;
}
