// apps/collector/collector_writer.h — the collector's writer thread: owns the EventStore, takes
// batches from the IngestQueue, stores many agents' batches in one transaction, reports what is
// committed back to the ingest thread (which acknowledges it), records hellos, feeds the liveness
// tracker and measures end-to-end latency (event timestamp → committed).
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "apps/collector/latency_ring.h"
#include "core/clock.h"
#include "store/event_store.h"
#include "transport/ingest_queue.h"

namespace cw::apps {

struct WriterStats {
  std::uint64_t transactions = 0;
  std::uint64_t events_stored = 0;     // new rows
  std::uint64_t events_duplicate = 0;  // already stored (resent after a lost acknowledgement)
  std::uint64_t store_failures = 0;    // transactions that threw (retried, then dropped)
  std::uint64_t liveness_events = 0;   // agent_down / agent_up raised
  bool liveness_leader = true;         // this collector sweeps liveness (several on one store)
  std::int64_t latency_p50_ns = 0, latency_p99_ns = 0;  // over the last kLatencySamples events
  // Over the last kRecentLatencySamples events only: what the latency is now (the ring above
  // keeps a connect storm's first events for minutes at a few hundred events a second).
  std::int64_t latency_recent_p50_ns = 0, latency_recent_p99_ns = 0;
  // Its first stage: event timestamp → read by the ingest thread (the agent's batching and the
  // network); the rest is the wait in the queue and the transaction.
  std::int64_t received_p50_ns = 0, received_p99_ns = 0;
  // Its second: read by the ingest thread → its transaction began (the wait for the writer).
  std::int64_t queued_p50_ns = 0, queued_p99_ns = 0;
  // Store transactions (insert and commit), over the last kTransactionSamples.
  std::int64_t transaction_p50_ns = 0, transaction_p99_ns = 0, transaction_max_ns = 0;
  std::uint64_t latency_samples = 0;
  // End-to-end latency (event timestamp → committed) of every stored event, by upper bound.
  std::array<std::uint64_t, 13> latency_buckets{};  // kLatencyBoundsSeconds + overflow
  double latency_sum_seconds = 0;
};

inline constexpr std::array<double, 12> kLatencyBoundsSeconds{
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

// What the writer hands over after each commit (the console's live stream): the events that were
// newly stored, with their store positions, and the agents whose record changed (hello). Called
// on the writer thread: must not block.
struct StoreHooks {
  std::function<void(std::vector<store::StoredEvent>)> stored;
  std::function<void(const std::string& agent_id)> agent_changed;
};

// (agent, next) pairs; `stored` false when the store refused the transaction.
using CommitReport =
    std::function<void(const std::vector<std::pair<std::string, std::uint64_t>>&, bool stored)>;
// Liveness hooks (the events-store engineer's tracker plugs in here): observe every stored event;
// `tick` returns agent_down/agent_up events to store.
// With several collectors on one store only the one that leads (EventStore::lead_liveness)
// raises them: it `refresh`es what it knows from the agents' `heard` times in the store, so
// agents connected to the others are not taken for dead; the others `discard` what they found.
struct LivenessHooks {
  std::function<void(const events::Event&)> observe;
  std::function<std::vector<events::Event>(Timestamp now)> tick;
  std::function<void(const std::vector<store::AgentRecord>&)> refresh;
  std::function<void()> discard;
};

class CollectorWriter {
 public:
  // `clock`: commit times, liveness ticks and the pace of liveness refreshes (a fake in tests).
  CollectorWriter(store::EventStore& store, transport::IngestQueue& queue, CommitReport report,
                  LivenessHooks liveness, Clock& clock,
                  std::size_t max_transaction_events = 100000);
  ~CollectorWriter();
  void start();
  void join();  // after queue.close(): returns when everything queued is stored
  WriterStats stats() const;
  void set_hooks(StoreHooks hooks) { hooks_ = std::move(hooks); }  // before start()
  // Called after each hello is recorded, with the agent's stored last sequence + 1 (0 if
  // unknown): a collector on a shared store welcomes the agent only then.
  void on_hello_recorded(std::function<void(const std::string&, std::uint64_t)> hook) {
    hello_recorded_ = std::move(hook);
  }
  // Called on the writer thread when a wait for batches found none (before start()).
  void on_idle(std::function<void()> hook) { idle_ = std::move(hook); }

 private:
  void run();
  void write(std::vector<transport::IngestBatch>& batches);
  void observe_liveness(std::span<const events::Event> events);
  void sweep_liveness();
  bool flush_agent_tallies(bool now);  // true: written
  void record_latencies(std::span<const events::Event> events, Timestamp committed_at);
  void record_received(std::span<const transport::IngestBatch> batches, Timestamp began);
  std::size_t insert_batch(std::vector<events::Event>& events);  // throws what the store throws

  store::EventStore& store_;
  transport::IngestQueue& queue_;
  CommitReport report_;
  LivenessHooks liveness_;
  StoreHooks hooks_;
  std::function<void(const std::string&, std::uint64_t)> hello_recorded_;
  std::function<void()> idle_;
  std::size_t max_transaction_events_;
  Clock& clock_;
  MonotonicTime last_refresh_{};
  MonotonicTime last_tally_flush_{};
  LatencyRing latencies_;     // recent end-to-end latencies
  LatencyRing received_;      // recent event → ingest latencies
  LatencyRing queued_;        // recent ingest → transaction began
  LatencyRing transactions_;  // recent transaction durations
  mutable std::mutex mutex_;
  WriterStats stats_;
  std::thread thread_;
};

}  // namespace cw::apps
