// pipeline/collector_ledger.h — the collector's half of at-least-once delivery, without I/O:
// per agent, the next sequence it will accept (everything below is stored or queued for the
// store) and the next one not yet durably stored (what acknowledgements report). A batch that
// starts beyond what was accepted means frames were lost in transit: the agent is told to rewind.
// Sequences the agent itself lost (its spool overflowed) are declared by its hello/batch cursor
// and counted, never waited for.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace cw::pipeline {

struct LedgerStats {
  std::uint64_t duplicates = 0;  // events dropped because already accepted
  std::uint64_t rewinds = 0;     // gaps detected → agent told to resend
  std::uint64_t agent_lost = 0;  // sequences the agents declared lost (spool overflow)
  std::uint64_t taken_over = 0;  // hellos resuming beyond what we accepted, on a shared store:
                                 // the agent comes from another collector (failover)
};

struct BatchVerdict {
  bool accept = false;          // false: send rewind(next)
  std::uint64_t keep_from = 0;  // accept: store only events with sequence ≥ keep_from
  std::uint64_t next = 0;       // rewind: the sequence to resend from
};

class CollectorLedger {
 public:
  // Sequences known to be stored at startup (the store's max sequence + 1 per agent).
  void seed(const std::string& agent_id, std::uint64_t stored_next);

  // On a shared store, at a hello: the store holds this agent's sequences below `stored_next`.
  // Beyond what this collector committed, another one stored them (the agent fails over from
  // it): counted as taken over. Then as seed().
  void adopt(const std::string& agent_id, std::uint64_t stored_next);
  // Hello with the agent's first pending sequence; returns the `next` to welcome it with. With
  // `shared_store` (several collectors on one store), resuming beyond what this collector
  // accepted means another one stored the rest: counted as taken over, not as lost.
  std::uint64_t on_hello(const std::string& agent_id, std::uint64_t resume_from,
                         bool shared_store = false);
  // Batch declared to start at `cursor` (its events may start later: agent-side loss) and whose
  // last event has sequence `last`.
  BatchVerdict on_batch(const std::string& agent_id, std::uint64_t cursor, std::uint64_t first,
                        std::uint64_t last);
  // The store committed every accepted event of this agent below `next`; returns the ack value.
  std::uint64_t on_committed(const std::string& agent_id, std::uint64_t next);
  std::uint64_t committed_next(const std::string& agent_id) const;
  // The store refused this agent's queued events: accept them again from what is committed.
  void on_store_failed(const std::string& agent_id);

  const LedgerStats& stats() const { return stats_; }
  std::size_t agents() const { return entries_.size(); }

 private:
  struct Entry {
    std::uint64_t accepted_next = 1;
    std::uint64_t committed_next = 1;
  };
  std::map<std::string, Entry> entries_;
  LedgerStats stats_;
};

}  // namespace cw::pipeline
