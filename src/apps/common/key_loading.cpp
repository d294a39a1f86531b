// apps/common/key_loading.cpp — reading the keyfile with its permission check, and the environment
// key.
#include "apps/common/key_loading.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ntp/key_file.h"

namespace cw::apps {
namespace {

std::string octal_mode(unsigned mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04o", mode & 07777u);
  return buffer;
}

void check_permissions(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw std::runtime_error("cannot read keyfile " + path.string() +
                             ": it does not exist or is not accessible");
  if (!S_ISREG(st.st_mode))
    throw std::runtime_error("keyfile " + path.string() + " is not a regular file");
  if (st.st_mode & (S_IROTH | S_IWOTH))
    throw std::runtime_error("refusing keyfile " + path.string() + ": every user may " +
                             ((st.st_mode & S_IROTH) ? "read" : "write") + " it (mode " +
                             octal_mode(st.st_mode) + "); run 'chmod o-rwx " + path.string() + "'");
}

}  // namespace

ntp::KeyStore load_key_file(const std::filesystem::path& path) {
  check_permissions(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open keyfile " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  auto store = ntp::parse_key_file(text.str());
  if (!store)
    throw std::runtime_error("keyfile " + path.string() + " " + store.error().to_string());
  return std::move(*store);
}

std::optional<std::string> system_env(const char* name) {
  const char* value = std::getenv(name);
  if (!value) return std::nullopt;
  return std::string(value);
}

std::optional<ntp::Key> key_from_environment(const EnvLookup& env) {
  const auto secret = env("NTP_SECRET_KEY");
  if (!secret || secret->empty()) return std::nullopt;
  const auto type = env("NTP_KEY_TYPE").value_or("");
  auto key = ntp::key_from_secret(*secret, type);
  if (!key) throw std::runtime_error("NTP_SECRET_KEY/NTP_KEY_TYPE: " + key.error());
  return std::move(*key);
}

}  // namespace cw::apps
