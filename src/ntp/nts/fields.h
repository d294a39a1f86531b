// ntp/nts/fields.h — the NTS extension fields of NTP packets (RFC 8915 §5.3–§5.6): types, the
// unique identifier, and the authenticator-and-encrypted-extension-fields field (nonce length,
// ciphertext length, nonce, ciphertext, each padded to 4 bytes), read and written. Shared by the
// client (client_fields.h) and the server (server_fields.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "ntp/extension_field.h"
#include "ntp/nts/aead.h"

namespace cw::ntp::nts {

// IANA "NTP Extension Field Types" (RFC 8915 §7.5).
inline constexpr std::uint16_t kUniqueIdentifier = 0x0104;
inline constexpr std::uint16_t kCookie = 0x0204;
inline constexpr std::uint16_t kCookiePlaceholder = 0x0304;
inline constexpr std::uint16_t kAuthenticator = 0x0404;

inline constexpr std::size_t kUniqueIdSize = 32;     // §5.3: at least 32 bytes; what we send
inline constexpr std::size_t kMaxUniqueIdSize = 64;  // longer ones are refused
inline constexpr std::size_t kMaxCookies = 8;        // §5.7: at most 8 cookies in a reply

// The body of an authenticator field, pointing into the packet.
struct Authenticator {
  std::span<const std::byte> nonce;
  std::span<const std::byte> ciphertext;  // tag ‖ encrypted extension fields
  std::size_t offset = 0;                 // of the field in the packet: the associated data's end
};

// Reads field `f` (an authenticator at `offset` in its packet); nullopt if lengths do not fit.
std::optional<Authenticator> read_authenticator(const ExtensionField& f, std::size_t offset);

// The wire size of an authenticator carrying `plaintext_size` bytes with a 16-byte nonce.
std::size_t authenticator_size(std::size_t plaintext_size);

// Writes an authenticator field at packet[used, …): encrypts `plaintext` with `aead` under
// `nonce`, the associated data being packet[0, used). The field is padded to at least `min_size`
// bytes (a multiple of 4). Returns the new packet size, or 0 if it does not fit.
std::size_t write_authenticator(std::span<std::byte> packet, std::size_t used, const Aead& aead,
                                std::span<const std::byte> nonce,
                                std::span<const std::byte> plaintext, std::size_t min_size = 0);

// The offset of a field in the packet whose fields `parsed_start` begins.
inline std::size_t offset_in(std::span<const std::byte> packet, const ExtensionField& f) {
  return static_cast<std::size_t>(f.body.data() - packet.data()) - kExtensionFieldHeaderSize;
}

}  // namespace cw::ntp::nts
