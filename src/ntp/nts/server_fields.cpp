// ntp/nts/server_fields.cpp — NTS request checks and reply sealing for servers (see
// server_fields.h).
#include "ntp/nts/server_fields.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>

#include "core/bytes.h"

namespace cw::ntp::nts {
namespace {

std::uint64_t to_big_endian(std::uint64_t v) {
  return std::endian::native == std::endian::little ? __builtin_bswap64(v) : v;
}

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
  // seed ‖ n, big-endian, written directly: two per reply, ByteWriter's checks cost ~200
  // instructions each here.
  const std::uint64_t wire[2] = {to_big_endian(seed_), to_big_endian(n)};
  std::array<std::byte, kNonceSize> nonce;
  std::memcpy(nonce.data(), wire, sizeof wire);
  return nonce;
}

bool has_nts_fields(const ParsedPacket& request) {
  for (const auto field : request.extensions)
    if (field.type == kUniqueIdentifier || field.type == kAuthenticator) return true;
  return false;
}

Result<ReplyPlan, AuthError> check_request_fields(const ParsedPacket& request,
                                                  const ServerCookies& cookies,
                                                  SessionCache* cache) {
  auto f = scan(request);
  if (!f) return fail(f.error());
  const auto cookie = f->cookie->body;
  const std::uint64_t generation = cookies.generation();  // before open(): see cookies.h
  const CachedSession* session = cache ? cache->find(cookie, generation) : nullptr;
  ReplyPlan plan;
  std::optional<Aead> own_c2s;  // without a cache slot
  if (session) {
    plan.keys.aead = session->aead();
    std::ranges::copy(session->c2s.key(), plan.keys.c2s.begin());
    std::ranges::copy(session->s2c.key(), plan.keys.s2c.begin());
  } else {
    const auto keys = cookies.open(cookie);
    if (!keys) return fail(AuthError::nts_bad_cookie);
    plan.keys = *keys;
    session = cache ? cache->insert(cookie, generation, *keys) : nullptr;
    if (!session)
      own_c2s = Aead::make(keys->aead, std::span(keys->c2s).first(key_size(keys->aead)));
  }
  const Aead* c2s = session ? &session->c2s : own_c2s ? &*own_c2s : nullptr;
  if (!c2s || f->auth->ciphertext.size() < kSivTagSize)
    return fail(AuthError::nts_bad_authenticator);
  // Encrypted fields from the client are allowed but none is defined: decrypt into scratch.
  std::array<std::byte, kMaxPacketSize> plain;  // written by decrypt() before any read
  const std::size_t plain_size = f->auth->ciphertext.size() - kSivTagSize;
  if (plain_size > plain.size()) return fail(AuthError::nts_malformed);
  if (!c2s->decrypt(f->auth->nonce, request.authenticated.first(f->auth->offset),
                    f->auth->ciphertext, std::span(plain).first(plain_size)))
    return fail(AuthError::nts_bad_authenticator);
  plan.cached = session ? session->stamp : 0;
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
                       std::span<std::byte> out, std::size_t header_size,
                       const SessionCache* cache) {
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
  // The cache's context when the slot still holds this session (another request of the same
  // batch may have taken the slot since), else one made now from the plan's key.
  const Aead* s2c = cache && plan.cached ? cache->s2c_if_still(plan.cached) : nullptr;
  std::optional<Aead> own;
  if (!s2c) {
    own = Aead::make(plan.keys.aead, std::span(plan.keys.s2c).first(key_size(plan.keys.aead)));
    if (!own) return false;
    s2c = &*own;
  }
  const auto nonce = nonces.next();
  return write_authenticator(out.first(plan.request_size), used, *s2c, nonce,
                             std::span(plain).first(size),
                             plan.request_size - used) == plan.request_size;
}

}  // namespace cw::ntp::nts
