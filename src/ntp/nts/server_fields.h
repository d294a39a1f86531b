// ntp/nts/server_fields.h — the server's side of NTS-protected NTP (RFC 8915 §5.7): checking a
// request (unique identifier, one cookie it can open, placeholders, the authenticator under the
// cookie's C2S key) into a ReplyPlan, and writing the reply: the unique identifier, then the
// authenticator over the finished header with min(1 + placeholders, 8) new cookies encrypted
// under S2C, padded to exactly the request's length (never larger: no amplification). The NTSN
// Kiss-o'-Death carries only the unique identifier. Nonces come from a NonceCounter.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/result.h"
#include "ntp/mac.h"
#include "ntp/nts/cookies.h"
#include "ntp/nts/fields.h"
#include "ntp/nts/session_cache.h"
#include "ntp/packet.h"

namespace cw::ntp::nts {

// Distinct 16-byte nonces: a secret 8-byte prefix from the caller's randomness and a counter.
// SIV needs nonces only to be distinct, not unpredictable (RFC 5297 §1.3.2).
class NonceCounter {
 public:
  explicit NonceCounter(std::uint64_t seed) : seed_(seed) {}
  std::array<std::byte, kNonceSize> next();

 private:
  std::uint64_t seed_;
  std::atomic<std::uint64_t> counter_{0};
};

// What a verified NTS request asks of its reply.
struct ReplyPlan {
  SessionKeys keys;                  // from the cookie: the new cookies carry the same keys
  std::uint8_t cookies = 0;          // min(1 + placeholders, 8)
  std::uint16_t request_size = 0;    // the reply is padded to exactly this
  std::uint16_t unique_id_size = 0;  // the unique identifier's field, copied after the header
  std::uint64_t cached = 0;  // the SessionCache stamp of its S2C context, 0: none (make one)
};

// True when the request carries NTS fields (a unique identifier or an authenticator).
bool has_nts_fields(const ParsedPacket& request);

// Checks an NTS request. AuthError::nts_bad_cookie and nts_bad_authenticator call for the NTSN
// Kiss-o'-Death (answer_nak()); nts_malformed for silence (no unique identifier to echo). With a
// `cache`, a cookie seen before is not decrypted again and its keyed contexts are reused (the
// authenticator is verified all the same); a cookie opened now is kept there.
Result<ReplyPlan, AuthError> check_request_fields(const ParsedPacket& request,
                                                  const ServerCookies& cookies,
                                                  SessionCache* cache = nullptr);

// Writes the request's unique identifier field after the header (out[header_size, …)); returns
// the reply's final size (the request's) or 0 if it does not fit.
std::size_t prepare_reply_fields(const ParsedPacket& request, const ReplyPlan& plan,
                                 std::span<std::byte> out, std::size_t header_size);

// Seals the reply in out[0, plan.request_size) after the transmit timestamp was written: new
// cookies, the authenticator, the padding. False if a cookie or the encryption failed. `cache`
// (the one check_request_fields() used) lends the S2C context when its slot still holds it.
bool seal_reply_fields(const ReplyPlan& plan, const ServerCookies& cookies, NonceCounter& nonces,
                       std::span<std::byte> out, std::size_t header_size,
                       const SessionCache* cache = nullptr);

// The NTSN reply's fields: the unique identifier only. Returns the size, or 0.
std::size_t write_nak_fields(const ParsedPacket& request, std::span<std::byte> out,
                             std::size_t header_size);

}  // namespace cw::ntp::nts
