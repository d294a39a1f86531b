// alerts/labels.h — the labels an event is known by when rules, silences and suppressions look at
// it (Alertmanager's model: a set of name=value pairs), and the glob patterns that match them.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "events/event.h"

namespace cw::alerts {

using Labels = std::map<std::string, std::string>;

// The label names a matcher may use: type, severity, agent, kind, source, destination, port,
// server, incident, phase (an attack's "ongoing"/"ended", an incident's "open"/"ended").
bool is_known_label(std::string_view name);

// type, severity, agent always; the others when the event has them (port: the first port).
Labels labels_of(const events::Event& event);

// Shell-style glob: `*` any run of characters, `?` one character, everything else literal.
bool glob_match(std::string_view pattern, std::string_view text);

// "agent:sequence", how an alert and an incident name their member events.
std::string event_id(const events::Event& event);

// A string attribute of the event, or empty.
std::string text_attribute(const events::Event& event, std::string_view key);
bool has_attribute(const events::Event& event, std::string_view key);

}  // namespace cw::alerts
