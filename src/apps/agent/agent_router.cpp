// apps/agent/agent_router.cpp — see apps/agent_router.h.
#include "apps/agent/agent_router.h"

#include <spdlog/spdlog.h>

#include <algorithm>

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

void EventRouter::number_from(std::unique_ptr<transport::SequenceFile> file) {
  counter_ = std::max(counter_, file->last());
  sequence_file_ = std::move(file);
}

bool EventRouter::durable_sequence() const {
  return std::any_of(sinks_.begin(), sinks_.end(),
                     [](const auto& sink) { return sink->next_sequence().has_value(); });
}

std::uint64_t EventRouter::next_number() {
  for (const auto& sink : sinks_)
    if (const auto durable = sink->next_sequence()) return *durable;
  if (sequence_file_) {
    try {
      return sequence_file_->next();
    } catch (const std::exception& error) {
      spdlog::warn(
          "{}; sequence numbers go on from {} without being kept: after a restart they "
          "start again from 1",
          error.what(), counter_ + 1);
      sequence_file_.reset();
    }
  }
  return counter_ + 1;
}

void EventRouter::dispatch(events::Event event) {
  event.sequence = next_number();
  counter_ = event.sequence;
  ++published_;
  for (const auto& sink : sinks_) sink->publish(event);
  // After the sinks took it (the spool holds it): the log never names an event that was not kept.
  spdlog::info("event {} #{} ({})", events::to_string(event.type), event.sequence,
               events::to_string(event.severity));
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
