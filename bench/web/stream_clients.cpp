// bench/web/stream_clients.cpp — N WebSocket clients of GET /api/v1/stream on one thread; for
// every event frame, the time from the event's timestamp_ns to its arrival, into a histogram of
// 0.1 ms buckets. Prints one JSON object: frames, per-client minimum, p50/p99/max in ms.
//   bench_web_stream_clients PORT TOKEN CLIENTS SECONDS
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kBuckets = 200000;  // 0.1 ms each: up to 20 s
std::vector<std::uint64_t> histogram(kBuckets + 1);
std::uint64_t frames = 0;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void record(std::string_view frame) {
  const auto at = frame.find("\"timestamp_ns\":");
  if (at == std::string_view::npos) return;
  std::int64_t ts = 0;
  for (std::size_t i = at + 15; i < frame.size() && frame[i] >= '0' && frame[i] <= '9'; ++i)
    ts = ts * 10 + (frame[i] - '0');
  const auto latency = std::max<std::int64_t>(0, now_ns() - ts);
  ++histogram[std::min<std::size_t>(static_cast<std::size_t>(latency / 100000), kBuckets)];
  ++frames;
}

struct Client : std::enable_shared_from_this<Client> {
  explicit Client(asio::io_context& io) : ws(io) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::uint64_t received = 0;
  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      const auto data = self->buffer.cdata();
      record({static_cast<const char*>(data.data()), data.size()});
      ++self->received;
      self->buffer.consume(self->buffer.size());
      self->read();
    });
  }
};

double quantile_ms(double q) {
  const auto want = static_cast<std::uint64_t>(q * static_cast<double>(frames));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i <= kBuckets; ++i)
    if ((seen += histogram[i]) > want) return static_cast<double>(i + 1) / 10;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s PORT TOKEN CLIENTS SECONDS\n", argv[0]);
    return 2;
  }
  const std::string port = argv[1], token = argv[2];
  const int clients = std::stoi(argv[3]);
  asio::io_context io;
  tcp::resolver resolver{io};
  const auto endpoints = resolver.resolve("127.0.0.1", port);
  std::vector<std::shared_ptr<Client>> all;
  for (int i = 0; i < clients; ++i) {
    auto c = std::make_shared<Client>(io);
    beast::get_lowest_layer(c->ws).connect(endpoints);
    beast::get_lowest_layer(c->ws).expires_never();
    c->ws.set_option(websocket::stream_base::decorator([&token](websocket::request_type& r) {
      r.set(beast::http::field::authorization, "Bearer " + token);
    }));
    c->ws.handshake("127.0.0.1:" + port, "/api/v1/stream");
    c->read();
    all.push_back(c);
  }
  std::fprintf(stderr, "stream_clients: %d connected\n", clients);
  asio::steady_timer stop{io, std::chrono::seconds(std::stoi(argv[4]))};
  stop.async_wait([&](beast::error_code) { io.stop(); });
  io.run();
  std::uint64_t least = frames;
  for (const auto& c : all) least = std::min(least, c->received);
  double max_ms = 0;
  for (std::size_t i = 0; i <= kBuckets; ++i)
    if (histogram[i]) max_ms = static_cast<double>(i + 1) / 10;
  std::printf(
      "{\"clients\":%d,\"frames\":%llu,\"least_frames_per_client\":%llu,\"p50_ms\":%.1f,"
      "\"p99_ms\":%.1f,\"max_ms\":%.1f}\n",
      clients, static_cast<unsigned long long>(frames), static_cast<unsigned long long>(least),
      quantile_ms(0.5), quantile_ms(0.99), max_ms);
  return 0;
}
