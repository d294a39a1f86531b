// platform/lazy_zmq.cpp — the libzmq functions chronowatch (cppzmq included) calls, loaded on
// first use (platform/lazy_library.h explains why). A new zmq_* call that is not listed here
// fails to link with "undefined reference": add one line below.
#include <zmq.h>

#include "platform/lazy_library.h"

namespace {
cw::platform::LazyLibrary& libzmq() {
  static cw::platform::LazyLibrary library{"libzmq.so.5", "libzmq5"};
  return library;
}
}  // namespace

// clang-format off
CW_LAZY_FUNCTION(libzmq(), int, zmq_errno, (void), ())
CW_LAZY_FUNCTION(libzmq(), const char*, zmq_strerror, (int e), (e))
CW_LAZY_FUNCTION(libzmq(), void, zmq_version, (int* a, int* b, int* c), (a, b, c))
CW_LAZY_FUNCTION(libzmq(), int, zmq_has, (const char* c), (c))
CW_LAZY_FUNCTION(libzmq(), void*, zmq_ctx_new, (void), ())
CW_LAZY_FUNCTION(libzmq(), int, zmq_ctx_term, (void* c), (c))
CW_LAZY_FUNCTION(libzmq(), int, zmq_ctx_shutdown, (void* c), (c))
CW_LAZY_FUNCTION(libzmq(), int, zmq_ctx_set, (void* c, int o, int v), (c, o, v))
CW_LAZY_FUNCTION(libzmq(), int, zmq_ctx_get, (void* c, int o), (c, o))
CW_LAZY_FUNCTION(libzmq(), void*, zmq_socket, (void* c, int t), (c, t))
CW_LAZY_FUNCTION(libzmq(), int, zmq_close, (void* s), (s))
CW_LAZY_FUNCTION(libzmq(), int, zmq_setsockopt, (void* s, int o, const void* v, size_t n),
                 (s, o, v, n))
CW_LAZY_FUNCTION(libzmq(), int, zmq_getsockopt, (void* s, int o, void* v, size_t* n), (s, o, v, n))
CW_LAZY_FUNCTION(libzmq(), int, zmq_bind, (void* s, const char* a), (s, a))
CW_LAZY_FUNCTION(libzmq(), int, zmq_connect, (void* s, const char* a), (s, a))
CW_LAZY_FUNCTION(libzmq(), int, zmq_unbind, (void* s, const char* a), (s, a))
CW_LAZY_FUNCTION(libzmq(), int, zmq_disconnect, (void* s, const char* a), (s, a))
CW_LAZY_FUNCTION(libzmq(), int, zmq_send, (void* s, const void* b, size_t n, int f), (s, b, n, f))
CW_LAZY_FUNCTION(libzmq(), int, zmq_recv, (void* s, void* b, size_t n, int f), (s, b, n, f))
CW_LAZY_FUNCTION(libzmq(), int, zmq_poll, (zmq_pollitem_t* i, int n, long t), (i, n, t))
CW_LAZY_FUNCTION(libzmq(), int, zmq_socket_monitor, (void* s, const char* a, int e), (s, a, e))
CW_LAZY_FUNCTION(libzmq(), int, zmq_proxy, (void* f, void* b, void* c), (f, b, c))
CW_LAZY_FUNCTION(libzmq(), int, zmq_msg_init, (zmq_msg_t* m), (m))
CW_LAZY_FUNCTION(libzmq(), int, zmq_msg_init_size, (zmq_msg_t* m, size_t n), (m, n))
CW_LAZY_FUNCTION(libzmq(), int, zmq_msg_init_data,
                 (zmq_msg_t* m, void* d, size_t n, zmq_free_fn* f, void* h),
                 (m, d, n, f, h))
CW_LAZY_FUNCTION(libzmq(), int, zmq_msg_send, (zmq_msg_t* m, void* s, int f), (m, s, f))
CW_LAZY_FUNCTION(libzmq(), int, zmq_msg_recv, (zmq_msg_t* m, void* s, int f), (m, s, f))
CW_LAZY_FUNCTION(libzmq(), int, zmq_msg_close, (zmq_msg_t* m), (m))
CW_LAZY_FUNCTION(libzmq(), int, zmq_msg_move, (zmq_msg_t* d, zmq_msg_t* s), (d, s))
CW_LAZY_FUNCTION(libzmq(), int, zmq_msg_copy, (zmq_msg_t* d, zmq_msg_t* s), (d, s))
CW_LAZY_FUNCTION(libzmq(), void*, zmq_msg_data, (zmq_msg_t* m), (m))
CW_LAZY_FUNCTION(libzmq(), size_t, zmq_msg_size, (const zmq_msg_t* m), (m))
CW_LAZY_FUNCTION(libzmq(), int, zmq_msg_more, (const zmq_msg_t* m), (m))
CW_LAZY_FUNCTION(libzmq(), int, zmq_msg_get, (const zmq_msg_t* m, int p), (m, p))
CW_LAZY_FUNCTION(libzmq(), int, zmq_msg_set, (zmq_msg_t* m, int p, int v), (m, p, v))
CW_LAZY_FUNCTION(libzmq(), const char*, zmq_msg_gets, (const zmq_msg_t* m, const char* p), (m, p))
CW_LAZY_FUNCTION(libzmq(), char*, zmq_z85_encode, (char* d, const uint8_t* s, size_t n), (d, s, n))
CW_LAZY_FUNCTION(libzmq(), uint8_t*, zmq_z85_decode, (uint8_t* d, const char* s), (d, s))
CW_LAZY_FUNCTION(libzmq(), int, zmq_curve_keypair, (char* p, char* s), (p, s))
CW_LAZY_FUNCTION(libzmq(), int, zmq_curve_public, (char* p, const char* s), (p, s))
// clang-format on
