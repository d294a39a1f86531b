// ntp/server_state.h — what the server says about its own clock in every reply: the RFC 5905
// §11.2 system variables (leap, stratum, reference id and time, root delay and dispersion,
// precision), and how they are derived from the upstream the server follows or from a configured
// local stratum. Pure values; the serve shell updates one after each upstream measurement and the
// responder reads it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "core/ip_address.h"
#include "core/time.h"
#include "ntp/packet.h"

namespace cw::ntp {

// RFC 5905 §7.3 / A.5.5.2: the rate at which dispersion grows, 15 ppm.
inline constexpr std::int64_t kPhiPartsPerMillion = 15;
// RFC 5905 §7.3: MINPOLL and MAXPOLL, the range the reply's poll is clamped to.
inline constexpr std::int8_t kMinPoll = 4;
inline constexpr std::int8_t kMaxPoll = 17;

struct ServerState {
  LeapIndicator leap = LeapIndicator::unsynchronized;
  Stratum stratum{16};  // 16: unsynchronized (RFC 5905 figure 11)
  RefId reference_id{};
  Timestamp reference_time{};  // when the clock was last set or confirmed (served clock)
  Duration root_delay{};
  Duration root_dispersion{};  // as of reference_time; grows by PHI after it
  Precision precision{-20};

  bool synchronized() const { return leap != LeapIndicator::unsynchronized; }
  // Root dispersion at `now`: E + PHI × (now − reference time) (RFC 5905 §11.2, A.5.5.2).
  Duration root_dispersion_at(Timestamp now) const;
};

// The state of a server with no upstream: unsynchronized (LI = 3, stratum 16).
ServerState unsynchronized_state(Precision precision);

// The state of a server that serves its own clock at a configured stratum, like chrony's
// `local stratum N`: refid "LOCL", reference time = now, no root delay or dispersion beyond its own
// precision.
ServerState local_state(std::uint8_t stratum, Precision precision, Timestamp now);

// What a server serves when no upstream is usable (none configured, none answered yet, or every
// one unreachable): its own clock at the configured local stratum if there is one (chrony's
// `local`), else leap 3 / stratum 16 — chronyd likewise goes unsynchronised when no source is
// selectable. `now` is on the served clock.
ServerState fallback_state(std::optional<std::uint8_t> local_stratum, Precision precision,
                           Timestamp now);

// What the server knows after measuring its selected upstream (the system peer).
struct UpstreamView {
  IpAddress address;  // the system peer's address (for the refid)
  Stratum stratum;    // its stratum
  LeapIndicator leap = LeapIndicator::no_warning;
  Duration root_delay{};       // its root delay
  Duration root_dispersion{};  // its root dispersion
  Duration delay{};            // our round-trip delay to it
  Duration dispersion{};       // our dispersion/jitter of the measurement
  Timestamp updated_at{};      // when (served clock) the combined offset was last updated
};

// RFC 5905 §11.2 (clock_update): stratum = upstream + 1, refid = the upstream's address (IPv4) or
// the first four bytes of the MD5 of its IPv6 address (§7.3), root delay Δ = upstream Δ + δ, root
// dispersion E = upstream E + ε (+ precision).
ServerState synchronized_state(const UpstreamView& upstream, Precision precision);

// RFC 5905 §7.3: refid of an IPv6 reference: the first four octets of the MD5 hash of the address.
RefId refid_for(const IpAddress& address);

}  // namespace cw::ntp
