// apps/history/agents_command.cpp — `chronowatch agents`: every agent the store knows, with its
// identity, last seen, up/down, last clock offset and event counts (issue 5), as a table or JSON
// lines.
#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "apps/common/commands.h"
#include "apps/common/exit_codes.h"
#include "apps/history/event_cli.h"
#include "events/json_codec.h"
#include "platform/system_clock.h"
#include "store/event_store.h"

namespace cw::apps {
namespace {

struct AgentsFlags {
  std::string store, db;
  bool json = false;
};

constexpr const char* kFooter =
    R"(Columns: up/down (down after missed heartbeats, as the collector decided),
last seen (newest event or hello), last offset (the latest time_drift/time_drift_cleared offset),
events stored, alerts (high or critical), heartbeats.

Exit status: 0 ok, 1 the database cannot be opened or read, 2 usage error.
Example: chronowatch agents --db /var/lib/chronowatch/events.db --json
See docs/store.md.)";

nlohmann::ordered_json agent_json(const store::AgentRecord& a) {
  auto j = events::identity_to_json(a.identity);
  j["up"] = a.up;
  j["state_changed"] = to_iso8601(a.state_changed);
  j["first_seen"] = to_iso8601(a.first_seen);
  j["last_seen"] = to_iso8601(a.last_seen);
  j["last_seen_ns"] = unix_ns(a.last_seen);
  j["last_offset_ns"] = a.last_offset ? nlohmann::ordered_json(a.last_offset->count()) : nullptr;
  j["last_sequence"] = a.last_sequence;
  j["events"] = a.event_count;
  j["alerts"] = a.alert_count;
  j["heartbeats"] = a.heartbeat_count;
  return j;
}

std::string ago(Timestamp now, Timestamp then) {
  const auto seconds = to_seconds(now - then);
  if (seconds < 120) return fmt::format("{:.0f}s ago", seconds);
  if (seconds < 7200) return fmt::format("{:.0f}m ago", seconds / 60);
  if (seconds < 172800) return fmt::format("{:.1f}h ago", seconds / 3600);
  return fmt::format("{:.1f}d ago", seconds / 86400);
}

void print_table(const std::vector<store::AgentRecord>& agents, Timestamp now) {
  std::printf("%-16s %-5s %-20s %-14s %-14s %10s %8s %10s\n", "AGENT", "STATE", "HOST", "LAST SEEN",
              "LAST OFFSET", "EVENTS", "ALERTS", "HEARTBEATS");
  for (const auto& a : agents) {
    const auto offset =
        a.last_offset ? fmt::format("{:+.3f} ms", static_cast<double>(a.last_offset->count()) / 1e6)
                      : std::string{"-"};
    std::printf("%-16s %-5s %-20s %-14s %-14s %10llu %8llu %10llu\n", a.identity.agent_id.c_str(),
                a.up ? "up" : "DOWN", a.identity.node.hostname.c_str(),
                ago(now, a.last_seen).c_str(), offset.c_str(),
                static_cast<unsigned long long>(a.event_count),
                static_cast<unsigned long long>(a.alert_count),
                static_cast<unsigned long long>(a.heartbeat_count));
  }
}

int run_agents(const AgentsFlags& f) {
  const auto opened = store::open_store(resolved_store_url(f.store, f.db), {.read_only = true});
  auto& store = *opened;
  const auto agents = store.agents();
  if (f.json) {
    for (const auto& a : agents)
      std::puts(
          agent_json(a).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  if (agents.empty()) {
    std::fputs("no agents known yet\n", stderr);
    return kExitOk;
  }
  print_table(agents, platform::SystemClock{}.now());
  return kExitOk;
}

}  // namespace

void add_agents_command(CLI::App& app, CommandBody& run) {
  auto flags = std::make_shared<AgentsFlags>();
  auto* cmd =
      app.add_subcommand("agents", "Show known agents: up/down, last seen, last offset, counts");
  cmd->footer(kFooter);
  add_store_options(*cmd, flags->store, flags->db);
  cmd->add_flag("--json", flags->json, "one JSON object per agent per line");
  cmd->callback([flags, &run] { run = [flags] { return run_agents(*flags); }; });
}

}  // namespace cw::apps
