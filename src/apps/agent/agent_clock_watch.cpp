// apps/agent/agent_clock_watch.cpp — see apps/agent_clock_watch.h.
#include "apps/agent/agent_clock_watch.h"

#include <spdlog/spdlog.h>

#include <thread>

namespace cw::apps {
namespace {

PollerOptions poller_options(const AgentSettings& settings) {
  return PollerOptions{from_seconds(settings.ntp_timeout),
                       std::chrono::milliseconds{250},
                       settings.kernel_timestamps,
                       settings.nts,
                       settings.nts_ca,
                       static_cast<std::uint16_t>(settings.nts_ke_port)};
}

}  // namespace

ClockWatch::ClockWatch(const AgentSettings& settings, Clock& clock, Random& random,
                       EventRouter& router)
    : clock_(clock),
      random_(random),
      router_(router),
      burst_(settings.burst),
      poller_(std::in_place, server_specs(settings), poller_options(settings), clock, random),
      monitor_(monitor_config(settings), poller_->labels(), clock.monotonic_now()) {}

ClockWatch::~ClockWatch() {
  if (in_flight_.valid()) in_flight_.wait();
}

void ClockWatch::publish(std::vector<events::Event> events) {
  for (auto& event : events) {
    if (event.type == events::EventType::clock_step) poller_->forget_history();
    router_.publish(std::move(event));
  }
}

void ClockWatch::judge(const detect::PollRound& round) {
  last_round_ = round;
  if (round.combined)
    spdlog::debug("poll round: {} server(s), offset {:+.6f} s via {}", round.servers.size(),
                  to_seconds(round.combined->offset), round.combined->server);
  else
    spdlog::debug("poll round: {} server(s), no usable offset", round.servers.size());
  publish(monitor_.on_poll(round, clock_.now(), clock_.monotonic_now()));
}

void ClockWatch::tick() {
  publish(monitor_.on_tick(clock_.now(), clock_.boot_now(), clock_.monotonic_now()));
  if (in_flight_.valid()) {
    if (in_flight_.wait_for(std::chrono::seconds{0}) != std::future_status::ready) return;
    judge(in_flight_.get());
  }
  const auto now = clock_.monotonic_now();
  const auto next = monitor_.next_poll();
  if (!next || *next > now) return;
  const auto labels = monitor_.servers_due(now);
  const int exchanges = first_poll_ ? burst_ : 1;
  first_poll_ = false;
  in_flight_ = std::async(std::launch::async,
                          [this, labels, exchanges] { return poller_->poll(labels, exchanges); });
}

void ClockWatch::wait(std::chrono::milliseconds at_most) {
  if (!in_flight_.valid()) return std::this_thread::sleep_for(at_most);
  constexpr std::chrono::milliseconds slice{10};
  for (auto slept = slice; slept <= at_most; slept += slice) {
    if (in_flight_.wait_for(std::chrono::seconds{0}) == std::future_status::ready) return;
    std::this_thread::sleep_for(slice);
  }
}

void ClockWatch::poll_once() {
  monitor_.on_tick(clock_.now(), clock_.boot_now(), clock_.monotonic_now());  // baseline
  judge(poller_->poll(poller_->labels(), burst_));
}

void ClockWatch::reconfigure(const AgentSettings& settings, bool servers_changed,
                             bool schedule_changed) {
  if (in_flight_.valid()) judge(in_flight_.get());  // started under the old settings
  burst_ = settings.burst;
  if (servers_changed) {
    poller_.emplace(server_specs(settings), poller_options(settings), clock_, random_);
    first_poll_ = true;
  }
  std::optional<std::vector<std::string>> schedule;
  if (servers_changed || schedule_changed) schedule = poller_->labels();
  monitor_.reconfigure(monitor_config(settings), schedule, clock_.monotonic_now());
}

}  // namespace cw::apps
