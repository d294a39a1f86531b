// platform/privileges.cpp — setgroups/setgid/setuid (glibc applies them to every thread) and,
// when asked, PR_SET_KEEPCAPS + capset to keep CAP_SYS_TIME alone.
#include "platform/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace cw::platform {
namespace {

[[noreturn]] void fail(const std::string& user, const char* call) {
  throw std::runtime_error("cannot switch to user '" + user + "': " + call + ": " +
                           std::strerror(errno));
}

void keep_only_sys_time(const std::string& user) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  data[0].effective = data[0].permitted = 1u << CAP_SYS_TIME;
  if (::syscall(SYS_capset, &header, data) != 0) fail(user, "capset(CAP_SYS_TIME)");
}

}  // namespace

void drop_privileges(const std::string& user, bool keep_clock_capability) {
  errno = 0;
  const passwd* entry = ::getpwnam(user.c_str());
  if (entry == nullptr) {
    if (errno == 0) errno = ENOENT;
    fail(user, "getpwnam");
  }
  const uid_t uid = entry->pw_uid;
  const gid_t gid = entry->pw_gid;
  if (keep_clock_capability && ::prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) != 0)
    fail(user, "prctl(PR_SET_KEEPCAPS)");
  if (::setgroups(0, nullptr) != 0) fail(user, "setgroups");
  if (::setgid(gid) != 0) fail(user, "setgid");
  if (::setuid(uid) != 0) fail(user, "setuid");
  if (uid != 0 && ::setuid(0) == 0) {
    errno = EPERM;
    fail(user, "regained root after setuid");
  }
  if (keep_clock_capability) keep_only_sys_time(user);
}

}  // namespace cw::platform
