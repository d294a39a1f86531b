// tool_ntp_mac — a helper for tests/integration/test_ntp_mac_interop.py: builds an authenticated
// NTP client request with ntp/mac.h and checks the MAC of a reply, so that the test (which owns the
// socket) can prove chronyd accepts our MACs and we accept chronyd's. Bytes in and out as hex.
//   tool_ntp_mac sign KEYFILE KEY_ID VERSION TRANSMIT   → hex of the signed request
//   tool_ntp_mac check KEYFILE KEY_ID HEX               → "ok", or the reason (exit status 1)
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "apps/common/key_loading.h"
#include "ntp/mac.h"

namespace {

using namespace cw::ntp;

std::vector<std::byte> from_hex(const std::string& text) {
  std::vector<std::byte> out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2)
    out.push_back(static_cast<std::byte>(std::stoul(text.substr(i, 2), nullptr, 16)));
  return out;
}

void print_hex(std::span<const std::byte> bytes) {
  for (const auto b : bytes) std::printf("%02x", static_cast<unsigned>(b));
  std::printf("\n");
}

const Key& find_key(const KeyStore& keys, const char* id) {
  const Key* key = keys.find(KeyId{static_cast<std::uint32_t>(std::stoul(id))});
  if (!key) throw std::runtime_error(std::string("no key ") + id + " in the keyfile");
  return *key;
}

int sign(const Key& key, int version, const char* transmit) {
  Packet request;
  request.version = static_cast<std::uint8_t>(version);
  request.mode = Mode::client;
  request.transmit_time = cw::NtpTimestamp{std::stoull(transmit, nullptr, 16)};
  std::array<std::byte, kMaxPacketSize> buffer{};
  const auto size = append_mac(key, buffer, serialize(request, buffer));
  if (size == 0) throw std::runtime_error("could not sign the request");
  print_hex(std::span(buffer).first(size));
  return 0;
}

int check(const Key& key, const std::string& hex) {
  const auto datagram = from_hex(hex);
  const auto parsed = parse(datagram);
  if (!parsed) {
    std::printf("parse: %s\n", std::string(to_string(parsed.error())).c_str());
    return 1;
  }
  const auto signer = check_mac(*parsed, key);
  if (!signer) {
    std::printf("auth: %s\n", std::string(to_string(signer.error())).c_str());
    return 1;
  }
  std::printf("ok\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string command = argc > 1 ? argv[1] : "";
  if (argc == 6 && command == "sign") {
    const auto keys = cw::apps::load_key_file(argv[2]);
    return sign(find_key(keys, argv[3]), std::atoi(argv[4]), argv[5]);
  }
  if (argc == 5 && command == "check") {
    const auto keys = cw::apps::load_key_file(argv[2]);
    return check(find_key(keys, argv[3]), argv[4]);
  }
  std::fprintf(
      stderr,
      "usage: tool_ntp_mac sign KEYFILE KEY_ID VERSION TRANSMIT_HEX | check KEYFILE KEY_ID HEX\n");
  return 2;
} catch (const std::exception& e) {
  std::fprintf(stderr, "tool_ntp_mac: %s\n", e.what());
  return 2;
}
