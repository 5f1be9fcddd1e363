// Definitions of Api's worker round trips, shared by the API's source files:
// run f on a worker, then done(result) back on the network thread. A full
// worker answers at once with 503 `overloaded`.
#pragma once

#include "centrala/api/api.hpp"

namespace centrala::api {

template <class F, class Done>
void Api::on_store(F f, Done done) {
    using R = decltype(f(staff_));
    auto alive = alive_;
    bool queued = b_.db_worker.post([this, alive, f = std::move(f), done]() mutable {
        auto r = std::make_shared<R>(f(staff_));
        b_.loop.post([alive, r, done]() mutable {
            if (*alive) done(std::move(*r));
        });
    });
    if (!queued) done(R(Error{ErrorKind::unavailable, "overloaded", "The server is busy; please try again."}));
}

template <class F, class Done>
void Api::on_hasher(F f, Done done) {
    using R = decltype(f());
    auto alive = alive_;
    bool queued = b_.hash_worker.post([this, alive, f = std::move(f), done]() mutable {
        auto r = std::make_shared<R>(f());
        b_.loop.post([alive, r, done]() mutable {
            if (*alive) done(std::move(*r));
        });
    });
    if (!queued) done(R(Error{ErrorKind::unavailable, "overloaded", "The server is busy; please try again."}));
}

template <class F, class Done>
void Api::on_chat_store(F f, Done done) {
    using R = decltype(f(chat_store_));
    auto alive = alive_;
    bool queued = b_.db_worker.post([this, alive, f = std::move(f), done]() mutable {
        auto r = std::make_shared<R>(f(chat_store_));
        b_.loop.post([alive, r, done]() mutable {
            if (*alive) done(std::move(*r));
        });
    });
    if (!queued) done(R(Error{ErrorKind::unavailable, "overloaded", "The server is busy; please try again."}));
}

}  // namespace centrala::api
