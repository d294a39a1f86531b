// apps/serve_upstream.cpp — upstream sync of `chronowatch serve` (apps/serve_upstream.h).
#include "apps/serve_upstream.h"

#include <spdlog/spdlog.h>

namespace cw::apps {

UpstreamSync::UpstreamSync(std::vector<std::string> servers, const ServeOptions& /*options*/,
                           Clock& clock, Random& random, SharedServerState& state,
                           ntp::Precision precision)
    : servers_(std::move(servers)), clock_(clock), random_(random), state_(state), precision_(precision) {}

UpstreamSync::~UpstreamSync() { stop(); }

void UpstreamSync::start() { thread_ = std::thread([this] { run(); }); }

void UpstreamSync::stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

void UpstreamSync::run() {
  spdlog::warn("serve: upstream sync is not available in this build; serving unsynchronized");
}

}  // namespace cw::apps
