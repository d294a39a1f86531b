// pipeline/failover.h — an agent with several collectors (all writing one shared store): which
// one it starts with (hash of its id modulo their number, so load spreads and an agent always
// starts at the same one), and when it moves to the next: after `after` without a word from the
// current one while something waits for an answer (a hello, or a batch — heartbeats included).
// Its spool resends what was not acknowledged; the store drops duplicates. Pure: `now` comes in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace cw::pipeline {

// "tcp://a:5555,tcp://b:5555" and repeated flags alike: every non-empty item, in order.
std::vector<std::string> split_collectors(const std::vector<std::string>& items);

// FNV-1a (64 bits) of the agent id, modulo `count` (0 when count is 0).
std::size_t home_collector(std::string_view agent_id, std::size_t count);

class Failover {
 public:
  Failover(std::size_t count, std::size_t start, Duration after);

  std::size_t current() const { return current_; }
  // A frame arrived from the current collector.
  void heard(MonotonicTime now) { last_heard_ = now; }
  // True when the agent should move on now; `awaiting` says whether something it sent is still
  // unanswered (the silence is counted from the later of the last frame and the wait's start).
  bool due(MonotonicTime now, bool awaiting);
  // Moves to the next collector (round robin); returns its index.
  std::size_t advance(MonotonicTime now);
  // When due() may next become true (while waiting).
  MonotonicTime deadline() const { return last_heard_ + after_; }
  bool waiting() const { return waiting_ && count_ >= 2; }
  std::uint64_t failovers() const { return failovers_; }

 private:
  std::size_t count_, current_;
  Duration after_;
  MonotonicTime last_heard_{};
  bool waiting_ = false;
  std::uint64_t failovers_ = 0;
};

}  // namespace cw::pipeline
