// alerts/delivery.cpp — back-off and claim lease (alerts/delivery.h).
#include "alerts/delivery.h"

#include <fmt/format.h>

#include <algorithm>

namespace cw::alerts {

Duration retry_delay(int attempts, Duration most) {
  const auto doubling = std::clamp(attempts, 0, 20);
  const Duration delay = std::chrono::seconds(1) * (std::int64_t{1} << doubling);
  return std::min(delay, most);
}

Duration shortest_lease(Duration timeout) { return timeout + std::chrono::seconds(2); }

std::string check_lease(Duration lease, Duration timeout) {
  if (lease >= shortest_lease(timeout)) return {};
  return fmt::format(
      "--alert-claim-lease {:.1f} s is too short for --alert-timeout {:.1f} s: "
      "give at least {:.1f} s (an attempt must end before its claim does)",
      to_seconds(lease), to_seconds(timeout), to_seconds(shortest_lease(timeout)));
}

}  // namespace cw::alerts
