// ntp/nts/client_fields.cpp — NTS request fields and reply checks for clients (see
// client_fields.h).
#include "ntp/nts/client_fields.h"

#include <algorithm>

namespace cw::ntp::nts {
namespace {

bool same(std::span<const std::byte> a, std::span<const std::byte> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// The cookies among the decrypted fields; any other encrypted field is ignored (§5.7).
Result<std::vector<Cookie>, AuthError> cookies_in(std::span<const std::byte> plaintext) {
  std::vector<Cookie> cookies;
  std::size_t at = 0;
  while (at < plaintext.size()) {
    auto field = read_extension_field(plaintext.subspan(at));
    if (!field) return fail(AuthError::nts_malformed);
    at += field->wire_size();
    if (field->type != kCookie) continue;
    // chrony refuses cookies that are longer than its maximum or not a multiple of 4 bytes; a
    // cookie field's body is exactly the cookie (it is already a multiple of 4).
    if (field->body.empty() || field->body.size() > kMaxCookieSize)
      return fail(AuthError::nts_bad_cookie);
    cookies.emplace_back(field->body.begin(), field->body.end());
  }
  if (cookies.size() > kMaxCookies) cookies.resize(kMaxCookies);
  return cookies;
}

}  // namespace

bool is_nts_nak(const Packet& header) {
  return header.stratum.is_kiss_of_death() && header.reference_id == RefId::from_ascii("NTSN");
}

std::size_t write_request_fields(ClientRequest& request, std::span<std::byte> wire,
                                 std::size_t used, Random& random) {
  random.fill(request.unique_id);
  std::size_t size = used;
  auto put = [&](std::uint16_t type, std::span<const std::byte> value) {
    const std::size_t n =
        write_extension_field(wire.subspan(std::min(size, wire.size())), type, value);
    size = n == 0 ? wire.size() + 1 : size + n;
  };
  put(kUniqueIdentifier, request.unique_id);
  put(kCookie, request.cookie);
  const std::vector<std::byte> zeros(request.cookie.size());
  for (std::size_t i = 0; i < request.placeholders; ++i) put(kCookiePlaceholder, zeros);
  if (size > wire.size()) return 0;
  std::array<std::byte, kNonceSize> nonce{};
  random.fill(nonce);
  return write_authenticator(wire, size, request.c2s, nonce, {});
}

Result<std::vector<Cookie>, AuthError> check_reply_fields(const ClientRequest& request,
                                                          const ParsedPacket& reply) {
  const auto packet = reply.authenticated;
  bool unique_id_matches = false;
  std::optional<Authenticator> auth;
  for (const auto field : reply.extensions) {
    if (auth) return fail(AuthError::nts_field_after_authenticator);
    switch (field.type) {
      case kUniqueIdentifier:
        if (unique_id_matches || !same(field.body, request.unique_id))
          return fail(AuthError::nts_unique_id);
        unique_id_matches = true;
        break;
      case kCookie:
        return fail(AuthError::nts_unencrypted_cookie);
      case kAuthenticator:
        auth = read_authenticator(field, offset_in(packet, field));
        if (!auth) return fail(AuthError::nts_malformed);
        break;
      default:
        break;  // unauthenticated fields before the authenticator are covered by it
    }
  }
  if (!unique_id_matches) return fail(AuthError::nts_unique_id);
  // §5.7: a NTSN is not authenticated; the matching unique identifier is its only proof.
  if (is_nts_nak(reply.header)) return fail(AuthError::nts_nak);
  if (!auth || reply.mac) return fail(AuthError::nts_malformed);
  if (auth->ciphertext.size() < kSivTagSize) return fail(AuthError::nts_malformed);
  std::array<std::byte, kMaxPacketSize> plaintext;  // written by decrypt() before any read
  if (auth->ciphertext.size() - kSivTagSize > plaintext.size())
    return fail(AuthError::nts_malformed);
  const auto decrypted = std::span(plaintext).first(auth->ciphertext.size() - kSivTagSize);
  if (!request.s2c.decrypt(auth->nonce, packet.first(auth->offset), auth->ciphertext, decrypted))
    return fail(AuthError::nts_bad_authenticator);
  auto cookies = cookies_in(decrypted);
  if (!cookies) return fail(cookies.error());
  if (cookies->empty()) return fail(AuthError::nts_no_cookie);
  return cookies;
}

}  // namespace cw::ntp::nts
