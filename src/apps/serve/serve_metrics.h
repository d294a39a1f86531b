// apps/serve/serve_metrics.h — `serve --metrics ADDR:PORT`: the server's counters and served state
// in Prometheus text. Names follow ntpd-rs's where one exists: received packets, responses by
// kind, drops by reason; the T3 − T2 latency as a histogram.
#pragma once

#include <string>

#include "apps/serve/serve_report.h"

namespace cw::apps {

std::string serve_metrics_text(const ServeReport& report);

}  // namespace cw::apps
