// Text processing for the virtual advisor: UTF-8 normalisation, light stemmers
// for Polish, English and Ukrainian, an edit distance, a typo-tolerant speller
// and language detection. Pure functions and immutable-after-build classes:
// safe to call from any thread; a Speller is safe to share once built.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace centrala::bot {

enum class Lang { pl, en, uk };
inline constexpr Lang all_langs[] = {Lang::pl, Lang::en, Lang::uk};

std::string_view lang_code(Lang l);  // "pl" | "en" | "uk"
std::optional<Lang> parse_lang(std::string_view code);

// UTF-8 <-> code points. Invalid bytes decode as U+FFFD, never throw.
std::u32string utf8_decode(std::string_view s);
std::string utf8_encode(std::u32string_view s);
// The longest prefix of s of at most max_bytes that ends on a character boundary.
std::string_view utf8_truncate(std::string_view s, std::size_t max_bytes);

// Lower case and fold one code point: Polish (and other Latin) diacritics to
// ASCII (ą→a ć→c ę→e ł→l ń→n ó→o ś→s ź→z ż→z, also ä→a ü→u ß→ss ...),
// Ukrainian Cyrillic lower-cased and kept (ґ є і ї stay). Returns the folded
// characters (ß gives two); empty for characters that separate words.
std::u32string fold_char(char32_t c);

// Normalised words of a text: lower case, diacritics folded, punctuation and
// symbols as separators, apostrophes inside a word dropped (пам'ять → память,
// what's → whats). Letters and digits are kept; Cyrillic stays Cyrillic.
std::vector<std::string> tokenize(std::string_view text);
// The tokens joined by single spaces.
std::string normalize(std::string_view text);

bool is_cyrillic(char32_t c);
// Counts over the raw (unfolded) text.
struct Script {
    int cyrillic = 0;      // Cyrillic letters
    int latin = 0;         // Latin letters
    int polish_marks = 0;  // ąćęłńóśźż and their capitals
};
Script script_of(std::string_view text);

// Light suffix-stripping stemmers over normalised words (see docs/bot.md for
// the rules). They only need to map the forms of one word to one stem; the
// stems are not dictionary words.
std::string stem_pl(std::string_view word);
std::string stem_en(std::string_view word);
std::string stem_uk(std::string_view word);
std::string stem(std::string_view word, Lang lang);

// Optimal-string-alignment Damerau–Levenshtein distance over code points
// (insert, delete, substitute, swap two neighbours).
int edit_distance(std::u32string_view a, std::u32string_view b);
int edit_distance(std::string_view a, std::string_view b);
// Typos tolerated for a word of this many characters: 0 below 4, 1 for 4–7, 2 from 8.
int typo_budget(std::size_t chars);

// Typo correction against a fixed vocabulary (symmetric-delete index, so a
// lookup costs a few dozen hash probes whatever the vocabulary size).
class Speller {
public:
    // Adds a normalised word; repeated adds raise its frequency.
    void add(std::string_view word);
    // Must be called after the last add() and before correct().
    void build();
    bool contains(std::string_view word) const { return freq_.count(std::string(word)) > 0; }
    std::size_t size() const { return words_.size(); }
    // The closest vocabulary word within typo_budget(length of word) that
    // starts with the same letter, or nothing when the word is known or no
    // candidate is close enough. Ties go to the more frequent word, then to the
    // alphabetically first.
    std::optional<std::string> correct(std::string_view word) const;

    // Longer vocabulary words are not indexed (no Polish, English or Ukrainian word is).
    static constexpr std::size_t kMaxWordChars = 40;

private:
    std::vector<std::string> words_;
    std::vector<std::u32string> chars_;
    std::size_t longest_ = 0;  // characters of the longest indexed word
    std::unordered_map<std::string, int> freq_;
    std::unordered_map<std::u32string, std::vector<std::uint32_t>> deletes_;  // by code points: no re-encoding
};

// Words that identify a language beyond the built-in function words: for the
// advisor, the words used only in the Polish (or only in the English) example
// phrasings of the knowledge base.
struct LanguageHints {
    std::unordered_set<std::string> pl;
    std::unordered_set<std::string> en;
};

// Cyrillic letters outnumber Latin ones → uk. Otherwise evidence is counted:
// Polish diacritics (+3 for pl), Polish and English function words and hint
// words (+1 each), Cyrillic words (+1 each for uk), and the preferred language
// gets +0.5. The highest score wins; with no evidence at all, the preferred
// language.
Lang detect_language(std::string_view text, Lang preferred, const LanguageHints* hints = nullptr);

}  // namespace centrala::bot
