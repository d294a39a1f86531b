// transport/curve_memory.h — a cache in front of libsodium's guarded allocator for libzmq's CURVE
// buffers. libzmq 4.3 puts every CURVE message's plaintext in sodium_allocarray() memory (mmap,
// mlock, guard pages by mprotect, munmap on free): 0.5–1.2 ms per message on the project's VMs,
// most of the collector's and the simulator's CPU. chronowatch defines sodium_allocarray and
// sodium_free (the two libsodium calls libzmq makes), so the dynamic linker binds libzmq to them:
// buffers still come from libsodium's guarded, locked memory and are zeroed when freed, but a
// freed buffer is kept (by power-of-two size class, a few per class) and reused instead of being
// unmapped. Memory from anyone else's sodium_malloc() is passed through to libsodium.
#pragma once

#include <cstddef>

namespace cw::transport {

struct CurveMemoryStats {
  std::size_t reused = 0;      // allocations served from the cache
  std::size_t allocated = 0;   // allocations that went to libsodium
  std::size_t cached_bytes = 0;
};

// Also makes sure the interposing definitions are linked into any program that uses ZeroMQ here.
CurveMemoryStats curve_memory_stats();

}  // namespace cw::transport
