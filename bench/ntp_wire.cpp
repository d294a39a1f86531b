// bench_ntp_wire — cost of the NTP wire layer per packet: parse (+ the checks a server makes) of a
// plain and of an authenticated request, header serialization, and MAC compute / verify /
// parse+check for every key type (ntp/packet.h, ntp/mac.h).
//   cmake --build build --target bench_ntp_wire && ./build/bench/bench_ntp_wire
#include <benchmark/benchmark.h>

#include <array>
#include <string_view>
#include <vector>

#include "ntp/key_file.h"
#include "ntp/mac.h"
#include "ntp/packet.h"

namespace {

using namespace cw::ntp;

constexpr std::string_view kKeyFile =
    "1 MD5 HEX:00112233445566778899aabbccddeeff\n"
    "2 SHA1 HEX:00112233445566778899aabbccddeeff00112233\n"
    "3 SHA256 HEX:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
    "4 SHA384 HEX:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
    "5 SHA512 HEX:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
    "6 AES128 HEX:00112233445566778899aabbccddeeff\n"
    "7 AES256 HEX:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
    "8 HMAC-SHA256 HEX:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";

const KeyStore& keys() {
  static const KeyStore store = parse_key_file(kKeyFile).value();
  return store;
}

std::array<std::byte, kHeaderSize> request_header() {
  Packet request;
  request.mode = Mode::client;
  request.poll = PollInterval{6};
  request.transmit_time = cw::NtpTimestamp{0xe91b2e8a, 0x4bc6a7ef};
  return serialize(request);
}

std::vector<std::byte> signed_request(const Key& key) {
  std::vector<std::byte> buffer(kMaxPacketSize);
  const auto header = request_header();
  std::copy(header.begin(), header.end(), buffer.begin());
  buffer.resize(append_mac(key, buffer, kHeaderSize));
  return buffer;
}

// What a responder does before answering: read the packet, check version and mode.
bool acceptable_request(const cw::Result<ParsedPacket, ParseError>& parsed) {
  return parsed && parsed->header.mode == Mode::client && parsed->header.version >= 1;
}

void BM_ParsePlainRequest(benchmark::State& state) {
  const auto wire = request_header();
  for (auto _ : state) {
    auto parsed = parse(wire);
    benchmark::DoNotOptimize(acceptable_request(parsed));
  }
}
BENCHMARK(BM_ParsePlainRequest);

void BM_ParseAuthenticatedRequestNoMacCheck(benchmark::State& state) {
  const auto wire = signed_request(*keys().find(KeyId{2}));
  for (auto _ : state) {
    auto parsed = parse(wire);
    benchmark::DoNotOptimize(acceptable_request(parsed) && parsed->mac.has_value());
  }
}
BENCHMARK(BM_ParseAuthenticatedRequestNoMacCheck);

void BM_SerializeHeader(benchmark::State& state) {
  Packet reply;
  reply.mode = Mode::server;
  std::array<std::byte, kHeaderSize> out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(serialize(reply, out));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_SerializeHeader);

void BM_ComputeMac(benchmark::State& state) {
  const Key& key = *keys().find(KeyId{static_cast<std::uint32_t>(state.range(0))});
  state.SetLabel(std::string(name(key.type())));
  const auto wire = request_header();
  for (auto _ : state) benchmark::DoNotOptimize(compute_mac(key, wire));
}
BENCHMARK(BM_ComputeMac)->DenseRange(1, 8);

void BM_VerifyMac(benchmark::State& state) {
  const Key& key = *keys().find(KeyId{static_cast<std::uint32_t>(state.range(0))});
  state.SetLabel(std::string(name(key.type())));
  const auto wire = request_header();
  const auto mac = compute_mac(key, wire);
  for (auto _ : state) benchmark::DoNotOptimize(verify_mac(key, wire, mac.view()));
}
BENCHMARK(BM_VerifyMac)->DenseRange(1, 8);

// The whole receive path of an authenticated request: parse, validate, look the key up, verify.
void BM_ParseAndCheckAuthenticatedRequest(benchmark::State& state) {
  const Key& key = *keys().find(KeyId{static_cast<std::uint32_t>(state.range(0))});
  state.SetLabel(std::string(name(key.type())));
  const auto wire = signed_request(key);
  for (auto _ : state) {
    auto parsed = parse(wire);
    benchmark::DoNotOptimize(acceptable_request(parsed) && check_mac(*parsed, keys()).has_value());
  }
}
BENCHMARK(BM_ParseAndCheckAuthenticatedRequest)->DenseRange(1, 8);

}  // namespace
