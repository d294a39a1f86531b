// platform/lazy_library.cpp — see platform/lazy_library.h.
#include "platform/lazy_library.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <stdexcept>

namespace cw::platform {

void* LazyLibrary::find(const char* name) {
  std::call_once(loaded_, [this] { handle_ = dlopen(soname_, RTLD_NOW | RTLD_LOCAL); });
  if (handle_ == nullptr)
    throw std::runtime_error(
        fmt::format("cannot load {} ({}); install the package {}", soname_, dlerror(), package_));
  void* address = dlsym(handle_, name);  // the library's own definition, not our forwarder
  if (address == nullptr)
    throw std::runtime_error(
        fmt::format("{} has no function {}: install the package {}", soname_, name, package_));
  return address;
}

}  // namespace cw::platform
