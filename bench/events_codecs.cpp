// Benchmark: bytes per event and encode+decode rate of each event codec (compact binary in
// batches, MessagePack, JSON) against the seed's JSON payload (seed 002's "Estructura del
// Evento", with node_info in every event). Target (issue 5): ≥ 5 M binary encode+decode/s/core,
// a drift event ≤ 32 bytes, a heartbeat ≤ 48. Run: ./build/bench/bench_events_codecs
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "events/binary_codec.h"
#include "events/json_codec.h"
#include "events/msgpack_codec.h"

namespace {

using namespace cw;
using namespace cw::events;
using namespace std::chrono_literals;

Event drift(std::uint64_t sequence) {
  Event e{from_unix_ns(1'764'435'901'000'000'000 +
                       static_cast<std::int64_t>(sequence) * 64'000'123'457),
          "agent-01",
          sequence,
          EventType::time_drift,
          Severity::high,
          {},
          {}};
  e.data = ClockData{.server = "192.168.1.10:123",
                     .offset = 150'123'457ns,
                     .delay = 20'512'003ns,
                     .error_bound = 10'256'001ns,
                     .threshold = 100ms,
                     .step = 0ns,
                     .stratum = 2,
                     .frequency_ppm = 0};
  return e;
}

Event heartbeat(std::uint64_t sequence) {
  Event e{from_unix_ns(1'764'435'901'000'000'000 +
                       static_cast<std::int64_t>(sequence) * 30'000'000'000),
          "agent-01",
          sequence,
          EventType::heartbeat,
          Severity::info,
          {},
          {}};
  e.data = HeartbeatData{.uptime = 86'400s + 123'456'789ns,
                         .events_sent = 12'345,
                         .events_dropped = 3,
                         .events_spooled = 17,
                         .cpu_percent = 1.25,
                         .rss_bytes = 48'123'456,
                         .load1 = 0.42,
                         .connected = true};
  return e;
}

std::vector<Event> batch(Event (*make)(std::uint64_t), std::size_t n) {
  std::vector<Event> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(make(i + 1));
  return out;
}

void binary(benchmark::State& state, Event (*make)(std::uint64_t)) {
  const auto events = batch(make, static_cast<std::size_t>(state.range(0)));
  std::vector<std::byte> buffer;
  std::vector<Event> decoded;
  for (auto _ : state) {
    buffer.clear();
    decoded.clear();
    encode_batch(events, buffer);
    benchmark::DoNotOptimize(decode_batch_into(buffer, "agent-01", decoded));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["bytes_per_event"] =
      static_cast<double>(buffer.size()) / static_cast<double>(state.range(0));
}

void msgpack(benchmark::State& state, Event (*make)(std::uint64_t)) {
  const auto event = make(1);
  std::vector<std::byte> buffer;
  for (auto _ : state) {
    buffer.clear();
    encode_msgpack(event, buffer);
    benchmark::DoNotOptimize(decode_msgpack(buffer));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes_per_event"] = static_cast<double>(buffer.size());
}

void json(benchmark::State& state, Event (*make)(std::uint64_t)) {
  const auto event = make(1);
  std::string text;
  for (auto _ : state) {
    text = encode_json(event);
    benchmark::DoNotOptimize(decode_json(text));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes_per_event"] = static_cast<double>(text.size());
}

// The seed's payload: a JSON object per event, node info repeated every time.
void seed_json(benchmark::State& state, Event (*make)(std::uint64_t)) {
  const auto event = make(1);
  std::string text;
  for (auto _ : state) {
    const auto& c = event.data;
    nlohmann::json data = nlohmann::json::object();
    if (const auto* clock = std::get_if<ClockData>(&c))
      data = {{"type", "time_drift"},
              {"server", clock->server},
              {"offset", to_seconds(clock->offset)},
              {"delay", to_seconds(clock->delay)},
              {"threshold", to_seconds(clock->threshold)}};
    if (const auto* beat = std::get_if<HeartbeatData>(&c))
      data = {{"uptime", to_seconds(beat->uptime)},
              {"events_sent", beat->events_sent},
              {"cpu_percent", beat->cpu_percent},
              {"memory_mb", static_cast<double>(beat->rss_bytes) / 1e6}};
    nlohmann::json j{{"timestamp", to_iso8601(event.timestamp)},
                     {"agent_id", event.agent_id},
                     {"node_info", {{"hostname", "scada-node-01"}, {"ip_address", "192.168.1.50"}}},
                     {"event_type", "SECURITY_ALERT"},
                     {"severity", "HIGH"},
                     {"data", data},
                     {"sequence", event.sequence}};
    text = j.dump();
    benchmark::DoNotOptimize(nlohmann::json::parse(text));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes_per_event"] = static_cast<double>(text.size());
}

BENCHMARK_CAPTURE(binary, drift, drift)->Arg(1)->Arg(100);
BENCHMARK_CAPTURE(binary, heartbeat, heartbeat)->Arg(1)->Arg(100);
BENCHMARK_CAPTURE(msgpack, drift, drift);
BENCHMARK_CAPTURE(msgpack, heartbeat, heartbeat);
BENCHMARK_CAPTURE(json, drift, drift);
BENCHMARK_CAPTURE(json, heartbeat, heartbeat);
BENCHMARK_CAPTURE(seed_json, drift, drift);
BENCHMARK_CAPTURE(seed_json, heartbeat, heartbeat);

}  // namespace
