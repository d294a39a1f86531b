// core/random.h — a source of randomness injected into pure cores (platform/ reads getrandom(2);
// tests use a fixed sequence).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace cw {

class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(std::span<std::byte> out) = 0;

  std::uint64_t next_u64() {
    std::uint64_t value = 0;
    fill(std::as_writable_bytes(std::span{&value, 1}));
    return value;
  }
};

}  // namespace cw
