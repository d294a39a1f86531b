// Unit tests for sensitive/SCADA port access and the Modbus/TCP anomaly detector.
#include <gtest/gtest.h>

#include "detect/net/modbus/modbus.h"
#include "harness.h"

namespace cw::detect {
namespace {
using namespace test;
using events::EventType;
using namespace tcp_flag;

void connect(Harness& h, const char* src, const char* dst, std::uint16_t sport, std::uint16_t port,
             double t) {
  h.send(tcp4(src, dst, sport, port, syn), t);
  h.send(tcp4(dst, src, port, sport, syn | ack), t + 0.0001);
  h.send(tcp4(src, dst, sport, port, ack), t + 0.0002);
}

TEST(SensitivePorts, FirstAccessOnceAndAllowListRespected) {
  NetmonConfig config;
  config.sensitive.allowlist.push_back(
      {*IpPrefix::parse("10.0.0.30"), IpPrefix::parse("10.0.0.10"), 22});
  Harness h(config);
  connect(h, "10.0.0.5", "10.0.0.10", 40000, 22, 1);
  connect(h, "10.0.0.5", "10.0.0.10", 40001, 22, 2);       // same (src, dst, port): deduplicated
  connect(h, "10.0.0.30", "10.0.0.10", 40002, 22, 3);      // allow-listed
  connect(h, "10.0.0.30", "10.0.0.11", 40003, 22, 4);      // not for this destination
  connect(h, "10.0.0.5", "10.0.0.10", 40004, 20000, 5);    // DNP3: a SCADA port added to the seed's
  connect(h, "10.0.0.5", "10.0.0.10", 40005, 8080, 6);     // not sensitive
  h.send(udp4("10.0.0.6", "10.0.0.10", 47808, 47808), 7);  // BACnet over UDP
  ASSERT_EQ(h.count(EventType::sensitive_port_access), 4u);
  EXPECT_EQ(h.net(0).ports, std::vector<std::uint16_t>{22});
  EXPECT_EQ(h.events[0].severity, events::Severity::medium);
  EXPECT_EQ(h.net(1).source, ip("10.0.0.30"));
  EXPECT_EQ(h.net(2).ports, std::vector<std::uint16_t>{20000});
  EXPECT_EQ(h.events[2].severity, events::Severity::high);
  EXPECT_EQ(h.net(3).ports, std::vector<std::uint16_t>{47808});
}

struct ModbusHarness : Harness {
  explicit ModbusHarness(NetmonConfig c) : Harness(std::move(c)) {}
  void request(const char* master, std::uint16_t tid, std::uint8_t fc, const Frame& data,
               double t) {
    send(tcp4(master, "10.0.0.10", 41000, 502, psh | ack, modbus(tid, fc, data)), t);
  }
  void response(const char* master, std::uint16_t tid, std::uint8_t fc, const Frame& data,
                double t) {
    send(tcp4("10.0.0.10", master, 502, 41000, psh | ack, modbus(tid, fc, data)), t);
  }
};

NetmonConfig with_master() {
  NetmonConfig config;
  config.modbus.authorized_masters.push_back(*IpPrefix::parse("10.0.0.20"));
  return config;
}

TEST(Modbus, NormalPollingFromTheAuthorizedMasterIsQuiet) {
  ModbusHarness h(with_master());
  for (std::uint16_t tid = 1; tid <= 50; ++tid) {
    h.request("10.0.0.20", tid, 3, bytes({0, 0, 0, 10}), tid);
    h.response("10.0.0.20", tid, 3,
               bytes({20, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 0, 9, 0, 10}),
               tid + 0.01);
    h.request("10.0.0.20", std::uint16_t(tid + 1000), 6, bytes({0, 1, 0, 42}),
              tid + 0.5);  // authorized write
    h.response("10.0.0.20", std::uint16_t(tid + 1000), 6, bytes({0, 1, 0, 42}), tid + 0.51);
  }
  h.detectors.flush();
  EXPECT_TRUE(h.events.empty());
}

TEST(Modbus, WritesDiagnosticsAndMalformedFromAnotherMaster) {
  ModbusHarness h(with_master());
  h.request("10.0.0.66", 1, 6, bytes({0, 1, 0, 42}), 1);
  h.request("10.0.0.66", 2, 16, bytes({0, 1, 0, 1, 2, 0, 7}), 1.1);  // another write: same event
  h.request("10.0.0.66", 3, 8, bytes({0, 4, 0, 0}), 2);              // force listen only
  h.request("10.0.0.66", 4, 8, bytes({0, 1, 0, 0}), 3);              // restart communications
  h.request("10.0.0.66", 5, 0x5a, bytes({}), 4);                     // not a function code
  h.send(
      tcp4("10.0.0.66", "10.0.0.10", 41000, 502, psh | ack, modbus(6, 3, bytes({0, 0, 0, 1}), 7)),
      5);
  EXPECT_EQ(h.modbus_kinds(),
            (std::vector<std::string>{"write_unauthorized", "force_listen_only",
                                      "restart_communications", "unknown_function", "malformed"}));
  EXPECT_EQ(h.events.back().severity, events::Severity::medium);
}

TEST(Modbus, FunctionSweepFromExceptionResponses) {
  ModbusHarness h(with_master());
  std::uint16_t tid = 1;
  for (int code : {9, 10, 13, 14, 18, 19, 25}) {
    const auto fc = static_cast<std::uint8_t>(code);
    h.request("10.0.0.66", tid, fc, bytes({}), tid * 0.01);
    h.response("10.0.0.66", tid, std::uint8_t(fc | 0x80), bytes({1}), tid * 0.01 + 0.001);
    ++tid;
  }
  const auto kinds = h.modbus_kinds();
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "function_sweep"), 1);
}

