// apps/common/yaml_config.h — lets CLI11 read chronowatch's YAML config file, with the precedence
// users expect: flags over environment over file. A section named after a subcommand sets that
// subcommand's options (`agent: {threshold: 120}` sets `agent --threshold`); `snake_case` keys
// match `--kebab-case` flags. The document is loaded once, here; sections read structurally
// (`network_monitor:`) are handed to their readers as YAML nodes (loaded_config()), and keys that
// mean an option from outside its section (seed 002's `zeromq.publisher.endpoint`) are aliases.
// A key that is neither an option, nor an alias, nor in a structured section is named in a warning.
#pragma once

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <istream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace cw::apps {

// `text` as a YAML double-quoted scalar (what YamlConfig::to_config writes values as).
std::string yaml_quoted(const std::string& text);

class YamlConfig : public CLI::Config {
 public:
  explicit YamlConfig(const CLI::App& root) : root_(root) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;

  // `dotted_key` ("zeromq.publisher.endpoint") sets option `--name` of `command`.
  void add_alias(const std::string& dotted_key, const std::string& command,
                 const std::string& name);
  // A top-level section read by a module from the document (`network_monitor`).
  void add_structured_section(const std::string& name) { structured_.insert(name); }
  // The loaded document (null when no --config was given).
  const YAML::Node& document() const { return document_; }

 private:
  bool set_by_environment(const CLI::ConfigItem& item) const;
  bool known(const CLI::ConfigItem& item) const;
  const CLI::Option* option_of(const CLI::ConfigItem& item) const;
  void map_aliases(std::vector<CLI::ConfigItem>& parsed) const;
  const CLI::App& root_;
  std::map<std::string, std::pair<std::string, std::string>> aliases_;
  std::set<std::string> structured_;
  mutable YAML::Node document_;
};

// The YamlConfig of the root app `app` belongs to (nullptr when another formatter is set).
YamlConfig* yaml_config_of(const CLI::App& app);
// The config document the root of `app` loaded (a null node without --config).
const YAML::Node& loaded_config(const CLI::App& app);
// The --config path, for messages ("" without one).
std::string config_path(const CLI::App& app);

}  // namespace cw::apps
