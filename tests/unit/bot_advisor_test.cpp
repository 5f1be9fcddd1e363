// The advisor over the shipped knowledge base: answers, clarifying questions,
// handoff, buttons, language, explanations.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "centrala/bot/advisor.hpp"
#include "source_file.hpp"

using namespace centrala;
using namespace centrala::bot;
using centrala::testing::source_file;

namespace {

const Advisor& advisor() {
    static const Advisor a = [] {
        auto r = Advisor::load(source_file("config/knowledge.json"));
        if (!r) throw std::runtime_error(r.error().message);
        return std::move(r).value();
    }();
    return a;
}

std::vector<std::string> values(const Reply& r) {
    std::vector<std::string> v;
    for (const auto& b : r.buttons) v.push_back(b.value);
    return v;
}

bool why_has(const Reply& r, const std::string& part) {
    return std::any_of(r.why.begin(), r.why.end(), [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

}  // namespace

TEST(BotAdvisor, ColloquialPhrasingsFromTheIssue) {
    struct Case {
        const char* text;
        const char* topic;
    };
    for (auto c : {Case{"blachy", "vehicles"}, Case{"dowód rejestracyjny", "vehicles"}, Case{"śmieciarka", "waste"},
                   Case{"wywóz", "waste"}, Case{"kupiłem passata", "vehicles"}, Case{"sprowadzony z Niemiec", "vehicles"},
                   Case{"psi podatek", "taxes"}, Case{"opłata za psa", "taxes"}}) {
        Reply r = advisor().ask(c.text, Lang::pl);
        EXPECT_EQ(r.topic, c.topic) << c.text;
        EXPECT_FALSE(r.clarify) << c.text;
        EXPECT_GE(r.confidence, 0.5) << c.text;
    }
}

TEST(BotAdvisor, SpecificAnswerWithItsButtonsAndLinks) {
    Reply r = advisor().ask("Kupiłem używany samochód, jak go zarejestrować?", Lang::pl);
    EXPECT_EQ(r.topic, "vehicles");
    EXPECT_EQ(r.answer, "vehicles.used_car");
    EXPECT_EQ(r.language, Lang::pl);
    EXPECT_NE(r.text.find("30 dni"), std::string::npos);
    EXPECT_TRUE(r.verify);
    EXPECT_FALSE(r.handoff);
    auto v = values(r);
    EXPECT_NE(std::find(v.begin(), v.end(), "topic:appointment"), v.end());
    ASSERT_FALSE(r.links.empty());
    EXPECT_EQ(r.links[0].url, "/wizyta");
    EXPECT_EQ(r.links[0].label, "Umów wizytę");
    EXPECT_TRUE(why_has(r, "example: "));

    Reply d = advisor().ask("psi podatek", Lang::pl);
    EXPECT_EQ(d.answer, "taxes.dog_fee");
}

TEST(BotAdvisor, TopicWithoutASpecificAnswerShowsTheGuidedFlow) {
    Reply r = advisor().ask("dowód rejestracyjny", Lang::pl);
    EXPECT_EQ(r.topic, "vehicles");
    EXPECT_EQ(r.answer, "");
    auto v = values(r);
    for (const char* want : {"answer:vehicles.used_car", "answer:vehicles.import", "answer:vehicles.lost_certificate",
                             "answer:vehicles.deregistration"})
        EXPECT_NE(std::find(v.begin(), v.end(), want), v.end()) << want;
    EXPECT_EQ(r.buttons[0].label, "Kupiłem używany samochód");

    Reply w = advisor().ask("śmieciarka", Lang::pl);
    auto wv = values(w);
    for (const char* want : {"answer:waste.declaration", "answer:waste.schedule", "answer:waste.fee", "answer:waste.complaint"})
        EXPECT_NE(std::find(wv.begin(), wv.end(), want), wv.end()) << want;
}

TEST(BotAdvisor, AmbiguousTextGetsAClarifyingQuestion) {
    Reply r = advisor().ask("dowód", Lang::pl);
    EXPECT_TRUE(r.clarify);
    EXPECT_FALSE(r.handoff);
    EXPECT_LT(r.confidence, advisor().knowledge().nlu.confidence_threshold);
    EXPECT_EQ(r.text, advisor().knowledge().messages.clarify.pl);
    auto v = values(r);
    ASSERT_GE(v.size(), 3u);
    ASSERT_LE(v.size(), 4u);  // 2–3 topics and "talk to a consultant"
    EXPECT_NE(std::find(v.begin(), v.end(), "topic:id_documents"), v.end());
    EXPECT_NE(std::find(v.begin(), v.end(), "topic:vehicles"), v.end());
    EXPECT_EQ(v.back(), "topic:human");
    EXPECT_EQ(r.topic, r.ranking.at(0).topic);  // the best guess is still reported
}

TEST(BotAdvisor, NothingUnderstoodOffersTheMainMenu) {
    for (const char* text : {"asdfgh qwerty", "", "???", "i the a"}) {
        Reply r = advisor().ask(text, Lang::en);
        EXPECT_EQ(r.topic, "other") << text;
        EXPECT_EQ(r.confidence, 0) << text;
        EXPECT_TRUE(r.clarify) << text;
        EXPECT_EQ(r.text, advisor().knowledge().messages.not_understood.en) << text;
        EXPECT_EQ(values(r), advisor().knowledge().main_menu) << text;
    }
}

TEST(BotAdvisor, HandoffPhrasesInAllThreeLanguages) {
    for (const char* text : {"chcę rozmawiać z konsultantem", "z człowiekiem", "chce rozmawiac z czlowiekiem",
                             "połącz mnie z konsultantem", "talk to a person", "I want to speak to a human",
                             "оператор", "з людиною", "хочу поговорити з оператором", "З'єднайте з консультантом"}) {
        Reply r = advisor().ask(text, Lang::pl);
        EXPECT_EQ(r.topic, "human") << text;
        EXPECT_TRUE(r.handoff) << text;
        EXPECT_FALSE(r.clarify) << text;
    }
    EXPECT_EQ(advisor().ask("talk to a person", Lang::pl).language, Lang::en);
    EXPECT_EQ(advisor().ask("з людиною", Lang::pl).language, Lang::uk);
}

TEST(BotAdvisor, HandoffWithATopicKeepsTheTopicInTheRanking) {
    Reply r = advisor().ask("chcę rozmawiać z konsultantem w sprawie rejestracji samochodu", Lang::pl);
    EXPECT_EQ(r.topic, "human");
    EXPECT_TRUE(r.handoff);
    bool vehicles = std::any_of(r.ranking.begin(), r.ranking.end(), [](const TopicScore& t) { return t.topic == "vehicles"; });
    EXPECT_TRUE(vehicles) << "the chat needs the subject to choose a queue";
    EXPECT_EQ(routing_topic(r), "vehicles");
    EXPECT_EQ(routing_topic(advisor().ask("chcę rozmawiać z konsultantem", Lang::pl)), "other");
    EXPECT_EQ(routing_topic(advisor().ask("psi podatek", Lang::pl)), "taxes");
}

TEST(BotAdvisor, RepliesInTheResidentsLanguage) {
    Reply uk = advisor().ask("Як зареєструвати автомобіль, куплений у Польщі?", Lang::pl);
    EXPECT_EQ(uk.topic, "vehicles");
    EXPECT_EQ(uk.language, Lang::uk);
    EXPECT_GT(script_of(uk.text).cyrillic, 0);

    Reply en = advisor().ask("how do I register a car I bought", Lang::pl);
    EXPECT_EQ(en.topic, "vehicles");
    EXPECT_EQ(en.language, Lang::en);

    // No evidence of a language: the chat's language ("passat" would be
    // Polish evidence: it is a Polish keyword of the knowledge base).
    EXPECT_EQ(advisor().ask("tesla", Lang::uk).language, Lang::uk);
    EXPECT_EQ(advisor().ask("tesla", Lang::en).language, Lang::en);
    EXPECT_EQ(advisor().ask("passat", Lang::en).language, Lang::pl);
}

TEST(BotAdvisor, TyposAndMissingDiacriticsAreUnderstood) {
    Reply r = advisor().ask("rejstracja samochdu", Lang::pl);
    EXPECT_EQ(r.topic, "vehicles");
    EXPECT_TRUE(why_has(r, "typo: samochdu → samochodu") || why_has(r, "typo: samochdu → samochody")) << r.why.size();
    EXPECT_EQ(advisor().ask("zgubilem dowod rejestracyjny", Lang::pl).answer, "vehicles.lost_certificate");
    EXPECT_EQ(advisor().ask("wywuz smieci", Lang::pl).topic, "waste");
}

TEST(BotAdvisor, SynonymsAndKeywordsAreExplained) {
    Reply r = advisor().ask("blachy", Lang::pl);
    EXPECT_TRUE(why_has(r, "synonym: blachy → tablice rejestracyjne"));
    EXPECT_TRUE(why_has(r, "keyword: blachy → vehicles"));
}

TEST(BotAdvisor, ButtonsAreAnswerable) {
    auto t = advisor().choose("topic:waste", Lang::en);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->topic, "waste");
    EXPECT_EQ(t->language, Lang::en);
    EXPECT_EQ(t->confidence, 1.0);
    EXPECT_EQ(t->text, advisor().knowledge().topic("waste")->intro.en);
    EXPECT_EQ(t->buttons.at(0).label, "Waste fee declaration");

    auto a = advisor().choose("answer:vehicles.import", Lang::uk);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->answer, "vehicles.import");
    EXPECT_EQ(a->text, advisor().knowledge().answer("vehicles.import")->text.uk);

    auto h = advisor().choose("topic:human", Lang::pl);
    ASSERT_TRUE(h.ok());
    EXPECT_TRUE(h->handoff);

    // Every button the knowledge base can show leads somewhere.
    const auto& kb = advisor().knowledge();
    std::vector<std::string> all = kb.main_menu;
    for (const auto& topic : kb.topics) {
        all.insert(all.end(), topic.menu.begin(), topic.menu.end());
        for (const auto& ans : topic.answers) all.insert(all.end(), ans.buttons.begin(), ans.buttons.end());
    }
    for (const auto& v : all) EXPECT_TRUE(advisor().choose(v, Lang::pl).ok()) << v;
}

TEST(BotAdvisor, ButtonValueTypedAsTextIsChosen) {
    Reply r = advisor().ask(" answer:taxes.dog_fee\n", Lang::en);
    EXPECT_EQ(r.answer, "taxes.dog_fee");
    EXPECT_EQ(r.text, advisor().knowledge().answer("taxes.dog_fee")->text.en);
    // Not a real button: understood as text, not an error.
    Reply t = advisor().ask("topic:parking", Lang::pl);
    EXPECT_FALSE(t.topic.empty());
}

TEST(BotAdvisor, UnknownButtonsAreErrors) {
    auto r = advisor().choose("topic:parking", Lang::pl);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::not_found);
    EXPECT_EQ(advisor().choose("answer:vehicles.flying", Lang::pl).error().kind, ErrorKind::not_found);
    EXPECT_EQ(advisor().choose("answer:vehicles", Lang::pl).error().kind, ErrorKind::not_found);
    EXPECT_EQ(advisor().choose("delete everything", Lang::pl).error().kind, ErrorKind::invalid);
}

