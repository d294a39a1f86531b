// apps/common/yaml_config.cpp — YAML → CLI11 config items (see yaml_config.h).
#include "apps/common/yaml_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace cw::apps {
namespace {

std::string flag_name(std::string key) {
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

bool is_scalar_list(const YAML::Node& node) {
  return node.IsSequence() &&
         std::all_of(node.begin(), node.end(), [](const YAML::Node& n) { return n.IsScalar(); });
}

void collect(const YAML::Node& map, std::vector<std::string>& parents,
             std::vector<CLI::ConfigItem>& items) {
  for (const auto& entry : map) {
    const auto key = flag_name(entry.first.as<std::string>());
    const YAML::Node& value = entry.second;
    if (value.IsMap()) {
      parents.push_back(key);
      collect(value, parents, items);
      parents.pop_back();
    } else if (value.IsScalar() || is_scalar_list(value)) {
      CLI::ConfigItem item;
      item.parents = parents;
      item.name = key;
      if (value.IsScalar()) {
        item.inputs.push_back(value.as<std::string>());
      } else {
        for (const auto& element : value) item.inputs.push_back(element.as<std::string>());
      }
      items.push_back(std::move(item));
    }
    // Lists of maps (allow-lists and the like) are read by the module that owns the section.
  }
}

}  // namespace

std::vector<CLI::ConfigItem> YamlConfig::from_config(std::istream& input) const {
  YAML::Node document;
  try {
    document = YAML::Load(input);
  } catch (const YAML::Exception& error) {
    throw CLI::ConfigError("config file is not valid YAML: " + std::string(error.what()));
  }
  std::vector<CLI::ConfigItem> parsed;
  if (document.IsNull()) return parsed;
  if (!document.IsMap()) throw CLI::ConfigError("config file must be a YAML mapping of keys");
  std::vector<std::string> parents;
  collect(document, parents, parsed);
  std::erase_if(parsed, [this](const CLI::ConfigItem& item) { return set_by_environment(item); });
  return parsed;
}

// CLI11 applies the config file before the environment, which would let the file win; items whose
// option is also given by a set environment variable are dropped here so that the environment wins.
bool YamlConfig::set_by_environment(const CLI::ConfigItem& item) const {
  const CLI::App* app = &root_;
  for (const auto& parent : item.parents) {
    const auto subcommands =
        app->get_subcommands([&](const CLI::App* sub) { return sub->get_name() == parent; });
    if (subcommands.empty()) return false;
    app = subcommands.front();
  }
  const auto* option = app->get_option_no_throw("--" + item.name);
  if (option == nullptr || option->get_envname().empty()) return false;
  const char* value = std::getenv(option->get_envname().c_str());
  return value != nullptr && *value != '\0';
}

std::string YamlConfig::to_config(const CLI::App* app, bool default_also,
                                  bool /*write_description*/, std::string /*prefix*/) const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const auto* option : app->get_options()) {
    if (option->get_lnames().empty() || !option->get_configurable()) continue;
    const auto results = option->results();
    if (results.empty() && !default_also) continue;
    out << YAML::Key << option->get_lnames().front();
    out << YAML::Value << (results.empty() ? option->get_default_str() : results.front());
  }
  out << YAML::EndMap;
  return out.c_str();
}

}  // namespace cw::apps
