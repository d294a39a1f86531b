// bench/web/stream_clients.cpp — N WebSocket clients of GET /api/v1/stream on one thread; for
// every event received, the time from the event's timestamp_ns to its arrival and, when the frame
// says when it was stored (`stored_unix_ns`, an `events` batch), from its commit to its arrival,
// each into a histogram of 0.1 ms buckets. Prints one JSON object: frames, events, per-client
// minimum, p50/p99/max in ms of both.
//   bench_web_stream_clients PORT TOKEN CLIENTS SECONDS
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kBuckets = 200000;  // 0.1 ms each: up to 20 s
struct Histogram {
  std::vector<std::uint64_t> buckets = std::vector<std::uint64_t>(kBuckets + 1);
  std::uint64_t count = 0;
  void add(std::int64_t latency_ns) {
    latency_ns = std::max<std::int64_t>(0, latency_ns);
    ++buckets[std::min<std::size_t>(static_cast<std::size_t>(latency_ns / 100000), kBuckets)];
    ++count;
  }
  double quantile_ms(double q) const {
    const auto want = static_cast<std::uint64_t>(q * static_cast<double>(count));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i <= kBuckets; ++i)
      if ((seen += buckets[i]) > want) return static_cast<double>(i + 1) / 10;
    return 0;
  }
  double max_ms() const {
    double out = 0;
    for (std::size_t i = 0; i <= kBuckets; ++i)
      if (buckets[i]) out = static_cast<double>(i + 1) / 10;
    return out;
  }
};
Histogram from_event, from_stored;
std::uint64_t frames = 0, bytes = 0;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t number_after(std::string_view frame, std::size_t at) {
  std::int64_t value = 0;
  for (std::size_t i = at; i < frame.size() && frame[i] >= '0' && frame[i] <= '9'; ++i)
    value = value * 10 + (frame[i] - '0');
  return value;
}

const char* find(std::string_view in, std::size_t from, std::string_view what) {
  if (from >= in.size()) return nullptr;
  return static_cast<const char*>(
      memmem(in.data() + from, in.size() - from, what.data(), what.size()));
}

// Every event in the frame (one `event` frame, or an `events` batch); returns how many.
std::uint64_t record(std::string_view frame) {
  const auto now = now_ns();
  constexpr std::string_view kStored = "\"stored_unix_ns\":", kTs = "\"timestamp_ns\":";
  const auto* stored_at = find(frame, 0, kStored);
  const auto stored =
      stored_at
          ? number_after(frame, static_cast<std::size_t>(stored_at - frame.data()) + kStored.size())
          : std::int64_t{0};
  std::uint64_t n = 0;
  for (const auto* at = find(frame, 0, kTs); at;) {
    const auto offset = static_cast<std::size_t>(at - frame.data()) + kTs.size();
    from_event.add(now - number_after(frame, offset));
    if (stored) from_stored.add(now - stored);
    ++n;
    at = find(frame, offset, kTs);
  }
  if (n) ++frames;
  bytes += frame.size();
  return n;
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
      self->received += record({static_cast<const char*>(data.data()), data.size()});
      self->buffer.consume(self->buffer.size());
      self->read();
    });
  }
};

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
  std::uint64_t least = from_event.count;
  for (const auto& c : all) least = std::min(least, c->received);
  std::printf(
      "{\"clients\":%d,\"bytes\":%llu,\"frames\":%llu,\"events\":%llu,\"least_events_per_client\":%"
      "llu,"
      "\"p50_ms\":%.1f,\"p99_ms\":%.1f,\"max_ms\":%.1f,\"stored_to_frame_events\":%llu,"
      "\"stored_to_frame_p50_ms\":%.1f,\"stored_to_frame_p99_ms\":%.1f,"
      "\"stored_to_frame_max_ms\":%.1f}\n",
      clients, static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(frames),
      static_cast<unsigned long long>(from_event.count), static_cast<unsigned long long>(least),
      from_event.quantile_ms(0.5), from_event.quantile_ms(0.99), from_event.max_ms(),
      static_cast<unsigned long long>(from_stored.count), from_stored.quantile_ms(0.5),
      from_stored.quantile_ms(0.99), from_stored.max_ms());
  return 0;
}
