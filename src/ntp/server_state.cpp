// ntp/server_state.cpp — the server's RFC 5905 system variables (ntp/server_state.h).
#include "ntp/server_state.h"

#include <openssl/evp.h>

#include <algorithm>

namespace cw::ntp {

Duration ServerState::root_dispersion_at(Timestamp now) const {
  if (reference_time == Timestamp{}) return root_dispersion;  // never set: nothing to age
  const std::int64_t since = std::max<std::int64_t>(0, (now - reference_time).count());
  // PHI × since without overflow (since may be decades in nanoseconds).
  const std::int64_t growth =
      since / 1'000'000 * kPhiPartsPerMillion + since % 1'000'000 * kPhiPartsPerMillion / 1'000'000;
  return root_dispersion + Duration{growth};
}

ServerState unsynchronized_state(Precision precision) {
  ServerState s;
  s.precision = precision;
  return s;
}

ServerState local_state(std::uint8_t stratum, Precision precision, Timestamp now) {
  ServerState s;
  s.leap = LeapIndicator::no_warning;
  s.stratum = Stratum{std::clamp<std::uint8_t>(stratum, 1, 15)};
  s.reference_id = RefId::from_ascii("LOCL");
  s.reference_time = now;
  s.precision = precision;
  return s;
}

ServerState fallback_state(std::optional<std::uint8_t> local_stratum, Precision precision,
                           Timestamp now) {
  return local_stratum ? local_state(*local_stratum, precision, now)
                       : unsynchronized_state(precision);
}

RefId refid_for(const IpAddress& address) {
  if (address.is_v4()) return RefId::from_u32(address.v4_host_order());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const auto& bytes = address.bytes();
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr);
  return RefId{
      {std::byte{digest[0]}, std::byte{digest[1]}, std::byte{digest[2]}, std::byte{digest[3]}}};
}

ServerState synchronized_state(const UpstreamView& upstream, Precision precision) {
  ServerState s;
  s.leap =
      upstream.leap == LeapIndicator::unsynchronized ? LeapIndicator::no_warning : upstream.leap;
  s.stratum =
      Stratum{static_cast<std::uint8_t>(std::clamp<int>(upstream.stratum.value + 1, 1, 16))};
  if (s.stratum.value >= 16) s.leap = LeapIndicator::unsynchronized;
  s.reference_id = refid_for(upstream.address);
  s.reference_time = upstream.updated_at;
  s.root_delay = upstream.root_delay + std::max(Duration::zero(), upstream.delay);
  s.root_dispersion = upstream.root_dispersion + upstream.dispersion + precision.duration();
  s.precision = precision;
  return s;
}

}  // namespace cw::ntp
