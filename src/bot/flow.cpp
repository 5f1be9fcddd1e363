// The report and leave-a-message dialogues (see include/centrala/bot/flow.hpp).
#include "centrala/bot/flow.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "centrala/bot/text.hpp"

namespace centrala::bot {

namespace {

struct Text {
    const char* pl;
    const char* en;
    const char* uk;
};

const std::map<std::string_view, Text>& texts() {
    static const std::map<std::string_view, Text> t = {
        {"ask_what",
         {"Co chcesz zgłosić? Opisz krótko, co się stało, albo wybierz rodzaj problemu. Jeśli zagrożone jest życie "
          "lub zdrowie, dzwoń pod 112.",
          "What would you like to report? Describe briefly what happened, or choose the kind of problem. If life or "
          "health is at risk, call 112.",
          "Про що ви хочете повідомити? Коротко опишіть, що сталося, або виберіть тип проблеми. Якщо є загроза "
          "життю чи здоров'ю, телефонуйте 112."}},
        {"ask_category",
         {"Jaki to rodzaj problemu? Wybierz najbliższy.", "What kind of problem is it? Choose the closest one.",
          "Який це тип проблеми? Виберіть найближчий."}},
        {"ask_where",
         {"Gdzie to jest? Napisz adres albo opisz miejsce (np. „przy przystanku Rynek, od strony parku”) lub "
          "udostępnij swoją lokalizację.",
          "Where is it? Type the address or describe the place (e.g. \"by the Market Square bus stop, on the park "
          "side\"), or share your location.",
          "Де це? Напишіть адресу або опишіть місце (напр. «біля зупинки Ринок, з боку парку») чи поділіться своїм "
          "місцезнаходженням."}},
        {"ask_photo",
         {"Możesz dodać zdjęcie (JPEG lub PNG). Pomaga, ale nie jest konieczne.",
          "You can add a photo (JPEG or PNG). It helps, but it is not required.",
          "Ви можете додати фото (JPEG або PNG). Це допомагає, але не обов'язково."}},
        {"ask_contact",
         {"Czy chcesz dostać informację o załatwieniu sprawy? Napisz numer telefonu lub adres e-mail (albo oba). "
          "Jeśli nie — wybierz „Nie, dziękuję”.",
          "Would you like to hear back when it is dealt with? Type a phone number or an e-mail address (or both). "
          "If not, choose \"No, thank you\".",
          "Бажаєте отримати інформацію про розгляд справи? Напишіть номер телефону або адресу e-mail (або обидва). "
          "Якщо ні — виберіть «Ні, дякую»."}},
        {"ask_message",
         {"Napisz wiadomość dla urzędu. Zarejestruję ją jako sprawę i przekażę do właściwego wydziału; dostaniesz "
          "numer sprawy.",
          "Write your message for the city hall. I will register it as a case and pass it to the right department; "
          "you will get a case number.",
          "Напишіть повідомлення для міської ради. Я зареєструю його як справу й передам до відповідного відділу; "
          "ви отримаєте номер справи."}},
        {"ask_message_contact",
         {"Jak urząd może się z Tobą skontaktować? Napisz numer telefonu lub adres e-mail (albo oba). Jeśli nie "
          "chcesz odpowiedzi — wybierz „Nie, dziękuję”.",
          "How can the city hall reach you? Type a phone number or an e-mail address (or both). If you do not want "
          "a reply, choose \"No, thank you\".",
          "Як міська рада може з вами зв'язатися? Напишіть номер телефону або адресу e-mail (або обидва). Якщо не "
          "потрібна відповідь — виберіть «Ні, дякую»."}},
        {"contact_invalid",
         {"Nie rozpoznaję tu numeru telefonu ani adresu e-mail. Napisz np. 600 100 200 albo jan@example.pl, albo "
          "wybierz „Nie, dziękuję”.",
          "I cannot find a phone number or an e-mail address here. Type e.g. 600 100 200 or jan@example.pl, or "
          "choose \"No, thank you\".",
          "Я не бачу тут номера телефону чи адреси e-mail. Напишіть, напр., 600 100 200 або jan@example.pl, або "
          "виберіть «Ні, дякую»."}},
        {"choose_category",
         {"Wybierz rodzaj problemu jednym z przycisków.", "Choose the kind of problem with one of the buttons.",
          "Виберіть тип проблеми однією з кнопок."}},
        {"confirm_report", {"Sprawdź zgłoszenie:", "Please check your report:", "Перевірте звернення:"}},
        {"confirm_message", {"Sprawdź wiadomość:", "Please check your message:", "Перевірте повідомлення:"}},
        {"confirm_question",
         {"Wysłać? Możesz też coś poprawić albo anulować.", "Send it? You can also correct something or cancel.",
          "Надіслати? Можна також щось виправити або скасувати."}},
        {"ask_edit", {"Co chcesz poprawić?", "What would you like to correct?", "Що ви хочете виправити?"}},
        {"photo_added", {"Zdjęcie dodane.", "Photo added.", "Фото додано."}},
        {"location_added", {"Lokalizacja zapisana.", "Location saved.", "Місцезнаходження збережено."}},
        {"cancelled",
         {"Anulowano — niczego nie wysłałem. W czym jeszcze mogę pomóc?",
          "Cancelled — nothing was sent. What else can I help with?",
          "Скасовано — нічого не надіслано. Чим ще можу допомогти?"}},
        {"filed_report",
         {"Zgłoszenie przyjęte. Numer sprawy: {number}, kod dostępu: {key}. Status sprawdzisz na stronie /sprawa — "
          "podaj numer i kod (albo użyj linku poniżej). Zachowaj je: kodu nie da się odtworzyć.",
          "Your report has been filed. Case number: {number}, access key: {key}. Check its status on the /sprawa "
          "page with the number and the key (or use the link below). Keep them: the key cannot be recovered.",
          "Звернення прийнято. Номер справи: {number}, код доступу: {key}. Статус можна перевірити на сторінці "
          "/sprawa — введіть номер і код (або скористайтеся посиланням нижче). Збережіть їх: код неможливо "
          "відновити."}},
        {"filed_message",
         {"Wiadomość zarejestrowana jako sprawa {number}, kod dostępu: {key}. Urząd zajmie się nią w godzinach "
          "pracy. Status i odpowiedź sprawdzisz na stronie /sprawa (numer i kod, albo link poniżej).",
          "Your message has been registered as case {number}, access key: {key}. The city hall will deal with it "
          "during office hours. Check the status and the reply on the /sprawa page (the number and the key, or the "
          "link below).",
          "Повідомлення зареєстровано як справу {number}, код доступу: {key}. Міська рада розгляне її в робочий "
          "час. Статус і відповідь можна перевірити на сторінці /sprawa (номер і код або посилання нижче)."}},
        {"status_link", {"Sprawdź status sprawy", "Check the case status", "Перевірити статус справи"}},
        {"not_filed",
         {"Nie udało się teraz zarejestrować sprawy. Spróbuj jeszcze raz za chwilę — dane zostały zachowane.",
          "The case could not be registered just now. Please try again in a moment — your answers are kept.",
          "Зараз не вдалося зареєструвати справу. Спробуйте ще раз за хвилину — дані збережено."}},
        {"b_cancel", {"Anuluj", "Cancel", "Скасувати"}},
        {"b_send", {"Wyślij zgłoszenie", "Send the report", "Надіслати звернення"}},
        {"b_send_message", {"Wyślij wiadomość", "Send the message", "Надіслати повідомлення"}},
        {"b_edit", {"Popraw", "Correct", "Виправити"}},
        {"b_location", {"Udostępnij lokalizację", "Share my location", "Поділитися місцезнаходженням"}},
        {"b_photo", {"Dodaj zdjęcie", "Add a photo", "Додати фото"}},
        {"b_skip", {"Pomiń", "Skip", "Пропустити"}},
        {"b_no_contact", {"Nie, dziękuję", "No, thank you", "Ні, дякую"}},
        {"b_edit_what", {"Opis", "Description", "Опис"}},
        {"b_edit_message", {"Wiadomość", "Message", "Повідомлення"}},
        {"b_edit_category", {"Rodzaj", "Kind", "Тип"}},
        {"b_edit_where", {"Miejsce", "Place", "Місце"}},
        {"b_edit_photo", {"Zdjęcie", "Photo", "Фото"}},
        {"b_edit_contact", {"Kontakt", "Contact", "Контакт"}},
        {"f_category", {"Rodzaj", "Kind", "Тип"}},
        {"f_what", {"Co się stało", "What happened", "Що сталося"}},
        {"f_message", {"Wiadomość", "Message", "Повідомлення"}},
        {"f_where", {"Miejsce", "Place", "Місце"}},
        {"f_point", {"punkt na mapie", "map point", "точка на мапі"}},
        {"f_photo", {"Zdjęcie", "Photo", "Фото"}},
        {"photo_yes", {"dołączone", "attached", "додано"}},
        {"photo_no", {"brak", "none", "немає"}},
        {"f_contact", {"Kontakt", "Contact", "Контакт"}},
        {"contact_none", {"bez informacji zwrotnej", "no feedback", "без зворотного зв'язку"}},
        {"not_given", {"(nie podano)", "(not given)", "(не вказано)"}},
    };
    return t;
}

std::string utf8_cut(std::string_view s, size_t max_bytes) { return std::string(utf8_truncate(s, max_bytes)); }

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

Button button(std::string_view key, Lang lang, std::string value) { return {flow_text(key, lang), std::move(value)}; }

const FlowCategory* category_of(const std::vector<FlowCategory>& cats, std::string_view code) {
    for (const auto& c : cats)
        if (c.code == code) return &c;
    return nullptr;
}

bool answered(const FlowState& s, FlowStep step) {
    switch (step) {
        case FlowStep::what: return !s.what.empty() || (s.kind == FlowKind::report && !s.category.empty());
        case FlowStep::category: return s.kind == FlowKind::message || !s.category.empty();
        case FlowStep::where: return s.kind == FlowKind::message || !s.address.empty() || s.lat.has_value();
        case FlowStep::photo: return s.kind == FlowKind::message || s.photo || s.photo_done;
        case FlowStep::contact: return s.contact_done;
        default: return false;
    }
}

// The first question not answered yet, or the summary; after a correction, the summary.
void advance(FlowState& s) {
    if (s.editing) {
        s.editing = false;
        s.step = FlowStep::confirm;
    }
    for (FlowStep step : {FlowStep::what, FlowStep::category, FlowStep::where, FlowStep::photo, FlowStep::contact})
        if (!answered(s, step)) {
            s.step = step;
            return;
        }
    s.step = FlowStep::confirm;
}

std::string stem_folded(const std::string& token) {
    // Polish first (the categories are Polish); a Cyrillic word by the Ukrainian rules.
    const auto cps = utf8_decode(token);
    const bool cyr = !cps.empty() && is_cyrillic(cps[0]);
    return cyr ? stem_uk(token) : stem_pl(token);
}

// Words that say nothing about the kind of problem (folded).
bool filler(const std::string& w) {
    static const std::set<std::string> words = {
        "jest", "albo", "oraz", "przy", "jako", "tylko", "bardzo", "moze", "mozna", "jestem", "mnie", "prosze", "chce",
        "gdzie", "ktos", "cos", "tutaj", "this", "that", "with", "from", "there", "have", "please", "near", "який",
        "дуже", "тут", "біля", "можна"};
    return words.count(w) > 0;
}

// The folded words of a text (4 characters or more, no filler) and their stems.
std::set<std::string> stems(std::string_view text) {
    std::set<std::string> out;
    for (const auto& t : tokenize(text))
        if (utf8_decode(t).size() >= 4 && !filler(t)) out.insert(stem_folded(t));
    return out;
}

// One word's forms: the same stem, or stems sharing all but their last
// letter and at least five letters ("latarn" / "latarni").
bool same_word(const std::string& a, const std::string& b) {
    if (a == b) return true;
    const auto ua = utf8_decode(a), ub = utf8_decode(b);
    size_t p = 0;
    while (p < ua.size() && p < ub.size() && ua[p] == ub[p]) ++p;
    return p >= 5 && p + 1 >= std::min(ua.size(), ub.size());
}

std::string format_point(double lat, double lon) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.5f, %.5f", lat, lon);
    return buf;
}

void add_cancel(FlowReply& r, Lang lang) { r.buttons.push_back(button("b_cancel", lang, "flow:cancel")); }

}  // namespace

