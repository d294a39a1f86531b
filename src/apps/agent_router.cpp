// apps/agent_router.cpp — see apps/agent_router.h.
#include "apps/agent_router.h"

#include <spdlog/spdlog.h>

namespace cw::apps {

void EventRouter::publish(events::Event event) {
  if (holding_) {
    held_.push_back(std::move(event));
    return;
  }
  dispatch(std::move(event));
}

void EventRouter::release() {
  holding_ = false;
  auto held = std::move(held_);
  held_.clear();
  for (auto& event : held) dispatch(std::move(event));
}

void EventRouter::dispatch(events::Event event) {
  std::optional<std::uint64_t> durable;
  for (const auto& sink : sinks_)
    if (!durable) durable = sink->next_sequence();
  event.sequence = durable ? *durable : ++counter_;
  counter_ = event.sequence;
  ++published_;
  spdlog::info("event {} #{} ({})", events::to_string(event.type), event.sequence,
               events::to_string(event.severity));
  for (const auto& sink : sinks_) sink->publish(event);
}

bool EventRouter::drain(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool all = true;
  for (const auto& sink : sinks_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    all = sink->drain(std::max(left, std::chrono::milliseconds{0})) && all;
  }
  return all;
}

}  // namespace cw::apps
