// pipeline/collector_ledger.cpp — per-agent accepted/committed sequence bookkeeping.
#include "pipeline/collector_ledger.h"

#include <algorithm>

namespace cw::pipeline {

void CollectorLedger::seed(const std::string& agent_id, std::uint64_t stored_next) {
  auto& entry = entries_[agent_id];
  entry.accepted_next = std::max(entry.accepted_next, stored_next);
  entry.committed_next = std::max(entry.committed_next, stored_next);
}

void CollectorLedger::adopt(const std::string& agent_id, std::uint64_t stored_next) {
  if (stored_next > committed_next(agent_id)) ++stats_.taken_over;
  seed(agent_id, stored_next);
}

std::uint64_t CollectorLedger::on_hello(const std::string& agent_id, std::uint64_t resume_from,
                                        bool shared_store) {
  auto& entry = entries_[agent_id];
  if (resume_from > entry.accepted_next) {  // the agent no longer holds these: lost for good
    if (shared_store)
      ++stats_.taken_over;  // ... or stored by another collector
    else
      stats_.agent_lost += resume_from - entry.accepted_next;
    // Nothing between can ever be stored: if all accepted is committed, acknowledging up to
    // resume_from tells no lie.
    if (entry.committed_next == entry.accepted_next) entry.committed_next = resume_from;
    entry.accepted_next = resume_from;
  }
  return entry.committed_next;
}

BatchVerdict CollectorLedger::on_batch(const std::string& agent_id, std::uint64_t cursor,
                                       std::uint64_t first, std::uint64_t last) {
  auto& entry = entries_[agent_id];
  if (cursor > entry.accepted_next) {
    ++stats_.rewinds;
    return {false, 0, entry.accepted_next};
  }
  if (first > entry.accepted_next) {  // declared by the agent: its spool dropped these
    stats_.agent_lost += first - entry.accepted_next;
  }
  const std::uint64_t keep_from = entry.accepted_next;
  if (first < keep_from) stats_.duplicates += std::min(last + 1, keep_from) - first;
  entry.accepted_next = std::max(entry.accepted_next, last + 1);
  return {true, keep_from, 0};
}

std::uint64_t CollectorLedger::on_committed(const std::string& agent_id, std::uint64_t next) {
  auto& entry = entries_[agent_id];
  entry.committed_next = std::max(entry.committed_next, next);
  return entry.committed_next;
}

void CollectorLedger::on_store_failed(const std::string& agent_id) {
  auto& entry = entries_[agent_id];
  entry.accepted_next = entry.committed_next;
}

std::uint64_t CollectorLedger::committed_next(const std::string& agent_id) const {
  const auto found = entries_.find(agent_id);
  return found == entries_.end() ? 1 : found->second.committed_next;
}

}  // namespace cw::pipeline