std::string flow_text(std::string_view key, Lang lang) {
    const auto& t = texts();
    auto it = t.find(key);
    if (it == t.end()) return std::string(key);
    return lang == Lang::en ? it->second.en : lang == Lang::uk ? it->second.uk : it->second.pl;
}

std::optional<std::string> classify_report(std::string_view text, const std::vector<FlowCategory>& cats) {
    const auto words = stems(text);
    if (words.empty()) return std::nullopt;
    double best = 0;
    int best_count = 0;
    const FlowCategory* winner = nullptr;
    for (const auto& c : cats) {
        double score = 0;
        std::set<std::string> seen;
        for (size_t i = 0; i < c.terms.size(); ++i)
            for (const auto& s : stems(c.terms[i]))
                for (const auto& w : words)
                    if (same_word(w, s) && seen.insert(w).second) score += i == 0 ? 2.0 : 1.0;  // the name counts double
        if (score > best) {
            best = score;
            best_count = 1;
            winner = &c;
        } else if (score > 0 && score == best) {
            ++best_count;
        }
    }
    if (!winner || best_count != 1) return std::nullopt;
    return winner->code;
}

std::optional<ContactDetails> parse_contact(std::string_view text) {
    ContactDetails out;
    std::string rest;
    // Words with an @ are e-mail candidates; the rest may hold a phone number.
    std::string word;
    auto take = [&](const std::string& w) {
        if (w.find('@') == std::string::npos) {
            rest += w + " ";
            return true;
        }
        std::string e = w;
        while (!e.empty() && (e.back() == '.' || e.back() == ',' || e.back() == ';')) e.pop_back();
        const auto at = e.find('@');
        if (!out.email.empty() || at == 0 || at != e.rfind('@') || e.size() > 254) return false;
        const std::string domain = e.substr(at + 1);
        const auto dot = domain.rfind('.');
        if (domain.empty() || dot == std::string::npos || dot == 0 || dot + 2 > domain.size() || domain.find("..") != std::string::npos)
            return false;
        for (unsigned char c : e)
            if (c < 0x21 || c == '<' || c == '>' || c == '"' || c == '(' || c == ')' || c == ',' || c == ';' || c == ':')
                return false;
        out.email = e;
        return true;
    };
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (!word.empty() && !take(word)) return std::nullopt;
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty() && !take(word)) return std::nullopt;
    // The phone: the longest run of digits with separators between them.
    std::string digits;
    bool plus = false;
    bool in_number = false;
    std::string best_digits;
    bool best_plus = false;
    for (size_t i = 0; i <= rest.size(); ++i) {
        const char c = i < rest.size() ? rest[i] : '\0';
        if (c >= '0' && c <= '9') {
            if (!in_number) {
                plus = i > 0 && rest[i - 1] == '+';
                digits.clear();
                in_number = true;
            }
            digits += c;
        } else if (in_number && (c == ' ' || c == '-' || c == '(' || c == ')') && i + 1 < rest.size() &&
                   ((rest[i + 1] >= '0' && rest[i + 1] <= '9') || rest[i + 1] == '(' || rest[i + 1] == ' ')) {
            // a separator inside the number
        } else if (in_number) {
            if (digits.size() > best_digits.size()) {
                best_digits = digits;
                best_plus = plus;
            }
            in_number = false;
        }
    }
    if (!best_digits.empty()) {
        if (best_digits.size() < 9 || best_digits.size() > 15) return std::nullopt;
        out.phone = (best_plus ? "+" : "") + best_digits;
    }
    if (out.phone.empty() && out.email.empty()) return std::nullopt;
    return out;
}

