// apps/collector/collector_retention.cpp — the retention thread (collector_retention.h).
#include "apps/collector/collector_retention.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "store/event_store.h"

namespace cw::apps {

RetentionRunner::RetentionRunner(RetentionOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

RetentionRunner::~RetentionRunner() { stop(); }

void RetentionRunner::start() {
  thread_ = std::thread{[this] { run(); }};
}

void RetentionRunner::stop() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t RetentionRunner::passes() const {
  std::lock_guard lock{mutex_};
  return passes_;
}

void RetentionRunner::run() {
  std::optional<Timestamp> last;
  std::unique_ptr<store::EventStore> store;
  std::unique_lock lock{mutex_};
  while (!stopping_) {
    const auto now = clock_.now();
    if (store::retention_due(options_.policy, last, now)) {
      lock.unlock();
      try {
        if (!store) store = store::open_store(options_.store_url);
        const auto plan = store::plan_retention(options_.policy, now);
        const auto done = store->apply_retention(plan, options_.archive_dir);
        spdlog::info(
            "collector: retention: {} events rolled into {} warm blocks (before {}), {} "
            "heartbeats dropped, {} events archived into {} files in {}",
            done.rolled, done.blocks_written, to_iso8601(plan.raw_before), done.heartbeats_dropped,
            done.archived_events, done.archive_files.size(), options_.archive_dir.string());
        last = now;
      } catch (const std::exception& error) {
        store.reset();  // reconnect at the next try
        spdlog::warn("collector: retention pass failed (retried in a minute): {}", error.what());
        last = now - options_.policy.every + std::chrono::minutes{1};
      }
      lock.lock();
      ++passes_;
    }
    wake_.wait_for(lock, std::chrono::seconds{5});
  }
}

std::filesystem::path default_archive_dir(const std::string& store_url) {
  if (store_url.starts_with("sqlite:")) {
    auto path = std::filesystem::path{store_url.substr(7)};
    return path.parent_path() / "archive";
  }
  const char* dir = std::getenv("CW_DATA_DIR");
  return std::filesystem::path{dir && *dir ? dir : "/var/lib/chronowatch"} / "archive";
}

}  // namespace cw::apps
