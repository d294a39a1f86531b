// apps/agent/agent_netmon.h — the network monitor inside `chronowatch agent --interface IF`:
// captures on its own thread (NetworkMonitor) and hands its events to the agent's main
// thread, which publishes them through the EventRouter with the agent's id, like the clock events.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "apps/agent/agent_router.h"
#include "apps/netmon/network_monitor.h"

namespace cw::apps {

class AgentNetworkWatch {
 public:
  // Opens the capture now (throws std::runtime_error with a clear message) and starts capturing
  // on a thread of its own; `config` is the `network_monitor:` section, read while parsing.
  AgentNetworkWatch(const std::string& interface, const std::string& filter,
                    const detect::NetmonConfig& config, Clock& clock);
  ~AgentNetworkWatch();  // stop()
  // Stops the capture and joins its thread; the attacks still open are then reported (the
  // monitor flushes its detectors), so one more drain() publishes them. Idempotent.
  void stop();
  AgentNetworkWatch(const AgentNetworkWatch&) = delete;
  AgentNetworkWatch& operator=(const AgentNetworkWatch&) = delete;

  // From the agent's main thread: publishes what the monitor found since the last call.
  void drain(EventRouter& router, const std::string& agent_id);

 private:
  std::mutex mutex_;
  std::vector<events::Event> found_;
  std::unique_ptr<NetworkMonitor> monitor_;
  std::thread thread_;
};

}  // namespace cw::apps
