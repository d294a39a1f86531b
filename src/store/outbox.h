// store/outbox.h — the durable outbox of alert notifications, as the collector's delivery loop
// sees it: notifications are added before any delivery is tried; a delivery loop claims the oldest
// waiting one of its receiver (only when it is due and nobody else holds it), delivers it, and
// says how it went. Two engines: a local SQLite file per collector (apps/collector/alerting/
// alert_outbox.h) and, when the store is PostgreSQL, one table shared by every collector
// (store/postgres/pg_outbox.h), where a claim is a lease that another collector takes over once it
// ends (docs/alerts.md, "Several collectors").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace cw::store {

struct OutboxItem {
  std::int64_t id = 0;  // order of creation
  std::string receiver;
  std::string notification_id;  // stable: the alert's id and what is notified (alerts/engine.h)
  std::string payload;          // what the receiver is sent, ready to go
  Timestamp created;
  int attempts = 0;
  Timestamp next_attempt;
  std::string last_error;
  std::string taken_over_from;  // shared outbox: whose ended lease this claim took over, if any
};

class Outbox {
 public:
  virtual ~Outbox() = default;
  // One transaction; an item whose (receiver, notification id) is already there is ignored.
  virtual void add(const std::vector<OutboxItem>& items) = 0;
  // The receiver's oldest waiting item, claimed for this process, when it is due at `now` and no
  // other process holds a claim on it; nothing otherwise (nothing waits, the oldest is backing
  // off, or another collector is delivering it). Later items wait behind it: a receiver gets its
  // notifications in order.
  virtual std::optional<OutboxItem> claim(const std::string& receiver, Timestamp now) = 0;
  virtual void delivered(const OutboxItem& item) = 0;  // or given up: it is not sent again
  // The attempt failed: the item is retried `retry_in` from now (by whoever claims it then).
  virtual void failed(const OutboxItem& item, Timestamp now, Duration retry_in,
                      const std::string& error) = 0;
  virtual std::size_t waiting(const std::string& receiver) = 0;
  virtual std::string describe() const = 0;  // where it is, for logs
};

}  // namespace cw::store