TEST(Modbus, ResponsesWithoutRequests) {
  ModbusHarness h(with_master());
  h.response("10.0.0.20", 70, 3, bytes({2, 0, 1}), 0.5);
  EXPECT_TRUE(h.events.empty()) << "the connection's requests were not seen: it began earlier";
  h.request("10.0.0.20", 71, 3, bytes({0, 0, 0, 1}), 0.7);
  h.response("10.0.0.20", 71, 3, bytes({2, 0, 1}), 0.8);
  h.response("10.0.0.20", 77, 3, bytes({2, 0, 1}), 1);
  EXPECT_TRUE(h.events.empty()) << "one unmatched response is below unmatched_threshold";
  h.response("10.0.0.20", 78, 3, bytes({2, 0, 1}), 2);
  ASSERT_EQ(h.modbus_kinds(), std::vector<std::string>{"response_without_request"});
  EXPECT_EQ(h.net(0).source, ip("10.0.0.10"));
}

TEST(ModbusMbap, ParsesAndRejects) {
  ModbusAdu adu;
  std::size_t consumed = 0;
  const auto good = modbus(9, 3, bytes({0, 0, 0, 1}));
  ASSERT_EQ(parse_mbap(good, adu, consumed), MbapStatus::ok);
  EXPECT_EQ(adu.transaction, 9);
  EXPECT_EQ(adu.function, 3);
  EXPECT_EQ(consumed, good.size());
  EXPECT_EQ(parse_mbap(modbus(1, 3, {}, 1), adu, consumed), MbapStatus::bad_protocol);
  auto too_long = good;
  too_long[5] = std::byte{200};
  EXPECT_EQ(parse_mbap(too_long, adu, consumed), MbapStatus::exceeds_segment);
  too_long[4] = std::byte{1};
  EXPECT_EQ(parse_mbap(too_long, adu, consumed), MbapStatus::bad_length);
  EXPECT_EQ(parse_mbap(bytes({0, 1, 0}), adu, consumed), MbapStatus::short_header);
}

}  // namespace
}  // namespace cw::detect

