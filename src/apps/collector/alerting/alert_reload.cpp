// apps/collector/alerting/alert_reload.cpp — receivers made at start and hot-reloaded with the
// rules (file change, SIGHUP): a receiver whose configuration is unchanged keeps running (its
// counters too); a removed or changed one is retired — its thread finishes the delivery in
// progress and ends — and a new or changed one starts. Notifications waiting in the outbox stay
// under the receiver's name, so a changed receiver (a new URL, say) delivers them.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "apps/collector/alerting/alert_service.h"
#include "apps/collector/alerting/alert_worker.h"

namespace cw::apps {

// This collector's name among those sharing the outbox: unique among the living (the host and
// the process), readable in a log line about a claim taken over.
OutboxPlace AlertService::outbox_place() const {
  OutboxPlace place;
  place.path = options_.outbox_path;
  place.lease = options_.claim_lease;
  place.keep = options_.max_age;
  if (!state_ || !state_->shared()) return place;
  place.shared_conninfo = store::postgres_conninfo(options_.state_store);
  std::array<char, 256> host{};
  ::gethostname(host.data(), host.size() - 1);
  place.owner = fmt::format("{} pid {}{}{}", host.data(), ::getpid(),
                            options_.state_listen.empty() ? "" : " ", options_.state_listen);
  spdlog::info("alerts: outbox shared in {} (claims of {:.0f} s, as '{}'){}",
               store::describe_store(options_.state_store), to_seconds(place.lease), place.owner,
               options_.outbox_explicit ? "; --alert-outbox is not used with it" : "");
  return place;
}

void AlertService::launch(Worker& worker) {
  worker.thread = std::thread([this, w = &worker] { deliver_loop(*w); });
  spdlog::info("alerts: delivering to {} {} ({} waiting in {})", worker.counters.kind,
               worker.counters.target, outbox_->waiting(worker.counters.name), outbox_->describe());
}

void AlertService::set_receivers(const std::vector<alerts::ReceiverConfig>& configs,
                                 bool remake_all) {
  std::vector<std::unique_ptr<Worker>> retired;
  std::vector<std::unique_ptr<Worker>> made;
  {
    std::lock_guard lock(workers_mutex_);
    for (auto& worker : workers_) {
      const bool kept =
          !remake_all && std::find(configs.begin(), configs.end(), worker->config) != configs.end();
      if (!kept) retired.push_back(std::move(worker));
    }
    std::erase(workers_, nullptr);
  }
  for (const auto& config : configs) {
    {
      std::lock_guard lock(workers_mutex_);
      if (std::any_of(workers_.begin(), workers_.end(),
                      [&](const auto& w) { return w->config == config; }))
        continue;
    }
    try {  // reads its secret files: a reload that cannot keeps the others and says why
      auto worker = std::make_unique<Worker>(
          config, AlertReceiver(config, {options_.timeout, options_.external_url}));
      worker->counters.name = config.name;
      worker->counters.kind = std::string(alerts::to_string(config.kind));
      worker->counters.target = worker->receiver.target();
      made.push_back(std::move(worker));
    } catch (const std::exception& error) {
      if (!started_) throw;
      spdlog::error("alerts: receiver {} not started: {}", config.name, error.what());
    }
  }
  for (auto& worker : retired) {
    worker->retired = true;
    worker->wake.notify_all();
    if (worker->thread.joinable()) worker->thread.join();
    spdlog::info("alerts: stopped delivering to {} {} (receiver {})", worker->counters.kind,
                 worker->counters.target, worker->counters.name);
  }
  std::lock_guard lock(workers_mutex_);
  if (!made.empty() && !outbox_) outbox_ = open_outbox(outbox_place());
  for (auto& worker : made) {
    if (started_) launch(*worker);
    workers_.push_back(std::move(worker));
  }
}

}  // namespace cw::apps
