// apps/collector/alerting/alert_outbox.h — the durable outbox of alert notifications: each one is
// written (SQLite, WAL) before any delivery is tried and deleted only once its receiver took it,
// so a notification survives a receiver that is down and a collector that is killed, and each
// receiver gets them in the order they were made. A notification's id is stable, so a receiver
// that got one twice (the collector died between its answer and the delete) can tell.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace cw::apps {

struct OutboxItem {
  std::int64_t id = 0;  // order of creation
  std::string receiver;
  std::string notification_id;
  std::string payload;  // what the receiver is sent, ready to go
  Timestamp created;
  int attempts = 0;
  Timestamp next_attempt;
  std::string last_error;
};

class AlertOutbox {
 public:
  explicit AlertOutbox(const std::string& path);  // creates the file; throws on failure

  // One transaction; an item whose (receiver, notification id) is already waiting is ignored.
  void add(const std::vector<OutboxItem>& items);
  // The receiver's oldest waiting item.
  std::optional<OutboxItem> head(const std::string& receiver);
  void delivered(std::int64_t id);
  void failed(std::int64_t id, Timestamp next_attempt, const std::string& error);
  std::size_t waiting(const std::string& receiver);
  const std::string& path() const { return path_; }

 private:
  std::mutex mutex_;
  std::string path_;
  SQLite::Database db_;
};

}  // namespace cw::apps
