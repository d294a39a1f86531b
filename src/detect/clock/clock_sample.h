// detect/clock/clock_sample.h — what the clock monitor is told after each poll: one outcome per NTP
// server (a validated sample, or why there is none) and the system offset that selection and
// combining (RFC 5905 §11.2) made of them. Filled by the agent shell from the ntp/ client core.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace cw::detect {

// One measurement of the local clock against a server (RFC 5905 §8: θ, δ, root distance).
struct ClockSample {
  std::string server;        // "host:port"
  Duration offset{};         // θ = server − local: negative when the local clock is ahead
  Duration delay{};          // δ, round trip
  Duration root_distance{};  // the most the offset can be wrong by (RFC 5905 §11.2: λ)
  std::int32_t stratum = 0;
};

enum class PollStatus : std::uint8_t {
  ok,              // a valid sample (in `sample`)
  no_reply,        // timeout or network error
  unsynchronized,  // the server answered with leap 3 or stratum 16 (RFC 5905 §7.3)
  kiss_of_death,   // stratum 0 with a kiss code (RFC 5905 §7.4), in `kiss_code`
  invalid,         // a reply that failed validation (bogus origin, bad MAC, ...)
};

struct ServerOutcome {
  std::string server;
  PollStatus status = PollStatus::no_reply;
  std::optional<ClockSample> sample;  // when status is ok
  std::string kiss_code;              // "RATE", "DENY", "RSTR", ... when kiss_of_death
  bool falseticker = false;           // rejected by selection (RFC 5905 §11.2.1)
  std::int32_t stratum = 0;           // as the reply said, when there was one
};

struct PollRound {
  std::vector<ServerOutcome> servers;   // the servers polled this round
  std::optional<ClockSample> combined;  // the system offset; nullopt when no server survived
};

}  // namespace cw::detect
