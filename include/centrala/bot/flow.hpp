// The advisor's guided dialogues that end in a case: a report of a problem in
// public space (what, which kind, where, an optional photo, contact details
// only for feedback, a summary to confirm) and a message left outside opening
// hours (the message, optional contact details, a summary). Pure: the state
// is a plain value, each resident input gives the next question or an action
// (file the case, cancel); the chat's side (src/api/flows.cpp) stores the
// state, holds the photo and files the case. Texts in Polish, English and
// Ukrainian. Safe from any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "centrala/bot/advisor.hpp"

namespace centrala::bot {

// A kind of report the resident may pick: a case category (service) of topic
// `report` from config.
struct FlowCategory {
    std::string code;  // service_code
    std::string name;  // button label (the service name, Polish)
    std::vector<std::string> terms;  // name, keywords, description: words that point to it
    std::map<std::string, std::string> names;  // the label in "en"/"uk" when the city gave one
    const std::string& label(Lang lang) const {
        auto it = names.find(std::string(lang_code(lang)));
        return it == names.end() ? name : it->second;
    }
};

enum class FlowKind { report, message };
enum class FlowStep { what, category, where, photo, contact, confirm, edit };

struct FlowState {
    FlowKind kind = FlowKind::report;
    FlowStep step = FlowStep::what;
    Lang lang = Lang::pl;
    std::string topic;     // message: the matter's topic (decides the department)
    std::string what;      // what happened / the message
    std::string category;  // report: service_code
    std::string address;   // report: address or a description of the place
    std::optional<double> lat, lon;
    bool photo = false;          // a photo is held for this draft
    bool photo_done = false;     // the photo question is answered (a photo, or skipped)
    bool contact_done = false;   // the contact question is answered (details, or "no")
    std::string phone, email;
    bool editing = false;        // answering one field after "Popraw": back to the summary next
};

struct FlowInput {
    enum class Kind { text, button, location, photo };
    Kind kind = Kind::text;
    std::string value;  // the text or the button value
    double lat = 0, lon = 0;
};

struct FlowReply {
    enum class Action { ask, file, cancel };
    Action action = Action::ask;
    std::string text;
    std::vector<Button> buttons;
};

// Button values of the dialogues. The widget handles `flow:location`
// (asks the browser for the position, then sends a location frame) and
// `flow:photo` (a file picker, then an upload) itself.
inline constexpr std::string_view flow_button_prefix = "flow:";
inline constexpr std::string_view report_button = "report";  // starts a report

// Starts a report. `what` (the resident's words so far, may be empty)
// answers the first question; `category` (a code, may be empty) the second.
FlowReply start_report(FlowState& s, Lang lang, const std::vector<FlowCategory>& cats, std::string_view what = {},
                       std::string_view category = {});
// Starts a message for the office about `topic`.
FlowReply start_message(FlowState& s, Lang lang, std::string topic);
// One resident input. Input the current question does not take (a location
// while asking for contact details) is kept when it answers another question
// and the current question is asked again; nothing answered is asked again.
FlowReply flow_step(FlowState& s, const FlowInput& in, const std::vector<FlowCategory>& cats);
// The current question again (e.g. after a photo was added out of turn).
FlowReply flow_prompt(const FlowState& s, const std::vector<FlowCategory>& cats);

// What was collected, one "• field: value" line each, in `lang`.
std::string flow_summary(const FlowState& s, const std::vector<FlowCategory>& cats, Lang lang);

// The category whose terms the text names most (stems compared, Polish
// diacritics folded); nullopt when none or a tie.
std::optional<std::string> classify_report(std::string_view text, const std::vector<FlowCategory>& cats);

// Contact details in free text: an e-mail address (one @, a dot in the
// domain, no spaces) and/or a phone number (optional +, 9 to 15 digits,
// spaces, dashes and brackets allowed between them). nullopt when the text
// holds neither, or something that looks like one but is not valid.
struct ContactDetails {
    std::string phone;  // + and digits
    std::string email;
};
std::optional<ContactDetails> parse_contact(std::string_view text);

// A text of the dialogues by key ("filed", "cancelled", …) in `lang`.
std::string flow_text(std::string_view key, Lang lang);

nlohmann::json flow_to_json(const FlowState& s);
std::optional<FlowState> flow_from_json(const nlohmann::json& j);

}  // namespace centrala::bot
