// What the two WebSocket clients (client.cpp over TCP, wss_client.cpp over
// TLS) share once connected: the loop they run the stream on, frames read and
// not yet taken, and how the connection ended. Templates on the stream type;
// included only by those two files, so Beast stays out of the public headers.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "client.hpp"

namespace centrala::testing {

struct WsLoop {
    boost::asio::io_context ioc;
    boost::beast::flat_buffer buffer;
    bool reading = false;
    std::deque<WsEvent> events;
    std::optional<WsEvent> closed;

    // Runs the loop until done() or the timeout; false on timeout.
    template <class Pred>
    bool run_until(Pred done, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done()) {
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) return false;
            if (ioc.stopped()) ioc.restart();
            ioc.run_one_for(deadline - now);
        }
        return true;
    }

    // The close frame's code and reason, or 1006 when the connection just ended.
    template <class Stream>
    void mark_closed(Stream& ws, const boost::beast::error_code& ec) {
        if (closed) return;
        WsEvent e;
        e.kind = WsEvent::Kind::closed;
        if (ec == boost::beast::websocket::error::closed) {
            e.close_code = ws.reason().code;
            e.close_reason = std::string(ws.reason().reason.c_str());
        } else {
            e.close_code = 1006;
            e.close_reason = ec.message();
        }
        closed = e;
    }

    // One read in flight at a time: its frame is queued, or the close noted.
    template <class Stream>
    void start_read(Stream& ws) {
        if (reading || closed) return;
        reading = true;
        ws.async_read(buffer, [this, &ws](boost::beast::error_code ec, size_t) {
            reading = false;
            if (ec) return mark_closed(ws, ec);
            WsEvent e;
            e.kind = ws.got_text() ? WsEvent::Kind::text : WsEvent::Kind::binary;
            e.data = boost::beast::buffers_to_string(buffer.data());
            buffer.consume(buffer.size());
            events.push_back(std::move(e));
        });
    }

    // The oldest frame not yet taken, else the close, else (after waiting for
    // either) a timeout event. After a close every call returns the close.
    template <class Stream>
    WsEvent next(Stream& ws, std::chrono::milliseconds timeout) {
        if (events.empty()) {
            start_read(ws);
            run_until([&] { return !events.empty() || closed.has_value(); }, timeout);
        }
        if (!events.empty()) {
            WsEvent e = std::move(events.front());
            events.pop_front();
            return e;
        }
        if (closed) return *closed;
        return WsEvent{};
    }

    // A normal close, waiting briefly for the server's answer.
    template <class Stream>
    void close(Stream& ws) {
        if (closed) return;
        bool done = false;
        ws.async_close(boost::beast::websocket::close_code::normal, [&](boost::beast::error_code ec) {
            done = true;
            if (ec) mark_closed(ws, ec);
        });
        run_until([&] { return done && !reading; }, std::chrono::seconds(2));
        if (!closed) closed = WsEvent{WsEvent::Kind::closed, {}, 1000, "closed by the client"};
    }
};

// Skips frames until a text frame with this "type"; nullopt on close or timeout.
template <class Client>
std::optional<nlohmann::json> next_frame_of_type(Client& client, const std::string& type,
                                                 std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        WsEvent e = client.next(left);
        if (e.kind == WsEvent::Kind::closed || e.kind == WsEvent::Kind::timeout) return std::nullopt;
        auto j = e.json();
        if (j.is_object() && j.value("type", "") == type) return j;
    }
}

}  // namespace centrala::testing
