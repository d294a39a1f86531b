// pipeline/sparse_outbox.h — a memory Outbox whose ids are given by the caller and may have gaps:
// `chronowatch replay --to tcp://` resends stored events under their original sequences, and a
// time window of an agent's history need not be contiguous. Ids must increase; an id at or below
// one already appended is refused (the caller counts it). The agent session copes with gaps: the
// collector counts the missing sequences as lost by the agent and never waits for them.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "pipeline/outbox.h"

namespace cw::pipeline {

class SparseOutbox final : public Outbox {
 public:
  // false (nothing appended) when `id` is 0 or does not exceed every id appended before.
  bool append(std::uint64_t id, std::vector<std::byte> payload) {
    if (id == 0 || id < next_) return false;
    records_.emplace(id, std::move(payload));
    next_ = id + 1;
    return true;
  }
  std::uint64_t next_id() const override { return next_; }
  std::uint64_t first_pending() const override {
    return records_.empty() ? next_ : records_.begin()->first;
  }
  std::vector<OutboxRecord> read_from(std::uint64_t from, std::size_t max_records) const override {
    std::vector<OutboxRecord> out;
    for (auto it = records_.lower_bound(from); it != records_.end() && out.size() < max_records;
         ++it)
      out.push_back({it->first, it->second});
    return out;
  }
  void acknowledge_below(std::uint64_t next) override {
    records_.erase(records_.begin(), records_.lower_bound(next));
  }
  std::size_t pending() const { return records_.size(); }

 private:
  std::uint64_t next_ = 1;
  std::map<std::uint64_t, std::vector<std::byte>> records_;
};

}  // namespace cw::pipeline