std::string flow_summary(const FlowState& s, const std::vector<FlowCategory>& cats, Lang lang) {
    std::string out;
    auto line = [&](std::string_view key, const std::string& value) {
        out += (out.empty() ? "" : "\n") + std::string("• ") + flow_text(key, lang) + ": " + value;
    };
    const std::string none = flow_text("not_given", lang);
    if (s.kind == FlowKind::report) {
        const FlowCategory* c = category_of(cats, s.category);
        line("f_category", c ? c->label(lang) : s.category.empty() ? none : s.category);
        // A kind picked by button and nothing typed: the kind is what happened.
        line("f_what", !s.what.empty() ? s.what : c ? c->label(lang) : none);
        std::string where = s.address;
        if (s.lat && s.lon)
            where += (where.empty() ? "" : "; ") + flow_text("f_point", lang) + " " + format_point(*s.lat, *s.lon);
        line("f_where", where.empty() ? none : where);
        line("f_photo", flow_text(s.photo ? "photo_yes" : "photo_no", lang));
    } else {
        line("f_message", s.what.empty() ? none : s.what);
    }
    std::string contact;
    if (!s.phone.empty()) contact = "tel. " + s.phone;
    if (!s.email.empty()) contact += (contact.empty() ? "" : ", ") + s.email;
    line("f_contact", contact.empty() ? flow_text("contact_none", lang) : contact);
    return out;
}

