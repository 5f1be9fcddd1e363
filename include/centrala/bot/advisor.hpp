// The virtual advisor: understands a resident's free text in Polish, English
// or Ukrainian and answers from the knowledge base, asks a clarifying question
// when unsure, and says when a person should take over. Pure: no I/O, no
// clock, no randomness — the same text always gets the same reply.
//
// Thread safety: an Advisor is immutable once loaded; ask(), choose() and
// greeting() may be called from any number of threads at once. Copies share
// the same immutable index. To change the knowledge base, load a new Advisor
// and swap it in (e.g. behind a std::shared_ptr<const Advisor>).
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "centrala/bot/knowledge.hpp"
#include "centrala/domain/result.hpp"

namespace centrala::bot {

struct Button {
    std::string label;
    std::string value;  // "topic:ID" | "answer:TOPIC.ID"; give it back to choose() or ask()
};

struct LinkButton {
    std::string label;
    std::string url;
};

struct TopicScore {
    std::string topic;
    double score = 0;  // raw evidence (BM25 + keywords), comparable within one reply
};

struct Reply {
    std::string topic;   // best topic id; "other" when nothing matched
    std::string answer;  // "topic.answer" when a specific answer was given, else empty
    double confidence = 0;  // 0..1
    Lang language = Lang::pl;  // the language of `text`
    std::string text;
    std::vector<Button> buttons;
    std::vector<LinkButton> links;
    bool handoff = false;  // a person should take over (topic or answer needs one)
    bool clarify = false;  // `text` is a question; `buttons` are the candidate topics
    bool verify = false;   // the answer has figures the city has yet to check
    std::vector<std::string> why;       // explanation: typos fixed, synonyms, keywords, best example
    std::vector<TopicScore> ranking;    // up to 3 best topics, best first
};

// The topic to queue a handed-over chat under: `topic`, except for "human",
// where it is the best other topic of the ranking ("konsultant, w sprawie
// rejestracji auta" → vehicles), else "other".
std::string routing_topic(const Reply& r);

// {"topic","answer","confidence","lang","text","buttons":[{"label","value"}],
//  "links":[{"label","url"}],"handoff","clarify","verify","why","ranking":[{"topic","score"}]}
void to_json(nlohmann::json& j, const Reply& r);

class Advisor {
public:
    // Parses, validates and indexes a knowledge base (config/knowledge.json).
    static Result<Advisor> load(const std::string& json_text);

    // Answers free text. `preferred` is the language the resident chose in the
    // chat; it is a prior for language detection (see docs/bot.md). Text equal
    // to a button value ("topic:waste") is treated as choose(value).
    Reply ask(std::string_view text, Lang preferred) const;

    // The reply to a pressed button. not_found for a value that names no topic
    // or answer; invalid for a value of another shape.
    Result<Reply> choose(std::string_view value, Lang lang) const;

    // The first message of a chat: greeting and the main menu.
    Reply greeting(Lang lang) const;

    const KnowledgeBase& knowledge() const;
    // The JSON text this advisor was loaded from (for GET /api/v1/bot/knowledge).
    const std::string& source() const;

    struct Index;  // the understanding structures, private to src/bot

private:
    explicit Advisor(std::shared_ptr<const Index> index) : index_(std::move(index)) {}
    std::shared_ptr<const Index> index_;
};

}  // namespace centrala::bot
