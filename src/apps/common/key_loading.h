// apps/common/key_loading.h — loading NTP keys from the outside world: a chrony-format keyfile
// (read, permission-checked, then parsed by ntp/key_file.h) and seed 001's
// NTP_SECRET_KEY/NTP_KEY_TYPE environment variables. Failures throw std::runtime_error with one
// line that says what to do.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "ntp/keys.h"

namespace cw::apps {

// Reads and parses the keyfile. Refuses a file that every user may read or write (chronyd's advice:
// keyfiles must not be world-accessible), a missing file, and any line ntp::parse_key_file rejects.
ntp::KeyStore load_key_file(const std::filesystem::path& path);

// Looks a variable up (getenv by default; tests pass their own).
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> system_env(const char* name);

// Seed 001: key id 1 from NTP_SECRET_KEY, of the type NTP_KEY_TYPE names (HMAC-SHA256 by default).
// nullopt when NTP_SECRET_KEY is unset or empty; throws when it or NTP_KEY_TYPE is unusable.
std::optional<ntp::Key> key_from_environment(const EnvLookup& env = system_env);

}  // namespace cw::apps