FlowReply flow_prompt(const FlowState& s, const std::vector<FlowCategory>& cats) {
    FlowReply r;
    const Lang lang = s.lang;
    const bool report = s.kind == FlowKind::report;
    switch (s.step) {
        case FlowStep::what:
            r.text = flow_text(report ? "ask_what" : "ask_message", lang);
            if (report)
                for (const auto& c : cats) r.buttons.push_back({c.label(lang), "flow:cat:" + c.code});
            break;
        case FlowStep::category:
            r.text = flow_text("ask_category", lang);
            for (const auto& c : cats) r.buttons.push_back({c.label(lang), "flow:cat:" + c.code});
            break;
        case FlowStep::where:
            r.text = flow_text("ask_where", lang);
            r.buttons.push_back(button("b_location", lang, "flow:location"));
            break;
        case FlowStep::photo:
            r.text = flow_text("ask_photo", lang);
            r.buttons.push_back(button("b_photo", lang, "flow:photo"));
            r.buttons.push_back(button("b_skip", lang, "flow:skip"));
            break;
        case FlowStep::contact:
            r.text = flow_text(report ? "ask_contact" : "ask_message_contact", lang);
            r.buttons.push_back(button("b_no_contact", lang, "flow:no_contact"));
            break;
        case FlowStep::confirm:
            r.text = flow_text(report ? "confirm_report" : "confirm_message", lang) + "\n" + flow_summary(s, cats, lang) +
                     "\n" + flow_text("confirm_question", lang);
            r.buttons.push_back(button(report ? "b_send" : "b_send_message", lang, "flow:send"));
            r.buttons.push_back(button("b_edit", lang, "flow:edit"));
            break;
        case FlowStep::edit:
            r.text = flow_text("ask_edit", lang);
            r.buttons.push_back(button(report ? "b_edit_what" : "b_edit_message", lang, "flow:edit:what"));
            if (report) {
                r.buttons.push_back(button("b_edit_category", lang, "flow:edit:category"));
                r.buttons.push_back(button("b_edit_where", lang, "flow:edit:where"));
                r.buttons.push_back(button("b_edit_photo", lang, "flow:edit:photo"));
            }
            r.buttons.push_back(button("b_edit_contact", lang, "flow:edit:contact"));
            break;
    }
    add_cancel(r, lang);
    return r;
}

