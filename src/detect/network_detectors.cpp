// detect/network_detectors.cpp — the family list and per-frame dispatch of
// detect/network_detectors.h. A new family is one line in kNetDetectorFamilies.
#include "detect/network_detectors.h"

#include <array>
#include <numeric>

#include "detect/net/flow/flow_detectors.h"
#include "detect/net/modbus/modbus.h"
#include "detect/net/ntp/ntp_detector.h"

namespace cw::detect {
namespace {

constexpr Duration kTick = std::chrono::milliseconds(250);  // how often expiry runs, in packet time

using Factory = std::unique_ptr<NetDetector> (*)(const NetmonConfig&, EventSink&);
template <typename T>
std::unique_ptr<NetDetector> make(const NetmonConfig& config, EventSink& sink) {
  return std::make_unique<T>(config, sink);
}

// Every network detector family, in dispatch order.
constexpr std::array<Factory, 3> kNetDetectorFamilies{
    &make<FlowDetectors>,   // net/flow: scans, SYN and connection floods, sensitive ports
    &make<ModbusDetector>,  // net/modbus: Modbus/TCP anomalies
    &make<NtpDetector>,     // net/ntp: NTP attacks on the wire
};

}  // namespace

std::uint64_t DetectorCounters::value(std::string_view name) const {
  for (const auto* list : {&events, &extra})
    for (const auto& c : *list)
      if (c.name == name) return c.value;
  return 0;
}

std::uint64_t DetectorCounters::total_events() const {
  return std::accumulate(events.begin(), events.end(), std::uint64_t{0},
                         [](std::uint64_t sum, const Counter& c) { return sum + c.value; });
}

NetworkDetectors::NetworkDetectors(const NetmonConfig& config, EventSink sink)
    : config_(config), sink_(std::move(sink)) {
  for (const auto factory : kNetDetectorFamilies) detectors_.push_back(factory(config_, sink_));
}

void NetworkDetectors::on_frame(LinkType link, std::span<const std::byte> frame, Timestamp time) {
  ++stats_.packets;
  stats_.bytes += frame.size();
  switch (decode_packet(link, frame, time, scratch_)) {
    case DecodeStatus::ok:
      break;
    case DecodeStatus::not_ip:
      ++stats_.not_ip;
      return;
    case DecodeStatus::truncated:
      ++stats_.truncated;
      return;
    case DecodeStatus::malformed:
      ++stats_.malformed;
      return;
    case DecodeStatus::unsupported_link:
      ++stats_.unsupported_link;
      return;
  }
  on_packet(scratch_);
}

void NetworkDetectors::on_packet(const DecodedPacket& p) {
  ++stats_.decoded;
  if (!started_) {
    started_ = true;
    now_ = stats_.first_packet = p.time;
    next_tick_ = p.time + kTick;
  }
  if (p.time < now_) ++stats_.time_went_backwards;
  now_ = later(now_, p.time);
  stats_.last_packet = now_;
  if (now_ >= next_tick_) tick(now_);
  if (p.later_fragment) {
    ++stats_.later_fragments;
    return;
  }
  for (const auto& detector : detectors_) detector->on_packet(p, now_);
}

void NetworkDetectors::tick(Timestamp now) {
  next_tick_ = now + kTick;
  for (const auto& detector : detectors_) detector->expire(now);
}

void NetworkDetectors::advance(Timestamp now) {
  if (!started_ || now < now_) return;
  now_ = now;
  tick(now);
}

void NetworkDetectors::flush() {
  if (!started_) return;
  for (const auto& detector : detectors_) detector->flush(now_);
}

NetmonStats NetworkDetectors::stats() const {
  NetmonStats s = stats_;
  s.detectors = {};
  for (const auto& detector : detectors_) detector->counters(s.detectors);
  return s;
}

}  // namespace cw::detect
