// apps/netmon/netmon_config.cpp — loads the YAML file and hands `network_monitor:` to the detector
// families' readers (apps/netmon/netmon_config.h).
#include "apps/netmon/netmon_config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace cw::apps {
namespace {

detect::NetmonConfig from_document(const YAML::Node& document) {
  if (document.IsNull()) return {};
  if (!document.IsMap())
    throw NetmonConfigError("(top level): the config file must be a YAML mapping");
  return detect::read_netmon_config(document["network_monitor"]);
}

}  // namespace

detect::NetmonConfig parse_netmon_config(const std::string& yaml_text) {
  YAML::Node document;
  try {
    document = YAML::Load(yaml_text);
  } catch (const YAML::Exception& error) {
    throw NetmonConfigError(std::string("not valid YAML: ") + error.what());
  }
  return from_document(document);
}

detect::NetmonConfig load_netmon_config(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream file(path);
  if (!file) throw NetmonConfigError(path + ": cannot be read");
  std::stringstream text;
  text << file.rdbuf();
  try {
    return parse_netmon_config(text.str());
  } catch (const NetmonConfigError& error) {
    throw NetmonConfigError(path + ": " + error.what());
  }
}

}  // namespace cw::apps
