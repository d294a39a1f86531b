// platform/privileges.h — giving up root after binding privileged ports: switch to an
// unprivileged user (and its group), optionally keeping only CAP_SYS_TIME for a server that was
// explicitly asked to discipline the system clock.
#pragma once

#include <string>

namespace cw::platform {

// Switches the whole process (every thread) to `user`'s uid, gid and no supplementary groups.
// With keep_clock_capability, CAP_SYS_TIME survives the switch (and nothing else does). Throws
// std::runtime_error naming the user and the failing call.
void drop_privileges(const std::string& user, bool keep_clock_capability);

}  // namespace cw::platform
