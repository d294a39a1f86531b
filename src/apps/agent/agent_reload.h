// apps/agent/agent_reload.h — SIGHUP to the agent daemon (the unit's ExecReload=): the command
// line (/proc/self/cmdline), the environment and the --config file are read again with the same
// precedence as at start. What the running agent takes without a restart is applied: threshold,
// hysteresis, repeats, step and frequency limits, poll interval, burst, and the NTP servers with
// their timeout, timestamps and NTS settings. What it cannot take (sinks, MQTT, the collector and
// keys, the spool, --interface, --metrics, the agent id, the tamper scan) is named in one warning
// saying to restart. A config that does not parse changes nothing and says why.
#pragma once

#include <string>
#include <vector>

#include "apps/agent/agent_clock_watch.h"
#include "apps/agent/agent_settings.h"
#include "core/result.h"

namespace cw::apps {

// The settings as a fresh start with this process's command line would read them now.
Result<AgentSettings, std::string> reread_agent_settings();

struct SettingsChange {
  std::vector<std::string> applied;  // option names (--threshold, --ntp-server, ...)
  std::vector<std::string> needs_restart;
  bool servers = false;   // the poller must be rebuilt
  bool schedule = false;  // the poll schedule starts again
};
// What differs between the running settings and `fresh`, sorted by whether it can be applied.
SettingsChange compare_settings(const AgentSettings& running, const AgentSettings& fresh);
// `running` with the reloadable settings of `fresh` (the others stay as they are).
AgentSettings take_reloadable(AgentSettings running, const AgentSettings& fresh);

// The whole SIGHUP: re-read, apply to `running` and `watch`, log what happened.
void reload_agent(AgentSettings& running, ClockWatch& watch);

}  // namespace cw::apps