FlowReply start_report(FlowState& s, Lang lang, const std::vector<FlowCategory>& cats, std::string_view what,
                       std::string_view category) {
    s = FlowState{};
    s.kind = FlowKind::report;
    s.lang = lang;
    s.topic = "report";
    s.what = utf8_cut(trim(what), 4000);
    if (!category.empty() && category_of(cats, category)) s.category = std::string(category);
    else if (!s.what.empty()) s.category = classify_report(s.what, cats).value_or("");
    advance(s);
    return flow_prompt(s, cats);
}

FlowReply start_message(FlowState& s, Lang lang, std::string topic) {
    s = FlowState{};
    s.kind = FlowKind::message;
    s.lang = lang;
    s.topic = std::move(topic);
    advance(s);
    return flow_prompt(s, {});
}

FlowReply flow_step(FlowState& s, const FlowInput& in, const std::vector<FlowCategory>& cats) {
    using K = FlowInput::Kind;
    const bool report = s.kind == FlowKind::report;
    auto reask = [&](std::string_view note_key = {}) {
        FlowReply r = flow_prompt(s, cats);
        if (!note_key.empty()) r.text = flow_text(note_key, s.lang) + " " + r.text;
        return r;
    };
    if (in.kind == K::button && in.value == "flow:cancel") {
        FlowReply r;
        r.action = FlowReply::Action::cancel;
        r.text = flow_text("cancelled", s.lang);
        return r;
    }
    // Answers out of turn are kept (nothing is asked twice).
    if (in.kind == K::photo) {
        if (!report) return reask();
        s.photo = true;
        s.photo_done = true;
        if (s.step == FlowStep::photo) advance(s);
        return reask("photo_added");
    }
    if (in.kind == K::location) {
        if (!report) return reask();
        s.lat = in.lat;
        s.lon = in.lon;
        if (s.step == FlowStep::where) advance(s);
        return reask("location_added");
    }
    const std::string text = in.kind == K::text ? utf8_cut(trim(in.value), 4000) : std::string();
    const std::string value = in.kind == K::button ? in.value : std::string();
    if (in.kind == K::text && text.empty()) return reask();
    if (value.rfind("flow:cat:", 0) == 0 && report) {
        const std::string code = value.substr(9);
        if (!category_of(cats, code)) return reask();
        s.category = code;
        if (s.step == FlowStep::what || s.step == FlowStep::category) advance(s);
        return reask();
    }
    switch (s.step) {
        case FlowStep::what:
            if (in.kind != K::text) return reask();
            s.what = text;
            if (report && s.category.empty()) s.category = classify_report(text, cats).value_or("");
            advance(s);
            return reask();
        case FlowStep::category:
            if (in.kind == K::text) {
                if (auto c = classify_report(text, cats)) {
                    s.category = *c;
                    advance(s);
                    return reask();
                }
                return reask("choose_category");
            }
            return reask();
        case FlowStep::where:
            if (in.kind != K::text) return reask();
            // Whatever the resident calls the place is the place: an address or a description.
            s.address = utf8_cut(text, 300);
            advance(s);
            return reask();
        case FlowStep::photo:
            if (value == "flow:skip") {
                s.photo = false;  // skipped (also after "Popraw"): no photo goes with the report
                s.photo_done = true;
                advance(s);
                return reask();
            }
            if (in.kind == K::text) {
                // "nie mam zdjęcia", or more about the matter: kept in the description.
                s.what = utf8_cut(s.what + (s.what.empty() ? "" : "\n") + text, 4000);
                s.photo_done = true;
                advance(s);
            }
            return reask();
        case FlowStep::contact:
            if (value == "flow:no_contact") {
                s.phone.clear();
                s.email.clear();
                s.contact_done = true;
                advance(s);
                return reask();
            }
            if (in.kind == K::text) {
                auto c = parse_contact(text);
                if (!c) return reask("contact_invalid");
                s.phone = c->phone;
                s.email = c->email;
                s.contact_done = true;
                advance(s);
            }
            return reask();
        case FlowStep::confirm:
            if (value == "flow:send") {
                FlowReply r;
                r.action = FlowReply::Action::file;
                return r;
            }
            if (value == "flow:edit") s.step = FlowStep::edit;
            return reask();
        case FlowStep::edit: {
            static const std::map<std::string, FlowStep> fields = {{"flow:edit:what", FlowStep::what},
                                                                   {"flow:edit:category", FlowStep::category},
                                                                   {"flow:edit:where", FlowStep::where},
                                                                   {"flow:edit:photo", FlowStep::photo},
                                                                   {"flow:edit:contact", FlowStep::contact}};
            auto it = fields.find(value);
            if (it == fields.end() || (!report && it->second != FlowStep::what && it->second != FlowStep::contact))
                return reask();
            s.step = it->second;
            s.editing = true;
            return reask();
        }
    }
    return reask();
}

