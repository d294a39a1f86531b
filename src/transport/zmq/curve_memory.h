// transport/zmq/curve_memory.h — a cache in front of libsodium's guarded allocator for libzmq's
// CURVE buffers. libzmq 4.3 takes CURVE plaintext buffers (about 12 per connection's handshake, see
// curve_memory_test.cpp) from sodium_allocarray(): mmap, mlock, guard pages by mprotect, munmap
// on free, 0.5–1.2 ms each on the project's VMs. A thousand agents connecting at once cost the
// collector and the simulator about 10 s of CPU each. chronowatch defines sodium_allocarray and
// sodium_free (the two libsodium calls libzmq makes), so the dynamic linker binds libzmq to them:
// buffers still come from libsodium's guarded, locked memory and are zeroed when freed, but a
// freed buffer is kept (by power-of-two size class, a few per class) and reused instead of being
// unmapped. Memory from anyone else's sodium_malloc() is passed through to libsodium.
#pragma once

#include <cstddef>

namespace cw::transport {

struct CurveMemoryStats {
  std::size_t reused = 0;     // allocations served from the cache
  std::size_t allocated = 0;  // allocations that went to libsodium
  std::size_t cached_bytes = 0;
};

// Also makes sure the interposing definitions are linked into any program that uses ZeroMQ here.
CurveMemoryStats curve_memory_stats();

}  // namespace cw::transport
