// web/stream_session.h — one WebSocket connection (internal to http_server.cpp): the handshake,
// a bounded queue of text frames written one at a time, a read loop that answers control frames
// and discards what the client sends, and a close with a reason.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <memory>
#include <string>

#include "web/http_server.h"

namespace cw::web {

template <class Stream>
class StreamSession final : public StreamClient,
                            public std::enable_shared_from_this<StreamSession<Stream>> {
 public:
  StreamSession(Stream stream, std::size_t max_queued)
      : ws_(std::move(stream)), max_queued_(max_queued) {}

  void start(boost::beast::http::request<boost::beast::http::string_body> request,
             std::function<void(std::shared_ptr<StreamClient>)> accept) {
    namespace websocket = boost::beast::websocket;
    ws_.set_option(websocket::stream_base::timeout::suggested(boost::beast::role_type::server));
    ws_.read_message_max(4096);
    // A batch is one frame, written with one call (Beast would cut it into 4 KB frames).
    ws_.auto_fragment(false);
    ws_.async_accept(request, [self = this->shared_from_this(),
                               accept = std::move(accept)](boost::beast::error_code ec) {
      if (ec) return;
      self->open_ = true;
      self->read();
      accept(self);
    });
  }

  bool send(std::shared_ptr<const std::string> frame) override {
    if (!open_ || closing_) return true;  // gone: nothing to deliver to
    if (queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(frame));
    if (!writing_) write();
    return true;
  }

  std::size_t queued() const override { return queue_.size(); }

  void close(const std::string& reason) override {
    namespace websocket = boost::beast::websocket;
    if (!open_ || closing_) return;
    closing_ = true;
    drop_queue();
    ws_.async_close(websocket::close_reason{websocket::close_code::policy_error, reason},
                    [self = this->shared_from_this()](boost::beast::error_code) { self->gone(); });
  }

 private:
  void write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(*queue_.front()),
                    [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) return self->gone();
                      if (self->closing_) return;
                      self->queue_.pop_front();
                      if (!self->queue_.empty()) return self->write();
                      if (self->on_drained) self->on_drained();
                    });
  }

  void read() {
    ws_.async_read(buffer_,
                   [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                     self->buffer_.clear();
                     if (ec) return self->gone();
                     self->read();
                   });
  }

  void gone() {
    if (reported_gone_) return;
    reported_gone_ = true;
    open_ = false;
    drop_queue();
    if (auto closed = std::move(on_closed)) closed();
    on_drained = nullptr;
  }

  // The frame being written stays alive until its write completes.
  void drop_queue() {
    if (writing_ && !queue_.empty())
      queue_.erase(queue_.begin() + 1, queue_.end());
    else
      queue_.clear();
  }

  boost::beast::websocket::stream<Stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::size_t max_queued_;
  bool open_ = false, closing_ = false, writing_ = false, reported_gone_ = false;
};

}  // namespace cw::web
