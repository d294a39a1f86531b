// detect/net/net_support.h — small pieces the network detectors share: the sink they report events
// to, an event builder, a bounded list of first values, a linear-counting distinct estimator, the
// adaptive (mean + k·σ) threshold and the expiry of raised alarms.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "detect/lru_table.h"
#include "detect/netmon_config.h"
#include "events/event.h"

namespace cw::detect {

// Where detectors put what they found. Called once per attack, never per packet.
using EventSink = std::function<void(events::Event&&)>;

events::Event network_event(events::EventType type, events::Severity severity, Timestamp when,
                            events::NetworkData data);
void add_attribute(events::Event& event, std::string key, std::int64_t value);
void add_attribute(events::Event& event, std::string key, std::string value);

// The first N distinct values seen (ports, for the event's `ports`).
template <typename T, std::size_t N>
struct FirstValues {
  std::array<T, N> values{};
  std::uint8_t size = 0;
  void add(T v) {
    for (std::uint8_t i = 0; i < size; ++i)
      if (values[i] == v) return;
    if (size < N) values[size++] = v;
  }
  template <typename Out>
  void copy_to(Out& out) const {
    out.assign(values.begin(), values.begin() + size);
  }
};

// Linear counting (Whang et al. 1990) over 256 bits: distinct values up to a few hundred with a
// few percent error, in 32 bytes.
struct DistinctCounter {
  std::array<std::uint64_t, 4> bits{};
  void add(std::uint64_t hash) {
    const auto bit = mix64(hash) & 255u;
    bits[bit >> 6] |= std::uint64_t{1} << (bit & 63u);
  }
  std::uint32_t estimate() const {
    int set = 0;
    for (auto word : bits) set += __builtin_popcountll(word);
    if (set >= 256) return 1500;  // saturated: "many"
    return static_cast<std::uint32_t>(std::lround(-256.0 * std::log(1.0 - set / 256.0)));
  }
  void clear() { bits = {}; }
};

// A baseline of what a detector measures per window (EWMA mean and variance) and the threshold
// it suggests: max(configured, mean + k·σ) once min_samples observations are in.
class AdaptiveThreshold {
 public:
  explicit AdaptiveThreshold(const AdaptiveConfig& config) : config_(config) {}
  void observe(double value);
  double threshold(double configured) const;
  double mean() const { return mean_; }
  double sigma() const { return std::sqrt(variance_); }

 private:
  AdaptiveConfig config_;
  double mean_ = 0, variance_ = 0;
  std::uint64_t samples_ = 0;
};

// An attack's records (issue 14): `detected` as soon as the detector decides, `update` while it
// grows (at most every report_interval), `ended` once, when it is over. All carry one attack id.
enum class Phase : std::uint8_t { detected, update, ended };
std::string_view to_string(Phase phase);
std::uint64_t attack_id(std::uint64_t detector, const IpAddress& key, Timestamp decided_at);
// Adds "phase" and "attack_id" (16 hex digits), and "ongoing": 1 on updates (the older name).
void add_phase(events::Event& event, Phase phase, std::uint64_t id);

// The larger of two timestamps: detectors run on packet time, which may step backwards.
inline Timestamp later(Timestamp a, Timestamp b) { return a < b ? b : a; }

// The alarms a detector has raised (`active`, keys into `table`): each is reported again every
// `report_interval` while it lasts (ongoing = true), and a last time when its entry has been
// quiet for `idle`, which also forgets the entry. Keys whose entry is gone or no longer raised
// (evicted, and reported then) leave `active`. Entries have `last` and `last_report` times.
template <typename Table, typename IsRaised, typename Report>
void expire_alarms(std::vector<IpAddress>& active, Table& table, Timestamp now, Duration idle,
                   Duration report_interval, IsRaised is_raised, Report report) {
  std::erase_if(active, [&](const IpAddress& key) {
    auto* entry = table.find(key);
    if (entry == nullptr || !is_raised(*entry)) return true;
    if (entry->last + idle <= now) {
      report(key, *entry, now, false);
      table.erase(key);
      return true;
    }
    if (entry->last_report + report_interval <= now) report(key, *entry, now, true);
    return false;
  });
}

}  // namespace cw::detect
