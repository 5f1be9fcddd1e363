// Light stemmers: one pass of longest-suffix stripping over normalised words,
// plus a few rules for alternations that matter in the advisor's vocabulary.
// The rules are listed in docs/bot.md and pinned by tests/unit/bot_text_test.cpp.
#include <algorithm>
#include <vector>

#include "centrala/bot/text.hpp"

namespace centrala::bot {
namespace {

enum Flag : int { none = 0, verbal = 1 };

struct Rule {
    std::u32string_view suffix;
    std::u32string_view replacement;
    int min_stem;  // characters that must remain before the suffix
    int flags;
};

// Sorted longest suffix first, so the first rule that fits is the longest.
std::vector<Rule> sorted(std::vector<Rule> rules) {
    std::stable_sort(rules.begin(), rules.end(),
                     [](const Rule& a, const Rule& b) { return a.suffix.size() > b.suffix.size(); });
    return rules;
}

bool ends_with(std::u32string_view w, std::u32string_view s) {
    return w.size() >= s.size() && w.substr(w.size() - s.size()) == s;
}
bool starts_with(std::u32string_view w, std::u32string_view s) {
    return w.size() >= s.size() && w.substr(0, s.size()) == s;
}

// Applies the first (longest) rule that fits; returns its flags, or -1.
int apply(std::u32string& w, const std::vector<Rule>& rules) {
    for (const auto& r : rules) {
        if (!ends_with(w, r.suffix)) continue;
        if (static_cast<int>(w.size() - r.suffix.size()) < r.min_stem) continue;
        w.resize(w.size() - r.suffix.size());
        w.append(r.replacement);
        return r.flags;
    }
    return -1;
}

// Perfective prefixes dropped from verbs, so that "zarejestrować" and
// "przerejestrowanie" meet "rejestracja". "wy-" is kept on purpose:
// "wyrejestrować" (deregister) must stay apart from "zarejestrować".
void strip_prefix(std::u32string& w, std::initializer_list<std::u32string_view> prefixes) {
    for (auto p : prefixes) {
        if (starts_with(w, p) && w.size() - p.size() >= 4) {
            w.erase(0, p.size());
            return;
        }
    }
}

bool latin_vowel(char32_t c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

const std::vector<Rule>& polish_rules() {
    static const std::vector<Rule> rules = sorted({
        // -acja and its adjective -acyjny: rejestracja, rejestracji, rejestracyjny → rejestr
        {U"acyjnymi", U"", 3, none}, {U"acyjnego", U"", 3, none}, {U"acyjnemu", U"", 3, none},
        {U"acyjnych", U"", 3, none}, {U"acyjnej", U"", 3, none},  {U"acyjnym", U"", 3, none},
        {U"acyjna", U"", 3, none},   {U"acyjne", U"", 3, none},   {U"acyjny", U"", 3, none},
        {U"acjami", U"", 3, none},   {U"acjach", U"", 3, none},   {U"acjom", U"", 3, none},
        {U"acja", U"", 3, none},     {U"acji", U"", 3, none},     {U"acje", U"", 3, none},
        {U"acjo", U"", 3, none},
        // -ować verbs and their nouns and participles: zarejestrować, rejestrowanie, rejestruje
        {U"owaniami", U"", 3, verbal}, {U"owaniach", U"", 3, verbal}, {U"owaniem", U"", 3, verbal},
        {U"owania", U"", 3, verbal},   {U"owanie", U"", 3, verbal},   {U"owaniu", U"", 3, verbal},
        {U"owanego", U"", 3, verbal},  {U"owanemu", U"", 3, verbal},  {U"owanych", U"", 3, verbal},
        {U"owanymi", U"", 3, verbal},  {U"owanej", U"", 3, verbal},   {U"owanym", U"", 3, verbal},
        {U"owany", U"", 3, verbal},    {U"owana", U"", 3, verbal},    {U"owane", U"", 3, verbal},
        {U"owalismy", U"", 3, verbal}, {U"owalem", U"", 3, verbal},   {U"owalam", U"", 3, verbal},
        {U"owala", U"", 3, verbal},    {U"owali", U"", 3, verbal},    {U"owal", U"", 3, verbal},
        {U"owac", U"", 3, verbal},     {U"ujecie", U"", 3, verbal},   {U"ujemy", U"", 3, verbal},
        {U"ujesz", U"", 3, verbal},    {U"ujcie", U"", 3, verbal},    {U"uje", U"", 3, verbal},
        {U"uja", U"", 3, verbal},      {U"uj", U"", 4, verbal},
        // verbal nouns: zgłoszenie, mieszkania
        {U"eniami", U"", 3, none}, {U"eniach", U"", 3, none}, {U"eniem", U"", 3, none},
        {U"enia", U"", 3, none},   {U"enie", U"", 3, none},   {U"eniu", U"", 3, none},
        {U"aniami", U"", 3, none}, {U"aniach", U"", 3, none}, {U"aniem", U"", 3, none},
        {U"ania", U"", 3, none},   {U"anie", U"", 3, none},   {U"aniu", U"", 3, none},
        // -ość: własność, ważności
        {U"oscia", U"", 3, none}, {U"osci", U"", 3, none}, {U"osc", U"", 3, none},
        // past tense: kupiłem, zgubiłam, sprzedali
        {U"ilismy", U"", 3, none}, {U"alismy", U"", 3, none}, {U"ylismy", U"", 3, none},
        {U"ilem", U"", 3, none},   {U"ilam", U"", 3, none},   {U"ylem", U"", 3, none},
        {U"ylam", U"", 3, none},   {U"alem", U"", 3, none},   {U"alam", U"", 3, none},
        {U"elem", U"", 3, none},   {U"elam", U"", 3, none},   {U"iles", U"", 3, none},
        {U"ilas", U"", 3, none},   {U"ales", U"", 3, none},   {U"alas", U"", 3, none},
        {U"ili", U"", 3, none},    {U"ila", U"", 3, none},    {U"ilo", U"", 3, none},
        {U"yli", U"", 3, none},    {U"yla", U"", 3, none},    {U"ylo", U"", 3, none},
        {U"ali", U"", 3, none},    {U"ala", U"", 3, none},    {U"alo", U"", 3, none},
        {U"aly", U"", 3, none},    {U"ily", U"", 3, none},    {U"eli", U"", 3, none},
        {U"ela", U"", 3, none},    {U"il", U"", 3, none},     {U"yl", U"", 3, none},
        {U"lem", U"", 3, none},    {U"lam", U"", 3, none},
        // participles: sprowadzony, zgubiona
        {U"ionego", U"", 3, none}, {U"ionych", U"", 3, none}, {U"ionej", U"", 3, none},
        {U"ionym", U"", 3, none},  {U"iony", U"", 3, none},   {U"iona", U"", 3, none},
        {U"ione", U"", 3, none},   {U"onego", U"", 4, none},  {U"onych", U"", 4, none},
        {U"onej", U"", 4, none},   {U"onym", U"", 4, none},   {U"ony", U"", 4, none},
        {U"ona", U"", 4, none},    {U"one", U"", 4, none},
        // infinitive and present tense: kupić, płacę, płacisz
        {U"ic", U"", 3, none},    {U"yc", U"", 3, none},    {U"ac", U"", 3, none},    {U"ec", U"", 3, none},
        {U"ecie", U"", 3, none},  {U"icie", U"", 3, none},  {U"ycie", U"", 3, none},  {U"acie", U"", 3, none},
        {U"esz", U"", 3, none},   {U"isz", U"", 3, none},   {U"ysz", U"", 3, none},   {U"asz", U"", 3, none},
        {U"emy", U"", 3, none},   {U"imy", U"", 3, none},   {U"ymy", U"", 3, none},   {U"amy", U"", 3, none},
        {U"aja", U"", 3, none},   {U"am", U"", 3, none},
        // adjectives in -owy: podatkowy, śmieciowa
        {U"owymi", U"", 3, none}, {U"owego", U"", 3, none}, {U"owemu", U"", 3, none}, {U"owych", U"", 3, none},
        {U"owej", U"", 3, none},  {U"owym", U"", 3, none},  {U"owy", U"", 3, none},   {U"owa", U"", 3, none},
        {U"owe", U"", 3, none},
        // nouns and adjectives
        {U"owie", U"", 3, none}, {U"owi", U"", 3, none}, {U"iami", U"", 3, none}, {U"iach", U"", 3, none},
        {U"ami", U"", 3, none},  {U"ach", U"", 3, none}, {U"iom", U"", 3, none},  {U"iego", U"", 3, none},
        {U"iemu", U"", 3, none}, {U"ego", U"", 3, none}, {U"emu", U"", 3, none},  {U"ych", U"", 3, none},
        {U"ich", U"", 3, none},  {U"ymi", U"", 3, none}, {U"imi", U"", 3, none},  {U"iej", U"", 3, none},
        {U"ym", U"", 3, none},   {U"im", U"", 3, none},  {U"ej", U"", 3, none},   {U"ow", U"", 3, none},
        {U"om", U"", 3, none},   {U"iem", U"", 3, none}, {U"em", U"", 3, none},   {U"ia", U"", 3, none},
        {U"ie", U"", 3, none},   {U"ii", U"", 3, none},  {U"iu", U"", 3, none},   {U"io", U"", 3, none},
        {U"ja", U"", 3, none},   {U"ji", U"", 3, none},  {U"je", U"", 3, none},   {U"a", U"", 3, none},
        {U"e", U"", 3, none},    {U"i", U"", 3, none},   {U"y", U"", 3, none},    {U"u", U"", 3, none},
        {U"o", U"", 3, none},
        // locative -dzie of -d nouns: samochodzie → samochod
        {U"dzie", U"d", 4, none},
    });
    return rules;
}

const std::vector<Rule>& english_rules() {
    static const std::vector<Rule> rules = sorted({
        {U"istrations", U"ist", 3, none}, {U"istration", U"ist", 3, none},
        {U"ational", U"ate", 3, none},    {U"ations", U"", 3, none},  {U"ation", U"", 3, none},
        {U"ions", U"", 4, none},          {U"ion", U"", 4, none},     {U"ments", U"", 3, none},
        {U"ment", U"", 3, none},          {U"ness", U"", 3, none},    {U"ings", U"", 3, none},
        {U"ing", U"", 3, none},           {U"ering", U"", 3, none},   {U"ered", U"", 3, none},
        {U"ers", U"", 3, none},           {U"er", U"", 3, none},      {U"edly", U"", 3, none},
        {U"ed", U"", 3, none},            {U"ly", U"", 3, none},      {U"ies", U"y", 3, none},
        {U"ied", U"y", 3, none},          {U"sses", U"ss", 2, none},  {U"xes", U"x", 2, none},
        {U"ches", U"ch", 2, none},        {U"shes", U"sh", 2, none},  {U"zes", U"z", 2, none},
        {U"s", U"", 3, none},
    });
    return rules;
}

const std::vector<Rule>& ukrainian_rules() {
    static const std::vector<Rule> rules = sorted({
        // -ація and -аційний: реєстрація, реєстрації, реєстраційний → реєстр
        {U"аціями", U"", 3, none},   {U"аціях", U"", 3, none},    {U"ацією", U"", 3, none},
        {U"ацію", U"", 3, none},     {U"ація", U"", 3, none},     {U"ації", U"", 3, none},
        {U"ацій", U"", 3, none},     {U"аційного", U"", 3, none}, {U"аційному", U"", 3, none},
        {U"аційними", U"", 3, none}, {U"аційним", U"", 3, none},  {U"аційних", U"", 3, none},
        {U"аційна", U"", 3, none},   {U"аційне", U"", 3, none},   {U"аційні", U"", 3, none},
        {U"аційний", U"", 3, none},  {U"аційної", U"", 3, none},  {U"аційну", U"", 3, none},
        // -увати verbs and their nouns: зареєструвати, реєструю
        {U"уваннями", U"", 3, verbal}, {U"уванням", U"", 3, verbal}, {U"ування", U"", 3, verbal},
        {U"уванні", U"", 3, verbal},   {U"увань", U"", 3, verbal},   {U"увати", U"", 3, verbal},
        {U"ували", U"", 3, verbal},    {U"увала", U"", 3, verbal},   {U"увало", U"", 3, verbal},
        {U"ував", U"", 3, verbal},     {U"ювати", U"", 3, verbal},   {U"ювали", U"", 3, verbal},
        {U"ювала", U"", 3, verbal},    {U"ював", U"", 3, verbal},    {U"ують", U"", 3, verbal},
        {U"уєте", U"", 3, verbal},     {U"уємо", U"", 3, verbal},    {U"уєш", U"", 3, verbal},
        {U"уйте", U"", 3, verbal},     {U"ує", U"", 3, verbal},      {U"ую", U"", 3, verbal},
        // verbal nouns: посвідчення, оформлення
        {U"енням", U"", 3, none}, {U"ення", U"", 3, none}, {U"енні", U"", 3, none}, {U"ень", U"", 3, none},
        {U"анням", U"", 3, none}, {U"ання", U"", 3, none}, {U"анні", U"", 3, none}, {U"ань", U"", 3, none},
        // -ість: нерухомість, нерухомості
        {U"остями", U"", 3, none}, {U"остях", U"", 3, none}, {U"остям", U"", 3, none},
        {U"остей", U"", 3, none},  {U"ості", U"", 3, none},  {U"істю", U"", 3, none},
        {U"ість", U"", 3, none},
        // verbs
        {U"ати", U"", 3, none}, {U"яти", U"", 3, none}, {U"ити", U"", 3, none}, {U"іти", U"", 3, none},
        {U"ути", U"", 3, none}, {U"ать", U"", 3, none}, {U"ять", U"", 3, none}, {U"ить", U"", 3, none},
        {U"іть", U"", 3, none}, {U"уть", U"", 3, none}, {U"ють", U"", 3, none}, {U"ала", U"", 3, none},
        {U"али", U"", 3, none}, {U"ало", U"", 3, none}, {U"ила", U"", 3, none}, {U"или", U"", 3, none},
        {U"ило", U"", 3, none}, {U"ено", U"", 3, none}, {U"емо", U"", 3, none}, {U"имо", U"", 3, none},
        {U"ете", U"", 3, none}, {U"ите", U"", 3, none}, {U"еш", U"", 3, none},  {U"иш", U"", 3, none},
        {U"ла", U"", 3, none},  {U"ли", U"", 3, none},  {U"ло", U"", 3, none},  {U"ав", U"", 3, none},
        {U"ив", U"", 3, none},
        // nouns and adjectives
        {U"іями", U"", 3, none}, {U"іях", U"", 3, none}, {U"іям", U"", 3, none}, {U"ією", U"", 3, none},
        {U"ами", U"", 3, none},  {U"ями", U"", 3, none}, {U"ього", U"", 3, none}, {U"ьому", U"", 3, none},
        {U"ого", U"", 3, none},  {U"ому", U"", 3, none}, {U"ими", U"", 3, none}, {U"іми", U"", 3, none},
        {U"ові", U"", 3, none},  {U"еві", U"", 3, none}, {U"єві", U"", 3, none}, {U"ах", U"", 3, none},
        {U"ях", U"", 3, none},   {U"ам", U"", 3, none},  {U"ям", U"", 3, none},  {U"ом", U"", 3, none},
        {U"ем", U"", 3, none},   {U"єм", U"", 3, none},  {U"ою", U"", 3, none},  {U"ею", U"", 3, none},
        {U"єю", U"", 3, none},   {U"ів", U"", 3, none},  {U"їв", U"", 3, none},  {U"ей", U"", 3, none},
        {U"их", U"", 3, none},   {U"іх", U"", 3, none},  {U"им", U"", 3, none},  {U"ім", U"", 3, none},
        {U"ій", U"", 3, none},   {U"ий", U"", 3, none},  {U"ої", U"", 3, none},  {U"ая", U"", 3, none},
        {U"яя", U"", 3, none},   {U"ія", U"", 3, none},  {U"ії", U"", 3, none},  {U"ію", U"", 3, none},
        {U"а", U"", 3, none},    {U"я", U"", 3, none},   {U"о", U"", 3, none},   {U"е", U"", 3, none},
        {U"є", U"", 3, none},    {U"у", U"", 3, none},   {U"ю", U"", 3, none},   {U"і", U"", 3, none},
        {U"и", U"", 3, none},    {U"ї", U"", 3, none},   {U"й", U"", 3, none},   {U"ь", U"", 3, none},
    });
    return rules;
}

}  // namespace

std::string stem_pl(std::string_view word) {
    std::u32string w = utf8_decode(word);
    if (w.size() < 4) return std::string(word);
    // Mobile e: podatek/podatku, wniosek/wniosku → podatk, wniosk (not człowiek).
    if (w.size() >= 6 && ends_with(w, U"ek") && !latin_vowel(w[w.size() - 3])) {
        w.erase(w.size() - 2, 1);
        return utf8_encode(w);
    }
    int flags = apply(w, polish_rules());
    if (flags > 0 && (flags & verbal)) strip_prefix(w, {U"prze", U"za"});
    return utf8_encode(w);
}

std::string stem_en(std::string_view word) {
    std::u32string w = utf8_decode(word);
    if (w.size() < 4) return std::string(word);
    bool stripped = apply(w, english_rules()) >= 0;
    // stopped → stop, planned → plan (but not "fill", "pass", "buzz")
    if (stripped && w.size() >= 4) {
        char32_t a = w[w.size() - 1], b = w[w.size() - 2];
        if (a == b && !latin_vowel(a) && a != 'l' && a != 's' && a != 'z') w.pop_back();
    }
    if (w.size() >= 5 && w.back() == 'e') w.pop_back();  // licence, licences → licenc
    return utf8_encode(w);
}

std::string stem_uk(std::string_view word) {
    std::u32string w = utf8_decode(word);
    if (w.size() < 4) return std::string(word);
    if (w.size() >= 5 && (ends_with(w, U"ся") || ends_with(w, U"сь"))) w.resize(w.size() - 2);  // записатися
    // Mobile o/e: податок/податку → податк.
    if (w.size() >= 6 && (ends_with(w, U"ок") || ends_with(w, U"ек"))) {
        static constexpr std::u32string_view vowels = U"аеєиіїоуюяь";
        if (vowels.find(w[w.size() - 3]) == std::u32string_view::npos) {
            w.erase(w.size() - 2, 1);
            return utf8_encode(w);
        }
    }
    int flags = apply(w, ukrainian_rules());
    if (flags > 0 && (flags & verbal)) strip_prefix(w, {U"пере", U"за"});
    return utf8_encode(w);
}

std::string stem(std::string_view word, Lang lang) {
    switch (lang) {
        case Lang::pl: return stem_pl(word);
        case Lang::en: return stem_en(word);
        case Lang::uk: return stem_uk(word);
    }
    return std::string(word);
}

}  // namespace centrala::bot
