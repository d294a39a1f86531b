// ntp/nts/server_fields.cpp — NTS request checks and reply sealing for servers (see
// server_fields.h).
#include "ntp/nts/server_fields.h"

#include <algorithm>
#include <optional>

#include "core/bytes.h"

namespace cw::ntp::nts {
namespace {

struct RequestFields {
  std::optional<ExtensionField> unique_id;
  std::optional<ExtensionField> cookie;
  std::size_t placeholders = 0;
  std::optional<Authenticator> auth;
};

Result<RequestFields, AuthError> scan(const ParsedPacket& request) {
  RequestFields f;
  for (const auto field : request.extensions) {
    if (f.auth) break;  // §5.7: fields after the authenticator are not authenticated: ignored
    switch (field.type) {
      case kUniqueIdentifier:
        if (f.unique_id || field.body.size() < kUniqueIdSize ||
            field.body.size() > kMaxUniqueIdSize)
          return fail(AuthError::nts_malformed);
        f.unique_id = field;
        break;
      case kCookie:
        if (f.cookie) return fail(AuthError::nts_malformed);
        f.cookie = field;
        break;
      case kCookiePlaceholder:
        ++f.placeholders;
        break;
      case kAuthenticator:
        f.auth = read_authenticator(field, offset_in(request.authenticated, field));
        if (!f.auth) return fail(AuthError::nts_malformed);
        break;
      default:
        break;
    }
  }
  if (!f.unique_id || !f.cookie || !f.auth) return fail(AuthError::nts_malformed);
  return f;
}

}  // namespace

std::array<std::byte, kNonceSize> NonceCounter::next() {
  const std::uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed);
  std::array<std::byte, kNonceSize> nonce{};
  ByteWriter writer{nonce};
  writer.u64(seed_);
  writer.u64(n);
  return nonce;
}

bool has_nts_fields(const ParsedPacket& request) {
  for (const auto field : request.extensions)
    if (field.type == kUniqueIdentifier || field.type == kAuthenticator) return true;
  return false;
}

Result<ReplyPlan, AuthError> check_request_fields(const ParsedPacket& request,
                                                  const ServerCookies& cookies) {
  auto f = scan(request);
  if (!f) return fail(f.error());
  const auto keys = cookies.open(f->cookie->body);
  if (!keys) return fail(AuthError::nts_bad_cookie);
  const auto c2s = Aead::make(keys->aead, std::span(keys->c2s).first(key_size(keys->aead)));
  if (!c2s || f->auth->ciphertext.size() < kSivTagSize)
    return fail(AuthError::nts_bad_authenticator);
  // Encrypted fields from the client are allowed but none is defined: decrypt into scratch.
  std::array<std::byte, kMaxPacketSize> plain;  // written by decrypt() before any read
  const std::size_t plain_size = f->auth->ciphertext.size() - kSivTagSize;
  if (plain_size > plain.size()) return fail(AuthError::nts_malformed);
  if (!c2s->decrypt(f->auth->nonce, request.authenticated.first(f->auth->offset),
                    f->auth->ciphertext, std::span(plain).first(plain_size)))
    return fail(AuthError::nts_bad_authenticator);
  ReplyPlan plan;
  plan.keys = *keys;
  plan.cookies = static_cast<std::uint8_t>(std::min(1 + f->placeholders, kMaxCookies));
  plan.request_size = static_cast<std::uint16_t>(
      request.authenticated.size() + (request.mac ? 4 + request.mac->digest.size() : 0));
  plan.unique_id_size = static_cast<std::uint16_t>(f->unique_id->wire_size());
  return plan;
}

std::size_t write_nak_fields(const ParsedPacket& request, std::span<std::byte> out,
                             std::size_t header_size) {
  const auto uid = request.extensions.find(kUniqueIdentifier);
  if (!uid || uid->body.size() < kUniqueIdSize || uid->body.size() > kMaxUniqueIdSize) return 0;
  if (out.size() < header_size + uid->wire_size()) return 0;
  const std::size_t n =
      write_extension_field(out.subspan(header_size), kUniqueIdentifier, uid->body);
  return n == 0 ? 0 : header_size + n;
}

std::size_t prepare_reply_fields(const ParsedPacket& request, const ReplyPlan& plan,
                                 std::span<std::byte> out, std::size_t header_size) {
  const std::size_t with_uid = write_nak_fields(request, out, header_size);
  if (with_uid == 0 || out.size() < plan.request_size) return 0;
  const std::size_t plain =
      plan.cookies * (kExtensionFieldHeaderSize + cookie_size(plan.keys.aead));
  if (with_uid + authenticator_size(plain) > plan.request_size) return 0;
  return plan.request_size;
}

bool seal_reply_fields(const ReplyPlan& plan, const ServerCookies& cookies, NonceCounter& nonces,
                       std::span<std::byte> out, std::size_t header_size) {
  const std::size_t used = header_size + plan.unique_id_size;
  const std::size_t one = cookie_size(plan.keys.aead);
  std::array<std::byte, kMaxCookies*(kExtensionFieldHeaderSize + kMaxCookieSize)>
      plain;  // written field by field, [0, size) only
  std::size_t size = 0;
  for (std::size_t i = 0; i < plan.cookies; ++i) {
    ByteWriter header{std::span(plain).subspan(size, kExtensionFieldHeaderSize)};
    header.u16(kCookie);
    header.u16(static_cast<std::uint16_t>(kExtensionFieldHeaderSize + one));
    const auto nonce = nonces.next();
    if (cookies.seal(plan.keys, nonce,
                     std::span(plain).subspan(size + kExtensionFieldHeaderSize, one)) == 0)
      return false;
    size += kExtensionFieldHeaderSize + one;
  }
  const auto s2c =
      Aead::make(plan.keys.aead, std::span(plan.keys.s2c).first(key_size(plan.keys.aead)));
  if (!s2c) return false;
  const auto nonce = nonces.next();
  return write_authenticator(out.first(plan.request_size), used, *s2c, nonce,
                             std::span(plain).first(size),
                             plan.request_size - used) == plan.request_size;
}

}  // namespace cw::ntp::nts
