// bench/ntp_exchange.cpp — the client side of the NTP core: building a request, validating a
// reply into a sample (plain and with an AES128-CMAC / SHA256 MAC), the clock filter, and
// selection + combining over 3 and 20 servers. Run: build/bench/bench_ntp_exchange
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "ntp/clock_filter.h"
#include "ntp/exchange.h"
#include "ntp/mac.h"
#include "ntp/selection.h"

namespace {

using namespace std::chrono_literals;
using namespace cw;
using namespace cw::ntp;

class XorShift final : public Random {
 public:
  void fill(std::span<std::byte> out) override {
    for (auto& b : out) {
      state_ ^= state_ << 13;
      state_ ^= state_ >> 7;
      state_ ^= state_ << 17;
      b = static_cast<std::byte>(state_);
    }
  }

 private:
  std::uint64_t state_ = 0x9e3779b97f4a7c15ull;
};

const Timestamp kT1 = from_unix_ns(1'700'000'000'000'000'000);

std::vector<std::byte> reply_to(const PendingRequest& request, const Key* key) {
  Packet p;
  p.mode = Mode::server;
  p.stratum = Stratum{2};
  p.precision = Precision{-20};
  p.root_delay = NtpShort::from(1ms);
  p.root_dispersion = NtpShort::from(1ms);
  p.origin_time = request.sent_transmit;
  p.receive_time = NtpTimestamp::from(kT1 + 100us);
  p.transmit_time = NtpTimestamp::from(kT1 + 110us);
  std::array<std::byte, kMaxRequestSize> buffer{};
  serialize(p, buffer);
  const auto size = key ? append_mac(*key, buffer, kHeaderSize) : kHeaderSize;
  return {buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(size)};
}

void BM_MakeRequest(benchmark::State& state) {
  XorShift random;
  for (auto _ : state) benchmark::DoNotOptimize(make_request(random));
}
BENCHMARK(BM_MakeRequest);

void accept(benchmark::State& state, const Key* key) {
  XorShift random;
  const auto request = key ? make_request(random, *key) : make_request(random);
  const auto reply = reply_to(request, key);
  for (auto _ : state) benchmark::DoNotOptimize(accept_reply(reply, request, kT1, kT1 + 200us));
}

void BM_AcceptReply(benchmark::State& state) { accept(state, nullptr); }
BENCHMARK(BM_AcceptReply);

void BM_AcceptReplyAuthenticated(benchmark::State& state) {
  const auto type = static_cast<KeyType>(state.range(0));
  std::vector<std::byte> secret(type == KeyType::aes256 ? 32 : 16, std::byte{0x5a});
  const auto key = Key::make(KeyId{1}, type, secret).value();
  state.SetLabel(std::string(name(type)));
  accept(state, &key);
}
BENCHMARK(BM_AcceptReplyAuthenticated)
    ->Arg(static_cast<int>(KeyType::md5))
    ->Arg(static_cast<int>(KeyType::sha256))
    ->Arg(static_cast<int>(KeyType::aes128));

void BM_ClockFilterAdd(benchmark::State& state) {
  ClockFilter filter;
  Measurement m{1ms, 10ms, 10us, kT1};
  for (auto _ : state) {
    m.time += 64s;
    benchmark::DoNotOptimize(filter.add(m));
  }
}
BENCHMARK(BM_ClockFilterAdd);

void BM_SelectAndCombine(benchmark::State& state) {
  std::vector<Candidate> candidates;
  for (int i = 0; i < state.range(0); ++i)
    candidates.push_back({Duration{i * 100'000}, 20ms + Duration{i * 10'000}, 1ms, 2});
  candidates.back().offset = 5s;  // one falseticker
  for (auto _ : state) benchmark::DoNotOptimize(select_and_combine(candidates));
}
BENCHMARK(BM_SelectAndCombine)->Arg(3)->Arg(20);

}  // namespace
