// pipeline/failover.cpp — the choice of collector and when to fail over (pipeline/failover.h).
#include "pipeline/failover.h"

namespace cw::pipeline {

std::vector<std::string> split_collectors(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    for (std::size_t start = 0; start <= item.size();) {
      auto end = item.find(',', start);
      if (end == std::string::npos) end = item.size();
      auto piece = item.substr(start, end - start);
      while (!piece.empty() && piece.front() == ' ') piece.erase(piece.begin());
      while (!piece.empty() && piece.back() == ' ') piece.pop_back();
      if (!piece.empty()) out.push_back(piece);
      start = end + 1;
    }
  }
  return out;
}

std::size_t home_collector(std::string_view agent_id, std::size_t count) {
  if (count == 0) return 0;
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : agent_id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return static_cast<std::size_t>(hash % count);
}

Failover::Failover(std::size_t count, std::size_t start, Duration after)
    : count_(count == 0 ? 1 : count), current_(start % count_), after_(after) {}

// The silence that counts starts with the wait: an idle agent hears nothing and that is fine.
bool Failover::due(MonotonicTime now, bool awaiting) {
  if (!awaiting) {
    waiting_ = false;
    return false;
  }
  if (!waiting_) waiting_ = true, last_heard_ = std::max(last_heard_, now);
  return count_ >= 2 && now - last_heard_ >= after_;
}

std::size_t Failover::advance(MonotonicTime now) {
  current_ = (current_ + 1) % count_;
  last_heard_ = now;
  ++failovers_;
  return current_;
}

}  // namespace cw::pipeline
