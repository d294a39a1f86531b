// detect/net/net_support.cpp — event building and the adaptive threshold of
// detect/net/net_support.h.
#include "detect/net/net_support.h"

#include <algorithm>

namespace cw::detect {

events::Event network_event(events::EventType type, events::Severity severity, Timestamp when,
                            events::NetworkData data) {
  events::Event event;
  event.timestamp = when;
  event.type = type;
  event.severity = severity;
  event.data = std::move(data);
  return event;
}

void add_attribute(events::Event& event, std::string key, std::int64_t value) {
  event.attributes.push_back({std::move(key), value});
}

void add_attribute(events::Event& event, std::string key, std::string value) {
  event.attributes.push_back({std::move(key), std::move(value)});
}

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::detected:
      return "detected";
    case Phase::update:
      return "update";
    case Phase::ended:
      return "ended";
  }
  return "unknown";
}

std::uint64_t attack_id(std::uint64_t detector, const IpAddress& key, Timestamp decided_at) {
  return mix64(hash_address(key, detector) ^
               static_cast<std::uint64_t>(decided_at.time_since_epoch().count()));
}

void add_phase(events::Event& event, Phase phase, std::uint64_t id) {
  add_attribute(event, "phase", std::string(to_string(phase)));
  char hex[17];
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) hex[i] = kDigits[(id >> (60 - 4 * i)) & 15];
  hex[16] = '\0';
  add_attribute(event, "attack_id", std::string(hex));
  if (phase == Phase::update) add_attribute(event, "ongoing", std::int64_t{1});
}

void AdaptiveThreshold::observe(double value) {
  if (!config_.enabled) return;
  if (samples_++ == 0) {
    mean_ = value;
    return;
  }
  // Exponentially weighted mean and variance (West 1979 / Finch 2009 incremental form).
  const double diff = value - mean_;
  const double increment = config_.weight * diff;
  mean_ += increment;
  variance_ = (1 - config_.weight) * (variance_ + diff * increment);
}

double AdaptiveThreshold::threshold(double configured) const {
  if (!config_.enabled || samples_ < config_.min_samples) return configured;
  return std::max(configured, mean_ + config_.k * sigma());
}

}  // namespace cw::detect
