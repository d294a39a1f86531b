// apps/collector/collector_console.h — the collector's console (src/web), when --http is given:
// its options checked, the store opened again read-only for it, its token file beside the
// database, the collector's snapshot behind /metrics and /api/v1/stats.
#pragma once

#include <functional>
#include <memory>

#include "apps/collector/collector_runtime.h"
#include "apps/collector/collector_snapshot.h"
#include "web/console.h"

namespace cw::apps {

// Null without --http. Throws std::runtime_error for a bad address, token file or TLS files.
// `alerts`: its routes and counters join the console's (null: none). It runs on `loop` (the
// collector's event loop, collector_loop.h).
std::unique_ptr<web::Console> make_console(boost::asio::io_context& loop, Clock& clock,
                                           const CollectorCommandOptions& options,
                                           std::function<CollectorSnapshot()> snapshot,
                                           AlertService* alerts = nullptr);

}  // namespace cw::apps
