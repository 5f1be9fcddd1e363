#include "centrala/bot/text.hpp"

#include <algorithm>
#include <array>

namespace centrala::bot {

std::string_view lang_code(Lang l) {
    switch (l) {
        case Lang::pl: return "pl";
        case Lang::en: return "en";
        case Lang::uk: return "uk";
    }
    return "pl";
}

std::optional<Lang> parse_lang(std::string_view code) {
    for (Lang l : all_langs)
        if (lang_code(l) == code) return l;
    return std::nullopt;
}

// ---------------------------------------------------------------- UTF-8

std::u32string utf8_decode(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
        if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {  // stray byte or cut short
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        char32_t cp = extra == 0 ? c : extra == 1 ? (c & 0x1F) : extra == 2 ? (c & 0x0F) : (c & 0x07);
        bool ok = true;
        for (int k = 1; k <= extra; ++k) {
            unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc >> 6) != 0x2) {
                ok = false;
                break;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        static constexpr char32_t min_for[] = {0, 0x80, 0x800, 0x10000};
        if (!ok || cp < min_for[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += extra + 1;
    }
    return out;
}

std::string utf8_encode(std::u32string_view s) {
    std::string out;
    out.reserve(s.size() * 2);
    for (char32_t c : s) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else if (c < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (c >> 12)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (c >> 18)));
            out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

std::string_view utf8_truncate(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    std::size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

// ---------------------------------------------------------------- folding

namespace {

enum class Kind { letter, ignore, separator };

// Folds of U+00C0..U+017F, one letter each; '*' has a two-letter fold below,
// '-' separates words (× and ÷).
constexpr std::string_view latin_fold =
    "aaaaaa*ceeeeiiii"
    "dnooooo-ouuuuy**"
    "aaaaaa*ceeeeiiii"
    "dnooooo-ouuuuy*y"
    "aaaaaaccccccccdd"
    "ddeeeeeeeeeegggg"
    "gggghhhhiiiiiiii"
    "ii**jjkkklllllll"
    "lllnnnnnnnnnoooo"
    "oo**rrrrrrssssss"
    "ssttttttuuuuuuuu"
    "uuuuwwyyyzzzzzzs";
static_assert(latin_fold.size() == 0x180 - 0xC0);

Kind classify(char32_t c, std::u32string& out) {
    if (c < 0x80) {
        if (c >= 'A' && c <= 'Z') {
            out.push_back(c + 32);
            return Kind::letter;
        }
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            out.push_back(c);
            return Kind::letter;
        }
        if (c == '\'' || c == '`') return Kind::ignore;
        return Kind::separator;
    }
    if (c >= 0xC0 && c < 0x180) {
        char f = latin_fold[c - 0xC0];
        if (f == '-') return Kind::separator;
        if (f != '*') {
            out.push_back(static_cast<char32_t>(f));
            return Kind::letter;
        }
        std::u32string_view two = (c == 0xC6 || c == 0xE6)     ? U"ae"
                                  : (c == 0xDE || c == 0xFE)   ? U"th"
                                  : c == 0xDF                  ? U"ss"
                                  : (c == 0x132 || c == 0x133) ? U"ij"
                                                               : U"oe";
        out.append(two);
        return Kind::letter;
    }
    if (c < 0xC0) return Kind::separator;  // Latin-1 punctuation and symbols, NBSP
    if (c >= 0x300 && c <= 0x36F) return Kind::ignore;  // combining accents (decomposed ó)
    if (c == 0x2BC || c == 0x2019 || c == 0x2018 || c == 0x2032) return Kind::ignore;  // apostrophes
    if (c >= 0x200B && c <= 0x200D) return Kind::ignore;  // zero-width joiners
    if (c >= 0xFE00 && c <= 0xFE0F) return Kind::ignore;  // variation selectors
    if (c >= 0x400 && c <= 0x4FF) {
        if (c >= 0x410 && c <= 0x42F) c += 0x20;       // А..Я
        else if (c >= 0x400 && c <= 0x40F) c += 0x50;  // Ѐ..Џ (Є І Ї)
        else if (c >= 0x460 && c <= 0x4FF && c % 2 == 0 && c != 0x482 && !(c >= 0x483 && c <= 0x489))
            c += 1;  // paired letters of the extended block (Ґ → ґ)
        out.push_back(c);
        return Kind::letter;
    }
    if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) || (c >= 0x1F000 && c <= 0x1FAFF) ||
        c == 0xFFFD || c == 0xFEFF)
        return Kind::separator;
    out.push_back(c);  // any other script's letters are kept as they are
    return Kind::letter;
}

}  // namespace

std::u32string fold_char(char32_t c) {
    std::u32string out;
    if (classify(c, out) != Kind::letter) out.clear();
    return out;
}

std::vector<std::string> tokenize(std::string_view text) {
    std::vector<std::string> words;
    std::u32string cur;
    auto flush = [&] {
        if (!cur.empty()) words.push_back(utf8_encode(cur));
        cur.clear();
    };
    for (char32_t c : utf8_decode(text)) {
        if (classify(c, cur) == Kind::separator) flush();
    }
    flush();
    return words;
}

std::string normalize(std::string_view text) {
    std::string out;
    for (const auto& w : tokenize(text)) {
        if (!out.empty()) out.push_back(' ');
        out += w;
    }
    return out;
}

bool is_cyrillic(char32_t c) { return c >= 0x400 && c <= 0x4FF; }

Script script_of(std::string_view text) {
    static constexpr std::u32string_view marks = U"ąćęłńóśźżĄĆĘŁŃÓŚŹŻ";
    Script s;
    for (char32_t c : utf8_decode(text)) {
        if (is_cyrillic(c)) {
            ++s.cyrillic;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= 0xC0 && c < 0x180 && c != 0xD7 && c != 0xF7)) {
            ++s.latin;
            if (marks.find(c) != std::u32string_view::npos) ++s.polish_marks;
        }
    }
    return s;
}

