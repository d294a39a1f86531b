// apps/collector/alerting/alert_outbox.h — the durable outbox of alert notifications in a local
// SQLite file (WAL), the collector's own when its store is SQLite: each one is written before any
// delivery is tried and deleted only once its receiver took it, so a notification survives a
// receiver that is down and a collector that is killed, and each receiver gets them in the order
// they were made. A notification's id is stable, so a receiver that got one twice (the collector
// died between its answer and the delete) can tell. With a PostgreSQL store the outbox is shared
// by the collectors instead (store/postgres/pg_outbox.h); open_outbox picks.
#pragma once

#include <SQLiteCpp/Database.h>

#include <memory>
#include <mutex>
#include <string>

#include "store/outbox.h"

namespace cw::apps {

using OutboxItem = store::OutboxItem;

class SqliteAlertOutbox final : public store::Outbox {
 public:
  explicit SqliteAlertOutbox(const std::string& path);  // creates the file; throws on failure

  void add(const std::vector<OutboxItem>& items) override;
  // The receiver's oldest waiting item, when it is due (one process: no claim to take).
  std::optional<OutboxItem> claim(const std::string& receiver, Timestamp now) override;
  void delivered(const OutboxItem& item) override;
  void failed(const OutboxItem& item, Timestamp now, Duration retry_in,
              const std::string& error) override;
  std::size_t waiting(const std::string& receiver) override;
  std::string describe() const override { return path_; }
  // Everything waiting here into `shared` (a PostgreSQL store's), then deleted here; how many.
  std::size_t move_into(store::Outbox& shared);

 private:
  std::mutex mutex_;
  std::string path_;
  SQLite::Database db_;
};

// Where the collector's outbox is. A shared one takes over what waits in the local file, if any.
struct OutboxPlace {
  std::string path;             // the SQLite file (store of its own)
  std::string shared_conninfo;  // PostgreSQL store: libpq conninfo of the shared outbox, else ""
  std::string owner;            // this collector among those sharing it
  Duration lease = std::chrono::seconds(30);
  Duration keep = std::chrono::hours(24);
};
std::unique_ptr<store::Outbox> open_outbox(const OutboxPlace& place);  // throws on failure

}  // namespace cw::apps
