// alerts/signature.h — the webhook signature: HMAC-SHA256 of the exact body under a shared secret,
// sent as `X-Chronowatch-Signature: sha256=<hex>` (GitHub's convention), so a receiver can check
// that a notification comes from this collector and was not altered.
#pragma once

#include <string>
#include <string_view>

namespace cw::alerts {

std::string hmac_sha256_hex(std::string_view key, std::string_view body);
std::string signature_header(std::string_view key, std::string_view body);

}  // namespace cw::alerts
