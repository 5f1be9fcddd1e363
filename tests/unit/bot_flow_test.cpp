// The advisor's report and leave-a-message dialogues (bot/flow.hpp): the
// order of questions, nothing asked twice, corrections, cancelling, contact
// details, recognising the kind of problem, and the state's round trip.
#include <gtest/gtest.h>

#include "centrala/bot/flow.hpp"

namespace centrala::bot {
namespace {

std::vector<FlowCategory> cats() {
    return {{"oswietlenie", "Uszkodzone oświetlenie uliczne", {"Uszkodzone oświetlenie uliczne", "latarnia", "oświetlenie", "Latarnia nie świeci, miga lub jest uszkodzona."}},
            {"dziura_w_jezdni", "Dziura w jezdni lub chodniku", {"Dziura w jezdni lub chodniku", "dziura", "jezdnia", "chodnik"}},
            {"martwe_zwierze", "Martwe zwierzę do usunięcia", {"Martwe zwierzę do usunięcia", "Padłe zwierzę na drodze lub w miejscu publicznym."}},
            {"dzikie_wysypisko", "Dzikie wysypisko śmieci", {"Dzikie wysypisko śmieci", "wysypisko", "śmieci", "gruz"}}};
}

FlowInput text(std::string t) { return {FlowInput::Kind::text, std::move(t), 0, 0}; }
FlowInput press(std::string v) { return {FlowInput::Kind::button, std::move(v), 0, 0}; }

bool has_button(const FlowReply& r, const std::string& value) {
    for (const auto& b : r.buttons)
        if (b.value == value && !b.label.empty()) return true;
    return false;
}

TEST(BotFlow, RecognisesTheKindOfProblemFromPolishWordsInAnyForm) {
    EXPECT_EQ(classify_report("Latarnia nie świeci od tygodnia", cats()), std::optional<std::string>("oswietlenie"));
    EXPECT_EQ(classify_report("latarni przy szkole brak swiatla", cats()), std::optional<std::string>("oswietlenie"));
    EXPECT_EQ(classify_report("na drodze leży martwy jeż, padłe zwierzę", cats()), std::optional<std::string>("martwe_zwierze"));
    EXPECT_EQ(classify_report("ktoś wyrzucił gruz i śmieci w lesie", cats()), std::optional<std::string>("dzikie_wysypisko"));
    EXPECT_EQ(classify_report("coś jest nie tak", cats()), std::nullopt);
    EXPECT_EQ(classify_report("", cats()), std::nullopt);
}

TEST(BotFlow, ContactDetailsArePhoneNumbersAndEmailAddressesValidated) {
    auto c = parse_contact("mój numer to +48 600-100-200, mail jan.kowalski@example.pl.");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->phone, "+48600100200");
    EXPECT_EQ(c->email, "jan.kowalski@example.pl");
    c = parse_contact("600 100 200");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->phone, "600100200");
    EXPECT_EQ(c->email, "");
    c = parse_contact("ola@miasto.gov.pl");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->phone, "");
    EXPECT_EQ(c->email, "ola@miasto.gov.pl");
    EXPECT_FALSE(parse_contact("tak"));
    EXPECT_FALSE(parse_contact("123"));               // too short for a phone
    EXPECT_FALSE(parse_contact("1234567890123456"));  // too long
    EXPECT_FALSE(parse_contact("jan@localhost"));     // no dot in the domain
    EXPECT_FALSE(parse_contact("@example.pl"));
    EXPECT_FALSE(parse_contact("a@b@example.pl"));
}

TEST(BotFlow, KindsAreOfferedInTheResidentsLanguageWhenTheCityNamedThem) {
    auto kinds = cats();
    kinds[0].names = {{"en", "Broken street light"}, {"uk", "Несправне вуличне освітлення"}};
    auto label_of = [](const FlowReply& r, const std::string& value) {
        for (const auto& b : r.buttons)
            if (b.value == value) return b.label;
        return std::string();
    };
    FlowState uk, en, pl;
    EXPECT_EQ(label_of(start_report(uk, Lang::uk, kinds), "flow:cat:oswietlenie"), "Несправне вуличне освітлення");
    EXPECT_EQ(label_of(start_report(en, Lang::en, kinds), "flow:cat:oswietlenie"), "Broken street light");
    EXPECT_EQ(label_of(start_report(pl, Lang::pl, kinds), "flow:cat:oswietlenie"), "Uszkodzone oświetlenie uliczne");
    // Without a translation the Polish name stands.
    EXPECT_EQ(label_of(start_report(en, Lang::en, kinds), "flow:cat:martwe_zwierze"), "Martwe zwierzę do usunięcia");
    // The summary names the kind in the resident's language too.
    en.category = "oswietlenie";
    EXPECT_NE(flow_summary(en, kinds, Lang::en).find("Broken street light"), std::string::npos) << flow_summary(en, kinds, Lang::en);
}

