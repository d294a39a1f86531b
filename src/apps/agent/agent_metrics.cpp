// apps/agent/agent_metrics.cpp — the agent's snapshot and its Prometheus text
// (apps/agent/agent_metrics.h).
#include "apps/agent/agent_metrics.h"

#include <array>

#include "web/metrics.h"

namespace cw::apps {
namespace {

using S = AgentSnapshot;
constexpr auto kCounter = MetricKind::counter;
constexpr auto kGauge = MetricKind::gauge;

const std::array<SnapshotField<S>, 12> kFields{{
    {{"rounds", "agent_poll_rounds_total", "rounds of NTP polling done", kCounter},
     [](const S& s) { return static_cast<double>(s.rounds); }},
    {{"steps", "agent_clock_steps_total", "clock steps detected", kCounter},
     [](const S& s) { return static_cast<double>(s.steps); }},
    {{"drift", "agent_drifting", "1 while the offset is beyond the threshold", kGauge},
     [](const S& s) { return s.drifting ? 1.0 : 0.0; }},
    {{"measured", "agent_measured", "1 when the last round gave a combined offset", kGauge},
     [](const S& s) { return s.measured ? 1.0 : 0.0; }},
    {{"offset", "agent_offset_seconds", "last combined offset (server minus local clock)", kGauge,
      false},
     [](const S& s) { return s.offset_seconds; }},
    {{"error_bound", "agent_error_bound_seconds", "root distance of the last combined offset",
      kGauge, false},
     [](const S& s) { return s.error_bound_seconds; }},
    {{"servers_ok", "agent_servers_answering", "servers that answered in the last round", kGauge},
     [](const S& s) { return static_cast<double>(s.servers_ok); }},
    {{"servers_failed", "agent_servers_failing", "servers that did not answer in the last round",
      kGauge},
     [](const S& s) { return static_cast<double>(s.servers_failed); }},
    {{"events_published", "agent_events_published_total", "events handed to the sinks", kCounter},
     [](const S& s) { return static_cast<double>(s.published); }},
    {{"events_delivered", "agent_events_delivered_total", "events the sinks confirmed delivered",
      kCounter},
     [](const S& s) { return static_cast<double>(s.delivered); }},
    {{"events_pending", "agent_spool_depth_events", "events waiting for delivery", kGauge},
     [](const S& s) { return static_cast<double>(s.pending); }},
    {{"events_dropped", "agent_events_dropped_total", "events lost (spool full, write failure)",
      kCounter},
     [](const S& s) { return static_cast<double>(s.dropped); }},
}};

}  // namespace

AgentSnapshot take_agent_snapshot(const ClockWatch& watch, const EventRouter& router,
                                  double uptime_seconds) {
  AgentSnapshot s;
  const auto& status = watch.monitor().status();
  s.rounds = status.rounds;
  s.steps = status.steps;
  s.drifting = status.drifting;
  if (const auto& combined = watch.last_round().combined) {
    s.measured = true;
    s.offset_seconds = to_seconds(combined->offset);
    s.error_bound_seconds = to_seconds(combined->root_distance);
  }
  for (const auto& server : watch.last_round().servers)
    ++(server.status == detect::PollStatus::ok ? s.servers_ok : s.servers_failed);
  for (const auto& sink : router.sinks()) {
    const auto stats = sink->stats();
    s.published += stats.published;
    s.delivered += stats.delivered;
    s.pending += stats.pending;
    s.dropped += stats.dropped;
  }
  s.uptime_seconds = uptime_seconds;
  return s;
}

std::span<const SnapshotField<AgentSnapshot>> agent_fields() { return kFields; }

std::string agent_metrics_text(const AgentSnapshot& snapshot) {
  web::PrometheusText out;
  out.build_info("agent", CW_VERSION);
  out.add(values_of(agent_fields(), snapshot));
  out.family("agent_uptime_seconds", "seconds since the agent started", kGauge);
  out.sample("agent_uptime_seconds", {}, snapshot.uptime_seconds);
  return out.text();
}

}  // namespace cw::apps
