// alerts/delivery.h — the timing rules of notification delivery (pure): the back-off between two
// attempts, which claim lease fits an attempt's timeout on an outbox shared by collectors, and
// how notifications the outbox refused wait for the next try.
#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <vector>

#include "core/time.h"

namespace cw::alerts {

// After `attempts` failed attempts: 1 s, 2 s, 4 s, ... doubling, at most `most`.
Duration retry_delay(int attempts, Duration most);

// The smallest lease for `timeout`: an attempt that runs to its timeout must end before its claim
// does (else another collector may send the same notification meanwhile), with room for the
// outbox round trips after it.
Duration shortest_lease(Duration timeout);

// Empty when `lease` fits `timeout`, else what is wrong (for a usage error).
std::string check_lease(Duration lease, Duration timeout);

// The outbox refused to write (its database down): how soon to try again with what waits.
inline constexpr Duration kRefusedRetry = std::chrono::seconds(1);
// Whether a try is due: none waits, or the last refusal was at least kRefusedRetry ago. Until it
// is, new notifications queue behind the waiting ones, so that a burst does not try once each.
inline bool refused_retry_due(bool waiting, Timestamp last_refusal, Timestamp now) {
  return !waiting || now - last_refusal >= kRefusedRetry;
}

// Appends `more` after `waiting`, in order; past `cap`, the oldest are given up. Returns how many.
template <typename T>
std::size_t keep_in_order(std::vector<T>& waiting, std::vector<T> more, std::size_t cap) {
  waiting.insert(waiting.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
  if (waiting.size() <= cap) return 0;
  const auto given_up = waiting.size() - cap;
  waiting.erase(waiting.begin(), waiting.begin() + static_cast<std::ptrdiff_t>(given_up));
  return given_up;
}

}  // namespace cw::alerts
