// apps/history/event_cli.h — what `chronowatch events`, `agents` and `replay` share: the store
// options, time arguments ("1h", "30m", "7d", "now", ISO 8601), and the readable line of an
// event.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "events/event.h"

namespace cw::apps {

// --store URL (environment CW_STORE: sqlite:PATH, postgresql://…) and --db PATH, its SQLite
// shorthand (environment CW_DB); default $CW_DATA_DIR/events.db or /var/lib/chronowatch/events.db.
void add_store_options(CLI::App& command, std::string& store, std::string& db);
std::string resolved_store_url(const std::string& store, const std::string& db);

// "now", "90s", "30m", "1h", "7d", "2w" (that long before `now`), or an ISO 8601 time
// ("2025-11-29T17:05:01Z", "2025-11-29 17:05", "2025-11-29"; no zone = UTC). nullopt otherwise.
std::optional<Timestamp> parse_time_arg(std::string_view text, Timestamp now);

// "2025-11-29T17:05:01.442511Z  agent-01  #41  time_drift  high  offset +150.123 ms ..."
std::string event_line(const events::Event& event);
std::string event_details(const events::Event& event);

}  // namespace cw::apps