namespace cw::detect {
namespace {
using namespace test;
using namespace tcp_flag;

Frame segment(const char* src, const char* dst, std::uint16_t sport, std::uint16_t dport,
              const Frame& payload, std::uint32_t seq) {
  return ethernet(ipv4(src, dst, 6, tcp(sport, dport, psh | ack, payload, seq)));
}

// Issue 14: hours of ordinary polling raised malformed and response_without_request. A capture
// that starts mid-connection, several ADUs per segment and ADUs split across segments are normal.
TEST(Modbus, MidConnectionStartBackToBackAndSplitAdusAreQuiet) {
  Harness h;
  std::uint32_t seq_c = 5000, seq_s = 9000;
  auto respond = [&](std::uint16_t tid, double t) {
    const auto r = modbus(tid, 3, bytes({4, 0, 1, 0, 2}));
    h.send(segment("10.0.0.10", "10.0.0.20", 502, 41000, r, seq_s), t);
    seq_s += static_cast<std::uint32_t>(r.size());
  };
  respond(7, 0.0);  // answers requests sent before the capture began
  respond(8, 0.1);
  for (std::uint16_t tid = 10; tid < 40; tid += 2) {
    auto two = modbus(tid, 3, bytes({0, 0, 0, 2}));  // two requests in one segment
    const auto next = modbus(static_cast<std::uint16_t>(tid + 1), 3, bytes({0, 0, 0, 2}));
    two.insert(two.end(), next.begin(), next.end());
    // ... and the pair split across two segments at an awkward byte
    const Frame first(two.begin(), two.begin() + 5), second(two.begin() + 5, two.end());
    h.send(segment("10.0.0.20", "10.0.0.10", 41000, 502, first, seq_c), tid);
    h.send(segment("10.0.0.20", "10.0.0.10", 41000, 502, second, seq_c + 5), tid + 0.01);
    seq_c += static_cast<std::uint32_t>(two.size());
    respond(tid, tid + 0.02);
    respond(static_cast<std::uint16_t>(tid + 1), tid + 0.03);
  }
  h.detectors.flush();
  EXPECT_TRUE(h.events.empty()) << h.modbus_kinds().front();
}

TEST(Modbus, ASplitWriteIsStillSeenAndAnOrphanAfterRequestsIsReported) {
  NetmonConfig c;
  c.modbus.authorized_masters.push_back(*IpPrefix::parse("10.0.0.20"));
  Harness h(c);
  const auto write = modbus(1, 6, bytes({0, 1, 0, 42}));
  const Frame a(write.begin(), write.begin() + 9), b(write.begin() + 9, write.end());
  h.send(segment("10.0.0.66", "10.0.0.10", 41000, 502, a, 100), 1);
  h.send(segment("10.0.0.66", "10.0.0.10", 41000, 502, b, 109), 1.01);
  EXPECT_EQ(h.modbus_kinds(), std::vector<std::string>{"write_unauthorized"});
  for (std::uint16_t tid = 50; tid < 53; ++tid)  // responses to nothing, after requests were seen
    h.send(segment("10.0.0.10", "10.0.0.66", 502, 41000, modbus(tid, 3, bytes({2, 0, 1})),
                   static_cast<std::uint32_t>(tid * 100)),
           2 + tid * 0.01);
  EXPECT_EQ(h.modbus_kinds(),
            (std::vector<std::string>{"write_unauthorized", "response_without_request"}));
}

}  // namespace
}  // namespace cw::detect

