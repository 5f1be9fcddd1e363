#include "centrala/bot/knowledge.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "centrala/domain/organisation.hpp"

namespace centrala::bot {
namespace {

using nlohmann::json;

// Thrown only inside this file and turned into an Error by parse_knowledge.
struct KbError {
    std::string path;
    std::string problem;
};

std::string member(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

// Walks one JSON object and refuses keys it does not know, so that a typo
// ("exmples") is an error rather than a silently empty list. Keys starting
// with "_" are comments and are ignored.
class Obj {
public:
    Obj(const json& j, std::string path) : j_(j), path_(std::move(path)) {
        if (!j_.is_object()) throw KbError{path_.empty() ? "(top level)" : path_, "must be an object"};
    }
    std::string key(std::string_view k) const { return member(path_, k); }
    const json* get(std::string_view k) {
        known_.insert(std::string(k));
        auto it = j_.find(std::string(k));
        return it == j_.end() ? nullptr : &*it;
    }
    const json& need(std::string_view k) {
        const json* v = get(k);
        if (!v) throw KbError{key(k), "is required"};
        return *v;
    }
    // Call once every known key was read.
    void done() const {
        for (auto it = j_.begin(); it != j_.end(); ++it)
            if (!it.key().starts_with("_") && !known_.count(it.key())) throw KbError{key(it.key()), "is not a known field"};
    }

private:
    const json& j_;
    std::string path_;
    std::set<std::string> known_;
};

std::string string_of(const json& v, const std::string& path, bool allow_empty = false) {
    if (!v.is_string()) throw KbError{path, "must be a string"};
    std::string s = v.get<std::string>();
    if (!allow_empty && s.find_first_not_of(" \t\r\n") == std::string::npos) throw KbError{path, "must not be empty"};
    return s;
}

// A phrase that must contain at least one word once normalised.
std::string phrase_of(const json& v, const std::string& path) {
    std::string s = string_of(v, path);
    if (tokenize(s).empty()) throw KbError{path, "has no words (only punctuation)"};
    return s;
}

bool bool_of(const json* v, const std::string& path, bool def) {
    if (!v) return def;
    if (!v->is_boolean()) throw KbError{path, "must be true or false"};
    return v->get<bool>();
}

double number_of(const json* v, const std::string& path, double def, double lo, double hi) {
    if (!v) return def;
    if (!v->is_number()) throw KbError{path, "must be a number"};
    double d = v->get<double>();
    if (d < lo || d > hi)
        throw KbError{path, "must be between " + json(lo).dump() + " and " + json(hi).dump() + " (got " + v->dump() + ")"};
    return d;
}

Text text_of(const json& v, const std::string& path) {
    Obj o(v, path);
    Text t;
    for (Lang l : all_langs) t[l] = string_of(o.need(lang_code(l)), o.key(lang_code(l)));
    o.done();
    return t;
}

Phrases examples_of(const json& v, const std::string& path) {
    Obj o(v, path);
    Phrases p;
    for (Lang l : all_langs) {
        const json& a = o.need(lang_code(l));
        std::string lp = o.key(lang_code(l));
        if (!a.is_array()) throw KbError{lp, "must be an array of phrasings"};
        if (a.empty()) throw KbError{lp, "needs at least one phrasing"};
        for (std::size_t i = 0; i < a.size(); ++i) p[l].push_back(phrase_of(a[i], index(lp, i)));
    }
    o.done();
    return p;
}

Keywords keywords_of(const json* v, const std::string& path, double default_weight) {
    Keywords k;
    if (!v) return k;
    Obj o(*v, path);
    for (Lang l : all_langs) {
        const json* a = o.get(lang_code(l));
        if (!a) continue;
        std::string lp = o.key(lang_code(l));
        if (!a->is_array()) throw KbError{lp, "must be an array"};
        for (std::size_t i = 0; i < a->size(); ++i) {
            const json& item = (*a)[i];
            std::string ip = index(lp, i);
            if (item.is_string()) {
                k[l].push_back({phrase_of(item, ip), default_weight});
                continue;
            }
            if (!item.is_object()) throw KbError{ip, "must be a string or {\"term\", \"weight\"}"};
            Obj io(item, ip);
            Keyword kw;
            kw.term = phrase_of(io.need("term"), io.key("term"));
            kw.weight = number_of(io.get("weight"), io.key("weight"), default_weight, 0.1, 10.0);
            io.done();
            k[l].push_back(std::move(kw));
        }
    }
    o.done();
    return k;
}

Synonyms synonyms_of(const json* v, const std::string& path) {
    Synonyms s;
    if (!v) return s;
    Obj o(*v, path);
    for (Lang l : all_langs) {
        const json* a = o.get(lang_code(l));
        if (!a) continue;
        std::string lp = o.key(lang_code(l));
        if (!a->is_array()) throw KbError{lp, "must be an array of groups"};
        for (std::size_t i = 0; i < a->size(); ++i) {
            const json& g = (*a)[i];
            std::string gp = index(lp, i);
            if (!g.is_array() || g.size() < 2) throw KbError{gp, "must be an array of at least two expressions"};
            std::vector<std::string> group;
            for (std::size_t j = 0; j < g.size(); ++j) group.push_back(phrase_of(g[j], index(gp, j)));
            s[l].push_back(std::move(group));
        }
    }
    o.done();
    return s;
}

std::vector<std::string> strings_of(const json* v, const std::string& path) {
    std::vector<std::string> out;
    if (!v) return out;
    if (!v->is_array()) throw KbError{path, "must be an array of strings"};
    for (std::size_t i = 0; i < v->size(); ++i) out.push_back(string_of((*v)[i], index(path, i)));
    return out;
}

bool valid_id(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

NluSettings nlu_of(const json* v, const std::string& path) {
    NluSettings n;
    if (!v) return n;
    Obj o(*v, path);
    n.confidence_threshold =
        number_of(o.get("confidence_threshold"), o.key("confidence_threshold"), n.confidence_threshold, 0.0, 1.0);
    n.bm25_k1 = number_of(o.get("bm25_k1"), o.key("bm25_k1"), n.bm25_k1, 0.1, 5.0);
    n.bm25_b = number_of(o.get("bm25_b"), o.key("bm25_b"), n.bm25_b, 0.0, 1.0);
    n.strength_k = number_of(o.get("strength_k"), o.key("strength_k"), n.strength_k, 0.1, 100.0);
    n.keyword_weight = number_of(o.get("keyword_weight"), o.key("keyword_weight"), n.keyword_weight, 0.1, 10.0);
    n.synonym_weight = number_of(o.get("synonym_weight"), o.key("synonym_weight"), n.synonym_weight, 0.0, 1.0);
    const json* ct = o.get("clarify_topics");
    if (ct) {
        if (!ct->is_number_integer() || ct->get<long long>() < 2 || ct->get<long long>() > 5)
            throw KbError{o.key("clarify_topics"), "must be a whole number between 2 and 5"};
        n.clarify_topics = ct->get<int>();
    }
    n.answer_margin = number_of(o.get("answer_margin"), o.key("answer_margin"), n.answer_margin, 0.0, 1.0);
    const json* mq = o.get("max_query_chars");
    if (mq) {
        if (!mq->is_number_integer() || mq->get<long long>() < 50 || mq->get<long long>() > 10000)
            throw KbError{o.key("max_query_chars"), "must be a whole number between 50 and 10000"};
        n.max_query_chars = mq->get<int>();
    }
    o.done();
    return n;
}

Answer answer_of(const json& v, const std::string& path, const NluSettings& nlu) {
    Obj o(v, path);
    Answer a;
    a.id = string_of(o.need("id"), o.key("id"));
    if (!valid_id(a.id)) throw KbError{o.key("id"), "must be lower-case letters, digits and _ (got \"" + a.id + "\")"};
    a.title = text_of(o.need("title"), o.key("title"));
    a.text = text_of(o.need("text"), o.key("text"));
    a.examples = examples_of(o.need("examples"), o.key("examples"));
    a.keywords = keywords_of(o.get("keywords"), o.key("keywords"), nlu.keyword_weight);
    a.buttons = strings_of(o.get("buttons"), o.key("buttons"));
    a.links = strings_of(o.get("links"), o.key("links"));
    a.handoff = bool_of(o.get("handoff"), o.key("handoff"), false);
    a.verify = bool_of(o.get("verify"), o.key("verify"), false);
    o.done();
    return a;
}

Topic topic_of(const json& v, const std::string& path, const NluSettings& nlu) {
    Obj o(v, path);
    Topic t;
    t.id = string_of(o.need("id"), o.key("id"));
    if (!valid_topic(t.id)) throw KbError{o.key("id"), "\"" + t.id + "\" is not a topic id of contract 6a"};
    t.name = text_of(o.need("name"), o.key("name"));
    t.intro = text_of(o.need("intro"), o.key("intro"));
    t.handoff = bool_of(o.get("handoff"), o.key("handoff"), false);
    t.menu = strings_of(o.get("menu"), o.key("menu"));
    t.keywords = keywords_of(o.get("keywords"), o.key("keywords"), nlu.keyword_weight);
    t.synonyms = synonyms_of(o.get("synonyms"), o.key("synonyms"));
    const json& as = o.need("answers");
    std::string ap = o.key("answers");
    if (!as.is_array() || as.empty()) throw KbError{ap, "must be an array with at least one answer"};
    std::set<std::string> ids;
    for (std::size_t i = 0; i < as.size(); ++i) {
        t.answers.push_back(answer_of(as[i], index(ap, i), nlu));
        if (!ids.insert(t.answers.back().id).second)
            throw KbError{index(ap, i) + ".id", "\"" + t.answers.back().id + "\" is used twice in this topic"};
    }
    o.done();
    return t;
}

void check_button(const KnowledgeBase& kb, const std::string& value, const std::string& path) {
    if (value.starts_with("topic:")) {
        if (!kb.topic(std::string_view(value).substr(6))) throw KbError{path, "\"" + value + "\": no such topic"};
        return;
    }
    if (value.starts_with("answer:")) {
        if (!kb.answer(std::string_view(value).substr(7))) throw KbError{path, "\"" + value + "\": no such answer"};
        return;
    }
    throw KbError{path, "\"" + value + "\" must be \"topic:ID\" or \"answer:TOPIC.ID\""};
}

KnowledgeBase parse(const json& root) {
    Obj o(root, "");
    KnowledgeBase kb;
    if (auto* n = o.get("_notice")) kb.notice = string_of(*n, "_notice");
    if (auto* v = o.get("version")) {
        if (!v->is_number_integer() || v->get<long long>() != 1) throw KbError{"version", "must be 1"};
    }
    kb.nlu = nlu_of(o.get("nlu"), "nlu");
    if (auto* sw = o.get("stopwords")) {
        Obj so(*sw, "stopwords");
        for (Lang l : all_langs) {
            for (const auto& w : strings_of(so.get(lang_code(l)), so.key(lang_code(l))))
                for (auto& t : tokenize(w)) kb.stopwords[l].push_back(t);
        }
        so.done();
    }
    {
        Obj mo(o.need("messages"), "messages");
        kb.messages.greeting = text_of(mo.need("greeting"), mo.key("greeting"));
        kb.messages.clarify = text_of(mo.need("clarify"), mo.key("clarify"));
        kb.messages.not_understood = text_of(mo.need("not_understood"), mo.key("not_understood"));
        mo.done();
    }
    kb.main_menu = strings_of(&o.need("main_menu"), "main_menu");
    if (kb.main_menu.empty()) throw KbError{"main_menu", "needs at least one button"};
    if (auto* ls = o.get("links")) {
        if (!ls->is_object()) throw KbError{"links", "must be an object of named links"};
        for (auto it = ls->begin(); it != ls->end(); ++it) {
            if (it.key().starts_with("_")) continue;
            std::string lp = "links." + it.key();
            if (!valid_id(it.key())) throw KbError{lp, "a link name must be lower-case letters, digits and _"};
            Obj lo(it.value(), lp);
            Link l;
            l.url = string_of(lo.need("url"), lo.key("url"));
            if (!(l.url.starts_with("https://") || l.url.starts_with("http://") || l.url.starts_with("/")))
                throw KbError{lo.key("url"), "must start with https://, http:// or /"};
            l.label = text_of(lo.need("label"), lo.key("label"));
            lo.done();
            kb.links[it.key()] = std::move(l);
        }
    }
    const json& ts = o.need("topics");
    if (!ts.is_array()) throw KbError{"topics", "must be an array"};
    std::set<std::string> seen;
    for (std::size_t i = 0; i < ts.size(); ++i) {
        kb.topics.push_back(topic_of(ts[i], index("topics", i), kb.nlu));
        if (!seen.insert(kb.topics.back().id).second)
            throw KbError{index("topics", i) + ".id", "topic \"" + kb.topics.back().id + "\" appears twice"};
    }
    for (auto id : topic_ids)
        if (!seen.count(std::string(id))) throw KbError{"topics", "topic \"" + std::string(id) + "\" is missing"};
    o.done();

    // Cross references, once everything is known.
    for (std::size_t i = 0; i < kb.main_menu.size(); ++i) check_button(kb, kb.main_menu[i], index("main_menu", i));
    for (std::size_t t = 0; t < kb.topics.size(); ++t) {
        const Topic& topic = kb.topics[t];
        std::string tp = index("topics", t);
        for (std::size_t i = 0; i < topic.menu.size(); ++i) check_button(kb, topic.menu[i], index(tp + ".menu", i));
        for (std::size_t a = 0; a < topic.answers.size(); ++a) {
            const Answer& ans = topic.answers[a];
            std::string ap = index(tp + ".answers", a);
            for (std::size_t i = 0; i < ans.buttons.size(); ++i)
                check_button(kb, ans.buttons[i], index(ap + ".buttons", i));
            for (std::size_t i = 0; i < ans.links.size(); ++i)
                if (!kb.links.count(ans.links[i]))
                    throw KbError{index(ap + ".links", i), "\"" + ans.links[i] + "\": no such link in links"};
        }
    }
    return kb;
}

}  // namespace

const Topic* KnowledgeBase::topic(std::string_view id) const {
    for (const auto& t : topics)
        if (t.id == id) return &t;
    return nullptr;
}

const Answer* KnowledgeBase::answer(std::string_view full_id) const {
    auto dot = full_id.find('.');
    if (dot == std::string_view::npos) return nullptr;
    const Topic* t = topic(full_id.substr(0, dot));
    if (!t) return nullptr;
    for (const auto& a : t->answers)
        if (a.id == full_id.substr(dot + 1)) return &a;
    return nullptr;
}

Result<KnowledgeBase> parse_knowledge(const std::string& json_text) {
    json root;
    try {
        root = json::parse(json_text);
    } catch (const json::exception& e) {
        return Error::invalid("knowledge_syntax", std::string("knowledge base: not valid JSON: ") + e.what());
    }
    try {
        return parse(root);
    } catch (const KbError& e) {
        return Error::invalid("knowledge_invalid", e.path + ": " + e.problem);
    } catch (const json::exception& e) {
        return Error::invalid("knowledge_invalid", std::string("knowledge base: ") + e.what());
    }
}

}  // namespace centrala::bot
