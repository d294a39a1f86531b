// tests/unit/store/store_engines.h — the engines the typed store contract suite runs on: each
// makes an empty store for one test and can open it again (also read-only). SQLite in a
// temporary directory; PostgreSQL as a fresh database of one throwaway cluster per test process
// (tests/support/postgres_cluster.h: started here, stopped at exit, never skipped).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "store/event_store.h"
#include "support/postgres_cluster.h"
#include "support/temp_dir.h"

namespace cw::store::testing {

struct SqliteEngine {
  static constexpr const char* kName = "sqlite";
  cw::testing::TempDir dir;
  std::string url() const { return "sqlite:" + dir.file("events.db").string(); }
};

inline cw::testing::PostgresCluster& test_cluster() {
  static cw::testing::PostgresCluster cluster;
  return cluster;
}

struct PostgresEngine {
  static constexpr const char* kName = "postgresql";
  PostgresEngine() : database("cw_test_" + std::to_string(next()++)) {
    test_cluster().create_database(database);
  }
  std::string url() const { return test_cluster().conninfo(database); }
  std::string database;

 private:
  static std::atomic<int>& next() {
    static std::atomic<int> n{1};
    return n;
  }
};

// A typed suite's fixture: a fresh store of `Engine` per test (reopen with engine_.url()), and
// the suite's names by engine.
template <typename Engine>
class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : store_(open_store(engine_.url())) {}
  EventStore& store() { return *store_; }
  Engine engine_;
  std::unique_ptr<EventStore> store_;
};

struct EngineNames {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

}  // namespace cw::store::testing
