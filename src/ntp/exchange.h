// ntp/exchange.h — one client/server exchange without I/O (RFC 5905 §8, §9.1, A.5.1.1): the
// request to send (mode 3, version 4, a random transmit timestamp so that the local clock is not
// leaked and off-path spoofing is hard) and the validation of a reply into a Sample or a typed
// Rejection. The caller owns the socket and takes T1 (just before send) and T4 (kernel receive
// timestamp); T1 is kept separately because the transmit timestamp on the wire is random.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "core/random.h"
#include "core/result.h"
#include "core/time.h"
#include "ntp/auth.h"
#include "ntp/keys.h"
#include "ntp/mac.h"
#include "ntp/measurement.h"
#include "ntp/packet.h"

namespace cw::ntp {

// The largest request: the header and a MAC trailer, or the NTS fields (a cookie, up to seven
// placeholders and the authenticator fit in the largest datagram we read).
inline constexpr std::size_t kMaxRequestSize = kMaxPacketSize;

// What to send, and what to expect back.
struct PendingRequest {
  Packet packet;               // mode 3, version 4, transmit = sent_transmit, all else zero
  NtpTimestamp sent_transmit;  // the random transmit timestamp: the reply's origin must equal it
  std::array<std::byte, kMaxRequestSize> wire;  // the datagram to send: wire[0, size)
  std::size_t size = kHeaderSize;
  ClientAuth auth;  // what the request carries and what the reply must prove (auth.h)

  std::span<const std::byte> datagram() const { return std::span(wire).first(size); }
};

// RFC 5905 §9.1 / §7.3 client request; the transmit timestamp is 64 random bits (never zero).
PendingRequest make_request(Random& random);
// The same, authenticated with `key` (RFC 5905 §7.3, RFC 8573): a MAC trailer is appended and
// accept_reply then requires the reply to be signed with the same key.
PendingRequest make_request(Random& random, const Key& key);
// The same, authenticated by `auth` (none, symmetric key or NTS); nullopt if the fields do not fit
// in a datagram (an NTS cookie too long for its placeholders).
std::optional<PendingRequest> make_request(Random& random, ClientAuth auth);

// A validated reply: what the server said about itself and what the exchange measured.
struct Sample {
  Packet server;               // the reply's header: leap, stratum, refid, precision, root, ...
  Measurement measurement;     // θ, δ, ε and T4 (RFC 5905 §8)
  RootInfo root;               // the server's root delay Δ and root dispersion E, as durations
  Timestamp sent_at{};         // T1 on the local clock
  bool authenticated = false;  // a MAC or NTS authenticator was required and verified
  std::optional<KeyId> key_id;
  AuthMode auth = AuthMode::none;
  std::vector<nts::Cookie> cookies;  // NTS: the fresh cookies the reply carried (RFC 8915 §5.7)

  Duration offset() const { return measurement.offset; }
  Duration delay() const { return measurement.delay; }
  // λ for this one sample as of its own arrival (no jitter): RFC 5905 A.5.5.2.
  Duration root_distance() const {
    return ntp::root_distance(measurement, root, Duration::zero(), measurement.time);
  }
};

enum class RejectReason : std::uint8_t {
  malformed,       // not an NTP packet (see Rejection::parse_error)
  wrong_mode,      // not mode 4 (server): a reply to a mode-3 request must be mode 4 (§9.2)
  bogus_origin,    // origin ≠ the transmit timestamp we sent: stale, duplicate or spoofed (§8)
  zero_timestamp,  // receive or transmit timestamp is zero (A.5.1.1)
  kiss_of_death,   // stratum 0 with RATE/DENY/RSTR, or another code from a synchronized
                   // server: a Kiss-o'-Death, code in Rejection::kiss_code (§7.4)
  unsynchronized,  // LI = 3 or stratum ≥ 16, or stratum 0 without a kiss code (§7.3); an
                   // informational code (INIT, STEP) is in Rejection::kiss_code
  root_distance,   // the server's own root distance exceeds MAXDISP (A.5.1.1 test)
  missing_mac,     // a key was required but the reply carries no MAC
  crypto_nak,      // the server answered with a crypto-NAK: it does not accept our key (§7.4)
  bad_mac,         // wrong key id, the digest does not verify, or an NTS reply that fails its
                   // checks (which one: Rejection::auth_error)
  nts_nak,         // the NTSN Kiss-o'-Death: the server cannot use our cookie (RFC 8915 §5.7)
};
const char* to_string(RejectReason reason);

// RFC 5905 §7.4: what a Kiss-o'-Death asks of the client.
enum class KissAction : std::uint8_t {
  back_off,  // RATE: poll less often
  stop,      // DENY, RSTR: stop asking this server
  none,      // other codes: informational
};
KissAction kiss_action(RefId code);

struct Rejection {
  RejectReason reason = RejectReason::malformed;
  std::optional<ParseError> parse_error;  // when malformed
  std::optional<RefId> kiss_code;         // when kiss_of_death (or unsynchronized with a code)
  std::optional<Packet> server;           // the header, when it could be read
  std::optional<AuthError> auth_error;    // when missing_mac, crypto_nak or bad_mac

  // True when the datagram is the server's genuine answer to this request (the origin matched
  // and, if required, the MAC checked out), so no better answer will follow: KoD, unsynchronized,
  // crypto-NAK, bad MAC and root distance. Other rejections may be forgeries or strays: keep
  // waiting for the real reply until the deadline.
  bool answers_request() const;
};

// Describes a rejection in one line ("Kiss-o'-Death RATE: the server asks to poll less often").
std::string describe(const Rejection& rejection);

// Validates `datagram` as the reply to `request` (RFC 5905 §8, A.5.1.1) and measures the
// exchange. sent_at = T1 and received_at = T4 on the local clock; local_precision is ρ_local.
Result<Sample, Rejection> accept_reply(std::span<const std::byte> datagram,
                                       const PendingRequest& request, Timestamp sent_at,
                                       Timestamp received_at,
                                       Duration local_precision = precision_duration(-20));

}  // namespace cw::ntp
