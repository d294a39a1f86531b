// apps/common/yaml_config.h — lets CLI11 read chronowatch's YAML config file, with the precedence
// users expect: flags over environment over file. A section named after a subcommand sets that
// subcommand's options (`agent: {threshold: 120}` sets `agent --threshold`); `snake_case` keys
// match `--kebab-case` flags; other sections (seed 002's `network_monitor:`, `zeromq:`) are left
// to the modules that read them structurally.
#pragma once

#include <CLI/CLI.hpp>
#include <istream>
#include <string>
#include <vector>

namespace cw::apps {

class YamlConfig : public CLI::Config {
 public:
  explicit YamlConfig(const CLI::App& root) : root_(root) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;

 private:
  bool set_by_environment(const CLI::ConfigItem& item) const;
  const CLI::App& root_;
};

}  // namespace cw::apps
