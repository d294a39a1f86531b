// ntp/keys.cpp — NTP keys on OpenSSL 3: the hash types compute H(key || packet) as RFC 5905 §7.3
// and chronyd do; AES128/AES256 are CMAC (RFC 8573) and HMAC-SHA256 a true HMAC, both via EVP_MAC.
#include "ntp/keys.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cw::ntp {
namespace detail {

// The prepared algorithm of one key; digest() leaves the shared state untouched (thread-safe).
class MacEngine {
 public:
  virtual ~MacEngine() = default;
  virtual std::size_t digest(std::span<const std::byte> data,
                             std::span<std::byte, kMaxDigestSize> out) const = 0;
  std::size_t secret_size = 0;
};

}  // namespace detail
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct MdFree {
  void operator()(EVP_MD* m) const { EVP_MD_free(m); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};
struct MacFree {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

constexpr std::array kNames = {"MD5",    "SHA1",   "SHA256", "SHA384",
                               "SHA512", "AES128", "AES256", "HMAC-SHA256"};

// RFC 5905 §7.3: digest = H(key || message). The key is absorbed once into a context that every
// digest() call copies, so the per-packet cost is one copy, one update and one final.
class HashEngine final : public detail::MacEngine {
 public:
  HashEngine(MdCtx keyed, std::size_t secret) : keyed_(std::move(keyed)) { secret_size = secret; }
  std::size_t digest(std::span<const std::byte> data,
                     std::span<std::byte, kMaxDigestSize> out) const override {
    MdCtx ctx{EVP_MD_CTX_new()};
    unsigned length = 0;
    if (!ctx || !EVP_MD_CTX_copy_ex(ctx.get(), keyed_.get()) ||
        !EVP_DigestUpdate(ctx.get(), data.data(), data.size()) ||
        !EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length))
      return 0;
    return length;
  }

 private:
  MdCtx keyed_;
};

// The calling thread's working copies of keyed EVP_MAC contexts, by engine: duplicating the keyed
// context for every packet (allocations and a key-schedule copy) cost more than the MAC itself.
// Engines are told apart by a serial number, never by address (a reloaded key may reuse one).
// A server with many keys (one per client, as chrony keyfiles often have) keeps one copy per key
// in use; past kMaxContexts (keys reloaded many times) the copies are dropped and made again.
class ThreadMacContexts {
 public:
  EVP_MAC_CTX* for_engine(std::uint64_t serial, const EVP_MAC_CTX* keyed) {
    if (const auto found = contexts_.find(serial); found != contexts_.end())
      return found->second.get();
    if (contexts_.size() == kMaxContexts) contexts_.clear();
    MacCtx copy{EVP_MAC_CTX_dup(keyed)};
    if (!copy) return nullptr;
    return contexts_.emplace(serial, std::move(copy)).first->second.get();
  }

 private:
  static constexpr std::size_t kMaxContexts = 4096;
  std::unordered_map<std::uint64_t, MacCtx> contexts_;
};

std::atomic<std::uint64_t> next_engine_serial{1};

// RFC 8573 (AES-CMAC) and HMAC: a keyed EVP_MAC context; each thread digests with its own copy,
// re-initialised per packet without a key (OpenSSL keeps the key and resets the state).
class EvpMacEngine final : public detail::MacEngine {
 public:
  EvpMacEngine(MacCtx keyed, std::size_t secret) : keyed_(std::move(keyed)) {
    secret_size = secret;
  }
  std::size_t digest(std::span<const std::byte> data,
                     std::span<std::byte, kMaxDigestSize> out) const override {
    thread_local ThreadMacContexts contexts;
    EVP_MAC_CTX* ctx = contexts.for_engine(serial_, keyed_.get());
    std::size_t length = 0;
    if (ctx == nullptr || !EVP_MAC_init(ctx, nullptr, 0, nullptr) ||
        !EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) ||
        !EVP_MAC_final(ctx, reinterpret_cast<unsigned char*>(out.data()), &length, out.size()))
      return 0;
    return length;
  }

 private:
  MacCtx keyed_;
  std::uint64_t serial_ = next_engine_serial.fetch_add(1, std::memory_order_relaxed);
};