namespace cw::detect {
namespace {
using namespace test;
using namespace tcp_flag;

// A segment of 10.0.0.66's connection to the slave, as the capture saw it.
struct GapHarness : Harness {
  GapHarness() : Harness(with_unauthorized_master()) {}
  static NetmonConfig with_unauthorized_master() {
    NetmonConfig c;
    c.modbus.authorized_masters.push_back(*IpPrefix::parse("10.0.0.20"));
    return c;
  }
  void segment(const Frame& payload, std::uint32_t seq, double t) {
    send(ethernet(ipv4("10.0.0.66", "10.0.0.10", 6, tcp(41000, 502, psh | ack, payload, seq))), t);
  }
  std::uint64_t resyncs() const { return detectors.stats().detectors.value("modbus_resyncs"); }
};

Frame first(const Frame& f, std::size_t n) { return Frame(f.begin(), f.begin() + n); }
Frame after(const Frame& f, std::size_t n) { return Frame(f.begin() + n, f.end()); }

// Under load the capture dropped the first 5 bytes of a split request: the next segment begins
// mid-ADU. As at Zeek's content gap, that is no malformed ADU: the reader resynchronises.
TEST(ModbusGap, TheRestOfASplitRequestAfterAGapIsNoMalformedAdu) {
  GapHarness h;
  const auto read = modbus(1, 3, bytes({0, 0, 0, 4}));  // 12 bytes
  h.segment(read, 100, 1);
  h.segment(after(read, 5), 117, 1.1);  // bytes 112..116 never captured
  EXPECT_TRUE(h.events.empty()) << h.modbus_kinds().front();
  h.segment(modbus(2, 6, bytes({0, 1, 0, 42})), 124, 1.2);  // in sequence: read as usual
  EXPECT_EQ(h.modbus_kinds(), std::vector<std::string>{"write_unauthorized"});
  EXPECT_EQ(h.resyncs(), 1u);
}

TEST(ModbusGap, ASegmentThatBeginsOnAnAduAfterAGapIsReadAsUsual) {
  GapHarness h;
  const auto read = modbus(1, 3, bytes({0, 0, 0, 4}));
  h.segment(read, 100, 1);
  auto two = modbus(2, 3, bytes({0, 0, 0, 4}));  // a whole ADU, then a bad protocol id
  const auto bad = modbus(3, 3, bytes({0, 0, 0, 1}), 7);
  two.insert(two.end(), bad.begin(), bad.end());
  h.segment(two, 500, 2);  // a gap: 112..499 never captured
  EXPECT_EQ(h.modbus_kinds(), std::vector<std::string>{"malformed"});
  EXPECT_EQ(h.resyncs(), 0u);
}

TEST(ModbusGap, GarbageThatGoesOnAfterAGapIsReportedOnceTheResyncIsSpent) {
  GapHarness h;
  h.segment(modbus(1, 3, bytes({0, 0, 0, 4})), 100, 1);
  const auto garbage = modbus(9, 3, bytes({0, 0, 0, 1}), 7);  // 12 bytes, protocol 7
  std::uint32_t seq = 200;                                    // a gap first
  for (std::uint8_t i = 0; i < ModbusDetector::kResyncSegments; ++i, seq += 12)
    h.segment(garbage, seq, 2 + i * 0.1);
  EXPECT_TRUE(h.events.empty()) << h.modbus_kinds().front();
  EXPECT_EQ(h.resyncs(), ModbusDetector::kResyncSegments);
  h.segment(garbage, seq, 3);
  EXPECT_EQ(h.modbus_kinds(), std::vector<std::string>{"malformed"});
}

TEST(ModbusGap, ARetransmissionIsNoGapAndABeginningCutShortIsHeldAcrossIt) {
  GapHarness h;
  const auto write = modbus(1, 6, bytes({0, 1, 0, 42}));
  h.segment(first(write, 5), 100, 1);
  h.segment(first(write, 5), 100, 1.01);  // the same bytes again: no gap, held bytes dropped
  h.segment(after(write, 5), 105, 1.02);
  EXPECT_EQ(h.modbus_kinds(), std::vector<std::string>{"write_unauthorized"});
  EXPECT_EQ(h.resyncs(), 0u);
  h.segment(modbus(2, 3, bytes({0, 0, 0, 1}), 7), 100, 1.5);  // old bytes, and malformed
  EXPECT_EQ(h.modbus_kinds(), (std::vector<std::string>{"write_unauthorized", "malformed"}));
}

}  // namespace
}  // namespace cw::detect
