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
