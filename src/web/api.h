// web/api.h — the console's routes: /healthz, POST /api/v1/session, the REST API v1 (agents,
// events with keyset pages, one event, offset series, stats), /metrics, and the embedded
// dashboard files. Everything but /healthz, the session login and the dashboard's static files
// needs the token. Runs on the console's loop, reading the store on the web's own connection.
// Routes and bodies: docs/api.md, docs/openapi.yaml.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "store/event_store.h"
#include "web/agent_view.h"
#include "web/auth.h"
#include "web/http_types.h"
#include "web/query.h"

namespace cw::web {

struct ApiSources {
  std::function<nlohmann::ordered_json()> stats;  // GET /api/v1/stats
  std::function<std::string()> metrics;           // GET /metrics (Prometheus text)
  std::function<Timestamp()> now;
  // Routes another module serves behind the token (the collector's /api/v1/alerts...): an answer,
  // or nullopt for "not mine".
  std::function<std::optional<HttpResponse>(const HttpRequest&, const Target&)> extra;
};

class Api {
 public:
  Api(store::EventStore& reads, const AgentViews& views, const TokenAuth& auth, ApiSources sources);
  HttpResponse handle(const HttpRequest& request);
  std::uint64_t requests() const { return requests_; }
  std::uint64_t unauthorized() const { return unauthorized_; }

 private:
  HttpResponse route(const HttpRequest& request, const Target& target);
  HttpResponse agents();
  HttpResponse agent(const std::string& id);
  HttpResponse events(const Target& target);
  HttpResponse event(const std::string& agent, const std::string& sequence);
  HttpResponse series(const Target& target);
  HttpResponse file(const std::string& path);

  store::EventStore& reads_;
  const AgentViews& views_;
  const TokenAuth& auth_;
  ApiSources sources_;
  std::uint64_t requests_ = 0, unauthorized_ = 0;
};

}  // namespace cw::web
