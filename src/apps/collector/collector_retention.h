// apps/collector/collector_retention.h — the collector's retention thread: its own store
// connection (one instance per thread), applying the retention policy (store/retention.h) at
// start and every hour, logging what each pass moved. Several collectors on one PostgreSQL may
// all run it: the store's advisory lock lets one pass at a time work.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "store/retention.h"

namespace cw::apps {

struct RetentionOptions {
  std::string store_url;
  store::RetentionPolicy policy;
  std::filesystem::path archive_dir;
};

class RetentionRunner {
 public:
  RetentionRunner(RetentionOptions options, Clock& clock);
  ~RetentionRunner();  // stops and joins
  void start();
  void stop();
  std::uint64_t passes() const;

 private:
  void run();
  RetentionOptions options_;
  Clock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t passes_ = 0;
  std::thread thread_;
};

// The archive directory when --archive-dir is not given: archive/ beside a SQLite file, else
// $CW_DATA_DIR/archive or /var/lib/chronowatch/archive.
std::filesystem::path default_archive_dir(const std::string& store_url);

}  // namespace cw::apps
