// Understanding pipeline (docs/bot.md): normalise → detect language → drop
// stopwords → stem (Polish and English candidates for Latin words, Ukrainian
// for Cyrillic) → fix typos against the vocabulary → expand synonyms → score
// answers with BM25 over their example phrasings plus keyword weights → pick
// a topic with a confidence, or ask a clarifying question.
#include "centrala/bot/advisor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

namespace centrala::bot {

struct Advisor::Index {
    std::string source;
    KnowledgeBase kb;

    // Every answer of every topic, flattened; topic_answers lists them per topic.
    struct AnswerRef {
        int topic;
        const Answer* answer;
        std::string full_id;
    };
    std::vector<AnswerRef> answers;
    std::vector<std::vector<int>> topic_answers;

    // BM25 documents: one per example phrasing or title of an answer, and one
    // per language of a topic's name (answer = -1).
    struct Doc {
        int topic;
        int answer;
        double norm;  // k1 * (1 - b + b * length / average length)
        std::string text;
        std::vector<std::string> terms;
    };
    std::vector<Doc> docs;
    struct Term {
        double idf = 0;
        std::vector<std::pair<int, int>> postings;  // (doc, term frequency)
    };
    std::unordered_map<std::string, Term> terms;

    // Keyword phrases as stem sequences; answer = -1 for topic keywords.
    struct KeywordEntry {
        std::vector<std::string> stems;
        double weight;
        int topic;
        int answer;
        std::string term;
    };
    std::vector<KeywordEntry> keywords;
    std::unordered_map<std::string, std::vector<int>> keywords_by_first;

    struct SynonymMember {
        int group;
        std::vector<std::string> stems;
        std::string text;
    };
    std::vector<std::vector<int>> synonym_groups;  // group → members
    std::vector<SynonymMember> synonym_members;
    std::unordered_map<std::string, std::vector<int>> synonyms_by_first;

    std::unordered_set<std::string> known_stems;
    std::unordered_set<std::string> stopwords;
    Speller speller;
    LanguageHints hints;

