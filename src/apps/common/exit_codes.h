// apps/common/exit_codes.h — exit statuses that scripts can trust. Shared ones are here; a
// command's own codes (documented in its --help and the README) start at 3.
#pragma once

namespace cw::apps {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a runtime failure (resource, I/O) with a message
inline constexpr int kExitUsage = 2;    // bad flags, environment or config file

}  // namespace cw::apps
