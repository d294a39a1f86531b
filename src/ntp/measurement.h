// ntp/measurement.h — what one client/server exchange measures (RFC 5905 §8): clock offset θ,
// round-trip delay δ and dispersion ε, computed from the four timestamps by 64-bit integer
// subtraction, plus the RFC's constants and the root distance / error bound built from them.
#pragma once

#include "core/ntp_time.h"
#include "core/time.h"

namespace cw::ntp {

using namespace std::chrono_literals;

// RFC 5905 Appendix A.1.1 parameters.
inline constexpr Duration kMinDispersion =
    10ms;                                        // MINDISP: floor of the root distance's delay term
inline constexpr Duration kMaxDispersion = 16s;  // MAXDISP: "no data" / stage never filled
inline constexpr Duration kMaxDistance = 1s;     // MAXDIST: selection threshold on root distance
inline constexpr double kPhi = 15e-6;            // PHI: frequency tolerance, 15 ppm (s/s)

// The dispersion a measurement gains by ageing `elapsed` (PHI × elapsed, RFC 5905 §10).
Duration dispersion_growth(Duration elapsed);

// One exchange's numbers. Local times (T1, T4) are the client's clock; T2, T3 the server's.
struct Measurement {
  Duration offset{};      // θ = ((T2 − T1) + (T3 − T4)) / 2: server minus local
  Duration delay{};       // δ = (T4 − T1) − (T3 − T2), floored at the local precision
  Duration dispersion{};  // ε = ρ_server + ρ_local + PHI × (T4 − T1)
  Timestamp time{};       // T4: when it was measured, on the local clock

  bool operator==(const Measurement&) const = default;
};

// RFC 5905 §8 (on-wire protocol) and A.5.1.1 (packet()). t1 and t4 are local Unix times; t2 and
// t3 are the server's NTP timestamps, taken in the era nearest t1. Precisions are 2^precision s.
Measurement measure(Timestamp t1, NtpTimestamp t2, NtpTimestamp t3, Timestamp t4,
                    Duration server_precision, Duration local_precision);

// 2^log2 seconds, the unit of the packet's precision field (e.g. −20 ≈ 1 µs).
Duration precision_duration(int log2_seconds);

// The server's own distance to its reference, as carried in the packet header.
struct RootInfo {
  Duration root_delay{};       // Δ
  Duration root_dispersion{};  // E
};

// RFC 5905 A.5.5.2 root_dist(): λ = max(MINDISP, Δ + δ)/2 + E + ε + PHI·(now − t) + ψ,
// the bound on how far this source's time may be from true time.
Duration root_distance(const Measurement& m, const RootInfo& root, Duration jitter, Timestamp now);

// The bound on the error of θ itself for one sample (RFC 5905 §8: the true offset lies within
// θ ± (δ/2 + ε)), i.e. what the measurement alone can vouch for, not counting the server's root.
Duration error_bound(const Measurement& m);

}  // namespace cw::ntp