const char* digest_name(KeyType type) {
  switch (type) {
    case KeyType::md5:
      return "MD5";
    case KeyType::sha1:
      return "SHA1";
    case KeyType::sha256:
      return "SHA256";
    case KeyType::sha384:
      return "SHA384";
    case KeyType::sha512:
      return "SHA512";
    default:
      return nullptr;
  }
}

Result<std::shared_ptr<const detail::MacEngine>, std::string> hash_engine(
    KeyType type, std::span<const std::byte> secret) {
  std::unique_ptr<EVP_MD, MdFree> md{EVP_MD_fetch(nullptr, digest_name(type), nullptr)};
  MdCtx keyed{EVP_MD_CTX_new()};
  if (!md || !keyed || !EVP_DigestInit_ex2(keyed.get(), md.get(), nullptr) ||
      !EVP_DigestUpdate(keyed.get(), secret.data(), secret.size()))
    return fail(std::string("OpenSSL does not provide ") + digest_name(type));
  return std::make_shared<HashEngine>(std::move(keyed), secret.size());
}

Result<std::shared_ptr<const detail::MacEngine>, std::string> evp_mac_engine(
    KeyType type, std::span<const std::byte> secret) {
  const bool cmac = type != KeyType::hmac_sha256;
  std::unique_ptr<EVP_MAC, MacFree> mac{EVP_MAC_fetch(nullptr, cmac ? "CMAC" : "HMAC", nullptr)};
  char algorithm[16] = "SHA256";
  if (cmac)
    std::snprintf(algorithm, sizeof algorithm, "%s",
                  type == KeyType::aes128 ? "AES-128-CBC" : "AES-256-CBC");
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(cmac ? OSSL_MAC_PARAM_CIPHER : OSSL_MAC_PARAM_DIGEST,
                                       algorithm, 0),
      OSSL_PARAM_construct_end()};
  MacCtx keyed{mac ? EVP_MAC_CTX_new(mac.get()) : nullptr};
  if (!keyed || !EVP_MAC_init(keyed.get(), reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size(), params))
    return fail(std::string("OpenSSL does not provide ") + (cmac ? "CMAC with " : "HMAC with ") +
                algorithm);
  return std::make_shared<EvpMacEngine>(std::move(keyed), secret.size());
}

}  // namespace

std::string_view name(KeyType type) { return kNames[static_cast<std::size_t>(type)]; }

std::optional<KeyType> key_type_from_name(std::string_view text) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (text == kNames[i]) return static_cast<KeyType>(i);
  return std::nullopt;
}

std::string_view key_type_names() {
  return "MD5, SHA1, SHA256, SHA384, SHA512, AES128, AES256, HMAC-SHA256";
}

std::size_t full_digest_size(KeyType type) {
  switch (type) {
    case KeyType::md5:
      return 16;
    case KeyType::sha1:
      return 20;
    case KeyType::sha256:
      return 32;
    case KeyType::sha384:
      return 48;
    case KeyType::sha512:
      return 64;
    case KeyType::aes128:
    case KeyType::aes256:
      return 16;
    case KeyType::hmac_sha256:
      return 32;
  }
  return 0;
}

Result<Key, std::string> Key::make(KeyId id, KeyType type, std::span<const std::byte> secret) {
  if (secret.empty()) return fail(std::string("the key is empty"));
  if (type == KeyType::aes128 || type == KeyType::aes256) {
    const std::size_t expected = type == KeyType::aes128 ? 16 : 32;
    if (secret.size() != expected)
      return fail(std::string(name(type)) + " keys must be " + std::to_string(expected * 8) +
                  " bits (" + std::to_string(expected) + " bytes), this one has " +
                  std::to_string(secret.size()));
  }
  auto engine = digest_name(type) ? hash_engine(type, secret) : evp_mac_engine(type, secret);
  if (!engine) return fail(engine.error());
  return Key{id, type, std::move(*engine)};
}

std::size_t Key::secret_size() const { return engine_->secret_size; }

std::size_t Key::digest(std::span<const std::byte> data,
                        std::span<std::byte, kMaxDigestSize> out) const {
  return engine_->digest(data, out);
}

bool KeyStore::add(Key key) {
  const auto id = key.id().value;
  return keys_.emplace(id, std::move(key)).second;
}

const Key* KeyStore::find(KeyId id) const {
  const auto it = keys_.find(id.value);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace cw::ntp
