// apps/agent/agent_tamper_watch.cpp — the tamper scan of apps/agent/agent_tamper_watch.h.
#include "apps/agent/agent_tamper_watch.h"

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <time.h>

#include <set>

namespace cw::apps {
namespace {

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

detect::ProcessFacts facts_of(const platform::ProcessId& id, const platform::ProcessTexts& t) {
  detect::ProcessFacts f;
  f.pid = id.pid;
  f.start_time = id.start_time;
  f.command = t.command;
  f.uid = t.uid;
  if (t.maps) f.maps_library = detect::faking_library_in_maps(*t.maps);
  if (t.environ) f.environ_variable = detect::faking_variable_in_environ(*t.environ);
  if (t.timens_offsets) f.timens = detect::parse_timens_offsets(*t.timens_offsets);
  return f;
}

}  // namespace

TamperWatch::TamperWatch(Clock& clock, std::string agent_id, std::string proc_root)
    : clock_(clock), agent_id_(std::move(agent_id)), proc_root_(std::move(proc_root)) {
  try {
    clock_set_ = std::make_unique<platform::ClockSetWatch>();
  } catch (const std::exception& error) {
    spdlog::warn("tamper scan: clock sets will not be noticed ({})", error.what());
  }
}

void TamperWatch::publish(EventRouter& router, events::Event event) {
  event.agent_id = agent_id_;
  spdlog::warn("time tampering: {}", [&] {
    std::string text;
    for (const auto& a : event.attributes)
      if (const auto* s = std::get_if<std::string>(&a.value))
        text += a.key + "=" + *s + " ";
      else if (const auto* i = std::get_if<std::int64_t>(&a.value))
        text += a.key + "=" + std::to_string(*i) + " ";
    return text;
  }());
  router.publish(std::move(event));
}

std::string TamperWatch::running_time_daemon() const {
  static const std::set<std::string> kDaemons{"chronyd", "ntpd",     "systemd-timesyn", "ptp4l",
                                              "phc2sys", "openntpd", "timemaster"};
  for (const auto& [id, facts] : known_)
    if (kDaemons.count(facts.command) != 0) return facts.command;
  return "";
}

TamperScanStats TamperWatch::scan(EventRouter& router) {
  const double cpu_start = thread_cpu_seconds();
  TamperScanStats stats;
  const auto now = clock_.now();
  const auto ids = platform::list_processes(proc_root_);
  stats.processes = ids.size();
  std::map<platform::ProcessId, detect::ProcessFacts> alive;
  std::vector<detect::ProcessFacts> facts;
  facts.reserve(ids.size());
  for (const auto& id : ids) {
    if (auto found = known_.find(id); found != known_.end()) {
      facts.push_back(found->second);  // judged before: nothing new to read
      alive.emplace(id, found->second);
      continue;
    }
    const auto texts = platform::read_process(id.pid, proc_root_);
    if (!texts) continue;  // gone meanwhile
    ++stats.read;
    if (texts->denied) ++stats.denied;
    facts.push_back(facts_of(id, *texts));
    alive.emplace(id, facts.back());
  }
  known_.swap(alive);
  if (stats.denied > 0 && !warned_denied_) {
    warned_denied_ = true;
    spdlog::warn(
        "tamper scan: {} of {} processes could not be read (their maps/environ need root or "
        "CAP_SYS_PTRACE); reporting what can be seen",
        stats.denied, stats.read);
  }
  auto found = judge_.on_processes(facts, now);
  auto preload =
      judge_.on_preload_file(detect::faking_library_in_preload(
                                 platform::read_text_file("/etc/ld.so.preload").value_or("")),
                             now);
  found.insert(found.end(), preload.begin(), preload.end());
  if (const auto k = platform::read_kernel_frequency()) {
    if (auto e = judge_.on_kernel_frequency({k->frequency, k->tick}, running_time_daemon(), now))
      found.push_back(std::move(*e));
  }
  if (auto e = judge_.on_self(platform::libc_realtime(), platform::raw_realtime(), now))
    found.push_back(std::move(*e));
  stats.events = found.size();
  for (auto& e : found) publish(router, std::move(e));
  last_scan_ = clock_.monotonic_now();
  scanned_ = true;
  stats.cpu_seconds = thread_cpu_seconds() - cpu_start;
  // The scan's /proc texts (one buffer per file read, ~1000 on a busy host) are freed by now but
  // their pages stay in the heap: give them back (~100 kB of the agent's resident memory).
  ::malloc_trim(0);
  return stats;
}

void TamperWatch::tick(EventRouter& router, Duration interval) {
  if (clock_set_)
    if (const auto step = clock_set_->take())
      if (auto e = judge_.on_clock_set(*step, clock_.now())) publish(router, std::move(*e));
  if (interval <= Duration::zero()) return;
  if (!scanned_ || clock_.monotonic_now() - last_scan_ >= interval) scan(router);
}

}  // namespace cw::apps
