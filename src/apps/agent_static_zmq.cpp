// apps/agent_static_zmq.cpp — what chronowatch-agent needs besides Debian's libzmq.a, which it
// contains (src/apps/CMakeLists.txt), instead of opening libzmq.so.5 on first use: libzmq.so.5
// brings Kerberos, OpenPGM, NORM, libsodium, libbsd and libstdc++.so (~4 MB resident); the parts
// of libzmq.a and libsodium.a the agent runs are ~0.5 MB.
//
// libzmq.a refers to the GSSAPI mechanism and the PGM and NORM transports, whose libraries the
// agent does not carry. They are defined here as functions that stop the agent with a message.
// They are not reached: the agent never sets the ZMQ_GSSAPI_* options, and libzmq refuses pgm://,
// epgm:// and norm:// endpoints on the agent's DEALER socket (ENOCOMPATPROTO) before calling them.
// zmq_ctx_new and the last zmq_ctx_term call pgm_init/pgm_shutdown unconditionally: they succeed.
// A libzmq update calling another of them fails the agent's link with "undefined reference": add
// it to the list below.
//
// The CURVE buffer cache (transport/zmq/curve_memory.h) replaces libsodium.so's allocator for a
// collector's thousands of handshakes; the agent makes one connection and uses libsodium.a's.
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "transport/zmq/curve_memory.h"

namespace cw::transport {
CurveMemoryStats curve_memory_stats() { return {}; }
}  // namespace cw::transport

namespace {
[[noreturn]] void absent(const char* name) {
  std::fprintf(stderr,
               "chronowatch-agent: libzmq called %s: GSSAPI, PGM and NORM are not part of the "
               "agent (use tcp:// or ipc:// endpoints and CURVE)\n",
               name);
  std::abort();
}
}  // namespace

// clang-format off
#define CW_ABSENT(name) extern "C" void name() { absent(#name); }
#define CW_ABSENT_VALUE(name) \
  extern "C" { extern const void* const name; const void* const name = nullptr; }
CW_ABSENT_VALUE(GSS_C_NT_HOSTBASED_SERVICE) CW_ABSENT_VALUE(GSS_C_NT_USER_NAME)
CW_ABSENT(gss_accept_sec_context) CW_ABSENT(gss_acquire_cred) CW_ABSENT(gss_delete_sec_context)
CW_ABSENT(gss_display_name) CW_ABSENT(gss_import_name) CW_ABSENT(gss_init_sec_context)
CW_ABSENT(gss_release_buffer) CW_ABSENT(gss_release_cred) CW_ABSENT(gss_release_name)
CW_ABSENT(gss_unwrap) CW_ABSENT(gss_wrap)
CW_ABSENT(pgm_bind3) CW_ABSENT(pgm_close) CW_ABSENT(pgm_connect) CW_ABSENT(pgm_error_free)
CW_ABSENT(pgm_free) CW_ABSENT(pgm_freeaddrinfo) CW_ABSENT(pgm_getaddrinfo)
CW_ABSENT(pgm_getsockopt) CW_ABSENT(pgm_gsi_create_from_data) CW_ABSENT(pgm_recvmsgv)
CW_ABSENT(pgm_send) CW_ABSENT(pgm_setsockopt) CW_ABSENT(pgm_socket)
CW_ABSENT_VALUE(NORM_INSTANCE_INVALID) CW_ABSENT_VALUE(NORM_NODE_ANY)
CW_ABSENT_VALUE(NORM_OBJECT_INVALID) CW_ABSENT_VALUE(NORM_SESSION_INVALID)
CW_ABSENT(NormCreateInstance) CW_ABSENT(NormCreateSession) CW_ABSENT(NormDestroyInstance)
CW_ABSENT(NormDestroySession) CW_ABSENT(NormGetDescriptor) CW_ABSENT(NormGetNextEvent)
CW_ABSENT(NormGetRandomSessionId) CW_ABSENT(NormIsUnicastAddress) CW_ABSENT(NormNodeDelete)
CW_ABSENT(NormObjectGetType) CW_ABSENT(NormObjectGetUserData) CW_ABSENT(NormObjectSetUserData)
CW_ABSENT(NormSetCongestionControl) CW_ABSENT(NormSetDefaultSyncPolicy)
CW_ABSENT(NormSetDefaultUnicastNack) CW_ABSENT(NormSetLoopback) CW_ABSENT(NormSetMulticastInterface)
CW_ABSENT(NormSetRxPortReuse) CW_ABSENT(NormSetTTL) CW_ABSENT(NormStartReceiver)
CW_ABSENT(NormStartSender) CW_ABSENT(NormStopInstance) CW_ABSENT(NormStopReceiver)
CW_ABSENT(NormStopSender) CW_ABSENT(NormStreamFlush) CW_ABSENT(NormStreamOpen)
CW_ABSENT(NormStreamRead) CW_ABSENT(NormStreamSeekMsgStart) CW_ABSENT(NormStreamWrite)
    // clang-format on

    // libzmq.a takes strlcpy from libbsd (glibc 2.36 has none). Defined here rather than linked
    // from
    // libbsd.a, whose other objects ld.lld fetches too (getentropy.o, needing libmd's SHA-512).
    extern "C" std::size_t strlcpy(char* destination, const char* source, std::size_t size) {
  const std::size_t length = std::strlen(source);
  if (size > 0) {
    const std::size_t copied = length < size - 1 ? length : size - 1;
    std::memcpy(destination, source, copied);
    destination[copied] = '\0';
  }
  return length;  // BSD: the length it tried to create
}

// OpenPGM's bool pgm_init(pgm_error_t**) and bool pgm_shutdown(void): nothing to set up.
extern "C" bool pgm_init(void*) { return true; }
extern "C" bool pgm_shutdown() { return true; }