// ---------------------------------------------------------------- distance

int edit_distance(std::u32string_view a, std::u32string_view b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<int> prev2(m + 1), prev(m + 1), cur(m + 1);
    for (std::size_t j = 0; j <= m; ++j) prev[j] = static_cast<int>(j);
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = static_cast<int>(i);
        for (std::size_t j = 1; j <= m; ++j) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min(v, prev2[j - 2] + 1);
            cur[j] = v;
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[m];
}

int edit_distance(std::string_view a, std::string_view b) { return edit_distance(utf8_decode(a), utf8_decode(b)); }

int typo_budget(std::size_t chars) { return chars < 4 ? 0 : chars < 8 ? 1 : 2; }

// ---------------------------------------------------------------- speller

namespace {

// Every string obtained from w by deleting up to `depth` (at most 2)
// characters, w included, each once. Built flat and deduplicated by sorting:
// this runs for every vocabulary word at start and every unknown word asked.
std::vector<std::u32string> deletions(const std::u32string& w, int depth) {
    const std::size_t n = w.size();
    std::vector<std::u32string> out;
    out.reserve(1 + (depth >= 1 ? n : 0) + (depth >= 2 && n > 1 ? n * (n - 1) / 2 : 0));
    out.push_back(w);
    for (std::size_t i = 0; depth >= 1 && i < n; ++i) {
        std::u32string one = w;
        one.erase(i, 1);
        // The second deletion at j >= i: every pair of positions once.
        for (std::size_t j = i; depth >= 2 && j < one.size(); ++j) {
            std::u32string two = one;
            two.erase(j, 1);
            out.push_back(std::move(two));
        }
        out.push_back(std::move(one));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace

void Speller::add(std::string_view word) {
    if (word.empty()) return;
    ++freq_[std::string(word)];
}

void Speller::build() {
    words_.clear();
    chars_.clear();
    deletes_.clear();
    longest_ = 0;
    for (const auto& [w, f] : freq_) words_.push_back(w);
    std::sort(words_.begin(), words_.end());
    for (std::uint32_t id = 0; id < words_.size(); ++id) {
        chars_.push_back(utf8_decode(words_[id]));
        const auto& w = chars_.back();
        // Never offered as a correction: too short to tell, or longer than any word.
        if (w.size() < 3 || w.size() > kMaxWordChars) continue;
        longest_ = std::max(longest_, w.size());
        // A query of length q tolerates typo_budget(q) edits, so a vocabulary
        // word of length >= 6 may be two deletions away from a long query.
        for (auto& k : deletions(w, w.size() >= 6 ? 2 : 1)) deletes_[std::move(k)].push_back(id);
    }
}

std::optional<std::string> Speller::correct(std::string_view word) const {
    if (contains(word)) return std::nullopt;
    std::u32string q = utf8_decode(word);
    int budget = typo_budget(q.size());
    // Past the longest indexed word by more than the budget nothing can match;
    // the deletions of a long "word" (4,000 characters pasted) would cost O(n^2) strings.
    if (budget == 0 || q.size() > longest_ + std::size_t(budget)) return std::nullopt;
    const auto keys = deletions(q, budget);
    std::optional<std::uint32_t> best;
    int best_d = budget + 1;
    for (const auto& k : keys) {
        auto it = deletes_.find(k);
        if (it == deletes_.end()) continue;
        for (std::uint32_t id : it->second) {
            if (best && id == *best) continue;
            if (chars_[id][0] != q[0]) continue;  // typos rarely hit the first letter; "mother" is not "other"
            int d = edit_distance(q, chars_[id]);
            if (d > budget) continue;
            bool better = !best || d < best_d;
            if (!better && d == best_d) {
                int fa = freq_.at(words_[id]), fb = freq_.at(words_[*best]);
                better = fa > fb || (fa == fb && words_[id] < words_[*best]);
            }
            if (better) {
                best = id;
                best_d = d;
            }
        }
    }
    if (!best) return std::nullopt;
    return words_[*best];
}

// ---------------------------------------------------------------- language

namespace {

// Function words, normalised (no diacritics). Words shared by both languages
// ("a", "i", "to", "do", "no", "on") are left out: they prove nothing.
const std::unordered_set<std::string>& polish_function_words() {
    static const std::unordered_set<std::string> s = {
        "jak",   "czy",   "gdzie",  "nie",    "jest",   "sie",   "mam",    "mi",    "mnie",  "co",     "na",
        "od",    "ze",    "za",     "ktory",  "ktora",  "ktore", "ile",    "kiedy", "moge",  "musze",  "chce",
        "prosze", "dzien", "dobry", "moj",    "moja",   "moje",  "trzeba", "juz",   "przez", "dla",    "tak",
        "bo",    "albo",  "lub",    "oraz",   "jestem", "czesc", "witam",  "zeby",  "w",     "z",      "u",
        "sa",    "mozna", "jaki",   "jaka",   "jakie",  "gdy",   "jesli",  "potrzebuje", "chcialbym",
        "chcialabym", "mojego", "mojej", "moim", "nas", "nam", "czym", "ktorej", "tego", "tej", "ten",
    };
    return s;
}

const std::unordered_set<std::string>& english_function_words() {
    static const std::unordered_set<std::string> s = {
        "the",  "how",   "what",  "where", "when",  "is",     "are",    "my",    "can",   "need",  "want",
        "of",   "for",   "with",  "and",   "have",  "has",    "get",    "you",   "your",  "please", "there",
        "it",   "in",    "at",    "from",  "this",  "that",   "who",    "which", "much",  "many",  "hi",
        "hello", "am",   "was",   "were",  "be",    "would",  "should", "could", "will",  "an",    "our",
        "we",   "me",    "whats", "im",    "dont",  "does",   "did",    "about", "if",    "or",    "any",
    };
    return s;
}

}  // namespace

Lang detect_language(std::string_view text, Lang preferred, const LanguageHints* hints) {
    Script s = script_of(text);
    if (s.cyrillic > s.latin) return Lang::uk;
    double pl = s.polish_marks > 0 ? 3.0 : 0.0;
    double en = 0.0, uk = 0.0;
    bool evidence = pl > 0;
    for (const auto& w : tokenize(text)) {
        if (is_cyrillic(utf8_decode(w)[0])) {  // "хочу PESEL"
            uk += 1.0;
            evidence = true;
            continue;
        }
        bool p = polish_function_words().count(w) > 0 || (hints && hints->pl.count(w) > 0);
        bool e = english_function_words().count(w) > 0 || (hints && hints->en.count(w) > 0);
        pl += p ? 1.0 : 0.0;
        en += e ? 1.0 : 0.0;
        evidence = evidence || p || e;
    }
    if (!evidence) return preferred;
    std::array<double, 3> score = {pl, en, uk};
    score[static_cast<int>(preferred)] += 0.5;
    int best = static_cast<int>(preferred);
    for (int i = 0; i < 3; ++i)
        if (score[i] > score[best]) best = i;
    return static_cast<Lang>(best);
}

}  // namespace centrala::bot
