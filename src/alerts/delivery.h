// alerts/delivery.h — the timing rules of notification delivery (pure): the back-off between two
// attempts, and which claim lease fits an attempt's timeout on an outbox shared by collectors.
#pragma once

#include <string>

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

}  // namespace cw::alerts
