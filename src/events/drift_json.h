// events/drift_json.h — the MQTT JSON payload of seed 000's drift agent, made from an Event:
// the seed's fields with their names and meanings (`event`, `offset`, `abs_offset`, `threshold`,
// `timestamp`: ISO 8601 UTC with microseconds) plus `agent_id`, `server`, `delay`, `stratum`,
// `error_bound`, `severity`, `sequence`, and for other clock events what they measured (`step`,
// `frequency_ppm`) and their attributes. Seconds are JSON numbers; offset = server − local
// (RFC 5905 θ, as ntplib reports it: negative when the local clock is ahead). Pure.
#pragma once

#include <string>

#include "events/event.h"

namespace cw::events {

std::string to_drift_json(const Event& event);

}  // namespace cw::events
