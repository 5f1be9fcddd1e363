// Text processing of the virtual advisor: normalisation, stemmers, edit
// distance, the speller and language detection.
#include <gtest/gtest.h>

#include "centrala/bot/text.hpp"

using namespace centrala::bot;

namespace {

using Words = std::vector<std::string>;

// All forms must meet at one stem, and that stem must be `expected`.
void same_stem(Lang lang, std::initializer_list<const char*> forms, const std::string& expected) {
    for (const char* f : forms) {
        auto words = tokenize(f);
        ASSERT_EQ(words.size(), 1u) << f;
        EXPECT_EQ(stem(words[0], lang), expected) << f;
    }
}

}  // namespace

TEST(BotNormalize, FoldsPolishDiacriticsAndCase) {
    EXPECT_EQ(normalize("Zażółć GĘŚLĄ jaźń"), "zazolc gesla jazn");
    EXPECT_EQ(normalize("ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż"), "acelnoszz acelnoszz");
    EXPECT_EQ(normalize("Dowód Rejestracyjny"), "dowod rejestracyjny");
}

TEST(BotNormalize, StripsPunctuationAndKeepsDigits) {
    EXPECT_EQ(tokenize("Kupiłem passata!!! Co teraz?? (pilne)"), (Words{"kupilem", "passata", "co", "teraz", "pilne"}));
    EXPECT_EQ(tokenize("800+ i 19115; tel. 112"), (Words{"800", "i", "19115", "tel", "112"}));
    EXPECT_EQ(tokenize("second-hand car"), (Words{"second", "hand", "car"}));
    EXPECT_EQ(tokenize("  \t\n "), Words{});
    EXPECT_EQ(tokenize("„cudzysłów” — «guillemets» … 🙂"), (Words{"cudzyslow", "guillemets"}));
}

TEST(BotNormalize, KeepsUkrainianCyrillicAndLowersIt) {
    EXPECT_EQ(normalize("ЗАРЕЄСТРУВАТИ Автомобіль"), "зареєструвати автомобіль");
    EXPECT_EQ(normalize("ЇЖАК Ґанок ЄВРО ІНШЕ"), "їжак ґанок євро інше");
    // Apostrophes inside a word are dropped, whichever apostrophe is typed.
    EXPECT_EQ(normalize("пам'ять пам’ять памʼять"), "память память память");
    EXPECT_EQ(normalize("What's up"), "whats up");
}

TEST(BotNormalize, DecomposedAccentsAndOtherLatinLetters) {
    EXPECT_EQ(normalize("zo\xCC\x81\xC5\x82w"), "zolw");  // o + combining acute
    EXPECT_EQ(normalize("Straße Müller Ærø"), "strasse muller aero");
}

TEST(BotNormalize, InvalidUtf8NeverThrows) {
    std::string bad = "ab\xC3";         // cut short
    bad += "\xFF\xFE cd \xE2\x82";      // stray bytes, another cut
    EXPECT_EQ(tokenize(bad), (Words{"ab", "cd"}));
    EXPECT_EQ(utf8_decode("\xC0\xAF").size(), 2u);  // overlong '/' is two replacement characters
    EXPECT_EQ(utf8_truncate("żółw", 3), "ż");       // never cuts a character in half
    EXPECT_EQ(utf8_truncate("abc", 10), "abc");
}

TEST(BotScript, CountsLettersOfTheRawText) {
    Script s = script_of("Żółw i кіт");
    EXPECT_EQ(s.cyrillic, 3);
    EXPECT_EQ(s.latin, 5);
    EXPECT_EQ(s.polish_marks, 3);
}

TEST(BotStemPl, NounFormsMeet) {
    same_stem(Lang::pl, {"samochód", "samochodu", "samochodem", "samochody", "samochodów", "samochodami",
                         "samochodach", "samochodzie"},
              "samochod");
    same_stem(Lang::pl, {"auto", "auta", "autem", "autami"}, "aut");
    same_stem(Lang::pl, {"dowód", "dowodu", "dowodem", "dowody"}, "dowod");
    same_stem(Lang::pl, {"śmieci", "śmieciach", "śmieciami"}, "smiec");
    same_stem(Lang::pl, {"podatek", "podatku", "podatkiem", "podatki", "podatków", "podatkowej", "podatkowy"}, "podatk");
    same_stem(Lang::pl, {"człowiek", "człowiekiem"}, "czlowiek");
    same_stem(Lang::pl, {"opłata", "opłaty", "opłatę"}, "oplat");
}

