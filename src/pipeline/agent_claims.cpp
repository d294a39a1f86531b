// pipeline/agent_claims.cpp — parsing and checking a key's agent-id claims (agent_claims.h).
#include "pipeline/agent_claims.h"

namespace cw::pipeline {
namespace {

constexpr std::size_t kMaxPatterns = 1024;
constexpr std::size_t kMaxPatternLength = 255;  // the wire's agent id limit
constexpr std::string_view kPrefix = "agents:";

bool is_separator(char c) { return c == ' ' || c == '\t' || c == ',' || c == '\r'; }

void add_patterns(std::string_view rest, AgentClaimPatterns& out) {
  std::size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && is_separator(rest[i])) ++i;
    const auto begin = i;
    while (i < rest.size() && !is_separator(rest[i])) ++i;
    if (i == begin) continue;
    if (out.patterns.size() >= kMaxPatterns || i - begin > kMaxPatternLength) {
      ++out.dropped;
      continue;
    }
    out.patterns.emplace_back(rest.substr(begin, i - begin));
  }
}

}  // namespace

AgentClaimPatterns parse_agent_claims(std::string_view text) {
  AgentClaimPatterns out;
  while (!text.empty()) {
    const auto end = text.find('\n');
    auto line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.starts_with(kPrefix)) add_patterns(line.substr(kPrefix.size()), out);
  }
  return out;
}

bool may_claim(std::string_view key_name, std::span<const std::string> patterns,
               std::string_view agent_id) {
  if (agent_id.empty()) return false;
  if (!key_name.empty() && agent_id == key_name) return true;
  for (const auto& pattern : patterns) {
    if (!pattern.empty() && pattern.back() == '*') {
      if (agent_id.starts_with(std::string_view{pattern}.substr(0, pattern.size() - 1)))
        return true;
    } else if (agent_id == pattern) {
      return true;
    }
  }
  return false;
}

}  // namespace cw::pipeline