TEST(BotFlow, AKindChosenByButtonStandsForWhatHappenedInTheSummary) {
    auto kinds = cats();
    kinds[0].names = {{"en", "Broken street light"}, {"uk", "Несправне вуличне освітлення"}};
    for (const auto& [lang, want, none] :
         {std::tuple{Lang::pl, "Co się stało: Uszkodzone oświetlenie uliczne", "(nie podano)"},
          std::tuple{Lang::uk, "Що сталося: Несправне вуличне освітлення", "(не вказано)"},
          std::tuple{Lang::en, "What happened: Broken street light", "(not given)"}}) {
        FlowState s;
        start_report(s, lang, kinds);
        flow_step(s, press("flow:cat:oswietlenie"), kinds);  // the kind by button, nothing typed
        EXPECT_TRUE(s.what.empty());
        const std::string sum = flow_summary(s, kinds, lang);
        EXPECT_NE(sum.find(want), std::string::npos) << sum;
        // Only the place is missing, and it says so.
        EXPECT_NE(sum.find(none), std::string::npos) << sum;
        s.address = "ul. Długa 5";
        EXPECT_EQ(flow_summary(s, kinds, lang).find(none), std::string::npos) << flow_summary(s, kinds, lang);
    }
}

TEST(BotFlow, AReportAsksWhatWhereAPhotoAndContactThenSummarisesAndFiles) {
    FlowState s;
    FlowReply r = start_report(s, Lang::pl, cats());
    EXPECT_EQ(s.step, FlowStep::what);
    EXPECT_TRUE(has_button(r, "flow:cat:martwe_zwierze")) << "the kinds are offered as buttons";
    EXPECT_TRUE(has_button(r, "flow:cancel"));

    r = flow_step(s, text("Na jezdni leży padłe zwierzę"), cats());
    EXPECT_EQ(s.category, "martwe_zwierze") << "recognised from the words: not asked";
    EXPECT_EQ(s.step, FlowStep::where);
    EXPECT_TRUE(has_button(r, "flow:location"));

    r = flow_step(s, text("skrzyżowanie Długiej z Krótką, koło sklepu"), cats());
    EXPECT_EQ(s.address, "skrzyżowanie Długiej z Krótką, koło sklepu") << "any description of the place is the place";
    EXPECT_EQ(s.step, FlowStep::photo);
    EXPECT_TRUE(has_button(r, "flow:photo"));
    EXPECT_TRUE(has_button(r, "flow:skip"));

    r = flow_step(s, {FlowInput::Kind::photo, "", 0, 0}, cats());
    EXPECT_TRUE(s.photo);
    EXPECT_EQ(s.step, FlowStep::contact);
    EXPECT_TRUE(has_button(r, "flow:no_contact"));

    r = flow_step(s, text("tak"), cats());
    EXPECT_EQ(s.step, FlowStep::contact) << "not a phone or an e-mail: asked again";
    EXPECT_NE(r.text.find("Nie rozpoznaję"), std::string::npos) << r.text;

    r = flow_step(s, text("600 100 200"), cats());
    EXPECT_EQ(s.phone, "600100200");
    EXPECT_EQ(s.step, FlowStep::confirm);
    EXPECT_TRUE(has_button(r, "flow:send"));
    EXPECT_TRUE(has_button(r, "flow:edit"));
    EXPECT_TRUE(has_button(r, "flow:cancel"));
    EXPECT_NE(r.text.find("Martwe zwierzę do usunięcia"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("Długiej z Krótką"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("600100200"), std::string::npos) << r.text;

    r = flow_step(s, press("flow:send"), cats());
    EXPECT_EQ(r.action, FlowReply::Action::file);
}

TEST(BotFlow, NothingAnsweredIsAskedAgainEvenOutOfTurn) {
    FlowState s;
    // The advisor already knows what happened and the kind: the first question is where.
    FlowReply r = start_report(s, Lang::en, cats(), "the street light by the school is off", "oswietlenie");
    EXPECT_EQ(s.step, FlowStep::where);
    EXPECT_NE(r.text.find("Where is it?"), std::string::npos) << r.text;
    // A photo sent while asked where is kept; the place is still asked.
    r = flow_step(s, {FlowInput::Kind::photo, "", 0, 0}, cats());
    EXPECT_EQ(s.step, FlowStep::where);
    EXPECT_TRUE(s.photo);
    // A map point answers where; the photo question is skipped (answered).
    r = flow_step(s, {FlowInput::Kind::location, "", 52.2297, 21.0122}, cats());
    ASSERT_TRUE(s.lat.has_value());
    EXPECT_EQ(s.step, FlowStep::contact);
    r = flow_step(s, press("flow:no_contact"), cats());
    EXPECT_EQ(s.step, FlowStep::confirm);
    EXPECT_NE(r.text.find("52.22970, 21.01220"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("no feedback"), std::string::npos) << r.text;
}

TEST(BotFlow, CorrectingOneFieldGoesBackToTheSummary) {
    FlowState s;
    start_report(s, Lang::pl, cats(), "dziura w jezdni", "");
    flow_step(s, text("ul. Polna 3"), cats());
    flow_step(s, press("flow:skip"), cats());
    flow_step(s, press("flow:no_contact"), cats());
    ASSERT_EQ(s.step, FlowStep::confirm);
    FlowReply r = flow_step(s, press("flow:edit"), cats());
    EXPECT_EQ(s.step, FlowStep::edit);
    EXPECT_TRUE(has_button(r, "flow:edit:where"));
    r = flow_step(s, press("flow:edit:where"), cats());
    EXPECT_EQ(s.step, FlowStep::where);
    r = flow_step(s, text("ul. Polna 5"), cats());
    EXPECT_EQ(s.step, FlowStep::confirm) << "back to the summary, not on through the other questions";
    EXPECT_EQ(s.address, "ul. Polna 5");
    EXPECT_NE(r.text.find("ul. Polna 5"), std::string::npos) << r.text;
}

TEST(BotFlow, EveryStepCanBeCancelled) {
    for (int steps = 0; steps < 5; ++steps) {
        FlowState s;
        start_report(s, Lang::uk, cats());
        const FlowInput answers[] = {text("яма на дорозі"), press("flow:cat:dziura_w_jezdni"), text("вул. Польна 3"),
                                     press("flow:skip"), press("flow:no_contact")};
        for (int i = 0; i < steps; ++i) flow_step(s, answers[i], cats());
        FlowReply r = flow_step(s, press("flow:cancel"), cats());
        EXPECT_EQ(r.action, FlowReply::Action::cancel) << "after " << steps << " answers";
        EXPECT_NE(r.text.find("Скасовано"), std::string::npos) << r.text;
    }
}

TEST(BotFlow, AnUnknownKindIsAskedWithButtons) {
    FlowState s;
    start_report(s, Lang::pl, cats());
    FlowReply r = flow_step(s, text("coś jest nie tak na placu"), cats());
    EXPECT_EQ(s.step, FlowStep::category);
    EXPECT_TRUE(has_button(r, "flow:cat:oswietlenie"));
    r = flow_step(s, text("nie wiem"), cats());
    EXPECT_EQ(s.step, FlowStep::category);
    r = flow_step(s, press("flow:cat:nieistniejaca"), cats());
    EXPECT_EQ(s.step, FlowStep::category) << "a value that is no category changes nothing";
    r = flow_step(s, press("flow:cat:oswietlenie"), cats());
    EXPECT_EQ(s.step, FlowStep::where);
    EXPECT_EQ(s.what, "coś jest nie tak na placu");
}

TEST(BotFlow, AMessageAsksTheMessageAndContactOnly) {
    FlowState s;
    FlowReply r = start_message(s, Lang::pl, "taxes");
    EXPECT_EQ(s.step, FlowStep::what);
    EXPECT_EQ(s.topic, "taxes");
    r = flow_step(s, text("Proszę o rozłożenie podatku na raty."), cats());
    EXPECT_EQ(s.step, FlowStep::contact);
    r = flow_step(s, {FlowInput::Kind::location, "", 50, 20}, cats());
    EXPECT_FALSE(s.lat.has_value()) << "a message has no place";
    r = flow_step(s, text("jan@example.pl"), cats());
    EXPECT_EQ(s.step, FlowStep::confirm);
    EXPECT_NE(r.text.find("Proszę o rozłożenie podatku na raty."), std::string::npos) << r.text;
    EXPECT_TRUE(has_button(r, "flow:send"));
    r = flow_step(s, press("flow:edit"), cats());
    EXPECT_FALSE(has_button(r, "flow:edit:where"));
}

TEST(BotFlow, TheStateSurvivesAJsonRoundTrip) {
    FlowState s;
    start_report(s, Lang::uk, cats(), "ліхтар не світить", "oswietlenie");
    flow_step(s, {FlowInput::Kind::location, "", 50.06, 19.94}, cats());
    flow_step(s, {FlowInput::Kind::photo, "", 0, 0}, cats());
    auto back = flow_from_json(nlohmann::json::parse(flow_to_json(s).dump()));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->step, s.step);
    EXPECT_EQ(back->lang, Lang::uk);
    EXPECT_EQ(back->what, s.what);
    EXPECT_EQ(back->category, "oswietlenie");
    EXPECT_EQ(back->lat, s.lat);
    EXPECT_TRUE(back->photo);
    EXPECT_EQ(flow_prompt(*back, cats()).text, flow_prompt(s, cats()).text);
    EXPECT_FALSE(flow_from_json(nlohmann::json::parse(R"({"kind":"report","step":99,"lang":"pl"})")));
    EXPECT_FALSE(flow_from_json(nlohmann::json::parse("[]")));
}

}  // namespace
}  // namespace centrala::bot
