// Cases at scale: creation rate and full-text search latency of TicketStore
// against a bare SQLite insert/select loop measured in the same run, and the
// start-up cost (open + migrate + first page) with that database.
//
//   bench_tickets [--cases N] [--dir DIR] [--queries Q]
//
// N cases (default 100 000; the figure is 1 000 000, ~10 min here) are
// generated from a fixed-seed Polish vocabulary, one transaction per case with
// synchronous=OFF for both loops (an fsync per case would take days);
// the durable rate (synchronous=FULL, the server's setting) is measured on
// 500 more cases against the same bare loop. Figures are printed as ratios to
// the bare loop; nothing is asserted.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "centrala/store/migrations.hpp"
#include "centrala/store/ticket_store.hpp"

using namespace centrala;
using namespace centrala::store;
using Steady = std::chrono::steady_clock;

namespace {

const char* kWords[] = {
    "latarnia", "latarni", "ulica", "ulicy", "chodnik", "chodnika", "jezdnia", "jezdni", "dziura", "dziury",
    "śmieci", "odpady", "odpadów", "pojemnik", "pojemnika", "opłata", "opłaty", "podatek", "podatku", "decyzja",
    "decyzji", "wniosek", "wniosku", "rejestracja", "pojazdu", "samochód", "tablice", "dowód", "prawo", "jazdy",
    "zwierzę", "martwe", "sarna", "kot", "pies", "drzewo", "gałąź", "park", "ławka", "przystanek", "autobus",
    "skrzyżowanie", "sygnalizacja", "światła", "woda", "hydrant", "kanalizacja", "studzienka", "graffiti",
    "hałas", "nocą", "rano", "wieczorem", "tydzień", "miesiąc", "mieszkaniec", "mieszkanka", "prośba",
    "zgłoszenie", "zgłaszam", "uszkodzony", "uszkodzona", "zepsuta", "nie", "świeci", "miga", "leży", "stoi",
    "przy", "obok", "koło", "naprzeciwko", "bloku", "szkoły", "kościoła", "sklepu", "Żeromskiego", "Sienkiewicza",
    "Mickiewicza", "Kościuszki", "Piłsudskiego", "Łódzka", "Źródlana", "Wesoła", "Zielona", "Polna", "Leśna",
    "Krótka", "Długa", "Ogrodowa", "Słoneczna", "Kwiatowa", "Szkolna", "Kolejowa", "Spacerowa", "Górna", "Dolna",
    "zaległość", "raty", "ulga", "zwrot", "nadpłata", "korekta", "deklaracja", "segregacja", "szkło", "papier",
    "bioodpady", "gabaryty", "elektrośmieci", "termin", "odbioru", "harmonogram", "wywóz", "kontener", "plac",
    "rondo", "most", "wiadukt", "tunel", "parking", "znak", "słup", "kabel", "przewód", "barierka", "schody",
};
constexpr size_t kWordCount = sizeof kWords / sizeof kWords[0];
const char* kCategories[] = {"oswietlenie", "dziura_w_jezdni", "odpady_nieodebrane", "podatek_nieruchomosci",
                             "rejestracja_pojazdu", "martwe_zwierze"};

std::string sentence(std::mt19937& rng, int words) {
    std::uniform_int_distribution<size_t> pick(0, kWordCount - 1);
    std::string s;
    for (int i = 0; i < words; ++i) s += (i ? " " : "") + std::string(kWords[pick(rng)]);
    return s;
}

TicketRow make_ticket(std::mt19937& rng, SysTime now) {
    TicketRow t;
    t.subject = sentence(rng, 4);
    t.description = sentence(rng, 16);
    t.category = kCategories[rng() % 6];
    t.department = "interwencje";
    t.priority = "normal";
    t.access_key_hash = "0000000000000000000000000000000000000000000000000000000000000000";
    t.resident_name = "Jan Kowalski";
    t.resident_phone = "600100200";
    t.created_at = now;
    t.due_at = now + std::chrono::hours(8);
    return t;
}

std::string ascii_fold(std::string s) {
    static const std::pair<const char*, const char*> letters[] = {
        {"ą", "a"}, {"ć", "c"}, {"ę", "e"}, {"ł", "l"}, {"ń", "n"}, {"ó", "o"}, {"ś", "s"}, {"ź", "z"},
        {"ż", "z"}, {"Ł", "L"}, {"Ż", "Z"}, {"Ź", "Z"}, {"Ś", "S"}};
    for (const auto& [from, to] : letters)
        for (size_t p; (p = s.find(from)) != std::string::npos;) s.replace(p, std::strlen(from), to);
    return s;
}

double ms_since(Steady::time_point t0) { return std::chrono::duration<double, std::milli>(Steady::now() - t0).count(); }

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5))];
}

