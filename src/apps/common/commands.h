// apps/common/commands.h — the subcommands of the `chronowatch` binary. Each one registers its
// options on the root app; when it is the one chosen, its parse callback stores its body in `run`,
// which main calls after parsing (so every option, environment variable and config key is in
// place).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace cw::apps {

using CommandBody = std::function<int()>;  // returns the process exit status

void add_query_command(CLI::App& app, CommandBody& run);      // NTP client (seed 001)
void add_serve_command(CLI::App& app, CommandBody& run);      // NTP server (seed 001)
void add_agent_command(CLI::App& app, CommandBody& run);      // drift agent (seed 000) + netmon
void add_netmon_command(CLI::App& app, CommandBody& run);     // network monitor on pcap files
void add_keygen_command(CLI::App& app, CommandBody& run);     // CURVE key pairs
void add_collector_command(CLI::App& app, CommandBody& run);  // event collector (seed 002)
void add_events_command(CLI::App& app, CommandBody& run);     // stored events
void add_agents_command(CLI::App& app, CommandBody& run);     // known agents and liveness
void add_replay_command(CLI::App& app, CommandBody& run);     // history, again
void add_simulate_command(CLI::App& app, CommandBody& run);   // many simulated agents
void add_up_command(CLI::App& app, CommandBody& run);         // collector + console + agent

}  // namespace cw::apps
