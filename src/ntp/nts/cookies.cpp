// ntp/nts/cookies.cpp — sealing and opening server cookies, master-key rotation (see cookies.h).
#include "ntp/nts/cookies.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "core/bytes.h"

namespace cw::ntp::nts {
namespace {

constexpr std::size_t kHeader = 4 + kNonceSize;
constexpr std::size_t kPlainHeader = 4;  // AEAD id and two zero bytes

std::size_t plain_size(AeadId aead) { return kPlainHeader + 2 * key_size(aead); }

}  // namespace

std::size_t cookie_size(AeadId aead) { return kHeader + kSivTagSize + plain_size(aead); }

ServerCookies::ServerCookies(std::vector<MasterKey> keys) : ring_(make_ring(std::move(keys))) {}

std::shared_ptr<const ServerCookies::Ring> ServerCookies::make_ring(std::vector<MasterKey> keys) {
  if (keys.empty()) std::abort();  // invariant: a server always has a current key
  auto ring = std::make_shared<Ring>();
  for (const auto& key : keys)
    ring->aeads.push_back(*Aead::make(AeadId::aes_siv_cmac_256, key.secret));
  ring->keys = std::move(keys);
  return ring;
}

std::size_t ServerCookies::seal(const SessionKeys& keys, std::span<const std::byte> nonce,
                                std::span<std::byte> out) const {
  const auto ring = ring_.load(std::memory_order_acquire);
  const std::size_t size = cookie_size(keys.aead);
  const std::size_t n = key_size(keys.aead);
  if (out.size() < size || nonce.size() != kNonceSize) return 0;
  std::array<std::byte, kPlainHeader + 2 * kMaxKeySize> plain{};
  ByteWriter writer{plain};
  writer.u16(static_cast<std::uint16_t>(keys.aead));
  writer.u16(0);
  writer.bytes(std::span(keys.c2s).first(n));
  writer.bytes(std::span(keys.s2c).first(n));
  ByteWriter header{out};
  header.u32(ring->keys.front().id);
  header.bytes(nonce);
  if (!ring->aeads.front().encrypt(nonce, {}, std::span(plain).first(plain_size(keys.aead)),
                                   out.subspan(kHeader, size - kHeader)))
    return 0;
  return size;
}

std::optional<SessionKeys> ServerCookies::open(std::span<const std::byte> cookie) const {
  if (cookie.size() < kHeader + kSivTagSize + kPlainHeader) return std::nullopt;
  ByteReader reader{cookie};
  const std::uint32_t id = *reader.u32();
  const auto nonce = *reader.bytes(kNonceSize);
  const auto ring = ring_.load(std::memory_order_acquire);
  const auto it = std::find_if(ring->keys.begin(), ring->keys.end(),
                               [id](const MasterKey& k) { return k.id == id; });
  if (it == ring->keys.end()) return std::nullopt;
  const Aead& aead = ring->aeads[static_cast<std::size_t>(it - ring->keys.begin())];
  std::array<std::byte, kPlainHeader + 2 * kMaxKeySize> plain{};
  const std::size_t plain_length = cookie.size() - kHeader - kSivTagSize;
  if (plain_length > plain.size()) return std::nullopt;
  if (!aead.decrypt(nonce, {}, cookie.subspan(kHeader), std::span(plain).first(plain_length)))
    return std::nullopt;
  ByteReader p{std::span(plain).first(plain_length)};
  const auto id_of_aead = aead_from_id(*p.u16());
  if (!id_of_aead || plain_length != plain_size(*id_of_aead)) return std::nullopt;
  SessionKeys keys;
  keys.aead = *id_of_aead;
  p.u16();
  const std::size_t n = key_size(keys.aead);
  const auto c2s = *p.bytes(n);
  const auto s2c = *p.bytes(n);
  std::copy(c2s.begin(), c2s.end(), keys.c2s.begin());
  std::copy(s2c.begin(), s2c.end(), keys.s2c.begin());
  return keys;
}

void ServerCookies::rotate(const MasterKey& next) {
  auto keys = ring_.load()->keys;
  keys.insert(keys.begin(), next);
  if (keys.size() > 1 + kKeptPreviousKeys) keys.resize(1 + kKeptPreviousKeys);
  ring_.store(make_ring(std::move(keys)), std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_release);
}

void ServerCookies::replace(std::vector<MasterKey> keys) {
  ring_.store(make_ring(std::move(keys)), std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_release);  // cookies cached under the old keys go
}

std::vector<MasterKey> ServerCookies::keys() const { return ring_.load()->keys; }
std::uint32_t ServerCookies::current_id() const { return ring_.load()->keys.front().id; }

std::string format_key_file(const std::vector<MasterKey>& keys) {
  std::string text = "# chronowatch NTS cookie master keys: id secret, current first\n";
  for (const auto& key : keys) {
    text += fmt::format("{} ", key.id);
    for (std::byte b : key.secret) text += fmt::format("{:02x}", static_cast<unsigned>(b));
    text += '\n';
  }
  return text;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<MasterKey, std::string> parse_key_line(std::string_view line, int number) {
  const auto space = line.find(' ');
  const auto bad = [&](std::string_view what) {
    return fail(fmt::format("line {}: {} (expected \"ID HEX\" with 64 hex digits)", number, what));
  };
  if (space == std::string_view::npos) return bad("no secret");
  MasterKey key;
  std::uint64_t id = 0;
  for (char c : line.substr(0, space)) {
    if (c < '0' || c > '9' || id > 0xffffffffu) return bad("bad key id");
    id = id * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (space == 0 || id > 0xffffffffu) return bad("bad key id");
  key.id = static_cast<std::uint32_t>(id);
  const auto hex = line.substr(space + 1);
  if (hex.size() != 2 * kMasterKeySize) return bad("secret is not 64 hex digits");
  for (std::size_t i = 0; i < kMasterKeySize; ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return bad("secret is not hex");
    key.secret[i] = std::byte(hi << 4 | lo);
  }
  return key;
}
}  // namespace

Result<std::vector<MasterKey>, std::string> parse_key_file(std::string_view text) {
  std::vector<MasterKey> keys;
  int number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    auto line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto key = parse_key_line(line, number);
    if (!key) return fail(key.error());
    keys.push_back(*key);
  }
  if (keys.empty()) return fail(std::string("no key in the file"));
  return keys;
}

}  // namespace cw::ntp::nts
