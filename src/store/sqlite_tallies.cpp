// store/sqlite_tallies.cpp — the agents table's counters on SQLite (store/agent_tally.h): written
// in each transaction, or, for the collector's writer (SqliteOptions::defer_agent_tallies), kept
// in memory and written by flush_agent_tallies(). Each transaction otherwise rewrites the agents
// table's pages of every agent it holds events of: at a few hundred events per transaction from
// as many agents, that is most of the table, every time. What a crash loses of them is rebuilt at
// the next start from the events stored after each agent's last_sequence (recover_tallies, in
// sqlite_query.cpp). Collector-made events (agent_down/up, whose sequences are not the agent's)
// and the events of an agent without a row yet (no hello) are written at once: the rebuild could
// not find them.
#include <SQLiteCpp/Transaction.h>

#include "store/sqlite_statements.h"
#include "store/sqlite_store.h"

namespace cw::store {
namespace {

void bind_optional(SQLite::Statement& statement, int index, const std::optional<std::int64_t>& v) {
  if (v)
    statement.bind(index, static_cast<std::int64_t>(*v));
  else
    statement.bind(index);
}

}  // namespace

// Adds one agent's tally to its row of the agents table (made when missing).
void SqliteEventStore::write_tally(const AgentTally& tally) {
  auto& update = statements_->tally_agent;
  update.bind(1, std::string{tally.agent_id});
  update.bind(2, static_cast<std::int64_t>(tally.first_seen));
  update.bind(3, static_cast<std::int64_t>(tally.last_seen));
  update.bind(4, static_cast<std::int64_t>(tally.last_sequence));
  update.bind(5, static_cast<std::int64_t>(tally.events));
  update.bind(6, static_cast<std::int64_t>(tally.alerts));
  update.bind(7, static_cast<std::int64_t>(tally.heartbeats));
  bind_optional(update, 8, tally.offset);
  bind_optional(update, 9, tally.offset_at);
  exec_and_reset(update);
}

void SqliteEventStore::write_pending_tallies() {
  for (const auto& [agent, tally] : pending_tallies_) write_tally(tally);
}

// Inside the transaction, before its commit. Pending tallies go with this one's when it must be
// written now, so that the table never holds a later tally of an agent without an earlier one.
bool SqliteEventStore::write_tallies_now(const AgentTallies& tallies) {
  bool now = !defer_tallies_;
  for (const auto& tally : tallies.all())
    now = now || tally.from_collector || !known_agents_.contains(std::string{tally.agent_id});
  if (!now) return false;
  if (defer_tallies_) write_pending_tallies();
  for (const auto& tally : tallies.all()) write_tally(tally);
  return true;
}

// After the commit: what was written leaves memory, what was not waits there.
void SqliteEventStore::keep_tallies(const AgentTallies& tallies, bool written) {
  if (!defer_tallies_) return;
  if (written) {
    pending_tallies_.clear();
    for (const auto& tally : tallies.all()) known_agents_.emplace(tally.agent_id);
    return;
  }
  for (const auto& tally : tallies.all()) {
    auto [at, added] = pending_tallies_.try_emplace(std::string{tally.agent_id});
    if (added) {
      at->second = tally;
      at->second.agent_id = at->first;  // views the map's key, not the transaction's events
    } else {
      at->second.absorb(tally);
    }
  }
}

void SqliteEventStore::flush_agent_tallies() {
  if (pending_tallies_.empty()) return;
  const auto gate = write_gate();
  SQLite::Transaction transaction{db_, SQLite::TransactionBehavior::IMMEDIATE};
  write_pending_tallies();
  transaction.commit();
  pending_tallies_.clear();
}

void SqliteEventStore::load_known_agents() {
  SQLite::Statement select{db_, "SELECT agent_id FROM agents"};
  while (select.executeStep()) known_agents_.insert(select.getColumn(0).getString());
}

}  // namespace cw::store
