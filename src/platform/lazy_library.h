// platform/lazy_library.h — a shared library opened with dlopen on first use. libzmq and libpcap
// are not linked into `chronowatch` (no DT_NEEDED): platform/lazy_zmq.cpp and lazy_pcap.cpp define
// the functions we call and forward them here. A command that never uses ZeroMQ or packet capture
// (the drift agent with its default sinks) therefore never maps them nor their dependencies
// (Kerberos, OpenPGM, NORM, libsodium, D-Bus, systemd, ...), ~2.3 MB of resident memory; the
// first call loads them, with the same behaviour as a link-time dependency.
#pragma once

#include <bit>
#include <mutex>

namespace cw::platform {

class LazyLibrary {
 public:
  // soname: what dlopen loads ("libzmq.so.5"); package: what to install when it is missing.
  constexpr LazyLibrary(const char* soname, const char* package)
      : soname_(soname), package_(package) {}
  LazyLibrary(const LazyLibrary&) = delete;
  LazyLibrary& operator=(const LazyLibrary&) = delete;

  // The address of `name` in the library (loaded on the first call, thread-safe). Throws
  // std::runtime_error naming the library and the package to install when it cannot be loaded.
  template <typename Function>
  Function symbol(const char* name) {
    return std::bit_cast<Function>(find(name));
  }

 private:
  void* find(const char* name);

  const char* soname_;
  const char* package_;
  std::once_flag loaded_;
  void* handle_ = nullptr;
};

}  // namespace cw::platform

// Defines the C function `name` (declared by the library's own header, so a wrong signature does
// not compile) as a forwarder to the same function of `library` (a LazyLibrary&), resolved once.
#define CW_LAZY_FUNCTION(library, ret, name, params, args)           \
  extern "C" ret name params {                                       \
    static const auto real = (library).symbol<ret(*) params>(#name); \
    return real args;                                                \
  }
