// ntp/nts/fields.cpp — the authenticator field's codec (RFC 8915 §5.6, see fields.h).
#include "ntp/nts/fields.h"

#include <algorithm>

#include "core/bytes.h"

namespace cw::ntp::nts {
namespace {
constexpr std::size_t pad4(std::size_t n) { return (n + 3) / 4 * 4; }
}  // namespace

std::optional<Authenticator> read_authenticator(const ExtensionField& f, std::size_t offset) {
  ByteReader reader{f.body};
  const auto nonce_length = reader.u16();
  const auto ciphertext_length = reader.u16();
  if (!nonce_length || !ciphertext_length) return std::nullopt;
  const auto nonce = reader.bytes(pad4(*nonce_length));
  if (!nonce) return std::nullopt;
  const auto ciphertext = reader.bytes(pad4(*ciphertext_length));
  if (!ciphertext) return std::nullopt;
  return Authenticator{nonce->first(*nonce_length), ciphertext->first(*ciphertext_length), offset};
}

std::size_t authenticator_size(std::size_t plaintext_size) {
  return kExtensionFieldHeaderSize + 4 + pad4(kNonceSize) + pad4(plaintext_size + kSivTagSize);
}

std::size_t write_authenticator(std::span<std::byte> packet, std::size_t used, const Aead& aead,
                                std::span<const std::byte> nonce,
                                std::span<const std::byte> plaintext, std::size_t min_size) {
  const std::size_t ciphertext_size = plaintext.size() + kSivTagSize;
  const std::size_t body = 4 + pad4(nonce.size()) + pad4(ciphertext_size);
  const std::size_t size =
      std::max({kExtensionFieldHeaderSize + body, pad4(min_size), kMinExtensionFieldSize});
  if (used > packet.size() || packet.size() - used < size || size > kMaxExtensionFieldSize)
    return 0;
  auto field = packet.subspan(used, size);
  std::fill(field.begin(), field.end(), std::byte{0});
  ByteWriter writer{field};
  writer.u16(kAuthenticator);
  writer.u16(static_cast<std::uint16_t>(size));
  writer.u16(static_cast<std::uint16_t>(nonce.size()));
  writer.u16(static_cast<std::uint16_t>(ciphertext_size));
  writer.bytes(nonce);
  const std::size_t at = kExtensionFieldHeaderSize + 4 + pad4(nonce.size());
  if (!aead.encrypt(nonce, packet.first(used), plaintext, field.subspan(at, ciphertext_size)))
    return 0;
  return used + size;
}

}  // namespace cw::ntp::nts