TEST(BotStemPl, RegistrationFamilyMeets) {
    same_stem(Lang::pl,
              {"rejestracja", "rejestracji", "rejestrację", "rejestracją", "rejestracyjny", "rejestracyjnego",
               "zarejestrować", "zarejestrowałem", "zarejestruje", "rejestrowanie", "przerejestrowanie"},
              "rejestr");
    // Deregistration stays apart from registration.
    same_stem(Lang::pl, {"wyrejestrować", "wyrejestrowanie", "wyrejestrowania"}, "wyrejestr");
    same_stem(Lang::pl, {"rezerwacja", "zarezerwować", "rezerwacji"}, "rezerw");
}

TEST(BotStemPl, VerbAndParticipleForms) {
    same_stem(Lang::pl, {"kupiłem", "kupiłam", "kupić", "kupiła"}, "kup");
    same_stem(Lang::pl, {"zgubiłem", "zgubiłam", "zgubić", "zgubiony", "zgubiona"}, "zgub");
    same_stem(Lang::pl, {"sprowadzony", "sprowadziłem", "sprowadzić", "sprowadzenie"}, "sprowadz");
    same_stem(Lang::pl, {"mieszkanie", "mieszkania", "mieszkaniu"}, "mieszk");
}

TEST(BotStemPl, ShortWordsUntouched) {
    EXPECT_EQ(stem_pl("psa"), "psa");
    EXPECT_EQ(stem_pl("oc"), "oc");
    EXPECT_EQ(stem_pl("112"), "112");
}

TEST(BotStemEn, SuffixStripping) {
    same_stem(Lang::en, {"registration", "register", "registered", "registering", "registers"}, "regist");
    same_stem(Lang::en, {"licence", "licences"}, "licenc");
    same_stem(Lang::en, {"collection", "collected", "collecting"}, "collect");
    same_stem(Lang::en, {"cars", "car"}, "car");
    same_stem(Lang::en, {"vehicles", "vehicle"}, "vehicl");
    EXPECT_EQ(stem_en("taxes"), "tax");
    EXPECT_EQ(stem_en("fees"), "fee");
    EXPECT_EQ(stem_en("stopped"), "stop");
    EXPECT_EQ(stem_en("cities"), "city");
    EXPECT_EQ(stem_en("bus"), "bus");
}

TEST(BotStemUk, SuffixStripping) {
    same_stem(Lang::uk, {"реєстрація", "реєстрації", "реєстрацію", "зареєструвати", "перереєструвати", "реєстраційний"},
              "реєстр");
    same_stem(Lang::uk, {"автомобіль", "автомобіля", "автомобілем", "автомобілі"}, "автомобіл");
    same_stem(Lang::uk, {"машина", "машину", "машини"}, "машин");
    same_stem(Lang::uk, {"податок", "податку", "податки"}, "податк");
    same_stem(Lang::uk, {"людина", "людиною", "людини"}, "людин");
    same_stem(Lang::uk, {"оператор", "оператором", "оператора"}, "оператор");
    same_stem(Lang::uk, {"записатися", "записатись"}, "запис");
    same_stem(Lang::uk, {"нерухомість", "нерухомості"}, "нерухом");
}

TEST(BotEditDistance, DamerauLevenshtein) {
    EXPECT_EQ(edit_distance("rejestracja", "rejestracja"), 0);
    EXPECT_EQ(edit_distance("rejstracja", "rejestracja"), 1);   // deletion
    EXPECT_EQ(edit_distance("rejestarcja", "rejestracja"), 1);  // swap of neighbours
    EXPECT_EQ(edit_distance("samochud", "samochod"), 1);        // substitution
    EXPECT_EQ(edit_distance("kot", "pies"), 4);
    EXPECT_EQ(edit_distance("", "abc"), 3);
    EXPECT_EQ(edit_distance("сміття", "смітя"), 1);  // counted in characters, not bytes
}

TEST(BotEditDistance, TypoBudgetByLength) {
    EXPECT_EQ(typo_budget(3), 0);
    EXPECT_EQ(typo_budget(4), 1);
    EXPECT_EQ(typo_budget(7), 1);
    EXPECT_EQ(typo_budget(8), 2);
    EXPECT_EQ(typo_budget(15), 2);
}

