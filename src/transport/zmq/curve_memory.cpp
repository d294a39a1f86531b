// transport/zmq/curve_memory.cpp — the cached sodium_allocarray/sodium_free that libzmq binds to
// (see curve_memory.h). Each buffer carries a 16-byte header (magic, size class, size asked for)
// in front of what libzmq sees. A cached buffer is a whole size class from sodium_malloc, so its
// block ends against libsodium's guard page but the buffer may end before it: an overrun shorter
// than that slack is not caught (the guard protects per size class, not per byte).
#include "transport/zmq/curve_memory.h"

#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace cw::transport {
namespace {

constexpr std::uint32_t kMagic = 0x63772d63u;  // "cw-c"
constexpr std::size_t kHeader = 16;
constexpr std::size_t kMinClass = 8;   // 256 bytes
constexpr std::size_t kMaxClass = 20;  // 1 MiB: bigger buffers are not kept
constexpr std::size_t kPerClass = 4;   // kept buffers per class

constexpr std::uint32_t kNotCached = 0;       // libsodium's, too big to keep
constexpr std::uint32_t kPlainHeap = 0xffff;  // libsodium not found: malloc, zeroed when freed

struct Header {
  std::uint32_t magic;
  std::uint32_t size_class;  // kMinClass … kMaxClass, kNotCached or kPlainHeap
  std::uint64_t requested;   // bytes libzmq asked for
};
static_assert(sizeof(Header) == kHeader);

using MallocFn = void* (*)(std::size_t);
using FreeFn = void (*)(void*);

// libsodium's own functions. libzmq may be linked (libsodium then follows this executable in the
// global search order: RTLD_NEXT) or opened with dlopen(RTLD_LOCAL) by platform/lazy_library.h
// (libsodium is then loaded already, as libzmq's dependency, but only a handle finds it).
void* sodium_function(const char* name) {
  if (void* function = ::dlsym(RTLD_NEXT, name)) return function;
  if (void* library = ::dlopen("libsodium.so.23", RTLD_NOW | RTLD_NOLOAD))
    return ::dlsym(library, name);
  return nullptr;
}

struct Sodium {
  MallocFn malloc = reinterpret_cast<MallocFn>(sodium_function("sodium_malloc"));
  FreeFn free = reinterpret_cast<FreeFn>(sodium_function("sodium_free"));
};

const Sodium& sodium() {
  static const Sodium functions = [] {
    Sodium found;
    if (!found.malloc || !found.free)
      spdlog::warn(
          "libsodium's sodium_malloc was not found: CURVE buffers come from the plain heap "
          "(no guard pages, not locked in memory); check that libzmq links libsodium.so.23");
    return found;
  }();
  return functions;
}

struct Cache {
  std::mutex mutex;
  std::array<std::vector<void*>, kMaxClass + 1> free_by_class;
  CurveMemoryStats stats;
};

Cache& cache() {
  static Cache* instance = new Cache;  // never destroyed: libzmq's threads may outlive statics
  return *instance;
}

std::size_t class_of(std::size_t bytes) {
  std::size_t size_class = kMinClass;
  while ((std::size_t{1} << size_class) < bytes) ++size_class;
  return size_class;
}

void* allocate(std::size_t requested) {
  const std::size_t size_class = class_of(requested + kHeader);
  const bool cacheable = size_class <= kMaxClass;
  void* block = nullptr;
  if (cacheable) {
    auto& c = cache();
    std::lock_guard lock(c.mutex);
    auto& list = c.free_by_class[size_class];
    if (!list.empty()) {
      block = list.back();
      list.pop_back();
      ++c.stats.reused;
      c.stats.cached_bytes -= std::size_t{1} << size_class;
    } else {
      ++c.stats.allocated;
    }
  }
  std::uint32_t kind = cacheable ? static_cast<std::uint32_t>(size_class) : kNotCached;
  if (!block && sodium().malloc) {
    block = sodium().malloc(cacheable ? std::size_t{1} << size_class : requested + kHeader);
  } else if (!block) {
    block = std::malloc(requested + kHeader);
    kind = kPlainHeap;
  }
  if (!block) return nullptr;
  const Header header{kMagic, kind, requested};
  std::memcpy(block, &header, sizeof header);
  return static_cast<std::byte*>(block) + kHeader;
}

void release(void* user) {
  if (!user) return;
  auto* block = static_cast<std::byte*>(user) - kHeader;
  Header header;
  std::memcpy(&header, block, sizeof header);  // for libsodium's own blocks: its canary
  if (header.magic != kMagic) {
    if (sodium().free) sodium().free(user);
    return;
  }
  ::explicit_bzero(user, header.requested);  // as sodium_free would
  if (header.size_class == kPlainHeap) return std::free(block);
  if (header.size_class != kNotCached) {
    auto& c = cache();
    std::lock_guard lock(c.mutex);
    auto& list = c.free_by_class[header.size_class];
    if (list.size() < kPerClass) {
      list.push_back(block);
      c.stats.cached_bytes += std::size_t{1} << header.size_class;
      return;
    }
  }
  sodium().free(block);
}

}  // namespace

CurveMemoryStats curve_memory_stats() {
  auto& c = cache();
  std::lock_guard lock(c.mutex);
  return c.stats;
}

}  // namespace cw::transport

// The two libsodium entry points libzmq imports (`nm -D libzmq.so.5`), same signatures as
// <sodium/utils.h>. Exported from the executable, so libzmq's calls land here.
extern "C" {
__attribute__((visibility("default"))) void* sodium_allocarray(std::size_t count,
                                                               std::size_t size) {
  if (size != 0 && count > (SIZE_MAX - 64) / size) return nullptr;  // as libsodium: overflow → NULL
  return cw::transport::allocate(count * size);
}
__attribute__((visibility("default"))) void sodium_free(void* pointer) {
  cw::transport::release(pointer);
}
}