void die(const std::string& what) {
    std::fprintf(stderr, "bench_tickets: %s\n", what.c_str());
    std::exit(1);
}

template <class T>
T must(Result<T> r, const char* what) {
    if (!r) die(std::string(what) + ": " + r.error().message);
    return std::move(r).value();
}
void must(Result<void> r, const char* what) {
    if (!r) die(std::string(what) + ": " + r.error().message);
}

// The baseline: the same rows into a plain table, one transaction each.
struct Bare {
    Database& db;
    Statement insert;
    Statement by_id;
    explicit Bare(Database& d)
        : db(d),
          insert((must(d.exec("CREATE TABLE IF NOT EXISTS bare (id INTEGER PRIMARY KEY, subject TEXT, description TEXT, "
                              "category TEXT, created_at INTEGER)"),
                       "bare table"),
                  must(d.prepare("INSERT INTO bare (subject, description, category, created_at) VALUES (?, ?, ?, ?)"),
                       "bare insert"))),
          by_id(must(d.prepare("SELECT id, subject, description, category FROM bare WHERE id >= ? ORDER BY id LIMIT 50"),
                     "bare select")) {}
    void add(const TicketRow& t) {
        must(db.exec("BEGIN IMMEDIATE"), "begin");
        insert.reset();
        insert.bind(1, t.subject).bind(2, t.description).bind(3, t.category).bind(4, to_unix_ms(t.created_at));
        must(insert.run(), "bare insert");
        must(db.exec("COMMIT"), "commit");
    }
    size_t page(int64_t from) {
        by_id.reset();
        by_id.bind(1, from);
        size_t n = 0;
        while (must(by_id.step(), "bare select")) ++n;
        return n;
    }
};

}  // namespace

