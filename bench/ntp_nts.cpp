// bench/ntp_nts.cpp — the cost of NTS (RFC 8915) per operation: AEAD_AES_SIV_CMAC_256 (nettle)
// sealing the tag of an empty plaintext (every chrony request), a cookie (68 bytes), one reply's
// cookie field (108 bytes) and opening them; OpenSSL 3's AES-SIV on the same inputs for the
// comparison that chose nettle; and the server's whole NTS answer (check + seal) and the client's
// request and reply check. Run: build/bench/bench_ntp_nts
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <array>
#include <vector>

#include "ntp/exchange.h"
#include "ntp/nts/aead.h"
#include "ntp/nts/cookies.h"
#include "ntp/responder.h"

namespace {

using namespace cw;
using namespace cw::ntp;
using namespace std::chrono_literals;

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

const std::array<std::byte, 32> kKey{std::byte{1}, std::byte{2}};
const std::array<std::byte, 16> kNonce{std::byte{3}};
const std::vector<std::byte> kPacket(228, std::byte{5});  // a chrony request before its auth field

void BM_NettleSeal(benchmark::State& state) {
  const auto aead = *nts::Aead::make(nts::AeadId::aes_siv_cmac_256, kKey);
  const std::vector<std::byte> plain(static_cast<std::size_t>(state.range(0)), std::byte{7});
  std::vector<std::byte> out(plain.size() + 16);
  for (auto _ : state) benchmark::DoNotOptimize(aead.encrypt(kNonce, kPacket, plain, out));
}
BENCHMARK(BM_NettleSeal)->Arg(0)->Arg(68)->Arg(108);

void BM_NettleOpen(benchmark::State& state) {
  const auto aead = *nts::Aead::make(nts::AeadId::aes_siv_cmac_256, kKey);
  const std::vector<std::byte> plain(static_cast<std::size_t>(state.range(0)), std::byte{7});
  std::vector<std::byte> sealed(plain.size() + 16), out(plain.size());
  aead.encrypt(kNonce, kPacket, plain, sealed);
  for (auto _ : state) benchmark::DoNotOptimize(aead.decrypt(kNonce, kPacket, sealed, out));
}
BENCHMARK(BM_NettleOpen)->Arg(0)->Arg(68)->Arg(108);

void BM_NettleKeySchedule(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(nts::Aead::make(nts::AeadId::aes_siv_cmac_256, kKey));
}
BENCHMARK(BM_NettleKeySchedule);

// OpenSSL 3's AES-SIV (AES-128-SIV is AEAD_AES_SIV_CMAC_256) with the same two AD components.
void BM_OpenSslSeal(benchmark::State& state) {
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-128-SIV", nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const std::vector<unsigned char> plain(static_cast<std::size_t>(state.range(0)), 7);
  std::vector<unsigned char> out(plain.size() + 16);
  std::array<unsigned char, 16> tag{};
  const auto* key = reinterpret_cast<const unsigned char*>(kKey.data());
  const auto* ad = reinterpret_cast<const unsigned char*>(kPacket.data());
  const auto* nonce = reinterpret_cast<const unsigned char*>(kNonce.data());
  std::size_t failures = 0;
  for (auto _ : state) {
    int n = 0;
    bool ok =
        EVP_EncryptInit_ex(ctx, cipher, nullptr, key, nullptr) == 1 &&
        EVP_EncryptUpdate(ctx, nullptr, &n, ad, static_cast<int>(kPacket.size())) == 1 &&
        EVP_EncryptUpdate(ctx, nullptr, &n, nonce, 16) == 1 &&
        EVP_EncryptUpdate(ctx, out.data(), &n, plain.data(), static_cast<int>(plain.size())) == 1 &&
        EVP_EncryptFinal_ex(ctx, out.data() + n, &n) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) == 1;
    failures += ok ? 0 : 1;
    benchmark::DoNotOptimize(tag);
  }
  state.counters["failures"] = static_cast<double>(failures);  // the empty plaintext fails
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
}
BENCHMARK(BM_OpenSslSeal)->Arg(0)->Arg(68)->Arg(108);

struct Exchange {
  std::shared_ptr<nts::ServerCookies> cookies;
  Responder responder;
  nts::ClientRequest client;
  ServerState served = local_state(2, Precision{-20}, from_unix_ns(1'700'000'000'000'000'000));

  static nts::MasterKey master() {
    nts::MasterKey k;
    k.id = 1;
    k.secret.fill(std::byte{9});
    return k;
  }
  static ResponderConfig config(std::shared_ptr<nts::ServerCookies> c) {
    ResponderConfig r;
    r.nts = std::move(c);
    return r;
  }
  Exchange()
      : cookies(std::make_shared<nts::ServerCookies>(std::vector{master()})),
        responder(config(cookies), 1) {
    nts::SessionKeys keys;
    keys.c2s.fill(std::byte{1});
    keys.s2c.fill(std::byte{2});
    client.c2s = *nts::Aead::make(keys.aead, std::span(keys.c2s).first(nts::key_size(keys.aead)));
    client.s2c = *nts::Aead::make(keys.aead, std::span(keys.s2c).first(nts::key_size(keys.aead)));
    client.cookie.resize(nts::cookie_size(keys.aead));
    cookies->seal(keys, kNonce, client.cookie);
  }
};

// The server's whole answer to one request (respond, then seal), once per iteration.
void answer_every_iteration(benchmark::State& state, Exchange& e, const auto& request) {
  std::array<std::byte, kMaxPacketSize> out{};
  const auto client = *IpAddress::parse("127.0.0.1");
  for (auto _ : state) {
    const Reply reply =
        e.responder.respond(request.datagram(), client, from_unix_ns(1), e.served, out);
    e.responder.seal(reply, out, from_unix_ns(2));
    benchmark::DoNotOptimize(out);
  }
}

void BM_ServerAnswersNts(benchmark::State& state) {
  Exchange e;
  XorShift random;
  answer_every_iteration(state, e, *make_request(random, ClientAuth::nts(e.client)));
}
BENCHMARK(BM_ServerAnswersNts);

void BM_ServerAnswersPlain(benchmark::State& state) {
  Exchange e;
  XorShift random;
  answer_every_iteration(state, e, make_request(random));
}
BENCHMARK(BM_ServerAnswersPlain);

void BM_ClientNtsRequestAndCheck(benchmark::State& state) {
  Exchange e;
  XorShift random;
  std::array<std::byte, kMaxPacketSize> out{};
  const auto client = *IpAddress::parse("127.0.0.1");
  const auto t = from_unix_ns(1'700'000'000'000'000'000);
  for (auto _ : state) {
    const auto request = *make_request(random, ClientAuth::nts(e.client));
    const Reply reply = e.responder.respond(request.datagram(), client, t, e.served, out);
    e.responder.seal(reply, out, t + 1us);
    benchmark::DoNotOptimize(accept_reply(std::span(out).first(reply.size), request, t, t + 2us));
  }
}
BENCHMARK(BM_ClientNtsRequestAndCheck);

}  // namespace
