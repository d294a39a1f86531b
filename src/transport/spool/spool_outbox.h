// transport/spool/spool_outbox.h — the durable Spool seen as the agent session's Outbox: spool ids
// are the events' sequences; pending ids are contiguous (acks and drops both remove the oldest).
#pragma once

#include "pipeline/outbox.h"
#include "transport/spool/spool.h"

namespace cw::transport {

class SpoolOutbox final : public pipeline::Outbox {
 public:
  explicit SpoolOutbox(Spool& spool) : spool_(spool) {}
  std::uint64_t next_id() const override { return spool_.next_id(); }
  std::uint64_t first_pending() const override {
    return spool_.next_id() - spool_.stats().pending_records;
  }
  std::vector<pipeline::OutboxRecord> read_from(std::uint64_t from,
                                                std::size_t max_records) const override {
    std::vector<pipeline::OutboxRecord> out;
    for (auto& record : spool_.peek(from == 0 ? 0 : from - 1, max_records))
      out.push_back({record.id, std::move(record.payload)});
    return out;
  }
  void acknowledge_below(std::uint64_t next) override {
    if (next > 1) spool_.acknowledge(next - 1);
  }

 private:
  Spool& spool_;
};

}  // namespace cw::transport
