// apps/netmon/netmon_config.cpp — hands `network_monitor:` of the loaded config document to the
// detector families' readers (apps/netmon/netmon_config.h).
#include "apps/netmon/netmon_config.h"

#include "apps/common/yaml_config.h"

namespace cw::apps {

detect::NetmonConfig netmon_config_from(const YAML::Node& document) {
  if (document.IsNull()) return {};
  if (!document.IsMap())
    throw NetmonConfigError("(top level): the config file must be a YAML mapping");
  return detect::read_netmon_config(document["network_monitor"]);
}

detect::NetmonConfig parse_netmon_config(const std::string& yaml_text) {
  YAML::Node document;
  try {
    document = YAML::Load(yaml_text);
  } catch (const YAML::Exception& error) {
    throw NetmonConfigError(std::string("not valid YAML: ") + error.what());
  }
  return netmon_config_from(document);
}

void read_netmon_section(CLI::App& command) {
  if (auto* config = yaml_config_of(command)) config->add_structured_section("network_monitor");
}

detect::NetmonConfig netmon_config_for(const CLI::App& command) {
  try {
    return netmon_config_from(loaded_config(command));
  } catch (const NetmonConfigError& error) {
    throw CLI::ValidationError("--config", "config " + config_path(command) + ": " + error.what());
  }
}

}  // namespace cw::apps