    int topic_index(std::string_view id) const {
        for (std::size_t i = 0; i < kb.topics.size(); ++i)
            if (kb.topics[i].id == id) return static_cast<int>(i);
        return -1;
    }
};

namespace {

using Index = Advisor::Index;

bool cyrillic_word(const std::string& w) {
    auto cps = utf8_decode(w);
    return !cps.empty() && is_cyrillic(cps[0]);
}

bool has_digit(const std::string& w) {
    return std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The stem a word of the knowledge base gets: its own language's stemmer,
// Ukrainian for Cyrillic words, Polish for Latin words in Ukrainian text.
std::string kb_stem(const std::string& word, Lang lang) {
    if (cyrillic_word(word)) return stem_uk(word);
    return stem(word, lang == Lang::uk ? Lang::pl : lang);
}

// The stems a word of a resident's query may stand for.
std::vector<std::string> query_stems(const std::string& word) {
    if (cyrillic_word(word)) return {stem_uk(word)};
    std::string p = stem_pl(word), e = stem_en(word);
    if (p == e) return {p};
    return {p, e};
}

std::vector<std::string> content_words(const Index& ix, std::string_view text) {
    std::vector<std::string> out;
    for (auto& w : tokenize(text))
        if (!ix.stopwords.count(w)) out.push_back(std::move(w));
    return out;
}

std::vector<std::string> phrase_stems(const Index& ix, std::string_view text, Lang lang) {
    std::vector<std::string> out;
    for (const auto& w : content_words(ix, text)) out.push_back(kb_stem(w, lang));
    return out;
}

std::shared_ptr<Index> build(KnowledgeBase kb, std::string source) {
    auto ix = std::make_shared<Index>();
    ix->source = std::move(source);
    ix->kb = std::move(kb);
    const KnowledgeBase& k = ix->kb;
    const NluSettings& nlu = k.nlu;
    for (Lang l : all_langs)
        for (const auto& w : k.stopwords[l]) ix->stopwords.insert(w);

    std::unordered_map<std::string, int> pl_words, en_words, uk_words;
    auto vocabulary = [&](std::string_view text, Lang lang) {
        for (const auto& w : tokenize(text)) {
            (lang == Lang::pl ? pl_words : lang == Lang::en ? en_words : uk_words)[w]++;
            if (!ix->stopwords.count(w) && !has_digit(w)) ix->speller.add(w);
        }
    };
    auto add_doc = [&](int topic, int answer, const std::string& text, Lang lang) {
        Index::Doc d{topic, answer, 0, text, phrase_stems(*ix, text, lang)};
        vocabulary(text, lang);
        if (d.terms.empty()) return;
        ix->docs.push_back(std::move(d));
    };
    auto add_keywords = [&](const Keywords& kws, int topic, int answer) {
        for (Lang l : all_langs)
            for (const auto& kw : kws[l]) {
                auto stems = phrase_stems(*ix, kw.term, l);
                vocabulary(kw.term, l);
                if (stems.empty()) continue;  // only stopwords: cannot match
                ix->keywords_by_first[stems[0]].push_back(static_cast<int>(ix->keywords.size()));
                for (const auto& s : stems) ix->known_stems.insert(s);
                ix->keywords.push_back({std::move(stems), kw.weight, topic, answer, kw.term});
            }
    };

    for (std::size_t t = 0; t < k.topics.size(); ++t) {
        const Topic& topic = k.topics[t];
        int ti = static_cast<int>(t);
        ix->topic_answers.emplace_back();
        for (Lang l : all_langs) add_doc(ti, -1, topic.name[l], l);
        add_keywords(topic.keywords, ti, -1);
        for (Lang l : all_langs)
            for (const auto& group : topic.synonyms[l]) {
                int g = static_cast<int>(ix->synonym_groups.size());
                ix->synonym_groups.emplace_back();
                for (const auto& member : group) {
                    auto stems = phrase_stems(*ix, member, l);
                    vocabulary(member, l);
                    if (stems.empty()) continue;
                    int m = static_cast<int>(ix->synonym_members.size());
                    ix->synonyms_by_first[stems[0]].push_back(m);
                    for (const auto& s : stems) ix->known_stems.insert(s);
                    ix->synonym_members.push_back({g, std::move(stems), member});
                    ix->synonym_groups.back().push_back(m);
                }
            }
        for (const auto& answer : topic.answers) {
            int ai = static_cast<int>(ix->answers.size());
            ix->answers.push_back({ti, &answer, topic.id + "." + answer.id});
            ix->topic_answers.back().push_back(ai);
            for (Lang l : all_langs) {
                add_doc(ti, ai, answer.title[l], l);
                for (const auto& e : answer.examples[l]) add_doc(ti, ai, e, l);
            }
            add_keywords(answer.keywords, ti, ai);
        }
    }

    // BM25 statistics.
    double total = 0;
    for (const auto& d : ix->docs) total += static_cast<double>(d.terms.size());
    double avgdl = ix->docs.empty() ? 1.0 : total / static_cast<double>(ix->docs.size());
    for (std::size_t i = 0; i < ix->docs.size(); ++i) {
        auto& d = ix->docs[i];
        d.norm = nlu.bm25_k1 * (1.0 - nlu.bm25_b + nlu.bm25_b * static_cast<double>(d.terms.size()) / avgdl);
        std::unordered_map<std::string, int> tf;
        for (const auto& s : d.terms) tf[s]++;
        for (const auto& [s, n] : tf) {
            ix->terms[s].postings.emplace_back(static_cast<int>(i), n);
            ix->known_stems.insert(s);
        }
    }
    const double n_docs = static_cast<double>(ix->docs.size());
    for (auto& [s, term] : ix->terms) {
        double n = static_cast<double>(term.postings.size());
        term.idf = std::log(1.0 + (n_docs - n + 0.5) / (n + 0.5));
    }

    for (const auto& [w, n] : pl_words)
        if (!en_words.count(w)) ix->hints.pl.insert(w);
    for (const auto& [w, n] : en_words)
        if (!pl_words.count(w)) ix->hints.en.insert(w);
    ix->speller.build();
    return ix;
}

// ---------------------------------------------------------------- replies

std::string format_score(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

Button button_for(const KnowledgeBase& kb, const std::string& value, Lang lang) {
    if (value.starts_with("topic:"))
        if (const Topic* t = kb.topic(std::string_view(value).substr(6))) return {t->name[lang], value};
    if (value.starts_with("answer:"))
        if (const Answer* a = kb.answer(std::string_view(value).substr(7))) return {a->title[lang], value};
    return {value, value};  // validated at load, so not reached
}

std::vector<Button> buttons_for(const KnowledgeBase& kb, const std::vector<std::string>& values, Lang lang) {
    std::vector<Button> out;
    for (const auto& v : values) out.push_back(button_for(kb, v, lang));
    return out;
}

Reply topic_reply(const KnowledgeBase& kb, const Topic& t, Lang lang) {
    Reply r;
    r.topic = t.id;
    r.language = lang;
    r.text = t.intro[lang];
    r.buttons = buttons_for(kb, t.menu, lang);
    r.handoff = t.handoff;
    r.confidence = 1.0;
    return r;
}

Reply answer_reply(const KnowledgeBase& kb, const Topic& t, const Answer& a, Lang lang) {
    Reply r;
    r.topic = t.id;
    r.answer = t.id + "." + a.id;
    r.language = lang;
    r.text = a.text[lang];
    r.buttons = buttons_for(kb, a.buttons, lang);
    for (const auto& name : a.links) {
        const Link& l = kb.links.at(name);
        r.links.push_back({l.label[lang], l.url});
    }
    r.handoff = t.handoff || a.handoff;
    r.verify = a.verify;
    r.confidence = 1.0;
    return r;
}

// ---------------------------------------------------------------- understanding

struct Position {
    std::string word;
    std::vector<std::string> stems;
};

bool phrase_at(const std::vector<Position>& seq, std::size_t p, const std::vector<std::string>& stems) {
    if (p + stems.size() > seq.size()) return false;
    for (std::size_t k = 0; k < stems.size(); ++k) {
        const auto& c = seq[p + k].stems;
        if (std::find(c.begin(), c.end(), stems[k]) == c.end()) return false;
    }
    return true;
}

struct Understanding {
    std::vector<double> topic_score, topic_kw, topic_doc;
    std::vector<double> answer_own, answer_kw;  // own = BM25 + answer keywords
    std::vector<int> answer_doc;                // best document of each answer
    std::vector<std::string> why;
    bool any_content = false;
};

Understanding understand(const Index& ix, std::string_view text) {
    const KnowledgeBase& kb = ix.kb;
    const NluSettings& nlu = kb.nlu;
    Understanding u;
    u.topic_score.assign(kb.topics.size(), 0);
    u.topic_kw.assign(kb.topics.size(), 0);
    u.topic_doc.assign(kb.topics.size(), 0);
    u.answer_own.assign(ix.answers.size(), 0);
    u.answer_kw.assign(ix.answers.size(), 0);
    u.answer_doc.assign(ix.answers.size(), -1);

    // Content words with their candidate stems. An unknown stem falls back to
    // a known stem it starts with (the suffix rules missed an ending:
    // "umowi" → "umow"), else the word gets a typo fix.
    std::vector<Position> seq;
    auto is_known = [&](const std::vector<std::string>& stems) {
        return std::any_of(stems.begin(), stems.end(), [&](const std::string& s) { return ix.known_stems.count(s) > 0; });
    };
    for (auto& w : content_words(ix, text)) {
        Position p{w, query_stems(w)};
        bool known = is_known(p.stems);
        if (!known && !has_digit(w)) {
            for (const auto& s : p.stems) {
                std::u32string cs = utf8_decode(s);
                for (std::size_t n = cs.size() - 1; !known && n + 2 >= cs.size() && n >= 4; --n) {
                    std::string prefix = utf8_encode(cs.substr(0, n));
                    if (ix.known_stems.count(prefix)) {
                        u.why.push_back("stem: " + w + " → " + prefix);
                        p.stems = {prefix};
                        known = true;
                    }
                }
                if (known) break;
            }
        }
        if (!known && !has_digit(w) && !ix.speller.contains(w)) {
            if (auto fixed = ix.speller.correct(w)) {
                u.why.push_back("typo: " + w + " → " + *fixed);
                p.stems = query_stems(*fixed);
                p.word = *fixed;
            }
        }
        seq.push_back(std::move(p));
    }
    u.any_content = !seq.empty();
    if (seq.empty()) return u;

    // Synonyms: every other member of a matched group joins the query.
    struct Expansion {
        std::vector<Position> words;
        std::size_t start, length;  // the span of the query that brought it in
    };
    std::vector<Expansion> expansions;
    std::unordered_set<int> groups_used;
    for (std::size_t p = 0; p < seq.size(); ++p)
        for (const auto& s : seq[p].stems) {
            auto it = ix.synonyms_by_first.find(s);
            if (it == ix.synonyms_by_first.end()) continue;
            for (int m : it->second) {
                const auto& member = ix.synonym_members[m];
                if (!phrase_at(seq, p, member.stems) || !groups_used.insert(member.group).second) continue;
                for (int other : ix.synonym_groups[member.group]) {
                    if (other == m) continue;
                    const auto& o = ix.synonym_members[other];
                    Expansion e{{}, p, member.stems.size()};
                    for (const auto& st : o.stems) e.words.push_back({st, {st}});
                    expansions.push_back(std::move(e));
                    u.why.push_back("synonym: " + member.text + " → " + o.text);
                }
            }
        }

    // Keywords. A match inside a longer match is dropped ("dowód" inside
    // "dowód rejestracyjny"). A match through a synonym weighs less and counts
    // only when the words that brought the synonym in matched no keyword
    // themselves: one piece of text is one piece of evidence.
    struct Match {
        int keyword;
        std::size_t start, length;  // in the query; for a synonym, the span that brought it in
        double factor;
    };
    std::vector<Match> matches;
    auto find_keywords = [&](const std::vector<Position>& s, double factor, const Expansion* via) {
        for (std::size_t p = 0; p < s.size(); ++p)
            for (const auto& st : s[p].stems) {
                auto it = ix.keywords_by_first.find(st);
                if (it == ix.keywords_by_first.end()) continue;
                for (int k : it->second) {
                    if (!phrase_at(s, p, ix.keywords[k].stems)) continue;
                    if (via) matches.push_back({k, via->start, via->length, factor});
                    else matches.push_back({k, p, ix.keywords[k].stems.size(), factor});
                }
            }
    };
    find_keywords(seq, 1.0, nullptr);
    std::size_t original = matches.size();
    for (const auto& e : expansions) find_keywords(e.words, nlu.synonym_weight, &e);
    auto overlaps = [](const Match& a, const Match& b) {
        return a.start < b.start + b.length && b.start < a.start + a.length;
    };
    std::vector<bool> keep(matches.size(), true);
    for (std::size_t i = 0; i < original; ++i)
        for (std::size_t j = 0; j < original; ++j) {
            const auto &a = matches[i], &b = matches[j];
            if (b.length > a.length && b.start <= a.start && a.start + a.length <= b.start + b.length) keep[i] = false;
        }
    for (std::size_t i = original; i < matches.size(); ++i)
        for (std::size_t j = 0; j < original && keep[i]; ++j)
            if (overlaps(matches[i], matches[j])) keep[i] = false;
    std::unordered_set<int> counted;
    for (std::size_t i = 0; i < matches.size(); ++i) {
        if (!keep[i] || !counted.insert(matches[i].keyword).second) continue;
        const auto& kw = ix.keywords[matches[i].keyword];
        double w = kw.weight * matches[i].factor;
        if (kw.answer < 0) {
            u.topic_kw[kw.topic] += w;
            u.why.push_back("keyword: " + kw.term + " → " + kb.topics[kw.topic].id + " +" + format_score(w));
        } else {
            u.answer_kw[kw.answer] += w;
            u.why.push_back("keyword: " + kw.term + " → " + ix.answers[kw.answer].full_id + " +" + format_score(w));
        }
    }

    // BM25 over the example phrasings; each query word counts once per
    // document, with the better of its candidate stems.
    struct QTerm {
        std::vector<std::string> stems;
        double weight;
    };
    std::vector<QTerm> query;
    std::unordered_set<std::string> seen;
    for (const auto& p : seq) {
        bool dup = std::all_of(p.stems.begin(), p.stems.end(), [&](const std::string& s) { return seen.count(s) > 0; });
        if (dup) continue;
        for (const auto& s : p.stems) seen.insert(s);
        query.push_back({p.stems, 1.0});
    }
    for (const auto& e : expansions)
        for (const auto& p : e.words)
            if (seen.insert(p.stems[0]).second) query.push_back({p.stems, nlu.synonym_weight});

    std::vector<double> doc_score(ix.docs.size(), 0), term_best(ix.docs.size(), 0);
    std::vector<int> touched, term_touched;
    for (const auto& q : query) {
        term_touched.clear();
        for (const auto& s : q.stems) {
            auto it = ix.terms.find(s);
            if (it == ix.terms.end()) continue;
            for (auto [d, tf] : it->second.postings) {
                double c = q.weight * it->second.idf * tf * (nlu.bm25_k1 + 1.0) / (tf + ix.docs[d].norm);
                if (term_best[d] == 0) term_touched.push_back(d);
                term_best[d] = std::max(term_best[d], c);
            }
        }
        for (int d : term_touched) {
            if (doc_score[d] == 0) touched.push_back(d);
            doc_score[d] += term_best[d];
            term_best[d] = 0;
        }
    }
    for (int d : touched) {
        const auto& doc = ix.docs[d];
        if (doc.answer < 0) {
            u.topic_doc[doc.topic] = std::max(u.topic_doc[doc.topic], doc_score[d]);
        } else if (u.answer_doc[doc.answer] < 0 || doc_score[d] > doc_score[u.answer_doc[doc.answer]] ||
                   (doc_score[d] == doc_score[u.answer_doc[doc.answer]] && d < u.answer_doc[doc.answer])) {
            u.answer_doc[doc.answer] = d;
        }
    }
    for (std::size_t a = 0; a < ix.answers.size(); ++a) {
        double bm = u.answer_doc[a] >= 0 ? doc_score[u.answer_doc[a]] : 0.0;
        u.answer_own[a] = bm + u.answer_kw[a];
    }
    for (std::size_t t = 0; t < kb.topics.size(); ++t) {
        double best = u.topic_doc[t];
        for (int a : ix.topic_answers[t]) best = std::max(best, u.answer_own[a]);
        u.topic_score[t] = best + u.topic_kw[t];
    }
    return u;
}

}  // namespace

// ---------------------------------------------------------------- Advisor

Result<Advisor> Advisor::load(const std::string& json_text) {
    auto kb = parse_knowledge(json_text);
    if (!kb) return kb.error();
    return Advisor(build(std::move(kb).value(), json_text));
}

const KnowledgeBase& Advisor::knowledge() const { return index_->kb; }
const std::string& Advisor::source() const { return index_->source; }

Reply Advisor::greeting(Lang lang) const {
    const KnowledgeBase& kb = index_->kb;
    Reply r;
    r.topic = "other";
    r.language = lang;
    r.text = kb.messages.greeting[lang];
    r.buttons = buttons_for(kb, kb.main_menu, lang);
    r.confidence = 1.0;
    return r;
}

Result<Reply> Advisor::choose(std::string_view value, Lang lang) const {
    const KnowledgeBase& kb = index_->kb;
    if (value.starts_with("topic:")) {
        const Topic* t = kb.topic(value.substr(6));
        if (!t) return Error::not_found("button_unknown", "no topic " + std::string(value.substr(6)));
        Reply r = topic_reply(kb, *t, lang);
        r.why.push_back("button: " + std::string(value));
        return r;
    }
    if (value.starts_with("answer:")) {
        auto full = value.substr(7);
        const Answer* a = kb.answer(full);
        if (!a) return Error::not_found("button_unknown", "no answer " + std::string(full));
        Reply r = answer_reply(kb, *kb.topic(full.substr(0, full.find('.'))), *a, lang);
        r.why.push_back("button: " + std::string(value));
        return r;
    }
    return Error::invalid("button_invalid", "a button value is \"topic:ID\" or \"answer:TOPIC.ID\"");
}

Reply Advisor::ask(std::string_view raw, Lang preferred) const {
    const Index& ix = *index_;
    const KnowledgeBase& kb = ix.kb;
    const NluSettings& nlu = kb.nlu;
    std::string_view text = utf8_truncate(raw, static_cast<std::size_t>(nlu.max_query_chars));

    // A button value typed or sent as text.
    std::string_view trimmed = text;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\n')) trimmed.remove_prefix(1);
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\n')) trimmed.remove_suffix(1);
    if (trimmed.starts_with("topic:") || trimmed.starts_with("answer:")) {
        auto r = choose(trimmed, preferred);
        if (r) return std::move(r).value();
    }

    Lang lang = detect_language(text, preferred, &ix.hints);
    Understanding u = understand(ix, text);

    std::vector<int> order(kb.topics.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return u.topic_score[a] > u.topic_score[b]; });

    Reply r;
    r.language = lang;
    r.why = std::move(u.why);
    for (std::size_t i = 0; i < order.size() && i < 3; ++i)
        if (u.topic_score[order[i]] > 0) r.ranking.push_back({kb.topics[order[i]].id, u.topic_score[order[i]]});

    const double s1 = u.topic_score[order[0]];
    const double s2 = order.size() > 1 ? u.topic_score[order[1]] : 0.0;
    if (s1 <= 0) {  // nothing understood: the main menu
        r.topic = "other";
        r.confidence = 0;
        r.clarify = true;
        r.text = kb.messages.not_understood[lang];
        r.buttons = buttons_for(kb, kb.main_menu, lang);
        return r;
    }
    // Strength grows with the evidence; separation from the runner-up.
    const double strength = s1 / (s1 + nlu.strength_k);
    const double separation = (s1 - s2) / s1;
    const double confidence = strength * (0.5 + 0.5 * separation);
    const Topic& top = kb.topics[order[0]];
    r.topic = top.id;
    r.confidence = std::round(confidence * 1000.0) / 1000.0;

    if (confidence < nlu.confidence_threshold) {
        r.clarify = true;
        r.text = kb.messages.clarify[lang];
        std::vector<std::string> values;
        for (int t : order) {
            if (static_cast<int>(values.size()) >= nlu.clarify_topics || u.topic_score[t] <= 0) break;
            if (values.size() >= 2 && u.topic_score[t] < 0.25 * s1) break;
            values.push_back("topic:" + kb.topics[t].id);
        }
        if (std::find(values.begin(), values.end(), "topic:human") == values.end()) values.push_back("topic:human");
        r.buttons = buttons_for(kb, values, lang);
        return r;
    }

    // The best answer of the topic, unless a sibling is about as likely or
    // nothing points at a specific answer: then the topic's menu.
    int best = -1, second = -1;
    for (int a : ix.topic_answers[order[0]]) {
        if (best < 0 || u.answer_own[a] > u.answer_own[best]) {
            second = best;
            best = a;
        } else if (second < 0 || u.answer_own[a] > u.answer_own[second]) {
            second = a;
        }
    }
    bool specific = best >= 0 && u.answer_own[best] > 0 && u.answer_own[best] >= u.topic_doc[order[0]] &&
                    !(second >= 0 && u.answer_own[second] >= nlu.answer_margin * u.answer_own[best]);
    Reply body = specific ? answer_reply(kb, top, *ix.answers[best].answer, lang) : topic_reply(kb, top, lang);
    r.answer = body.answer;
    r.text = std::move(body.text);
    r.buttons = std::move(body.buttons);
    r.links = std::move(body.links);
    r.handoff = body.handoff;
    r.verify = body.verify;
    if (best >= 0 && u.answer_doc[best] >= 0) {
        const auto& doc = ix.docs[u.answer_doc[best]];
        r.why.push_back("example: \"" + doc.text + "\" → " + ix.answers[best].full_id + " " +
                        format_score(u.answer_own[best] - u.answer_kw[best]));
    }
    return r;
}

std::string routing_topic(const Reply& r) {
    if (r.topic != "human") return r.topic;
    for (const auto& t : r.ranking)
        if (t.topic != "human" && t.topic != "other") return t.topic;
    return "other";
}

void to_json(nlohmann::json& j, const Reply& r) {
    nlohmann::json buttons = nlohmann::json::array(), links = nlohmann::json::array(),
                   ranking = nlohmann::json::array();
    for (const auto& b : r.buttons) buttons.push_back({{"label", b.label}, {"value", b.value}});
    for (const auto& l : r.links) links.push_back({{"label", l.label}, {"url", l.url}});
    for (const auto& t : r.ranking) ranking.push_back({{"topic", t.topic}, {"score", std::round(t.score * 100) / 100}});
    j = {{"topic", r.topic},       {"answer", r.answer},   {"confidence", r.confidence},
         {"lang", lang_code(r.language)}, {"text", r.text}, {"buttons", buttons},
         {"links", links},         {"handoff", r.handoff}, {"clarify", r.clarify},
         {"verify", r.verify},     {"why", r.why},         {"ranking", ranking}};
}

}  // namespace centrala::bot
