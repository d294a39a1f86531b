// apps/common/yaml_config.cpp — YAML → CLI11 config items (see yaml_config.h).
#include "apps/common/yaml_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
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

const CLI::App& root_of(const CLI::App& app) {
  const CLI::App* root = &app;
  while (root->get_parent() != nullptr) root = root->get_parent();
  return *root;
}

std::string dotted(const CLI::ConfigItem& item) {
  std::string key;
  for (const auto& parent : item.parents) key += parent + ".";
  key += item.name;
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

}  // namespace

YamlConfig* yaml_config_of(const CLI::App& app) {
  return dynamic_cast<YamlConfig*>(root_of(app).get_config_formatter().get());
}

const YAML::Node& loaded_config(const CLI::App& app) {
  static const YAML::Node kNone;
  const auto* config = yaml_config_of(app);
  return config != nullptr ? config->document() : kNone;
}

std::string config_path(const CLI::App& app) {
  const auto* option = root_of(app).get_option_no_throw("--config");
  return option != nullptr && option->count() > 0 ? option->as<std::string>() : std::string{};
}

void YamlConfig::add_alias(const std::string& dotted_key, const std::string& command,
                           const std::string& name) {
  aliases_[dotted_key] = {command, name};
}

std::vector<CLI::ConfigItem> YamlConfig::from_config(std::istream& input) const {
  try {
    document_ = YAML::Load(input);
  } catch (const YAML::Exception& error) {
    throw CLI::ConfigError("config file is not valid YAML: " + std::string(error.what()));
  }
  std::vector<CLI::ConfigItem> parsed;
  if (document_.IsNull()) return parsed;
  if (!document_.IsMap()) throw CLI::ConfigError("config file must be a YAML mapping of keys");
  std::vector<std::string> parents;
  collect(document_, parents, parsed);
  map_aliases(parsed);
  std::erase_if(parsed, [this](const CLI::ConfigItem& item) {
    if (!item.parents.empty()) {
      auto section = item.parents.front();
      std::replace(section.begin(), section.end(), '-', '_');
      if (structured_.count(section) > 0) return true;
    }
    if (known(item)) return false;
    std::fprintf(stderr,
                 "chronowatch: warning: config %s: unknown key %s (not an option of any "
                 "command; misspelt?); ignored\n",
                 config_path(root_).c_str(), dotted(item).c_str());
    return true;
  });
  std::erase_if(parsed, [this](const CLI::ConfigItem& item) { return set_by_environment(item); });
  return parsed;
}

// Seed 002's keys that mean one of our options become that option's item.
void YamlConfig::map_aliases(std::vector<CLI::ConfigItem>& parsed) const {
  for (auto& item : parsed) {
    const auto alias = aliases_.find(dotted(item));
    if (alias == aliases_.end()) continue;
    item.parents = {alias->second.first};
    item.name = alias->second.second;
  }
}

// The option an item names (of the root, or of the command its section is named after), or null.
const CLI::Option* YamlConfig::option_of(const CLI::ConfigItem& item) const {
  const CLI::App* app = &root_;
  for (const auto& parent : item.parents) {
    const auto subcommands =
        app->get_subcommands([&](const CLI::App* sub) { return sub->get_name() == parent; });
    if (subcommands.empty()) return nullptr;
    app = subcommands.front();
  }
  return app->get_option_no_throw("--" + item.name);
}

bool YamlConfig::known(const CLI::ConfigItem& item) const { return option_of(item) != nullptr; }

// CLI11 applies the config file before the environment, which would let the file win; items whose
// option is also given by a set environment variable are dropped here so that the environment wins.
bool YamlConfig::set_by_environment(const CLI::ConfigItem& item) const {
  const auto* option = option_of(item);
  if (option == nullptr || option->get_envname().empty()) return false;
  const char* value = std::getenv(option->get_envname().c_str());
  return value != nullptr && *value != '\0';
}

// CLI11's config writer (App::config_to_str), written by hand: yaml-cpp's emitter is ~85 kB of
// code that every program mapped for this one function. Values are YAML double-quoted scalars
// (YAML 1.2, 7.3.1): quote and backslash escaped, control characters as \xXX.
std::string yaml_quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + '"';
}

std::string YamlConfig::to_config(const CLI::App* app, bool default_also,
                                  bool /*write_description*/, std::string /*prefix*/) const {
  std::string out;
  for (const auto* option : app->get_options()) {
    if (option->get_lnames().empty() || !option->get_configurable()) continue;
    const auto results = option->results();
    if (results.empty() && !default_also) continue;
    out += option->get_lnames().front() + ": " +
           yaml_quoted(results.empty() ? option->get_default_str() : results.front()) + "\n";
  }
  return out;
}

}  // namespace cw::apps
