// Benchmark: events stored per second by the SQLite store (WAL, synchronous NORMAL, all indexes,
// insert-or-ignore on (agent, sequence)), one transaction per batch of 1 … 10000 events, on a
// file in /tmp. Issue 5's target: hundreds of thousands of events/s. Run:
//   ./build/bench/bench_store_insert
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace {

using namespace cw;
using namespace cw::events;
using namespace std::chrono_literals;

Event drift(std::uint64_t sequence, const std::string& agent) {
  Event e{from_unix_ns(1'764'435'901'000'000'000 + static_cast<std::int64_t>(sequence) * 1'000'123),
          agent, sequence, EventType::time_drift, Severity::high, {}, {}};
  e.data = ClockData{.server = "192.168.1.10:123", .offset = 150'123'457ns, .delay = 20'512'003ns,
                     .error_bound = 10'256'001ns, .threshold = 100ms, .step = 0ns, .stratum = 2,
                     .frequency_ppm = 0};
  return e;
}

void insert(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / ("cw-bench-store-" + std::to_string(::getpid()));
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

}  // namespace
