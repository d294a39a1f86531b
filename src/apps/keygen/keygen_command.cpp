// apps/keygen/keygen_command.cpp — `chronowatch keygen --out DIR --name NAME`: writes a CURVE key
// pair for an agent or a collector: DIR/NAME.key (secret, mode 0600) and DIR/NAME.pub (public,
// Z85).
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "apps/common/commands.h"
#include "apps/common/exit_codes.h"
#include "transport/zmq/curve_keys.h"

namespace cw::apps {
namespace {

constexpr int kExitExistsCode = 3;

struct KeygenOptions {
  std::string out = ".";
  std::string name;
  bool force = false;
  bool json = false;
};

int run_keygen(const KeygenOptions& options) {
  const std::filesystem::path dir(options.out);
  const auto secret = dir / (options.name + ".key");
  if (std::filesystem::exists(secret) && !options.force) {
    std::fprintf(stderr, "chronowatch keygen: %s exists; use --force to replace it\n",
                 secret.c_str());
    return kExitExistsCode;
  }
  const auto pair = transport::generate_key_pair();
  transport::write_key_pair(dir, options.name, pair);
  if (options.json) {
    nlohmann::json out{{"name", options.name},
                       {"secret_key_file", secret.string()},
                       {"public_key_file", (dir / (options.name + ".pub")).string()},
                       {"public_key", pair.public_key}};
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("wrote %s (secret, 0600) and %s\npublic key: %s\n", secret.c_str(),
                (dir / (options.name + ".pub")).c_str(), pair.public_key.c_str());
  }
  return kExitOk;
}

}  // namespace

void add_keygen_command(CLI::App& app, CommandBody& run) {
  auto options = std::make_shared<KeygenOptions>();
  auto* cmd = app.add_subcommand(
      "keygen",
      "Write a CURVE key pair for the event pipeline: DIR/NAME.key (secret, 0600) and "
      "DIR/NAME.pub.\nGive agents the collector's .pub (--collector-key) and put each agent's "
      ".pub in the collector's --authorized-keys directory.\nName an agent's key after its "
      "agent id: the collector lets a key speak only for the agent id of its name (more ids: an "
      "`agents:` line in its .pub, see docs/pipeline.md).\nExit codes: 0 written, 1 I/O "
      "failure, 2 usage, 3 the key exists (use --force).");
  cmd->add_option("--out", options->out, "directory to write into (created if missing)")
      ->capture_default_str();
  cmd->add_option("--name", options->name, "key name: the agent id it speaks for, or `collector`")
      ->required()
      ->check([](const std::string& name) {
        return name.empty() || name.find('/') != std::string::npos
                   ? std::string("a key name must be non-empty and contain no '/'")
                   : std::string();
      });
  cmd->add_flag("--force", options->force, "replace an existing key pair");
  cmd->add_flag("--json", options->json, "print the result as one JSON object");
  cmd->callback([options, &run] { run = [options] { return run_keygen(*options); }; });
}

}  // namespace cw::apps
