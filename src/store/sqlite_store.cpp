// store/sqlite_store.cpp — opening the SQLite event store and writing to it: batched inserts in
// one transaction with prepared statements, insert-or-ignore on (agent_id, sequence), and the
// agents table's counters (store/sqlite_store.h, docs/store.md).
#include "store/sqlite_store.h"

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <algorithm>
#include <stdexcept>

#include "events/binary_codec.h"
#include "store/agent_tally.h"
#include "store/sqlite_checkpointer.h"
#include "store/sqlite_statements.h"

namespace cw::store {
namespace {

using events::Event;
using events::EventType;

int open_flags(const SqliteOptions& options) {
  // NOMUTEX: a connection belongs to one thread (sqlite_store.h), so SQLite need not lock it on
  // every call.
  return SQLite::OPEN_NOMUTEX |
         (options.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
}

SQLite::Database open_database(const std::filesystem::path& file, const SqliteOptions& options) {
  if (options.read_only && !std::filesystem::exists(file))
    throw std::runtime_error("no event database at " + file.string() +
                             " (give --db PATH or set CW_DATA_DIR; the collector creates it)");
  if (!options.read_only && file.has_parent_path())
    std::filesystem::create_directories(file.parent_path());
  try {
    return SQLite::Database{file.string(), open_flags(options), options.busy_timeout_ms};
  } catch (const SQLite::Exception& error) {
    throw std::runtime_error("cannot open event database " + file.string() + ": " + error.what());
  }
}

// The typed data and attributes, as a one-event batch of the wire codec; nothing if it has neither.
void encode_payload(const Event& event, std::vector<std::byte>& out) {
  if (event.data.index() != 0 || !event.attributes.empty())
    events::encode_batch(std::span{&event, 1}, out);
}

// Binds one event's row to parameters first+1 … first+kColumnsPerRow of `insert`. The agent id
// and payload are not copied: they must outlive the statement's step.
void bind_event(SQLite::Statement& insert, int first, const Event& event,
                std::span<const std::byte> payload) {
  static constexpr std::byte kNoPayload[1]{};
  insert.bindNoCopy(first + 1, event.agent_id);
  insert.bind(first + 2, static_cast<std::int64_t>(event.sequence));
  insert.bind(first + 3, static_cast<std::int64_t>(unix_ns(event.timestamp)));
  insert.bind(first + 4, static_cast<int>(event.type));
  insert.bind(first + 5, static_cast<int>(event.severity));
  insert.bindNoCopy(first + 6, payload.empty() ? kNoPayload : payload.data(),
                    static_cast<int>(payload.size()));
}

}  // namespace

SqliteEventStore::SqliteEventStore(const std::filesystem::path& file, SqliteOptions options)
    : db_(open_database(file, options)) {
  try {
    if (!options.read_only) {
      db_.exec("PRAGMA journal_mode = WAL");
      db_.exec(options.synchronous_full ? "PRAGMA synchronous = FULL"
                                        : "PRAGMA synchronous = NORMAL");
      migrate(db_);
    } else if (schema_version() != kSchemaVersion) {
      throw std::runtime_error("schema version " + std::to_string(schema_version()) +
                               " is not this chronowatch's (" + std::to_string(kSchemaVersion) +
                               ")");
    }
    db_.exec("PRAGMA cache_size = -65536");  // 64 MiB
    if (options.checkpoint_thread)
      checkpoint_elsewhere(file, options.checkpoint_pages);
    else if (!options.read_only)
      db_.exec("PRAGMA wal_autocheckpoint = " + std::to_string(options.checkpoint_pages));
    statements_ = std::make_unique<Statements>(db_);
    if (!options.read_only) {
      // Only the one writer that keeps the counters in memory rebuilds them: another writable
      // open beside it (retention, alert state, an import) would count its pending events twice.
      if (options.defer_agent_tallies) recover_tallies();  // a writer like it may have crashed
      defer_tallies_ = options.defer_agent_tallies;
      if (defer_tallies_) load_known_agents();
    }
  } catch (const std::exception& error) {
    throw std::runtime_error("event database " + file.string() + ": " + error.what());
  }
}

SqliteEventStore::~SqliteEventStore() {
  try {
    flush_agent_tallies();
  } catch (const std::exception&) {  // rebuilt from the events at the next start
  }
}

// Replaces SQLite's automatic checkpoint (in the COMMIT that crosses its threshold) with the
// checkpoint thread's: the hook runs after each commit with the WAL's length.
void SqliteEventStore::checkpoint_elsewhere(const std::filesystem::path& file, int pages) {
  checkpointer_ = std::make_unique<SqliteCheckpointer>(file, pages);
  sqlite3_wal_hook(
      db_.getHandle(),
      [](void* self, sqlite3* db, const char*, int wal_pages) {
        if (static_cast<SqliteCheckpointer*>(self)->on_commit(wal_pages))
          sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        return SQLITE_OK;
      },
      checkpointer_.get());
}

std::uint64_t SqliteEventStore::background_checkpoints() const {
  return checkpointer_ ? checkpointer_->checkpoints() : 0;
}

std::uint64_t SqliteEventStore::wal_restarts() const {
  return checkpointer_ ? checkpointer_->wal_restarts() : 0;
}

std::unique_lock<std::mutex> SqliteEventStore::write_gate() {
  return checkpointer_ ? std::unique_lock{checkpointer_->gate()} : std::unique_lock<std::mutex>{};
}

int SqliteEventStore::schema_version() { return db_.execAndGet("PRAGMA user_version").getInt(); }

// Events are stored by multi-row INSERTs of kRowsPerStatement events (one statement step and one
// opening of the table's and indexes' cursors for all of them). INSERT OR IGNORE then says only
// how many rows were new, not which: if any event of the batch was already stored (a resend after
// a lost acknowledgement: rare), the transaction is rolled back and done again one row at a time,
// so that the agents' counters count only what is new.
std::size_t SqliteEventStore::insert(std::span<const Event> events) {
  if (events.empty()) return 0;
  if (insert_if_all_new(events, nullptr)) return events.size();
  return insert_one_by_one(events, nullptr);
}

// As insert(), saying which were new and at which position. Positions are rowids: a rowid table
// without AUTOINCREMENT gives each new row max(rowid) + 1, and this connection is the only writer
// while its IMMEDIATE transaction lasts, so a multi-row INSERT's rows are consecutive.
InsertOutcome SqliteEventStore::insert_reporting(std::span<const Event> events) {
  InsertOutcome outcome;
  if (events.empty()) return outcome;
  if (insert_if_all_new(events, &outcome)) return outcome;
  outcome = {};
  insert_one_by_one(events, &outcome);
  return outcome;
}

void SqliteEventStore::note_new(InsertOutcome* outcome, std::size_t index, std::size_t rows) {
  if (!outcome) return;
  const std::int64_t last = db_.getLastInsertRowid();
  for (std::size_t i = 0; i < rows; ++i) {
    outcome->new_indices.push_back(index + i);
    outcome->positions.push_back(last - static_cast<std::int64_t>(rows - 1 - i));
  }
}

bool SqliteEventStore::insert_if_all_new(std::span<const Event> events, InsertOutcome* outcome) {
  const auto gate = write_gate();
  SQLite::Transaction transaction{db_, SQLite::TransactionBehavior::IMMEDIATE};
  auto& many = statements_->insert_events;
  std::vector<std::byte> payloads;
  std::vector<std::size_t> ends;
  std::size_t done = 0;
  for (; events.size() - done >= kRowsPerStatement; done += kRowsPerStatement) {
    const auto chunk = events.subspan(done, kRowsPerStatement);
    payloads.clear(), ends.clear();
    for (const auto& event : chunk)
      encode_payload(event, payloads), ends.push_back(payloads.size());
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      const std::size_t begin = i == 0 ? 0 : ends[i - 1];
      bind_event(many, static_cast<int>(i) * kColumnsPerRow, chunk[i],
                 std::span{payloads}.subspan(begin, ends[i] - begin));
    }
    const int changed = exec_and_reset(many);
    if (changed != static_cast<int>(kRowsPerStatement)) return false;  // rolled back
    note_new(outcome, done, kRowsPerStatement);
  }
  auto& one = statements_->insert_event;
  for (const auto& event : events.subspan(done)) {
    payloads.clear();
    encode_payload(event, payloads);
    bind_event(one, 0, event, payloads);
    const int changed = exec_and_reset(one);
    if (changed == 0) return false;
    note_new(outcome, static_cast<std::size_t>(&event - events.data()), 1);
  }
  AgentTallies tallies;
  for (const auto& event : events) tallies.add(event);
  const bool written = write_tallies_now(tallies);
  transaction.commit();
  keep_tallies(tallies, written);
  return true;
}

std::size_t SqliteEventStore::insert_one_by_one(std::span<const Event> events,
                                                InsertOutcome* outcome) {
  const auto gate = write_gate();
  SQLite::Transaction transaction{db_, SQLite::TransactionBehavior::IMMEDIATE};
  AgentTallies tallies;
  std::vector<std::byte> payload;
  auto& insert = statements_->insert_event;
  std::size_t inserted = 0;
  for (const auto& event : events) {
    payload.clear();
    encode_payload(event, payload);
    bind_event(insert, 0, event, payload);
    const int changed = exec_and_reset(insert);
    if (changed == 0) continue;
    note_new(outcome, static_cast<std::size_t>(&event - events.data()), 1);
    ++inserted;
    tallies.add(event);
  }
  const bool written = write_tallies_now(tallies);
  transaction.commit();
  keep_tallies(tallies, written);
  return inserted;
}

void SqliteEventStore::record_agent(const events::AgentIdentity& identity, Timestamp seen) {
  std::string addresses;
  for (const auto& address : identity.node.addresses) {
    if (!addresses.empty()) addresses += ',';
    addresses += address.to_string();
  }
  auto& statement = statements_->record_agent;
  statement.bind(1, identity.agent_id);
  statement.bind(2, identity.node.hostname);
  statement.bind(3, addresses);
  statement.bind(4, identity.version);
  statement.bind(5, static_cast<std::int64_t>(unix_ns(seen)));
  exec_and_reset(statement);
  known_agents_.insert(identity.agent_id);
}

void SqliteEventStore::set_agent_up(const std::string& agent_id, bool up, Timestamp at) {
  auto& statement = statements_->set_up;
  statement.bind(1, agent_id);
  statement.bind(2, up ? 1 : 0);
  statement.bind(3, static_cast<std::int64_t>(unix_ns(at)));
  exec_and_reset(statement);
  known_agents_.insert(agent_id);
}

}  // namespace cw::store