TEST(BotSpeller, CorrectsWithinTheBudgetOnly) {
    Speller s;
    for (const char* w : {"rejestracja", "samochod", "smieci", "wywoz", "podatek", "psa", "сміття"}) s.add(w);
    s.build();
    EXPECT_EQ(s.correct("rejstracja"), "rejestracja");   // 10 letters, 1 edit
    EXPECT_EQ(s.correct("rejstarcja"), "rejestracja");   // 10 letters, 2 edits
    EXPECT_EQ(s.correct("rjstarcja"), std::nullopt);     // 3 edits
    EXPECT_EQ(s.correct("samochud"), "samochod");        // 8 letters
    EXPECT_EQ(s.correct("wywuz"), "wywoz");              // 5 letters, 1 edit
    EXPECT_EQ(s.correct("wyuz"), std::nullopt);          // 4 letters, 2 edits
    EXPECT_EQ(s.correct("smeci"), "smieci");
    EXPECT_EQ(s.correct("смітя"), "сміття");
    EXPECT_EQ(s.correct("pas"), std::nullopt);           // 3 letters: never corrected
    EXPECT_EQ(s.correct("podatek"), std::nullopt);       // known
    EXPECT_EQ(s.correct("zamochod"), std::nullopt);      // the first letter is kept
}

// A pasted 4,000-character "word" must not cost the O(n^2) deletions of a
// typo search (8 million strings): nothing that long can be a typo of a word.
TEST(BotSpeller, AVeryLongWordIsNoTypoAndCostsNothing) {
    Speller s;
    for (const char* w : {"rejestracja", "samochod"}) s.add(w);
    s.add(std::string(Speller::kMaxWordChars + 1, 'r'));  // not indexed
    s.build();
    std::string pasted;
    for (int i = 0; i < 4000; ++i) pasted += "ż";
    EXPECT_EQ(s.correct(pasted), std::nullopt);
    EXPECT_EQ(s.correct(std::string(Speller::kMaxWordChars, 'r')), std::nullopt) << "an over-long vocabulary word is offered";
    EXPECT_EQ(s.correct("rejestracjaaa"), "rejestracja");  // the longest word plus the budget still corrects
    EXPECT_EQ(s.correct("rejestracjaaaa"), std::nullopt);
}

TEST(BotSpeller, TiesGoToTheMoreFrequentWord) {
    Speller s;
    s.add("kota");
    s.add("kosa");
    s.add("kosa");
    s.build();
    EXPECT_EQ(s.correct("kopa"), "kosa");
    Speller t;
    t.add("kota");
    t.add("kosa");
    t.build();
    EXPECT_EQ(t.correct("kopa"), "kosa");  // equal frequency: alphabetical
}

TEST(BotLanguage, CyrillicIsUkrainian) {
    EXPECT_EQ(detect_language("Як зареєструвати автомобіль?", Lang::pl), Lang::uk);
    EXPECT_EQ(detect_language("хочу PESEL", Lang::en), Lang::uk);
}

TEST(BotLanguage, PolishMarksOrFunctionWordsArePolish) {
    EXPECT_EQ(detect_language("Zgubiłem dowód", Lang::en), Lang::pl);
    EXPECT_EQ(detect_language("jak zarejestrowac auto", Lang::en), Lang::pl);
    EXPECT_EQ(detect_language("gdzie jest urzad", Lang::uk), Lang::pl);
}

TEST(BotLanguage, EnglishFunctionWordsAreEnglish) {
    EXPECT_EQ(detect_language("how do I register my car", Lang::pl), Lang::en);
    EXPECT_EQ(detect_language("where is the city hall", Lang::uk), Lang::en);
}

TEST(BotLanguage, PreferredLanguageDecidesWithoutEvidence) {
    EXPECT_EQ(detect_language("passat", Lang::pl), Lang::pl);
    EXPECT_EQ(detect_language("passat", Lang::en), Lang::en);
    EXPECT_EQ(detect_language("passat", Lang::uk), Lang::uk);
    EXPECT_EQ(detect_language("", Lang::en), Lang::en);
    // One English word against the Polish prior: evidence wins over the prior.
    EXPECT_EQ(detect_language("the passat", Lang::pl), Lang::en);
}

TEST(BotLanguage, HintsFromTheKnowledgeBase) {
    LanguageHints hints;
    hints.pl = {"rejestracja", "samochodu"};
    hints.en = {"car", "registration"};
    EXPECT_EQ(detect_language("rejestracja samochodu", Lang::en, &hints), Lang::pl);
    EXPECT_EQ(detect_language("car registration", Lang::pl, &hints), Lang::en);
    EXPECT_EQ(detect_language("car registration", Lang::pl, nullptr), Lang::pl);
}

TEST(BotLanguage, Codes) {
    EXPECT_EQ(parse_lang("uk"), Lang::uk);
    EXPECT_EQ(parse_lang("ua"), std::nullopt);
    EXPECT_EQ(lang_code(Lang::en), "en");
}
