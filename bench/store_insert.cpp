// Benchmark: events stored per second by the SQLite store (WAL, synchronous NORMAL, all indexes,
// insert-or-ignore on (agent, sequence)), one transaction per batch of 1 … 10000 events, on a
// file in /tmp; and `insert_from_agents`: the collector's case, 1,000 agents' events interleaved
// in transactions of 20,000 … 100,000 events. Issue 5's target: hundreds of thousands of
// events/s. Run:
//   ./build/bench/bench_store_insert
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "store/sqlite_store.h"

namespace {

using namespace cw;
using namespace cw::events;
using namespace std::chrono_literals;

Event drift(std::uint64_t sequence, const std::string& agent) {
  Event e{from_unix_ns(1'764'435'901'000'000'000 + static_cast<std::int64_t>(sequence) * 1'000'123),
          agent,
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

void insert(benchmark::State& state) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("cw-bench-store-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    store::SqliteEventStore db{dir / "events.db"};
    const auto size = static_cast<std::uint64_t>(state.range(0));
    std::vector<Event> batch;
    std::uint64_t sequence = 0;
    for (auto _ : state) {
      state.PauseTiming();
      batch.clear();
      for (std::uint64_t i = 0; i < size; ++i)
        batch.push_back(drift(++sequence, "agent-" + std::to_string(i % 16)));
      state.ResumeTiming();
      benchmark::DoNotOptimize(db.insert(batch));
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
  }
  std::filesystem::remove_all(dir);
}

BENCHMARK(insert)->Arg(1)->Arg(100)->Arg(1000)->Arg(10000)->UseRealTime();

// As the collector's writer sees them: each of 1,000 agents contributes a run of consecutive
// sequences to every transaction (its batch), timestamps increasing.
void insert_from_agents(benchmark::State& state) {
  constexpr std::uint64_t kAgents = 1000;
  const auto dir =
      std::filesystem::temp_directory_path() / ("cw-bench-store-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    store::SqliteEventStore db{dir / "events.db"};
    const auto size = static_cast<std::uint64_t>(state.range(0));
    const auto per_agent = std::max<std::uint64_t>(1, size / kAgents);
    std::vector<std::string> names;
    for (std::uint64_t a = 0; a < kAgents; ++a) names.push_back("sim-" + std::to_string(1000 + a));
    std::vector<Event> batch;
    std::uint64_t round = 0;
    for (auto _ : state) {
      state.PauseTiming();
      batch.clear();
      for (std::uint64_t i = 0; i < size; ++i) {
        batch.push_back(
            drift(round * per_agent + i % per_agent + 1, names[(i / per_agent) % kAgents]));
        batch.back().timestamp += std::chrono::nanoseconds(round * 1'000'000'000);
      }
      ++round;
      state.ResumeTiming();
      benchmark::DoNotOptimize(db.insert(batch));
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
  }
  std::filesystem::remove_all(dir);
}

BENCHMARK(insert_from_agents)->Arg(20000)->Arg(100000)->UseRealTime()->MinTime(3);

// Bytes this process has written so far (/proc/self/io's wchar): the WAL, mostly.
std::uint64_t bytes_written() {
  std::ifstream io{"/proc/self/io"};
  std::string key;
  std::uint64_t value = 0;
  while (io >> key >> value)
    if (key == "wchar:") return value;
  return 0;
}

// The collector at 10 % load: transactions of a few hundred events, each from a different one of
// 1,000 agents (each agent's batch holds one or two events). Reports the bytes written per event
// (the WAL: every agent's pages the transaction touches are written whole). Second argument 1:
// the agents' counters kept in memory (defer_agent_tallies) and flushed every 50 transactions,
// about once a second at this load, as the collector's writer does.
void insert_spread(benchmark::State& state) {
  constexpr std::uint64_t kAgents = 1000;
  const auto dir =
      std::filesystem::temp_directory_path() / ("cw-bench-store-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    const bool deferred = state.range(1) != 0;
    store::SqliteEventStore db{dir / "events.db",
                               {.checkpoint_thread = true, .defer_agent_tallies = deferred}};
    const auto size = static_cast<std::uint64_t>(state.range(0));
    std::vector<std::string> names;
    for (std::uint64_t a = 0; a < kAgents; ++a) names.push_back("sim-" + std::to_string(1000 + a));
    std::vector<std::uint64_t> sequences(kAgents, 0);
    std::vector<Event> batch;
    std::uint64_t next_agent = 0, round = 0, transactions = 0;
    // Warm up: every agent has a few thousand events, as after minutes of load.
    for (std::uint64_t i = 0; i < 200; ++i) {
      batch.clear();
      for (std::uint64_t a = 0; a < kAgents; ++a)
        for (int k = 0; k < 10; ++k) batch.push_back(drift(++sequences[a], names[a]));
      db.insert(batch);
    }
    const auto written_before = bytes_written();
    for (auto _ : state) {
      state.PauseTiming();
      batch.clear();
      for (std::uint64_t i = 0; i < size; ++i, next_agent = (next_agent + 1) % kAgents) {
        batch.push_back(drift(++sequences[next_agent], names[next_agent]));
        batch.back().timestamp += std::chrono::nanoseconds(++round * 1'000'000);
      }
      state.ResumeTiming();
      benchmark::DoNotOptimize(db.insert(batch));
      if (++transactions % 50 == 0) db.flush_agent_tallies();
    }
    const auto events = static_cast<double>(state.iterations() * state.range(0));
    state.counters["written_bytes_per_event"] =
        static_cast<double>(bytes_written() - written_before) / events;
    state.SetItemsProcessed(state.iterations() * state.range(0));
  }
  std::filesystem::remove_all(dir);
}

BENCHMARK(insert_spread)->Args({200, 0})->Args({200, 1})->UseRealTime()->MinTime(3);

}  // namespace
