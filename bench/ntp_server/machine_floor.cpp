// bench/ntp_server/machine_floor.cpp — how long this machine keeps a running thread from running.
//
// A thread that never sleeps reads CLOCK_MONOTONIC in a tight loop for --seconds on each CPU; every
// gap between two reads longer than --gap-ns is time the CPU did something else (interrupts, the
// scheduler tick, the hypervisor running another guest's vCPU). A request arriving at a random
// moment waits for the rest of the gap it lands in, whatever the server does, so these gaps set a
// floor under any server's T3 − T2 on this machine: the script prints, per CPU, the fraction of
// time lost and the p99/p999 of that wait (the w for which the gaps' time beyond w is 1 % / 0.1 %
// of the run). compare.py prints it beside the p99 target of issue 3.
//
//   machine_floor [--seconds S] [--gap-ns N]      → one JSON object per CPU on stdout
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  double seconds = 1.0;
  std::int64_t gap_ns = 1000;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds")
      o.seconds = std::atof(argv[i + 1]);
    else if (flag == "--gap-ns")
      o.gap_ns = std::atoll(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: machine_floor [--seconds S] [--gap-ns N]\n");
      std::exit(2);
    }
  }
  return o;
}

// Gaps (ns) between consecutive clock reads longer than gap_ns, over `seconds` of spinning.
std::vector<std::int64_t> spin_and_collect_gaps(const Options& o) {
  std::vector<std::int64_t> gaps;
  gaps.reserve(static_cast<std::size_t>(o.seconds * 100'000));  // no growth inside the timed loop
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  auto previous = start;
  while (previous < end) {
    const auto now = Clock::now();
    const auto gap = std::chrono::duration_cast<std::chrono::nanoseconds>(now - previous).count();
    if (gap > o.gap_ns) gaps.push_back(gap);
    previous = now;
  }
  return gaps;
}

// The wait w exceeded by a random arrival with probability `tail`: Σ max(0, gap − w) = tail × run.
double wait_quantile_us(const std::vector<std::int64_t>& gaps, double run_ns, double tail) {
  double low = 0, high = 1e9;
  for (int i = 0; i < 60; ++i) {
    const double w = (low + high) / 2;
    double beyond = 0;
    for (const auto g : gaps) beyond += std::max(0.0, static_cast<double>(g) - w);
    (beyond > tail * run_ns ? low : high) = w;
  }
  return high / 1000;
}

void measure_cpu(int cpu, const Options& o) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) return;
  const auto gaps = spin_and_collect_gaps(o);
  double lost = 0;
  for (const auto g : gaps) lost += static_cast<double>(g);
  const double run_ns = o.seconds * 1e9;
  std::printf(
      "{\"cpu\":%d,\"seconds\":%.3f,\"gaps_over_ns\":%lld,\"gaps\":%zu,\"time_lost\":%.6f,"
      "\"wait_p99_us\":%.1f,\"wait_p999_us\":%.1f}\n",
      cpu, o.seconds, static_cast<long long>(o.gap_ns), gaps.size(), lost / run_ns,
      wait_quantile_us(gaps, run_ns, 0.01), wait_quantile_us(gaps, run_ns, 0.001));
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 1;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &allowed)) measure_cpu(cpu, options);
  return 0;
}