nlohmann::json flow_to_json(const FlowState& s) {
    nlohmann::json j = {{"kind", s.kind == FlowKind::report ? "report" : "message"},
                        {"step", int(s.step)},
                        {"lang", std::string(lang_code(s.lang))},
                        {"topic", s.topic},
                        {"what", s.what},
                        {"category", s.category},
                        {"address", s.address},
                        {"photo", s.photo},
                        {"photo_done", s.photo_done},
                        {"contact_done", s.contact_done},
                        {"phone", s.phone},
                        {"email", s.email},
                        {"editing", s.editing}};
    if (s.lat && s.lon) {
        j["lat"] = *s.lat;
        j["lon"] = *s.lon;
    }
    return j;
}

std::optional<FlowState> flow_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return std::nullopt;
    FlowState s;
    try {
        s.kind = j.at("kind").get<std::string>() == "message" ? FlowKind::message : FlowKind::report;
        const int step = j.at("step").get<int>();
        if (step < 0 || step > int(FlowStep::edit)) return std::nullopt;
        s.step = FlowStep(step);
        s.lang = parse_lang(j.at("lang").get<std::string>()).value_or(Lang::pl);
        s.topic = j.value("topic", "");
        s.what = j.value("what", "");
        s.category = j.value("category", "");
        s.address = j.value("address", "");
        s.photo = j.value("photo", false);
        s.photo_done = j.value("photo_done", false);
        s.contact_done = j.value("contact_done", false);
        s.phone = j.value("phone", "");
        s.email = j.value("email", "");
        s.editing = j.value("editing", false);
        if (j.contains("lat") && j.contains("lon")) {
            s.lat = j["lat"].get<double>();
            s.lon = j["lon"].get<double>();
        }
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
    return s;
}

}  // namespace centrala::bot
