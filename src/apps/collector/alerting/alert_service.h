// apps/collector/alerting/alert_service.h — the collector's alerting shell: its own thread takes
// every committed batch from the writer through a bounded feed (alert_feed.h; what overflowed it
// is read back from the store), feeds the events to the pure core (alerts::Alerting) with the
// wall clock, writes what it says to notify into the durable outbox and hands the incidents it
// raises to the writer (they are stored and streamed like any event); one delivery thread per
// receiver (retries with exponential back-off, in order) plus a ticker (resolve timeouts,
// Alertmanager re-posts, rules reload on SIGHUP and when the file changes).
#pragma once

#include <atomic>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alerting.h"
#include "apps/collector/alerting/alert_feed.h"
#include "apps/collector/alerting/alert_outbox.h"
#include "apps/collector/alerting/alert_receivers.h"
#include "apps/collector/alerting/alert_state_store.h"
#include "core/clock.h"
#include "store/event_store.h"
#include "transport/ingest_queue.h"

namespace cw::apps {

struct AlertServiceOptions {
  std::string rules_file;  // --alert-rules, or the --config file's alerts: section ("" none)
  bool rules_in_config_file = false;  // rules_file is the --config file
  std::string outbox_path;  // the local outbox database (created when there is a receiver)
  // A PostgreSQL store: the outbox is its table, shared by the collectors, instead of
  // outbox_path; a delivery claims a notification for this long (alerts/delivery.h).
  Duration claim_lease = std::chrono::seconds(30);
  bool outbox_explicit = false;                   // --alert-outbox was given
  std::vector<alerts::ReceiverConfig> receivers;  // from flags; the file may add more
  std::optional<events::Severity> min_severity;   // --alert-min-severity (wins over the file)
  std::chrono::milliseconds timeout{10'000};
  Duration retry_max = std::chrono::seconds(60);        // longest back-off between two attempts
  Duration max_age = std::chrono::hours(24);            // undelivered this long: dropped, counted
  Duration repost_interval = std::chrono::seconds(60);  // Alertmanager: firing alerts again
  std::string external_url;
  // The event store's URL, where alerts, silences, suppressions and acknowledgements are kept
  // across restarts (alert_state_store.h); empty: in memory only.
  std::string state_store;
  std::string state_listen;  // the collector's --listen: whose state it is on a shared store
  // Committed events waiting for evaluation before the feed skips (and later reads back) batches.
  std::size_t queue_events = 100'000;
};

struct ReceiverCounters {
  std::string name, kind, target;
  std::uint64_t delivered = 0;
  std::uint64_t failures = 0;  // attempts that failed (each retried later)
  std::uint64_t dropped = 0;   // given up after max_age
  std::uint64_t reposts = 0;
  std::uint64_t taken_over = 0;  // shared outbox: claims whose holder's lease had ended
  std::size_t waiting = 0;       // in the outbox
  std::string last_error;
};

// The engine's counters as of its last change, for /metrics and the stats line: read without
// the engine's lock, which its ticker holds for milliseconds at a time with 10 000 open alerts
// (and longer when a loaded machine preempts it), and which a scrape must never wait on.
struct AlertTotals {
  alerts::EngineCounters counters;
  std::size_t firing = 0;
  std::uint64_t folded = 0;
};

class AlertService {
 public:
  // Throws when the rules file is given and bad at startup, or the outbox cannot be opened.
  // `clock` gives the engine its `now` and paces the ticks (a fake one in tests).
  AlertService(AlertServiceOptions options, transport::IngestQueue& incidents_to,
               const std::vector<store::AgentRecord>& stored_agents, Clock& clock);
  ~AlertService();
  AlertService(const AlertService&) = delete;
  AlertService& operator=(const AlertService&) = delete;

  void start();
  // At shutdown, before the writer stops: waits (up to `timeout`) until what it handed over so
  // far is evaluated, so the incidents that raises are still stored.
  void drain(std::chrono::milliseconds timeout);
  // After the writer has stopped: evaluates the rest of the feed for at most 10 s (incidents
  // raised now are not stored; what is left then is counted and said), then joins the ticker and
  // the delivery threads (a delivery in progress finishes or times out first) and saves the state.
  void stop();

  // The writer thread hands each committed batch over here (alerting_store.h). Never waits.
  AlertFeed& feed() { return feed_; }
  void request_reload() { reload_ = true; }
  // A shared store: the kind of the per-agent documents the writer records before it first
  // stores an agent's events, and those recorded before this start (alert_state_store.h).
  std::string agents_kind() const { return state_ ? state_->agents_kind() : std::string(); }
  const std::vector<std::string>& recorded_agents() const { return stored_agents_; }

