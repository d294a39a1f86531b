// ntp/reach.h — the reachability register of one upstream (RFC 5905 §9.2 and §13, "reach"): an
// 8-bit shift register shifted left at every poll and whose low bit is set when a valid reply
// arrives. Zero means the last eight polls went unanswered: the upstream is unreachable and may
// not be selected (RFC 5905 §11.2.1 / A.5.5.1, fit(): "reach == 0"), as chronyd also stops
// selecting it. Pure.
#pragma once

#include <cstdint>

namespace cw::ntp {

class ReachRegister {
 public:
  void polled() { bits_ = static_cast<std::uint8_t>(bits_ << 1); }  // a request goes out
  void answered() { bits_ |= 1; }                                   // a valid reply came back
  bool reachable() const { return bits_ != 0; }
  std::uint8_t bits() const { return bits_; }

 private:
  std::uint8_t bits_ = 0;
};

}  // namespace cw::ntp
