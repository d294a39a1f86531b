// apps/netmon/netmon_config.h — the `network_monitor:` section of the YAML config file as a
// cw::detect::NetmonConfig. Thin: the document the options layer loaded once in, the detector
// families' readers (detect/netmon_config.h) do the rest; a bad or unknown key is one
// NetmonConfigError naming the key, which the command reports as a usage error (status 2).
#pragma once

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <string>

#include "detect/netmon_config.h"

namespace cw::apps {

using NetmonConfigError = detect::ConfigError;

// The configuration in the `network_monitor:` section of a config document already loaded (the one
// the options layer read, apps/common/yaml_config.h), defaults for everything absent; a null
// document gives the defaults.
detect::NetmonConfig netmon_config_from(const YAML::Node& document);
// The same from YAML text (tests, fuzz/apps_netmon_config.cpp).
detect::NetmonConfig parse_netmon_config(const std::string& yaml_text);

// For a command that reads `network_monitor:`: declares the section to the config loader (its keys
// are the detectors' readers', not options), and, from a parse callback, reads it from the loaded
// document (a CLI::ValidationError naming the file and the key when it is wrong: exit 2).
void read_netmon_section(CLI::App& command);
detect::NetmonConfig netmon_config_for(const CLI::App& command);

}  // namespace cw::apps
