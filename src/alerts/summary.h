// alerts/summary.h — the one line an operator reads first about an alert, made from its latest
// event ("time_drift on node-17: offset +600.000 s against 10.0.0.1:123 (3 events)").
#pragma once

#include <string>

#include "alerts/rules.h"

namespace cw::alerts {

std::string summarize(const Rule& rule, const events::Event& event, std::uint64_t count);

}  // namespace cw::alerts
