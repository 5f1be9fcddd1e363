// The virtual advisor's data in SQLite: versions of the knowledge base (who
// changed what, when) and the phrases the advisor could not answer, with
// counts. Synchronous: call only on the store worker thread that owns the
// Database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "centrala/domain/clock.hpp"
#include "centrala/domain/result.hpp"
#include "centrala/store/sqlite.hpp"

namespace centrala::store {

struct KnowledgeVersion {
    int64_t version = 0;
    std::string body;  // the knowledge base as JSON text; empty in listings
    int64_t bytes = 0;
    std::string sha256;
    std::string source = "api";  // config | api
    SysTime created_at{};
    std::optional<int64_t> author_id;
    std::string author;           // username at the time
    std::string changes = "{}";   // JSON object: what changed against the previous version
};

struct UnansweredPhrase {
    int64_t id = 0;
    std::string lang;
    std::string phrase;   // normalised: the grouping key
    std::string example;  // the latest wording as typed
    int64_t count = 0;
    std::string best_topic;
    int confidence = 0;  // per mille, of the latest occurrence
    SysTime first_seen{};
    SysTime last_seen{};
};

class BotStore {
public:
    explicit BotStore(Database& db) : db_(db) {}

    // The version in use (the highest), with its body; nullopt before the first.
    Result<std::optional<KnowledgeVersion>> current_knowledge();
    Result<KnowledgeVersion> knowledge_version(int64_t version);
    // Newest first, without bodies.
    Result<std::vector<KnowledgeVersion>> knowledge_versions(int limit, int64_t offset);
    // Stores v as the next version. With `expected_current`, a different
    // current version is a conflict (someone else saved meanwhile).
    Result<KnowledgeVersion> add_knowledge(KnowledgeVersion v, std::optional<int64_t> expected_current);

    // Counts one occurrence of a phrase (same language and phrase: one row).
    Result<void> record_unanswered(const std::string& lang, const std::string& phrase, const std::string& example,
                                   const std::string& best_topic, int confidence, SysTime at);
    // Most frequent first; `lang` empty for all.
    Result<std::vector<UnansweredPhrase>> unanswered(const std::string& lang, int limit, int64_t offset);
    // Once the knowledge base covers it. not_found for an unknown id.
    Result<void> forget_unanswered(int64_t id);

private:
    Database& db_;
};

}  // namespace centrala::store
