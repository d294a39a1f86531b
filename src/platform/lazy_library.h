// platform/lazy_library.h — a shared library opened with dlopen on first use. libzmq and libpcap
// are not linked into `chronowatch` (no DT_NEEDED): platform/lazy_zmq.cpp and lazy_pcap.cpp define
// the functions we call and forward them here. A command that never uses ZeroMQ or packet capture
// (the drift agent with its default sinks) therefore never maps them nor their dependencies
// (Kerberos, OpenPGM, NORM, libsodium, D-Bus, systemd, ...), ~2.3 MB of resident memory; the
// first call loads them, with the same behaviour as a link-time dependency.
#pragma once

#include <bit>
#include <mutex>
#include <tuple>

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

namespace cw::platform::lazy {
// The return and parameter types of a C function, from its header's own declaration.
template <typename F>
struct Signature;
template <typename R, typename... A>
struct Signature<R (*)(A...)> {
  using Return = R;
  template <std::size_t I>
  using Arg = std::tuple_element_t<I, std::tuple<A...>>;
};
}  // namespace cw::platform::lazy

// CW_LAZY_FORWARD(library, name, N): the same forwarder as CW_LAZY_FUNCTION for a function of N
// parameters (0..8), its types taken from the declaration in scope (for long lists of calls).
#define CW_LAZY_SIG(name) ::cw::platform::lazy::Signature<decltype(&name)>
#define CW_LAZY_P(name, i) typename CW_LAZY_SIG(name)::template Arg<i> a##i
#define CW_LAZY_PARAMS_0(n)
#define CW_LAZY_PARAMS_1(n) CW_LAZY_P(n, 0)
#define CW_LAZY_PARAMS_2(n) CW_LAZY_PARAMS_1(n), CW_LAZY_P(n, 1)
#define CW_LAZY_PARAMS_3(n) CW_LAZY_PARAMS_2(n), CW_LAZY_P(n, 2)
#define CW_LAZY_PARAMS_4(n) CW_LAZY_PARAMS_3(n), CW_LAZY_P(n, 3)
#define CW_LAZY_PARAMS_5(n) CW_LAZY_PARAMS_4(n), CW_LAZY_P(n, 4)
#define CW_LAZY_PARAMS_6(n) CW_LAZY_PARAMS_5(n), CW_LAZY_P(n, 5)
#define CW_LAZY_PARAMS_7(n) CW_LAZY_PARAMS_6(n), CW_LAZY_P(n, 6)
#define CW_LAZY_PARAMS_8(n) CW_LAZY_PARAMS_7(n), CW_LAZY_P(n, 7)
#define CW_LAZY_ARGS_0
#define CW_LAZY_ARGS_1 a0
#define CW_LAZY_ARGS_2 CW_LAZY_ARGS_1, a1
#define CW_LAZY_ARGS_3 CW_LAZY_ARGS_2, a2
#define CW_LAZY_ARGS_4 CW_LAZY_ARGS_3, a3
#define CW_LAZY_ARGS_5 CW_LAZY_ARGS_4, a4
#define CW_LAZY_ARGS_6 CW_LAZY_ARGS_5, a5
#define CW_LAZY_ARGS_7 CW_LAZY_ARGS_6, a6
#define CW_LAZY_ARGS_8 CW_LAZY_ARGS_7, a7
#define CW_LAZY_FORWARD(library, name, n)                               \
  extern "C" CW_LAZY_SIG(name)::Return name(CW_LAZY_PARAMS_##n(name)) { \
    static const auto real = (library).symbol<decltype(&name)>(#name);  \
    return real(CW_LAZY_ARGS_##n);                                      \
  }
