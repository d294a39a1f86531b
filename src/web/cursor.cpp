// web/cursor.cpp — page and stream cursors (web/cursor.h).
#include "web/cursor.h"

#include <charconv>

namespace cw::web {
namespace {

constexpr std::size_t kMaxAgentBytes = 1024;

template <typename Int>
std::optional<Int> parse_int(std::string_view text) {
  Int value{};
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  if (text[0] == '+') return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string_view> next_field(std::string_view& rest) {
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto field = rest.substr(0, dot);
  rest.remove_prefix(dot + 1);
  return field;
}

}  // namespace

std::string encode_page_cursor(const store::ReplayPosition& key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out =
      "p." + std::to_string(unix_ns(key.timestamp)) + "." + std::to_string(key.sequence) + ".";
  for (unsigned char c : key.agent_id) out += kHex[c >> 4], out += kHex[c & 15];
  return out;
}

std::optional<store::ReplayPosition> decode_page_cursor(std::string_view text) {
  if (!text.starts_with("p.")) return std::nullopt;
  text.remove_prefix(2);
  const auto ns_text = next_field(text);
  const auto sequence_text = next_field(text);
  if (!ns_text || !sequence_text) return std::nullopt;
  const auto ns = parse_int<std::int64_t>(*ns_text);
  const auto sequence = parse_int<std::uint64_t>(*sequence_text);
  if (!ns || !sequence || text.size() % 2 != 0 || text.size() / 2 > kMaxAgentBytes)
    return std::nullopt;
  std::string agent;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = hex_value(text[i]), low = hex_value(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    agent += static_cast<char>(high * 16 + low);
  }
  return store::ReplayPosition{from_unix_ns(*ns), std::move(agent), *sequence};
}

std::string encode_stream_cursor(std::int64_t position) { return "s." + std::to_string(position); }

std::optional<std::int64_t> decode_stream_cursor(std::string_view text) {
  if (!text.starts_with("s.")) return std::nullopt;
  auto position = parse_int<std::int64_t>(text.substr(2));
  if (!position || *position < 0) return std::nullopt;
  return position;
}

}  // namespace cw::web
