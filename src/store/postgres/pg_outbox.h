// store/postgres/pg_outbox.h — the alert outbox in PostgreSQL (table alert_outbox, migration 5),
// shared by every collector on the store. A notification is keyed by (receiver, notification
// id): the notification id comes from the alert's id, which comes from the opening event, so the
// same alert raised through two collectors is one row (the second insert is dropped). A delivery
// loop claims its receiver's oldest waiting row with SELECT … FOR UPDATE SKIP LOCKED and a lease
// (claimed_by, claimed_until_ns); a row whose lease ended — its collector died or hangs — is
// claimed by the next collector that looks. Leases and back-off are timed by the database
// server's clock, the one clock every collector shares. Delivered rows stay, emptied, for `keep`
// (so a repeat raised later is still dropped), then are deleted. One connection, under a lock.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/outbox.h"

namespace cw::store {

namespace pg {
class Connection;
}

struct PgOutboxOptions {
  std::string owner;                          // this collector, unique among the living
  Duration lease = std::chrono::seconds(30);  // a claim ends then unless delivered or failed
  Duration keep = std::chrono::hours(24);     // delivered rows kept for de-duplication
};

class PgOutbox final : public Outbox {
 public:
  // Connects (libpq conninfo); throws std::runtime_error naming the database when it cannot, or
  // when its schema has no alert_outbox (open the event store on it first: it migrates).
  PgOutbox(std::string conninfo, PgOutboxOptions options);
  ~PgOutbox() override;

  void add(const std::vector<OutboxItem>& items) override;
  std::optional<OutboxItem> claim(const std::string& receiver, Timestamp now) override;
  void delivered(const OutboxItem& item) override;
  void failed(const OutboxItem& item, Timestamp now, Duration retry_in,
              const std::string& error) override;
  std::size_t waiting(const std::string& receiver) override;
  std::string describe() const override { return name_; }
  const std::string& owner() const { return options_.owner; }

 private:
  template <typename Body>
  auto with_connection(Body&& body);  // reconnects when the last one broke
  void purge(Timestamp now);          // delivered rows older than `keep`, once a minute

  std::mutex mutex_;
  std::string conninfo_;
  PgOutboxOptions options_;
  std::unique_ptr<pg::Connection> conn_;
  std::string name_;
  Timestamp last_purge_{};
};

}  // namespace cw::store
