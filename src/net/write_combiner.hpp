// A stream layer under beast::websocket::stream that lets several WebSocket
// frames leave in one socket write (and, under TLS, one SSL_write).
//
// Beast writes one message per async_write and waits for the socket before the
// next; with three frames per chat message that was three syscalls. While the
// owner "holds", this layer copies each frame's bytes (header and payload, as
// Beast built them) and completes the write at once; the next write made
// without holding sends everything held plus its own bytes with one write.
// Beast still serialises every write (its own pings, pongs and close frames
// too), so frames never interleave and only one socket write is in flight.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <string>
#include <type_traits>
#include <utility>

namespace centrala::net {

template <class Next>
class WriteCombiner {
public:
    using next_layer_type = Next;
    using executor_type = typename Next::executor_type;

    template <class... Args>
    explicit WriteCombiner(Args&&... args) : next_(std::forward<Args>(args)...) {}

    executor_type get_executor() noexcept { return next_.get_executor(); }
    next_layer_type& next_layer() noexcept { return next_; }
    const next_layer_type& next_layer() const noexcept { return next_; }

    // While on, writes are kept here and complete at once. The owner must make
    // a write with it off afterwards, or what is held is never sent.
    void hold(bool on) noexcept { hold_ = on; }
    std::size_t held_bytes() const noexcept { return held_.size(); }

    template <class MutableBufferSequence, class ReadHandler>
    auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
        return next_.async_read_some(buffers, std::forward<ReadHandler>(handler));
    }

    template <class ConstBufferSequence, class WriteHandler>
    auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
        return boost::asio::async_initiate<WriteHandler, void(boost::beast::error_code, std::size_t)>(
            [this](auto h, const ConstBufferSequence& b) { initiate_write(std::move(h), b); }, handler, buffers);
    }

private:
    template <class Handler, class ConstBufferSequence>
    void initiate_write(Handler h, const ConstBufferSequence& b) {
        namespace asio = boost::asio;
        const std::size_t n = asio::buffer_size(b);
        if (!hold_ && held_.empty()) return next_.async_write_some(b, std::move(h));
        for (auto it = asio::buffer_sequence_begin(b); it != asio::buffer_sequence_end(b); ++it) {
            const asio::const_buffer cb(*it);
            held_.append(static_cast<const char*>(cb.data()), cb.size());
        }
        if (hold_) {
            // Completed, never from inside the initiating call (asio's rule).
            asio::post(next_.get_executor(), boost::beast::bind_front_handler(std::move(h), boost::beast::error_code{}, n));
            return;
        }
        // Everything held, this write's bytes last, in one go. The two strings
        // swap roles so their capacity is reused.
        flying_.swap(held_);
        held_.clear();
        auto ex = asio::get_associated_executor(h, next_.get_executor());
        asio::async_write(next_, asio::buffer(flying_),
                          asio::bind_executor(ex, [this, h = std::move(h), n](boost::beast::error_code ec, std::size_t) mutable {
                              flying_.clear();
                              std::move(h)(ec, ec ? std::size_t(0) : n);
                          }));
    }

    Next next_;
    std::string held_;
    std::string flying_;
    bool hold_ = false;
};

// Closing the WebSocket tears down the layer below.
template <class Next>
void teardown(boost::beast::role_type role, WriteCombiner<Next>& s, boost::beast::error_code& ec) {
    using boost::beast::websocket::teardown;
    teardown(role, s.next_layer(), ec);
}

template <class Next, class TeardownHandler>
void async_teardown(boost::beast::role_type role, WriteCombiner<Next>& s, TeardownHandler&& handler) {
    using boost::beast::websocket::async_teardown;
    async_teardown(role, s.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace centrala::net
