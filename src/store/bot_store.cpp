#include "centrala/store/bot_store.hpp"

namespace centrala::store {
namespace {

constexpr const char* version_columns =
    "version, length(body), sha256, source, created_at, author_id, author, changes";

KnowledgeVersion read_version(const Statement& st) {
    KnowledgeVersion v;
    v.version = st.int64(0);
    v.bytes = st.int64(1);
    v.sha256 = st.text(2);
    v.source = st.text(3);
    v.created_at = from_unix_ms(st.int64(4));
    if (!st.is_null(5)) v.author_id = st.int64(5);
    v.author = st.text(6);
    v.changes = st.text(7);
    return v;
}

}  // namespace

Result<std::optional<KnowledgeVersion>> BotStore::current_knowledge() {
    auto st = db_.prepare(std::string("SELECT ") + version_columns + ", body FROM bot_knowledge ORDER BY version DESC LIMIT 1");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return std::optional<KnowledgeVersion>();
    KnowledgeVersion v = read_version(*st);
    v.body = st->text(8);
    return std::optional<KnowledgeVersion>(std::move(v));
}

Result<KnowledgeVersion> BotStore::knowledge_version(int64_t version) {
    auto st = db_.prepare(std::string("SELECT ") + version_columns + ", body FROM bot_knowledge WHERE version = ?");
    if (!st) return st.error();
    st->bind(1, version);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return Error::not_found("version_not_found", "No such version of the knowledge base.");
    KnowledgeVersion v = read_version(*st);
    v.body = st->text(8);
    return v;
}

Result<std::vector<KnowledgeVersion>> BotStore::knowledge_versions(int limit, int64_t offset) {
    auto st = db_.prepare(std::string("SELECT ") + version_columns +
                          " FROM bot_knowledge ORDER BY version DESC LIMIT ? OFFSET ?");
    if (!st) return st.error();
    st->bind(1, int64_t(limit)).bind(2, offset);
    std::vector<KnowledgeVersion> out;
    auto rows = st->for_each_row([&] { out.push_back(read_version(*st)); });
    if (!rows) return rows.error();
    return out;
}

Result<KnowledgeVersion> BotStore::add_knowledge(KnowledgeVersion v, std::optional<int64_t> expected_current) {
    Transaction tx(db_);
    if (!tx.begun()) return db_.error("begin");
    auto cur = db_.prepare("SELECT coalesce(max(version), 0) FROM bot_knowledge");
    if (!cur) return cur.error();
    auto row = cur->step();
    if (!row) return row.error();
    const int64_t current = cur->int64(0);
    if (expected_current && *expected_current != current)
        return Error::conflict("version_conflict", "The knowledge base was changed meanwhile (now version " +
                                                       std::to_string(current) + "); load it again and redo the change.");
    auto ins = db_.prepare(
        "INSERT INTO bot_knowledge (version, body, sha256, source, created_at, author_id, author, changes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!ins) return ins.error();
    v.version = current + 1;
    v.bytes = int64_t(v.body.size());
    ins->bind(1, v.version)
        .bind(2, v.body)
        .bind(3, v.sha256)
        .bind(4, v.source)
        .bind(5, to_unix_ms(v.created_at))
        .bind(6, v.author_id)
        .bind(7, v.author)
        .bind(8, v.changes.empty() ? std::string("{}") : v.changes);
    if (auto r = ins->run(); !r) return r.error();
    if (auto r = tx.commit(); !r) return r.error();
    return v;
}

Result<void> BotStore::record_unanswered(const std::string& lang, const std::string& phrase, const std::string& example,
                                         const std::string& best_topic, int confidence, SysTime at) {
    auto st = db_.prepare(
        "INSERT INTO bot_unanswered (lang, phrase, example, best_topic, confidence, first_seen, last_seen) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (lang, phrase) DO UPDATE SET count = count + 1, "
        "example = excluded.example, best_topic = excluded.best_topic, confidence = excluded.confidence, "
        "last_seen = excluded.last_seen");
    if (!st) return st.error();
    st->bind(1, lang).bind(2, phrase).bind(3, example).bind(4, best_topic).bind(5, confidence).bind(6, to_unix_ms(at));
    return st->run();
}

Result<std::vector<UnansweredPhrase>> BotStore::unanswered(const std::string& lang, int limit, int64_t offset) {
    auto st = db_.prepare(
        "SELECT id, lang, phrase, example, count, best_topic, confidence, first_seen, last_seen FROM bot_unanswered "
        "WHERE ?1 = '' OR lang = ?1 ORDER BY count DESC, last_seen DESC, id LIMIT ?2 OFFSET ?3");
    if (!st) return st.error();
    st->bind(1, lang).bind(2, int64_t(limit)).bind(3, offset);
    std::vector<UnansweredPhrase> out;
    auto rows = st->for_each_row([&] {
        UnansweredPhrase p;
        p.id = st->int64(0);
        p.lang = st->text(1);
        p.phrase = st->text(2);
        p.example = st->text(3);
        p.count = st->int64(4);
        p.best_topic = st->text(5);
        p.confidence = int(st->int64(6));
        p.first_seen = from_unix_ms(st->int64(7));
        p.last_seen = from_unix_ms(st->int64(8));
        out.push_back(std::move(p));
    });
    if (!rows) return rows.error();
    return out;
}

Result<void> BotStore::forget_unanswered(int64_t id) {
    auto st = db_.prepare("DELETE FROM bot_unanswered WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, id);
    if (auto r = st->run(); !r) return r;
    if (db_.changes() == 0) return Error::not_found("phrase_not_found", "No such phrase.");
    return Ok{};
}

}  // namespace centrala::store