TEST(BotAdvisor, GreetingCarriesTheMainMenu) {
    Reply g = advisor().greeting(Lang::uk);
    EXPECT_EQ(g.text, advisor().knowledge().messages.greeting.uk);
    EXPECT_EQ(values(g), advisor().knowledge().main_menu);
    EXPECT_EQ(g.buttons.back().label, "Розмова з консультантом");
}

TEST(BotAdvisor, DeterministicAndSafeOnHostileInput) {
    const char* text = "Kupiłem auto w Niemczech, co z akcyzą i tablicami?";
    nlohmann::json first = advisor().ask(text, Lang::pl);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(nlohmann::json(advisor().ask(text, Lang::pl)), first);

    std::string huge;
    for (int i = 0; i < 20000; ++i) huge += "śmieci ";
    Reply r = advisor().ask(huge, Lang::pl);
    EXPECT_EQ(r.topic, "waste");

    std::string junk;
    for (int i = 0; i < 3000; ++i) junk.push_back(static_cast<char>(0x80 + i % 64));
    EXPECT_NO_THROW(advisor().ask(junk, Lang::pl));
    std::string nul("dowód\0rejestracyjny", 19);
    EXPECT_EQ(advisor().ask(nul, Lang::pl).topic, "vehicles");
}

TEST(BotAdvisor, CopiesShareOneIndex) {
    Advisor copy = advisor();
    EXPECT_EQ(&copy.knowledge(), &advisor().knowledge());
    EXPECT_EQ(copy.ask("blachy", Lang::pl).topic, "vehicles");
    EXPECT_FALSE(copy.source().empty());
}

TEST(BotAdvisor, LoadRefusesABrokenKnowledgeBase) {
    auto r = Advisor::load("{\"messages\": {}}");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "messages.greeting: is required");
}

TEST(BotAdvisor, JsonShape) {
    nlohmann::json j = advisor().ask("blachy", Lang::pl);
    for (const char* key : {"topic", "answer", "confidence", "lang", "text", "buttons", "links", "handoff", "clarify",
                            "verify", "why", "ranking"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["lang"], "pl");
    EXPECT_EQ(j["topic"], "vehicles");
    EXPECT_TRUE(j["confidence"].is_number());
    EXPECT_TRUE(j["buttons"].is_array());
}
