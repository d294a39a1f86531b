// store/event_store.cpp — the defaults of EventStore's console reads, for an engine that does not
// provide them (store/event_store.h).
#include "store/event_store.h"

#include <stdexcept>

namespace cw::store {
namespace {

[[noreturn]] void unsupported(const char* what) {
  throw std::logic_error(std::string{"this event store does not support "} + what);
}

}  // namespace

InsertOutcome EventStore::insert_reporting(std::span<const events::Event> events) {
  const std::size_t stored = insert(events);
  InsertOutcome out;
  if (stored != events.size()) unsupported("saying which events of a batch were new");
  for (std::size_t i = 0; i < events.size(); ++i) out.new_indices.push_back(i);
  out.positions.assign(events.size(), 0);
  return out;
}

std::vector<StoredEvent> EventStore::page(const PageRequest&) { unsupported("keyset pages"); }

std::vector<StoredEvent> EventStore::read_after(std::int64_t, const EventFilter&) {
  unsupported("reading by store position");
}

std::optional<StoredEvent> EventStore::find(const std::string&, std::uint64_t) {
  unsupported("finding one event");
}

std::int64_t EventStore::last_position() { unsupported("store positions"); }

bool EventStore::wait_for_commits(std::chrono::milliseconds) {
  unsupported("commit notifications");
}

void EventStore::write_state(std::span<const StateRecord>) { unsupported("collector state"); }

std::vector<StateRecord> EventStore::read_state(const std::string&) {
  unsupported("collector state");
}

RetentionOutcome EventStore::apply_retention(const RetentionPlan&, const std::filesystem::path&) {
  unsupported("retention tiers");
}

std::vector<StoredEvent> EventStore::read_tier(Tier, const EventFilter&) {
  unsupported("reading one tier");
}

}  // namespace cw::store
