// ntp/responder.h — the NTP server's answer to one datagram, without I/O (RFC 5905 §8, §9.2 fast
// path "FXMIT"): request bytes, the client's address, the receive timestamp T2 and the server's
// state in; a reply written into the caller's buffer (or nothing) and a counted outcome out. Only
// client requests (mode 3) are answered; the reply is never larger than the request, so the
// server cannot amplify a spoofed flood. The transmit timestamp T3 and the MAC over it are written
// by seal(), which the shell calls as late as possible, just before the batch goes out.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "core/ip_address.h"
#include "core/time.h"
#include "ntp/access_list.h"
#include "ntp/auth.h"
#include "ntp/keys.h"
#include "ntp/packet.h"
#include "ntp/rate_limit.h"
#include "ntp/server_state.h"

namespace cw::ntp {

// What happened to one datagram. Every datagram gets exactly one; the shell counts them.
enum class Outcome : std::uint8_t {
  answered,                 // a reply with time
  answered_authenticated,   // a reply with time and a MAC of the client's key
  kiss_rate,                // over the rate limit: a RATE Kiss-o'-Death, no time (RFC 5905 §7.4)
  crypto_nak,               // unknown key or bad MAC: a crypto-NAK, no time (RFC 5905 §7.4)
  ignored_malformed,        // not an NTP packet (too short, bad version, bad trailer)
  ignored_not_client,       // a mode other than 3 (symmetric, broadcast, control 6, private 7)
  ignored_denied,           // the access list refuses the client
  ignored_rate_limited,     // over the rate limit, and a KoD was sent to it recently
  ignored_unauthenticated,  // --require-auth and the request carries no MAC
  ignored_too_large,        // the reply would be larger than the request (or the buffer)
  answered_nts,             // a reply with time, NTS-authenticated, with new cookies (RFC 8915)
  nts_nak,                  // a cookie we cannot open or a bad authenticator: NTSN, no time
};
inline constexpr std::size_t kOutcomeCount = 12;
std::string_view to_string(Outcome outcome);  // "answered", "ignored_malformed", ...
bool is_answer(Outcome o);

struct Reply {
  Outcome outcome = Outcome::ignored_malformed;
  std::size_t size = 0;     // bytes to send from the caller's buffer; 0 = send nothing
  bool needs_seal = false;  // seal() must write T3 (and the MAC or NTS fields) before sending
  ServerAuth auth;          // what seal() appends: nothing, the client key's MAC, NTS fields
  // nts_nak: why (a cookie we cannot open, or an authenticator that does not verify).
  bool nak_bad_cookie = false;
};

struct ResponderConfig {
  AccessList access;
  RateLimitConfig rate_limit;
  bool require_auth = false;  // requests without a MAC or NTS get nothing
  bool require_nts = false;   // requests without NTS get nothing (--require-nts)
  // RFC 5905 §7.3 / RFC 8573 symmetric keys; shared by every worker (Key is thread-safe).
  std::shared_ptr<const KeyStore> keys;
  // NTS cookie master keys (RFC 8915 §6); shared by every worker and the NTS-KE server.
  std::shared_ptr<const nts::ServerCookies> nts;
  std::uint64_t nonce_seed = 0;  // distinct per worker: the NTS nonces' prefix (from Random)
};

// One per worker thread; the rate-limit table may be shared by all of them (it is thread-safe).
class Responder {
 public:
  // With its own rate-limit table; `seed` keys the table's hash (from the injected random source).
  Responder(ResponderConfig config, std::uint64_t seed);
  // With a table shared with other responders (one per worker thread of the same server).
  Responder(ResponderConfig config, std::shared_ptr<RateLimiter> limiter);

  // Answers `request`, received from `client` at `received_at` (T2 on the served clock). Writes
  // the reply into `out` and returns its size and outcome.
  Reply respond(std::span<const std::byte> request, const IpAddress& client, Timestamp received_at,
                const ServerState& state, std::span<std::byte> out);

  // Writes T3 = `transmit_at` into a reply prepared by respond() (and, for an authenticated
  // reply, the MAC over the finished header). Does nothing when reply.needs_seal is false.
  void seal(const Reply& reply, std::span<std::byte> out, Timestamp transmit_at) const;

  // Replaces the symmetric keys (a reloaded key file); call it only when every reply prepared by
  // respond() has been sealed (their keys point into the old store).
  void set_symmetric_keys(std::shared_ptr<const KeyStore> keys);
  const std::shared_ptr<const KeyStore>& symmetric_keys() const { return config_.keys; }

 private:
  Reply authenticate(const ParsedPacket& request, Timestamp received_at, const ServerState& state,
                     std::span<std::byte> out) const;
  Reply answer(const ParsedPacket& request, const ServerAuth& auth, Timestamp received_at,
               const ServerState& state, std::span<std::byte> out) const;
  Reply kiss_of_death(const Packet& request, std::span<std::byte> out) const;
  Reply crypto_nak(const Packet& request, const ServerState& state, std::span<std::byte> out) const;
  Reply nts_nak(const ParsedPacket& request, std::span<std::byte> out, bool bad_cookie) const;

  ResponderConfig config_;
  std::shared_ptr<RateLimiter> limiter_;
  ServerAuthenticator auth_;
};

// RFC 5905 §7.3: the reply's poll, the request's clamped to [MINPOLL, MAXPOLL].
PollInterval reply_poll(PollInterval requested);

}  // namespace cw::ntp
