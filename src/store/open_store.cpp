// store/open_store.cpp — open_store(url): which engine a URL names, and the URL the command-line
// flags and environment give (store/event_store.h).
#include <cstdlib>
#include <regex>
#include <stdexcept>

#include "store/postgres/pg_store.h"
#include "store/sqlite_store.h"

namespace cw::store {
namespace {

bool is_postgres(const std::string& url) {
  static const std::regex keywords{R"(^\s*(host|hostaddr|port|dbname|user|service)\s*=)"};
  return url.starts_with("postgresql:") || url.starts_with("postgres://") ||
         std::regex_search(url, keywords);
}

SqliteOptions sqlite_options(const StoreOptions& options) {
  return {.read_only = options.read_only,
          .checkpoint_thread = options.checkpoint_thread,
          .defer_agent_tallies = options.defer_agent_tallies};
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

std::unique_ptr<EventStore> open_store(const std::string& url, StoreOptions options) {
  if (url.empty()) throw std::runtime_error("no store given (--store URL or --db PATH)");
  if (url.starts_with("sqlite:")) {
    auto path = url.substr(7);
    if (path.starts_with("//")) path = path.substr(2);
    if (path.empty()) throw std::runtime_error("store " + url + ": sqlite: needs a file path");
    return std::make_unique<SqliteEventStore>(path, sqlite_options(options));
  }
  if (is_postgres(url))
    return std::make_unique<PgEventStore>(
        postgres_conninfo(url), PgOptions{.read_only = options.read_only, .clock = options.clock});
  if (url.find("://") != std::string::npos)
    throw std::runtime_error("store " + describe_store(url) +
                             ": unknown kind (use sqlite:PATH or postgresql://…)");
  return std::make_unique<SqliteEventStore>(url, sqlite_options(options));
}

std::string store_url(const std::string& store, const std::string& db) {
  if (!store.empty()) return store;
  if (!db.empty()) return "sqlite:" + db;
  if (auto from_env = env("CW_STORE"); !from_env.empty()) return from_env;
  if (auto from_env = env("CW_DB"); !from_env.empty()) return "sqlite:" + from_env;
  return "sqlite:" + default_database_path().string();
}

std::string describe_store(const std::string& url) {
  static const std::regex uri_password{R"((://[^:/@]*):[^@/]*@)"};
  static const std::regex keyword_password{R"(password\s*=\s*('[^']*'|\S+))"};
  auto out = std::regex_replace(url, uri_password, "$1:***@");
  return std::regex_replace(out, keyword_password, "password=***");
}

std::string postgres_conninfo(const std::string& url) {
  if (url.starts_with("sqlite:") || !is_postgres(url)) return {};
  return url.starts_with("postgresql:") && !url.starts_with("postgresql://") ? url.substr(11) : url;
}

}  // namespace cw::store
