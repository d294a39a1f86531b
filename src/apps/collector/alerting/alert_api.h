// apps/collector/alerting/alert_api.h — the operator's side of alerting in the console's REST API
// (behind its token), and the alerting counters in its /metrics:
//   GET  /api/v1/alerts[?status=firing|resolved]   alerts (newest first) and counters
//   GET  /api/v1/alerts/{id}
//   POST /api/v1/alerts/{id}/ack                   {"by": "ana"}
//   POST /api/v1/alerts/{id}/false-positive        {"reason", "scope": source|source_destination|
//                                                   rule, "expires": ISO-8601 or "24h", "by"}
//   GET  /api/v1/silences, POST /api/v1/silences   {"match", "ends" or "duration", "comment",
//                                                   "created_by"}; DELETE /api/v1/silences/{id}
//   GET  /api/v1/suppressions, DELETE /api/v1/suppressions/{id}
#pragma once

#include <optional>

#include "apps/collector/alerting/alert_service.h"
#include "web/http_types.h"
#include "web/metrics.h"
#include "web/query.h"

namespace cw::apps {

std::optional<web::HttpResponse> alert_routes(AlertService& alerts, const web::HttpRequest& request,
                                              const web::Target& target);
void alert_metrics(AlertService& alerts, web::PrometheusText& out);

}  // namespace cw::apps
