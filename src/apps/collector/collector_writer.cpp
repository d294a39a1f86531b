// apps/collector/collector_writer.cpp — batched writes to the store, commit reports, liveness,
// latency.
#include "apps/collector/collector_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kLatencySamples = 100000;
constexpr std::size_t kTransactionSamples = 1000;
constexpr std::size_t kRecentLatencySamples = 2000;

}  // namespace

CollectorWriter::CollectorWriter(store::EventStore& store, transport::IngestQueue& queue,
                                 CommitReport report, LivenessHooks liveness, Clock& clock,
                                 std::size_t max_transaction_events)
    : store_(store),
      queue_(queue),
      report_(std::move(report)),
      liveness_(std::move(liveness)),
      max_transaction_events_(max_transaction_events),
      clock_(clock),
      latencies_(kLatencySamples),
      received_(kLatencySamples),
      queued_(kLatencySamples),
      transactions_(kTransactionSamples) {}

CollectorWriter::~CollectorWriter() { join(); }

void CollectorWriter::start() {
  thread_ = std::thread([this] { run(); });
}

void CollectorWriter::join() {
  if (thread_.joinable()) thread_.join();
}

// The rings are copied under the lock and sorted outside it: the writer records into them after
// every commit and must not wait for a scrape's sorting.
WriterStats CollectorWriter::stats() const {
  std::unique_lock lock(mutex_);
  auto out = stats_;
  auto latencies = latencies_.values(), received = received_.values(), queued = queued_.values();
  auto recent = latencies_.latest(kRecentLatencySamples);
  auto transactions = transactions_.values();
  lock.unlock();
  out.latency_recent_p50_ns = LatencyRing::quantile(recent, 0.50);
  out.latency_recent_p99_ns = LatencyRing::quantile(recent, 0.99);
  out.latency_p50_ns = LatencyRing::quantile(latencies, 0.50);
  out.latency_p99_ns = LatencyRing::quantile(latencies, 0.99);
  out.received_p50_ns = LatencyRing::quantile(received, 0.50);
  out.received_p99_ns = LatencyRing::quantile(received, 0.99);
  out.queued_p50_ns = LatencyRing::quantile(queued, 0.50);
  out.queued_p99_ns = LatencyRing::quantile(queued, 0.99);
  out.transaction_p50_ns = LatencyRing::quantile(transactions, 0.50);
  out.transaction_p99_ns = LatencyRing::quantile(transactions, 0.99);
  out.transaction_max_ns = LatencyRing::quantile(transactions, 1.0);
  return out;
}

// After a write, a shorter wait: when no batch follows within 20 ms, the agents' counters kept
// in memory are written, so that they lag the events only while events keep coming.
void CollectorWriter::run() {
  bool unflushed = false;
  while (!queue_.closed_and_empty()) {
    auto batches = queue_.pop(max_transaction_events_, unflushed ? 20ms : 200ms);
    if (!batches.empty()) {
      write(batches);
      unflushed = true;
    } else {
      if (unflushed) flush_agent_tallies(true);
      unflushed = false;
      if (idle_) idle_();
    }
    if (flush_agent_tallies(false)) unflushed = false;
    if (liveness_.tick) sweep_liveness();
  }
  flush_agent_tallies(true);
}

// The agents' counters the store keeps in memory (StoreOptions::defer_agent_tallies) are written
// at most once a second while events arrive, and when none are waiting (run()).
bool CollectorWriter::flush_agent_tallies(bool now) {
  const auto at = clock_.monotonic_now();
  if (!now && at - last_tally_flush_ < 1s) return false;
  last_tally_flush_ = at;
  try {
    store_.flush_agent_tallies();
  } catch (const std::exception& error) {  // kept in memory: tried again at the next flush
    spdlog::error("collector: cannot write the agents' counters: {}", error.what());
    return false;
  }
  return true;
}

void CollectorWriter::sweep_liveness() {
  const bool lead = store_.lead_liveness();
  {
    std::lock_guard lock(mutex_);
    if (lead != stats_.liveness_leader)
      spdlog::info("collector: {} agent liveness (agent_down/agent_up)",
                   lead ? "now raising" : "another collector on this store raises");
    stats_.liveness_leader = lead;
  }
  if (!lead) {
    if (liveness_.discard) liveness_.discard();
    return;
  }
  const auto now = clock_.monotonic_now();
  if (liveness_.refresh && store_.shared_by_collectors() && now - last_refresh_ > 1s) {
    last_refresh_ = now;
    try {
      liveness_.refresh(store_.agents());
    } catch (const std::exception& error) {
      spdlog::error("collector: cannot read agents for liveness: {}", error.what());
    }
  }
  auto raised = liveness_.tick(clock_.now());
  if (raised.empty()) return;
  try {
    insert_batch(raised);
    for (const auto& event : raised)
      store_.set_agent_up(event.agent_id, event.type == events::EventType::agent_up,
                          event.timestamp);
    if (hooks_.agent_changed)
      for (const auto& event : raised) hooks_.agent_changed(event.agent_id);
    std::lock_guard lock(mutex_);
    stats_.liveness_events += raised.size();
  } catch (const std::exception& error) {
    spdlog::error("collector: cannot store liveness events: {}", error.what());
  }
}

