// apps/collector/alerting/alert_service.cpp — feeding the core, filling the outbox, the ticker.
#include "apps/collector/alerting/alert_service.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <fstream>
#include <limits>
#include <sstream>

#include "alerts/config.h"
#include "alerts/delivery.h"
#include "apps/collector/alerting/alert_worker.h"

namespace cw::apps {
namespace {

std::int64_t modification_time(const std::string& path) {
  struct stat info {};
  if (path.empty() || ::stat(path.c_str(), &info) != 0) return 0;
  return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
}

alerts::AlertsConfig config_with_flags(alerts::AlertsConfig config,
                                       const AlertServiceOptions& options) {
  if (options.min_severity) config.min_severity = *options.min_severity;
  auto receivers = options.receivers;
  for (auto& receiver : receivers) receiver.min_severity = config.min_severity;
  receivers.insert(receivers.end(), config.receivers.begin(), config.receivers.end());
  config.receivers = std::move(receivers);
  return config;
}

}  // namespace

AlertService::AlertService(AlertServiceOptions options, transport::IngestQueue& incidents_to,
                           const std::vector<store::AgentRecord>& stored_agents, Clock& clock)
    : options_(std::move(options)),
      feed_(options_.queue_events),
      incidents_to_(incidents_to),
      clock_(clock) {
  deferred_seeds_ = stored_agents;
  restore_state();  // may queue a restart gap, after which the seeds apply
  load_rules(true);
  if (!restart_gap_) seed(std::exchange(deferred_seeds_, {}));
  // At once, not in a second: a collector killed before its first save would find no position
  // and take what it had stored for evaluated.
  save_state();
  set_receivers(alerting_.engine().config().receivers, false);
  std::lock_guard lock(engine_mutex_);
  publish_totals();
}

void AlertService::publish_totals() {
  auto totals = std::make_shared<AlertTotals>(
      AlertTotals{alerting_.engine().counters(), alerting_.engine().firing(), alerting_.folded()});
  std::lock_guard lock(totals_mutex_);
  totals_ = std::move(totals);
}

std::shared_ptr<const AlertTotals> AlertService::totals() const {
  std::lock_guard lock(totals_mutex_);
  return totals_;
}

AlertService::~AlertService() { stop(); }

void AlertService::load_rules(bool at_startup, bool remake_receivers) {
  if (options_.rules_file.empty()) {
    if (at_startup) alerting_.set_config(config_with_flags(alerts::default_config(), options_));
    if (!at_startup && remake_receivers) {
      std::unique_lock lock(engine_mutex_);
      const auto receivers = alerting_.engine().config().receivers;
      lock.unlock();
      set_receivers(receivers, true);
    }
    return;
  }
  const auto mtime = modification_time(options_.rules_file);
  std::ifstream in(options_.rules_file);
  std::stringstream text;
  if (in) text << in.rdbuf();
  auto loaded = in ? alerts::parse_alerts_config(text.str(), options_.rules_in_config_file)
                   : Result<alerts::LoadedConfig, std::string>(
                         tl::unexpected(std::string("cannot read the file")));
  std::lock_guard status(status_mutex_);
  rules_mtime_ = mtime;
  if (!loaded) {
    rules_error_ = fmt::format("{}: {}", options_.rules_file, loaded.error());
    if (at_startup) throw std::invalid_argument("alert rules " + rules_error_);
    spdlog::error("alerts: {}; keeping the previous rules", rules_error_);
    return;
  }
  rules_error_.clear();
  auto config = config_with_flags(std::move(loaded->config), options_);
  if (!at_startup) set_receivers(config.receivers, remake_receivers);  // not under the engine lock
  std::lock_guard lock(engine_mutex_);
  const auto rules = config.rules.size();
  alerting_.set_config(std::move(config));
  auto& engine = alerting_.engine();
  for (const auto& silence : engine.silences())
    if (silence.id.starts_with("config-")) engine.expire_silence(silence.id, wall_now());
  for (auto& silence : loaded->silences) engine.add_silence(std::move(silence), wall_now());
  publish_totals();
  spdlog::info("alerts: {} {} ({} rules, {} silences, {} receivers)",
               at_startup ? "read" : "reloaded", options_.rules_file, rules,
               loaded->silences.size(), engine.config().receivers.size());
}

// Before the rules are read: those re-add the rules file's silences.
void AlertService::restore_state() {
  if (options_.state_store.empty()) return;
  state_ = std::make_unique<AlertStateStore>(options_.state_store, options_.state_listen);
  auto state = state_->load();
  std::erase_if(state.engine.silences,
                [](const alerts::Silence& s) { return s.id.starts_with("config-"); });
  std::size_t open = 0;
  for (const auto& alert : state.engine.alerts) open += alert.status == alerts::AlertStatus::firing;
  spdlog::info("alerts: resumed {} open alerts ({} kept), {} silences, {} suppressions from {}",
               open, state.engine.alerts.size(), state.engine.silences.size(),
               state.engine.suppressions.size(), store::describe_store(options_.state_store));
  std::lock_guard lock(engine_mutex_);
  alerting_.engine().set_origin(state_->scope());
  alerting_.engine().restore(std::move(state.engine));
  resume_from(state);
}

void AlertService::seed(const std::vector<store::AgentRecord>& agents) {
  for (const auto& agent : agents)
    alerting_.seed_sequence(agent.identity.agent_id, agent.last_sequence);
}

void AlertService::save_state() {
  if (!state_) return;
  state_->save(
      alerting_, [this] { return std::unique_lock(engine_mutex_); }, [this] { return mark(); });
}

void AlertService::start() {
  {
    std::lock_guard lock(workers_mutex_);
    started_ = true;
    for (auto& worker : workers_) launch(*worker);
  }
  ticker_ = std::thread([this] { tick_loop(); });
  evaluator_ = std::thread([this] { evaluate_loop(); });
}

void AlertService::stop() {
  finish_evaluation();
  stopping_ = true;
  std::vector<std::unique_ptr<Worker>> workers;
  {
    std::lock_guard lock(workers_mutex_);
    for (auto& worker : workers_) worker->wake.notify_all();
  }
  if (ticker_.joinable()) ticker_.join();  // no reload after this
  {
    std::lock_guard lock(workers_mutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers)
    if (worker->thread.joinable()) worker->thread.join();
  flush_unwritten();
  save_state();
}

void AlertService::flush_unwritten() {
  std::lock_guard lock(workers_mutex_);
  if (unwritten_.empty() || !outbox_) return;
  unwritten_since_ = {};  // a last try now
  write_outbox({}, wall_now());
  if (unwritten_.empty()) return;
  spdlog::error("alerts: stopping: {} notifications the outbox {} refused are lost",
                unwritten_.size(), outbox_->describe());
  std::lock_guard status(status_mutex_);
  lost_notifications_ += unwritten_.size();
  unwritten_.clear();
}

// Notifications into the outbox, one row per receiver that wants them; incidents to the writer.
void AlertService::apply(alerts::AlertingOutput out, Timestamp now) {
  if (!out.incidents.empty()) {
    const auto agent = out.incidents.front().agent_id;
    incidents_to_.push({agent, std::move(out.incidents), 0, std::nullopt});
  }
  std::lock_guard workers(workers_mutex_);
  if (!outbox_) return;
  std::vector<OutboxItem> items;
  for (const auto& n : out.notifications)
    for (const auto& worker : workers_)
      if (worker->receiver.wants(n.alert))
        items.push_back(
            {0, worker->counters.name, n.id, worker->receiver.render(n, now), now, 0, now, {}, {}});
  if (items.empty() && unwritten_.empty()) return;
  write_outbox(std::move(items), now);
  for (auto& worker : workers_) worker->wake.notify_all();
}

// Under workers_mutex_. What the outbox refused (its database down: a PostgreSQL restart, a full
// disk) is kept in memory, in order, and written first with the next ones, tried at most once a
// second (what comes meanwhile waits behind it); past kKeptUnwritten the oldest are given up and
// counted as lost.
void AlertService::write_outbox(std::vector<OutboxItem> items, Timestamp now) {
  constexpr std::size_t kKeptUnwritten = 100'000;
  const bool retrying = !unwritten_.empty();
  if (!alerts::refused_retry_due(retrying, unwritten_since_, now)) {
    note_given_up(alerts::keep_in_order(unwritten_, std::move(items), kKeptUnwritten));
    return;
  }
  std::vector<OutboxItem> all = std::move(unwritten_);
  unwritten_.clear();
  alerts::keep_in_order(all, std::move(items), std::numeric_limits<std::size_t>::max());
  try {
    outbox_->add(all);
    if (retrying)
      spdlog::info("alerts: wrote {} notifications kept while the outbox {} was unavailable",
                   all.size(), outbox_->describe());
    return;
  } catch (const std::exception& error) {
    if (!retrying)
      spdlog::error(
          "alerts: cannot write {} notifications to the outbox {}: {}; kept in memory "
          "and retried every second",
          all.size(), outbox_->describe(), error.what());
  }
  unwritten_since_ = now;
  note_given_up(alerts::keep_in_order(unwritten_, std::move(all), kKeptUnwritten));
}

void AlertService::note_given_up(std::size_t given_up) {
  if (given_up == 0) return;
  std::lock_guard status(status_mutex_);
  lost_notifications_ += given_up;
}

void AlertService::tick_loop() {
  auto last_check = clock_.monotonic_now();
  auto last_save = last_check;
  while (!stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const auto now = wall_now();
    alerts::AlertingOutput out;
    {
      std::lock_guard lock(engine_mutex_);
      out = alerting_.tick(now);
      publish_totals();
    }
    apply(std::move(out), now);
    // Once a second, not at every tick: under a fleet's load every firing alert changes (its
    // count, its last event) all the time, and each save rewrites them in the store the ingest
    // writes to. What the operator changes through the API is saved before the API answers.
    if (clock_.monotonic_now() - last_save >= std::chrono::seconds(1)) {
      last_save = clock_.monotonic_now();
      save_state();
    }
    if (reload_.exchange(false)) {
      load_rules(false, true);  // SIGHUP: receivers re-made too (their secret files re-read)
    } else if (clock_.monotonic_now() - last_check >= std::chrono::seconds(1)) {
      last_check = clock_.monotonic_now();
      std::int64_t known = 0;
      {
        std::lock_guard status(status_mutex_);
        known = rules_mtime_;
      }
      if (!options_.rules_file.empty() && modification_time(options_.rules_file) != known)
        load_rules(false, false);
    }
  }
}

std::string AlertService::rules_error() {
  std::lock_guard status(status_mutex_);
  return rules_error_;
}

}  // namespace cw::apps
