// apps/collector/alerting/alert_state_store.cpp — loading and saving the alerting state.
#include "apps/collector/alerting/alert_state_store.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>

namespace cw::apps {
namespace {

constexpr const char* kAlert = "alert";
constexpr const char* kSilence = "silence";
constexpr const char* kSuppression = "suppression";
constexpr const char* kEngine = "alerting";
constexpr const char* kProgress = "alert_progress";  // id "evaluation"
constexpr const char* kWindows = "alert_windows";    // id "correlation"

// Decodes every document of `kind` with `decode`, adding the good ones to `out`.
template <typename Decode, typename Out>
void load_kind(store::EventStore& store, const std::string& kind, Decode decode, Out& out,
               std::map<std::string, std::string>& written) {
  for (const auto& record : store.read_state(kind)) {
    auto value = decode(record.body);
    if (!value) {
      spdlog::warn("alerts: stored {} {} skipped: {}", kind, record.id, value.error());
      continue;
    }
    written[record.id] = record.body;
    out.push_back(std::move(*value));
  }
}

}  // namespace

AlertStateStore::AlertStateStore(const std::string& store_url, const std::string& listen)
    : store_(store::open_store(store_url)) {
  if (!store_->shared_by_collectors()) return;
  std::array<char, 256> host{};
  ::gethostname(host.data(), host.size() - 1);
  scope_ = std::string(host.data()) + " " + listen;
}

std::string AlertStateStore::kind(const char* base) const {
  return scope_.empty() ? std::string(base) : std::string(base) + "@" + scope_;
}

// The single document of `kind`, if it is stored and decodes.
template <typename T, typename Decode>
std::optional<T> load_one(store::EventStore& store, const std::string& kind, Decode decode,
                          std::map<std::string, std::string>& written) {
  std::vector<T> found;
  load_kind(store, kind, decode, found, written);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

StoredAlerting AlertStateStore::load() {
  StoredAlerting out;
  out.progress = load_one<alerts::EvaluationProgress>(
      *store_, kind(kProgress), alerts::decode_progress, written_[kind(kProgress)]);
  out.windows = load_one<alerts::CorrelationWindows>(
      *store_, kind(kWindows), alerts::decode_windows, written_[kind(kWindows)]);
  if (shared())
    for (auto& record : store_->read_state(agents_kind()))
      out.agents.push_back(std::move(record.id));
  out.engine = load_engine();
  return out;
}

alerts::EngineState AlertStateStore::load_engine() {
  std::lock_guard saving(mutex_);
  alerts::EngineState state;
  load_kind(*store_, kind(kAlert), alerts::decode_alert, state.alerts, written_[kind(kAlert)]);
  load_kind(*store_, kind(kSilence), alerts::decode_silence, state.silences,
            written_[kind(kSilence)]);
  load_kind(*store_, kind(kSuppression), alerts::decode_suppression, state.suppressions,
            written_[kind(kSuppression)]);
  std::vector<alerts::EngineTotals> totals;
  load_kind(*store_, kind(kEngine), alerts::decode_totals, totals, written_[kind(kEngine)]);
  if (!totals.empty()) {
    state.counters = std::move(totals.front().counters);
    state.next_id = totals.front().next_id;
  }
  return state;
}

AlertStateStore::Snapshot AlertStateStore::take(alerts::Alerting& alerting) {
  auto& engine = alerting.engine();
  return {engine.take_changes(),
          engine.silences(),
          engine.suppressions(),
          engine.counters(),
          engine.next_id(),
          alerting.windows(),
          {}};
}

void AlertStateStore::encode(Snapshot snapshot, std::vector<store::StateRecord>& records) {
  const auto& changes = snapshot.changes;
  auto& alerts = written_[kind(kAlert)];
  for (auto& [id, record] : retry_) {
    alerts[id] = record.body;
    records.push_back(std::move(record));
  }
  retry_.clear();
  for (const auto& alert : changes.changed) {
    auto body = alerts::encode_alert(alert);
    auto& known = alerts[alert.id];
    if (known == body) continue;
    known = body;
    records.push_back({kind(kAlert), alert.id, std::move(body)});
  }
  for (const auto& id : changes.forgotten)
    if (alerts.erase(id) > 0) records.push_back({kind(kAlert), id, ""});
  std::map<std::string, std::string> silences, suppressions;
  for (const auto& silence : snapshot.silences)
    silences[silence.id] = alerts::encode_silence(silence);
  for (const auto& suppression : snapshot.suppressions)
    suppressions[suppression.id] = alerts::encode_suppression(suppression);
  diff(kind(kSilence), std::move(silences), records);
  diff(kind(kSuppression), std::move(suppressions), records);
  diff(kind(kEngine), {{"totals", alerts::encode_totals({snapshot.counters, snapshot.next_id})}},
       records);
  diff(kind(kWindows), {{"correlation", alerts::encode_windows(snapshot.windows)}}, records);
  if (snapshot.mark.progress)
    diff(kind(kProgress), {{"evaluation", alerts::encode_progress(*snapshot.mark.progress)}},
         records);
}

void AlertStateStore::diff(const std::string& kind, std::map<std::string, std::string> now,
                           std::vector<store::StateRecord>& records) {
  auto& written = written_[kind];
  for (const auto& [id, body] : written)
    if (!now.contains(id)) records.push_back({kind, id, ""});
  for (const auto& [id, body] : now)
    if (auto found = written.find(id); found == written.end() || found->second != body)
      records.push_back({kind, id, body});
  written = std::move(now);
}

bool AlertStateStore::write(const std::vector<store::StateRecord>& records) {
  if (records.empty()) return true;
  try {
    store_->write_state(records);
    return true;
  } catch (const std::exception& error) {
    // What was not written is written with the next change of the same document.
    if (failures_++ % 100 == 0)
      spdlog::error("alerts: cannot store the alerting state ({} documents): {}", records.size(),
                    error.what());
    for (const auto& record : records) {
      written_[record.kind].erase(record.id);
      // The others are whole documents compared at every save; an alert is written only when
      // it changes, so it is kept to be written with the next save.
      if (record.kind == kind(kAlert)) retry_[record.id] = record;
    }
    return false;
  }
}

}  // namespace cw::apps
