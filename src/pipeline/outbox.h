// pipeline/outbox.h — what the agent's sending session needs from its store of unacknowledged
// events: the durable Spool (real agents) or memory (simulated agents). Record ids are the events'
// per-agent sequence numbers; pending ids always form one contiguous range [first_pending,
// next_id).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

namespace cw::pipeline {

struct OutboxRecord {
  std::uint64_t id = 0;
  std::vector<std::byte> payload;  // one event in the codec's binary encoding
};

class Outbox {
 public:
  virtual ~Outbox() = default;
  virtual std::uint64_t next_id() const = 0;
  virtual std::uint64_t first_pending() const = 0;  // next_id() when nothing is pending
  // Records with id ≥ from, in order, at most max_records.
  virtual std::vector<OutboxRecord> read_from(std::uint64_t from,
                                              std::size_t max_records) const = 0;
  virtual void acknowledge_below(std::uint64_t next) = 0;  // drops every id < next
};

// Unbounded memory outbox: for simulated agents and tests (no durability).
class MemoryOutbox final : public Outbox {
 public:
  explicit MemoryOutbox(std::uint64_t first_id = 1) : first_(first_id) {}
  std::uint64_t append(std::vector<std::byte> payload) {
    records_.push_back(std::move(payload));
    return first_ + records_.size() - 1;
  }
  std::uint64_t next_id() const override { return first_ + records_.size(); }
  std::uint64_t first_pending() const override { return first_; }
  std::vector<OutboxRecord> read_from(std::uint64_t from, std::size_t max_records) const override {
    std::vector<OutboxRecord> out;
    for (std::uint64_t id = std::max(from, first_); id < next_id() && out.size() < max_records;
         ++id)
      out.push_back({id, records_[id - first_]});
    return out;
  }
  void acknowledge_below(std::uint64_t next) override {
    while (first_ < next && !records_.empty()) {
      records_.pop_front();
      ++first_;
    }
  }

 private:
  std::uint64_t first_;
  std::deque<std::vector<std::byte>> records_;
};

}  // namespace cw::pipeline
