// pipeline/agent_claims.h — which agent ids an authorized CURVE key may speak for, without I/O.
// A key authorized by the file NAME.pub may claim the agent id NAME, and the ids its file grants
// on `agents:` lines: exact ids, prefixes ending in `*` (`lab-*`), or `*` for any agent (a relay
// such as `chronowatch replay --to tcp://`). So one compromised node's key cannot write events
// under another node's id. The collector checks the claim of every hello.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cw::pipeline {

// The patterns of every `agents:` line in a key file's text (other lines are ignored). Patterns
// are separated by spaces, tabs or commas; at most 1024 patterns of at most 255 bytes each are
// kept (the rest is dropped, the count of dropped ones returned in `dropped`).
struct AgentClaimPatterns {
  std::vector<std::string> patterns;
  std::size_t dropped = 0;
};
AgentClaimPatterns parse_agent_claims(std::string_view key_file_text);

// True when the key named `key_name` may send a hello as `agent_id`.
bool may_claim(std::string_view key_name, std::span<const std::string> patterns,
               std::string_view agent_id);

}  // namespace cw::pipeline