int main(int argc, char** argv) {
    size_t cases = 100000, queries = 1000;
    std::string dir = (std::filesystem::temp_directory_path() / "centrala-bench-tickets").string();
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--cases") && i + 1 < argc) cases = std::stoul(argv[++i]);
        else if (!std::strcmp(argv[i], "--queries") && i + 1 < argc) queries = std::stoul(argv[++i]);
        else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else die("usage: bench_tickets [--cases N] [--queries Q] [--dir DIR]");
    }
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string path = dir + "/tickets.db", bare_path = dir + "/bare.db";
    std::mt19937 rng(42);
    const SysTime now = SysTime{std::chrono::sys_days{std::chrono::year{2026} / 2 / 13}};

    std::printf("bench_tickets: %zu cases, %zu queries, %s\n\n", cases, queries, dir.c_str());
    {
        auto db = must(Database::open(path, Durability::normal), "open");
        must(migrate(db), "migrate");
        auto bare_db = must(Database::open(bare_path, Durability::normal), "open bare");
        // Generation, not durability, is measured here: the disk's fsyncs
        // (shared by four builds on this machine) would drown both loops.
        must(db.exec("PRAGMA synchronous=OFF"), "pragma");
        must(bare_db.exec("PRAGMA synchronous=OFF"), "pragma");
        Bare bare(bare_db);
        TicketStore store(db, dir + "/attachments");

        // Bulk fill, interleaved in chunks so both see the same machine load.
        double ours_ms = 0, bare_ms = 0;
        const size_t chunk = 10000;
        for (size_t done = 0; done < cases;) {
            const size_t n = std::min(chunk, cases - done);
            std::vector<TicketRow> rows;
            rows.reserve(n);
            for (size_t i = 0; i < n; ++i) rows.push_back(make_ticket(rng, now));
            auto t0 = Steady::now();
            for (auto& r : rows) (void)must(store.create(r, "MCK", 2026, Actor{std::nullopt, "bench"}), "create");
            ours_ms += ms_since(t0);
            t0 = Steady::now();
            for (auto& r : rows) bare.add(r);
            bare_ms += ms_since(t0);
            done += n;
            if (done % 100000 == 0) std::fprintf(stderr, "  %zu cases\n", done);
        }
        std::printf("bulk create (synchronous=OFF, one transaction per case)\n");
        std::printf("  centrala   %9.0f cases/s   (number + row + history + FTS)\n", cases / (ours_ms / 1000));
        std::printf("  bare       %9.0f rows/s\n", cases / (bare_ms / 1000));
        std::printf("  ratio      %9.2f x the bare loop's time per row\n\n", ours_ms / bare_ms);

        // Search: one or two words, some typed without Polish letters.
        std::vector<double> ours, base;
        std::vector<std::pair<double, std::string>> slowest;
        std::uniform_int_distribution<size_t> pick(0, kWordCount - 1);
        size_t hits = 0;
        for (size_t i = 0; i < queries; ++i) {
            std::string q = kWords[pick(rng)];
            if (i % 3 == 0) q += std::string(" ") + kWords[pick(rng)];
            if (i % 2 == 0) q = ascii_fold(q);  // typed without Polish letters
            TicketFilter f;
            f.q = q;
            f.limit = 50;
            auto t0 = Steady::now();
            hits += must(store.list(f), "search").size();
            ours.push_back(ms_since(t0));
            slowest.emplace_back(ours.back(), q);
            t0 = Steady::now();
            hits += bare.page(int64_t(rng() % std::max<size_t>(1, cases)));
            base.push_back(ms_since(t0));
        }
        std::printf("search, first page of 50 (%zu queries)\n", queries);
        std::printf("  centrala FTS   p50 %7.2f ms   p99 %7.2f ms   max %7.2f ms\n", percentile(ours, 0.5),
                    percentile(ours, 0.99), percentile(ours, 1.0));
        std::printf("  bare by id     p50 %7.2f ms   p99 %7.2f ms   max %7.2f ms\n", percentile(base, 0.5),
                    percentile(base, 0.99), percentile(base, 1.0));
        std::printf("  p99 ratio      %7.1f x   (goal: FTS p99 under 50 ms at 1M cases)\n\n",
                    percentile(ours, 0.99) / std::max(1e-6, percentile(base, 0.99)));
        std::sort(slowest.rbegin(), slowest.rend());
        std::printf("  slowest:");
        for (size_t i = 0; i < std::min<size_t>(5, slowest.size()); ++i)
            std::printf(" \"%s\" %.1f ms;", slowest[i].second.c_str(), slowest[i].first);
        std::printf("\n\n");
        (void)hits;
    }
    {
        // Durable creation, the server's setting: an fsync per case.
        auto db = must(Database::open(path, Durability::full), "open");
        auto bare_db = must(Database::open(bare_path, Durability::full), "open bare");
        Bare bare(bare_db);
        TicketStore store(db, dir + "/attachments");
        const int n = 500;
        auto t0 = Steady::now();
        for (int i = 0; i < n; ++i)
            (void)must(store.create(make_ticket(rng, now), "MCK", 2026, Actor{std::nullopt, "bench"}), "create");
        const double ours_ms = ms_since(t0);
        t0 = Steady::now();
        for (int i = 0; i < n; ++i) bare.add(make_ticket(rng, now));
        const double bare_ms = ms_since(t0);
        std::printf("durable create (synchronous=FULL, %d cases)\n", n);
        std::printf("  centrala %8.0f cases/s   bare %8.0f rows/s   ratio %.2f\n\n", n / (ours_ms / 1000),
                    n / (bare_ms / 1000), ours_ms / bare_ms);
    }
    {
        // Start-up with this database: open, check the schema, first page of open cases.
        auto t0 = Steady::now();
        auto db = must(Database::open(path), "open");
        must(migrate(db), "migrate");
        TicketStore store(db, dir + "/attachments");
        TicketFilter f;
        f.status = "open";
        f.sort = "due";
        const size_t first = must(store.list(f), "first page").size();
        const double ours_ms = ms_since(t0);
        t0 = Steady::now();
        auto bare_db = must(Database::open(bare_path), "open bare");
        Bare bare(bare_db);
        const size_t bare_first = bare.page(1);
        const double bare_ms = ms_since(t0);
        std::printf("start-up (open + migrate + first page of %zu open cases by due time)\n", first);
        std::printf("  centrala %8.1f ms   bare %8.1f ms (%zu rows)   (goal: under 1 s)\n", ours_ms, bare_ms,
                    bare_first);
        std::printf("  database %.0f MB, bare %.0f MB\n", std::filesystem::file_size(path) / 1e6,
                    std::filesystem::file_size(bare_path) / 1e6);
    }
    return 0;
}