void CollectorWriter::write(std::vector<transport::IngestBatch>& batches) {
  record_received(batches, clock_.now());
  std::vector<events::Event> events;
  std::map<std::string, std::uint64_t> next_by_agent;
  for (auto& batch : batches) {
    if (batch.hello) {
      std::uint64_t stored_next = 0;
      try {
        store_.record_agent(*batch.hello, clock_.now());
        if (hooks_.agent_changed) hooks_.agent_changed(batch.hello->agent_id);
        if (hello_recorded_)
          if (auto agent = store_.agent(batch.agent_id); agent && agent->last_sequence > 0)
            stored_next = agent->last_sequence + 1;
      } catch (const std::exception& error) {
        spdlog::error("collector: cannot record agent {}: {}", batch.agent_id, error.what());
      }
      if (hello_recorded_) hello_recorded_(batch.agent_id, stored_next);
      continue;
    }
    auto& next = next_by_agent[batch.agent_id];
    next = std::max(next, batch.next);
    std::move(batch.events.begin(), batch.events.end(), std::back_inserter(events));
  }
  if (events.empty()) return;
  std::size_t stored = 0;
  const auto began = clock_.monotonic_now();
  for (int attempt = 0;; ++attempt) {
    try {
      stored = insert_batch(events);
      break;
    } catch (const std::exception& error) {  // SQLITE_BUSY beyond the timeout, disk full, ...
      std::lock_guard lock(mutex_);
      ++stats_.store_failures;
      spdlog::error("collector: storing {} events failed ({}); {}", events.size(), error.what(),
                    attempt < 2 ? "retrying" : "not acknowledging them: agents will resend");
      if (attempt >= 2) {
        report_({next_by_agent.begin(), next_by_agent.end()}, false);
        return;
      }
    }
  }
  const auto committed_at = clock_.now();
  const auto took = clock_.monotonic_now() - began;
  if (liveness_.observe) observe_liveness(events);
  report_({next_by_agent.begin(), next_by_agent.end()}, true);
  record_latencies(events, committed_at);
  std::lock_guard lock(mutex_);
  transactions_.push(took.count());
  ++stats_.transactions;
  stats_.events_stored += stored;
  stats_.events_duplicate += events.size() - stored;
}

// Stores a batch; with a `stored` hook, says which events were new and hands those over.
std::size_t CollectorWriter::insert_batch(std::vector<events::Event>& events) {
  if (!hooks_.stored) return store_.insert(events);
  auto outcome = store_.insert_reporting(events);
  std::vector<store::StoredEvent> stored;
  stored.reserve(outcome.stored());
  for (std::size_t i = 0; i < outcome.stored(); ++i)
    stored.push_back({outcome.positions[i], events[outcome.new_indices[i]]});
  hooks_.stored(std::move(stored));
  return outcome.stored();
}

// All events of a transaction are heard at the same moment, so the tracker needs, per agent, only
// the last event of each run (a batch) and every heartbeat (which announces its interval).
void CollectorWriter::observe_liveness(std::span<const events::Event> events) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    const bool last_of_run = i + 1 == events.size() || events[i + 1].agent_id != events[i].agent_id;
    if (last_of_run || events[i].type == events::EventType::heartbeat) liveness_.observe(events[i]);
  }
}

void CollectorWriter::record_latencies(std::span<const events::Event> events,
                                       Timestamp committed_at) {
  std::lock_guard lock(mutex_);
  for (const auto& event : events) {
    const auto latency = (committed_at - event.timestamp).count();
    const double seconds = static_cast<double>(latency) / 1e9;
    const auto bound =
        std::lower_bound(kLatencyBoundsSeconds.begin(), kLatencyBoundsSeconds.end(), seconds);
    ++stats_.latency_buckets[static_cast<std::size_t>(bound - kLatencyBoundsSeconds.begin())];
    stats_.latency_sum_seconds += seconds;
    latencies_.push(latency);
    ++stats_.latency_samples;
  }
}

void CollectorWriter::record_received(std::span<const transport::IngestBatch> batches,
                                      Timestamp began) {
  std::lock_guard lock(mutex_);
  for (const auto& batch : batches) {
    if (batch.received == Timestamp{}) continue;
    for (const auto& event : batch.events) {
      received_.push((batch.received - event.timestamp).count());
      queued_.push((began - batch.received).count());
    }
  }
}

}  // namespace cw::apps
