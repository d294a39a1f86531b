// tests/unit/store/store_engines.h — the engines the typed store contract suite runs on: each
// makes an empty store for one test and can open it again (also read-only). SQLite in a
// temporary directory.
#pragma once

#include <memory>
#include <string>

#include "store/event_store.h"
#include "temp_dir.h"

namespace cw::store::testing {

struct SqliteEngine {
  static constexpr const char* kName = "sqlite";
  TempDir dir;
  std::string url() const { return "sqlite:" + dir.file("events.db").string(); }
};

}  // namespace cw::store::testing
