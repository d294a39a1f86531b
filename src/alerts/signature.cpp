// alerts/signature.cpp — HMAC-SHA256 with OpenSSL.
#include "alerts/signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace cw::alerts {

std::string hmac_sha256_hex(std::string_view key, std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data(), &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string signature_header(std::string_view key, std::string_view body) {
  return "X-Chronowatch-Signature: sha256=" + hmac_sha256_hex(key, body);
}

}  // namespace cw::alerts