  // The operator's side (REST API): runs `action` on the engine under its lock, with `now`;
  // whatever it makes the engine notify goes out at the next tick.
  template <typename Action>
  auto with_engine(Action&& action) {
    std::lock_guard lock(engine_mutex_);
    Publish publish{*this};
    return action(alerting_.engine(), wall_now());
  }
  // The same for an action that changes the engine: what it changed is stored before returning.
  template <typename Action>
  auto modify_engine(Action&& action) {
    auto result = with_engine(std::forward<Action>(action));
    save_state();
    return result;
  }
  void save_state();  // what changed since the last save, into the store (no-op without one)

  nlohmann::ordered_json stats();
  // Any thread, never waits on the engine: as of the end of the last section under its lock.
  std::shared_ptr<const AlertTotals> totals() const;
  std::vector<ReceiverCounters> receiver_counters();
  std::string rules_error();  // the last refused reload, or empty

  Timestamp wall_now() { return clock_.now(); }

 private:
  struct Worker;
  void publish_totals();  // under engine_mutex_, at the end of each section that may count
  struct Publish {        // publish_totals() when it goes out of scope (still under the lock)
    AlertService& service;
    ~Publish() { service.publish_totals(); }
  };
  // remake_receivers: every receiver is made again (SIGHUP); otherwise only those that changed.
  void load_rules(bool at_startup, bool remake_receivers = false);
  // Receivers hot-reloaded (alert_reload.cpp): removed and changed ones stop (their thread
  // finishes the delivery in progress), new ones start; a receiver keeps its outbox by name.
  void set_receivers(const std::vector<alerts::ReceiverConfig>& configs, bool remake_all);
  void launch(Worker& worker);
  OutboxPlace outbox_place() const;  // shared in a PostgreSQL store, else the local file
  void restore_state();
  // At startup: what was stored after the saved position goes first (a restart gap), and the
  // agents' stored sequences are applied once it is evaluated (not before: its events would look
  // resent).
  void resume_from(const StoredAlerting& stored);
  void seed(const std::vector<store::AgentRecord>& agents);
  EvaluationMark mark();  // under engine_mutex_
  std::int64_t evaluated_through();
  void apply(alerts::AlertingOutput out, Timestamp now);
  void write_outbox(std::vector<OutboxItem> items, Timestamp now);
  void note_given_up(std::size_t given_up);  // counted as lost
  void flush_unwritten();  // at stop: a last try; what is still refused is lost, and said
  // The evaluation thread (alert_evaluation.cpp): batches from the feed, gaps from the store.
  void evaluate_loop();
  void finish_evaluation();  // closes the feed, evaluates the rest (10 s at most), joins
  bool past_deadline();
  // Under the engine's lock with each slice of events: evaluated_through_ moves past their
  // positions (0: a resend, no position), so a save between two slices is exact.
  void evaluate(std::span<const events::Event> events, std::span<const std::int64_t> positions);
  void note_evaluated(std::span<const std::int64_t> positions);
  void read_back(const FeedGap& gap);
  void finish_read_back(const FeedGap& gap, std::uint64_t found, std::int64_t position);
  void tick_loop();
  void deliver_loop(Worker& worker);
  bool deliver_one(Worker& worker);
  void repost(Worker& worker, Timestamp now);

  AlertServiceOptions options_;
  AlertFeed feed_;
  std::unique_ptr<store::EventStore> reader_;  // the evaluation thread's, for gaps (made on use)
  std::atomic<std::uint64_t> read_back_{0}, read_back_lost_{0}, resumed_{0};
  // Under engine_mutex_: the store position through which every stored event was evaluated (kept
  // with the state), and the stored sequences to seed once the restart gap is evaluated.
  std::int64_t evaluated_through_ = 0;
  bool restart_gap_ = false;
  std::vector<std::string> stored_agents_;  // shared store: whose events this collector stored
  std::vector<store::AgentRecord> deferred_seeds_;
  std::atomic<std::uint64_t> unevaluated_{0};  // left at shutdown
  std::atomic<std::int64_t> evaluate_until_{std::numeric_limits<std::int64_t>::max()};
  std::thread evaluator_;
  transport::IngestQueue& incidents_to_;
  Clock& clock_;
  std::mutex engine_mutex_;
  alerts::Alerting alerting_;
  mutable std::mutex totals_mutex_;  // held only to swap or copy the pointer
  std::shared_ptr<const AlertTotals> totals_ = std::make_shared<AlertTotals>();
  std::unique_ptr<store::Outbox> outbox_;
  std::unique_ptr<AlertStateStore> state_;
  std::mutex workers_mutex_;  // workers_, outbox_ (made with the first receiver), started_
  std::vector<std::unique_ptr<Worker>> workers_;
  bool started_ = false;
  std::mutex status_mutex_;
  std::string rules_error_;
  std::int64_t rules_mtime_ = 0;
  std::uint64_t lost_notifications_ = 0;  // the outbox refused more than could be kept
  std::vector<OutboxItem> unwritten_;     // under workers_mutex_: refused, written next time
  Timestamp unwritten_since_{};           // the last refusal
  std::atomic<bool> stopping_{false}, reload_{false};
  std::thread ticker_;
};

}  // namespace cw::apps
