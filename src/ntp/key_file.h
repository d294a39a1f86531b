// ntp/key_file.h — chrony's keyfile format, parsed from text (pure; apps/common/key_loading.h reads
// the file and checks its permissions). One key per line: `ID TYPE HEX:…`, `ID TYPE ASCII:…`, `ID
// TYPE secret` (ASCII) or the legacy `ID secret` (MD5); blank lines and lines starting with # ; !
// or % are ignored (chrony's CPS_NormalizeLine/CPS_ParseKey).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"
#include "ntp/keys.h"

namespace cw::ntp {

struct KeyFileError {
  std::size_t line = 0;           // 1-based; 0 when not about one line
  std::string message;            // "bad hex in key 5: ..."
  std::string to_string() const;  // "line 3: ..."
};

// The whole file or the first error, naming its line: bad id, unknown type, bad hex, empty key,
// wrong AES key length, duplicate id, too many words.
Result<KeyStore, KeyFileError> parse_key_file(std::string_view text);

// Decodes a secret as chrony does: "HEX:0a1b…" → bytes, "ASCII:text" → text, else the text itself.
Result<std::string, std::string> decode_secret(std::string_view encoded);

// Seed 001's key: the secret of NTP_SECRET_KEY (decoded as above) with key id 1 and the type
// NTP_KEY_TYPE names (any case; "HMAC-SHA256" when empty).
Result<Key, std::string> key_from_secret(std::string_view secret, std::string_view type_name,
                                         KeyId id = KeyId{1});

}  // namespace cw::ntp
