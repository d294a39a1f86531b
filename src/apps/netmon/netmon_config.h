// apps/netmon/netmon_config.h — reads seed 002's `network_monitor:` section of the YAML config file
// into cw::detect::NetmonConfig. Thin: the file in, the detector families' readers
// (detect/netmon_config.h) do the rest; a bad or unknown key is one NetmonConfigError naming the
// key, which the command prints before exiting with status 2.
#pragma once

#include <stdexcept>
#include <string>

#include "detect/netmon_config.h"

namespace cw::apps {

using NetmonConfigError = detect::ConfigError;

// The configuration in `path` (defaults for everything absent). An empty path gives the defaults.
detect::NetmonConfig load_netmon_config(const std::string& path);
// The same from YAML text (tests).
detect::NetmonConfig parse_netmon_config(const std::string& yaml_text);

}  // namespace cw::apps
