// The virtual advisor's knowledge base: topics, their answers in Polish,
// English and Ukrainian, example phrasings, keywords, synonyms and guided
// flows (buttons). Parsed from config/knowledge.json (schema in docs/bot.md)
// and validated strictly: a mistake is refused with the path of the offending
// field, e.g. "topics[2].answers[0].text.uk: is required". Plain data,
// immutable once parsed.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "centrala/bot/text.hpp"
#include "centrala/domain/result.hpp"

namespace centrala::bot {

// One value per language.
template <class T>
struct PerLang {
    T pl{}, en{}, uk{};
    const T& operator[](Lang l) const { return l == Lang::pl ? pl : l == Lang::en ? en : uk; }
    T& operator[](Lang l) { return l == Lang::pl ? pl : l == Lang::en ? en : uk; }
};
using Text = PerLang<std::string>;
using Phrases = PerLang<std::vector<std::string>>;

struct Keyword {
    std::string term;  // a word or a phrase, as written
    double weight = 0;
};
using Keywords = PerLang<std::vector<Keyword>>;
// Groups of interchangeable expressions ("blachy" = "tablice rejestracyjne").
using Synonyms = PerLang<std::vector<std::vector<std::string>>>;

struct Answer {
    std::string id;        // unique within its topic; full id "topic.answer"
    Text title;            // the label of a button leading here
    Text text;             // the reply
    Phrases examples;      // how residents ask for it
    Keywords keywords;     // evidence for this answer within its topic
    std::vector<std::string> buttons;  // button values: "topic:ID" | "answer:TOPIC.ID"
    std::vector<std::string> links;    // names from KnowledgeBase::links
    bool handoff = false;  // answering this hands the resident to a person
    bool verify = false;   // mentions fees or deadlines the city must check before go-live
};

struct Topic {
    std::string id;  // one of centrala::topic_ids
    Text name;
    Text intro;                      // shown with the menu when the topic is chosen
    bool handoff = false;            // the topic needs a person
    std::vector<std::string> menu;   // guided flow: button values
    Keywords keywords;
    Synonyms synonyms;
    std::vector<Answer> answers;
};

struct Link {
    std::string url;
    Text label;
};

// Tuning of understanding; defaults as documented in docs/bot.md.
struct NluSettings {
    double confidence_threshold = 0.5;  // below it: a clarifying question
    double bm25_k1 = 1.2;
    double bm25_b = 0.75;
    double strength_k = 3.0;      // score at which evidence counts as half-strong
    double keyword_weight = 2.0;  // default weight of a keyword
    double synonym_weight = 0.8;  // weight of terms added by a synonym
    int clarify_topics = 3;       // topics offered in a clarifying question (2..5)
    double answer_margin = 0.9;   // runner-up answer within this ratio → show the topic menu
    int max_query_chars = 1000;   // longer input is cut (bytes, at a character boundary)
};

struct Messages {
    Text greeting;        // first bot message of a chat
    Text clarify;         // "Did you mean...?" before the topic buttons
    Text not_understood;  // nothing matched: before the main menu
};

struct KnowledgeBase {
    std::string notice;  // top-level "_notice"
    int version = 1;
    NluSettings nlu;
    PerLang<std::vector<std::string>> stopwords;  // normalised
    Messages messages;
    std::vector<std::string> main_menu;  // button values
    std::map<std::string, Link> links;
    std::vector<Topic> topics;  // every id of centrala::topic_ids, each once

    const Topic* topic(std::string_view id) const;
    // "vehicles.used_car"
    const Answer* answer(std::string_view full_id) const;
};

// Parses and validates. Errors: "knowledge_syntax" (not JSON),
// "knowledge_invalid" (message starts with the path of the field).
Result<KnowledgeBase> parse_knowledge(const std::string& json_text);

}  // namespace centrala::bot
