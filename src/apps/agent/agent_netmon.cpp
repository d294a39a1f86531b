// apps/agent/agent_netmon.cpp — the agent's capture thread (apps/agent_netmon.h).
#include "apps/agent/agent_netmon.h"

#include <spdlog/spdlog.h>

namespace cw::apps {

AgentNetworkWatch::AgentNetworkWatch(const std::string& interface, const std::string& filter,
                                     const detect::NetmonConfig& config, Clock& clock) {
  monitor_ = std::make_unique<NetworkMonitor>(
      config,
      [this](events::Event&& event) {
        std::lock_guard lock(mutex_);
        found_.push_back(std::move(event));
      },
      clock);
  platform::CaptureOptions options;
  options.interface = interface;
  options.filter = filter;
  monitor_->open_live(options);
  thread_ = std::thread([this, interface] {
    try {
      monitor_->run();
    } catch (const std::exception& error) {
      spdlog::error("network monitor on {} stopped: {}", interface, error.what());
    }
  });
  spdlog::info("network monitor capturing on {}", interface);
}

AgentNetworkWatch::~AgentNetworkWatch() { stop(); }

void AgentNetworkWatch::stop() {
  monitor_->stop();
  if (thread_.joinable()) thread_.join();
}

void AgentNetworkWatch::drain(EventRouter& router, const std::string& agent_id) {
  std::vector<events::Event> found;
  {
    std::lock_guard lock(mutex_);
    found.swap(found_);
  }
  for (auto& event : found) {
    event.agent_id = agent_id;
    router.publish(std::move(event));
  }
}

}  // namespace cw::apps
