// ntp/key_file.cpp — chrony's keyfile format (chrony 4.3 keys.c KEY_Reload, cmdparse.c
// CPS_ParseKey): stricter than chronyd, which skips a bad line with a warning; we refuse the file
// and name the line, so that a typo never silently disables authentication.
#include "ntp/key_file.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace cw::ntp {
namespace {

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    const auto start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

bool is_comment(const std::vector<std::string_view>& words) {
  return words.empty() || std::string_view("#;!%").find(words[0][0]) != std::string_view::npos;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<KeyId, std::string> parse_id(std::string_view word) {
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (error != std::errc{} || end != word.data() + word.size())
    return fail("bad key id '" + std::string(word) + "' (expected a number from 1 to 4294967295)");
  if (value == 0) return fail(std::string("key id 0 is reserved for the crypto-NAK"));
  return KeyId{value};
}

// Wipes a string's characters before it goes away.
struct Wiped {
  std::string text;
  ~Wiped() { OPENSSL_cleanse(text.data(), text.size()); }
};

Result<Key, std::string> make_key(KeyId id, std::string_view type_word,
                                  std::string_view secret_word) {
  const auto type = key_type_from_name(type_word);
  if (!type)
    return fail("unknown type '" + std::string(type_word) + "' in key " + std::to_string(id.value) +
                " (expected one of " + std::string(key_type_names()) + ")");
  auto secret = decode_secret(secret_word);
  if (!secret) return fail(secret.error() + " in key " + std::to_string(id.value));
  Wiped plain{std::move(*secret)};
  auto key = Key::make(id, *type, std::as_bytes(std::span(plain.text)));
  if (!key) return fail("key " + std::to_string(id.value) + ": " + key.error());
  return key;
}

Result<Key, std::string> parse_line(const std::vector<std::string_view>& words) {
  if (words.size() > 3)
    return fail(std::string("too many words (expected 'ID TYPE KEY' or 'ID KEY')"));
  if (words.size() < 2)
    return fail(std::string("missing key (expected 'ID TYPE KEY' or 'ID KEY')"));
  const auto id = parse_id(words[0]);
  if (!id) return fail(id.error());
  // chrony: two words are an MD5 key in the legacy format.
  return words.size() == 3 ? make_key(*id, words[1], words[2]) : make_key(*id, "MD5", words[1]);
}

}  // namespace

std::string KeyFileError::to_string() const {
  return line == 0 ? message : "line " + std::to_string(line) + ": " + message;
}

Result<std::string, std::string> decode_secret(std::string_view encoded) {
  std::string bytes;
  if (encoded.starts_with("HEX:")) {
    encoded.remove_prefix(4);
    if (encoded.size() % 2 != 0) return fail(std::string("bad hex (odd number of digits)"));
    for (std::size_t i = 0; i < encoded.size(); i += 2) {
      const int high = hex_digit(encoded[i]), low = hex_digit(encoded[i + 1]);
      if (high < 0 || low < 0)
        return fail("bad hex (not a hex digit at position " + std::to_string(i + 1) + ")");
      bytes.push_back(static_cast<char>(high << 4 | low));
    }
  } else {
    if (encoded.starts_with("ASCII:")) encoded.remove_prefix(6);
    bytes.assign(encoded);
  }
  if (bytes.empty()) return fail(std::string("empty key"));
  return bytes;
}

Result<KeyStore, KeyFileError> parse_key_file(std::string_view text) {
  KeyStore store;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const auto line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    ++line_number;
    const auto words = split_words(line);
    if (is_comment(words)) continue;
    auto key = parse_line(words);
    if (!key) return fail(KeyFileError{line_number, key.error()});
    const auto id = key->id().value;
    if (!store.add(std::move(*key)))
      return fail(KeyFileError{line_number, "duplicate key id " + std::to_string(id)});
  }
  return store;
}

Result<Key, std::string> key_from_secret(std::string_view secret, std::string_view type_name,
                                         KeyId id) {
  std::string upper(type_name.empty() ? "HMAC-SHA256" : type_name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const auto type = key_type_from_name(upper);
  if (!type)
    return fail("unknown key type '" + std::string(type_name) + "' (expected one of " +
                std::string(key_type_names()) + ")");
  auto decoded = decode_secret(secret);
  if (!decoded) return fail(decoded.error());
  Wiped plain{std::move(*decoded)};
  return Key::make(id, *type, std::as_bytes(std::span(plain.text)));
}

}  // namespace cw::ntp
