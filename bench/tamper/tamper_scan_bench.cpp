// bench/tamper/tamper_scan_bench.cpp — CPU seconds of one tamper scan: the first (every process
// is new: stat, comm, status, maps, environ, timens_offsets read and judged) and the steady ones
// (only /proc listed and stat read; known processes are not read again), as the agent does them.
// Prints JSON.
#include <time.h>

#include <cstdio>
#include <map>

#include "detect/clock/tampering.h"
#include "platform/host_time_readers.h"

namespace {

double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

std::map<cw::platform::ProcessId, cw::detect::ProcessFacts> known;

std::size_t scan(cw::detect::TamperJudge& judge, std::size_t& processes) {
  const auto ids = cw::platform::list_processes();
  processes = ids.size();
  std::map<cw::platform::ProcessId, cw::detect::ProcessFacts> alive;
  std::vector<cw::detect::ProcessFacts> facts;
  for (const auto& id : ids) {
    if (auto found = known.find(id); found != known.end()) {
      facts.push_back(found->second);
      alive.emplace(id, found->second);
      continue;
    }
    const auto t = cw::platform::read_process(id.pid);
    if (!t) continue;
    cw::detect::ProcessFacts f;
    f.pid = id.pid;
    f.start_time = id.start_time;
    f.command = t->command;
    if (t->maps) f.maps_library = cw::detect::faking_library_in_maps(*t->maps);
    if (t->environ) f.environ_variable = cw::detect::faking_variable_in_environ(*t->environ);
    if (t->timens_offsets) f.timens = cw::detect::parse_timens_offsets(*t->timens_offsets);
    facts.push_back(f);
    alive.emplace(id, f);
  }
  known.swap(alive);
  return judge.on_processes(facts, cw::from_unix_ns(0)).size();
}

}  // namespace

int main() {
  cw::detect::TamperJudge judge;
  std::size_t processes = 0;
  double start = cpu_seconds();
  const auto found = scan(judge, processes);
  const double first = cpu_seconds() - start;
  double steady = 1e9;
  for (int i = 0; i < 5; ++i) {
    start = cpu_seconds();
    scan(judge, processes);
    steady = std::min(steady, cpu_seconds() - start);
  }
  std::printf(
      "{\"processes\": %zu, \"found\": %zu, \"first_scan_cpu_ms\": %.2f, "
      "\"steady_scan_cpu_ms\": %.2f, \"steady_core_percent_at_10s\": %.4f}\n",
      processes, found, first * 1e3, steady * 1e3, steady / 10.0 * 100);
  return 0;
}
