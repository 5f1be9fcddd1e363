// Shared pieces of the integration tests that talk with the virtual advisor
// over the resident's socket (bot, callback and report tests): waiting for
// its next message and reading the buttons it offers.
#pragma once

#include "chat_common.hpp"

namespace centrala::testing::chat {

// Waits for the next bot message on the resident's socket; fails the test
// (and returns an empty object) when none comes.
inline json next_bot(Resident& r, std::chrono::milliseconds timeout = 5s) {
    auto m = r.sock->wait(
        [](const json& j) { return j.value("type", "") == "message" && j["author"].value("kind", "") == "bot"; }, timeout);
    EXPECT_TRUE(m.has_value()) << "the advisor did not answer in chat " << r.chat_id;
    return m.value_or(json::object());
}

// Whether the message offers a button with this value and a label to show.
inline bool has_button(const json& m, const std::string& value) {
    if (!m.contains("buttons") || !m["buttons"].is_array()) return false;
    for (const auto& b : m["buttons"])
        if (b.value("value", "") == value && !b.value("label", "").empty()) return true;
    return false;
}

}  // namespace centrala::testing::chat
