// transport/zmq/curve_keys.cpp — CURVE key generation and key files (see curve_keys.h).
#include "transport/zmq/curve_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/unique_fd.h"
#include "pipeline/agent_claims.h"

namespace cw::transport {
namespace {

constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

void write_file(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  const auto tmp = path.string() + ".tmp";
  UniqueFd fd{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)};
  if (!fd) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd.get(), mode);  // umask may have narrowed it; never widen beyond `mode`
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::fsync(fd.get()) != 0)
    throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  fd.reset();
  std::filesystem::rename(tmp, path);
}

}  // namespace

bool is_z85_key(const std::string& text) {
  return text.size() == kZ85KeyLength && std::all_of(text.begin(), text.end(), [](char c) {
           return kZ85Alphabet.find(c) != std::string_view::npos;
         });
}

CurveKeyPair generate_key_pair() {
  std::array<char, kZ85KeyLength + 1> pub{}, sec{};
  if (zmq_curve_keypair(pub.data(), sec.data()) != 0)
    throw std::runtime_error("libzmq was built without CURVE support (zmq_curve_keypair failed)");
  return {pub.data(), sec.data()};
}

std::string public_key_of(const std::string& secret_key) {
  std::array<char, kZ85KeyLength + 1> pub{};
  if (!is_z85_key(secret_key) || zmq_curve_public(pub.data(), secret_key.c_str()) != 0)
    throw std::runtime_error("not a valid Z85 CURVE secret key");
  return pub.data();
}

void write_key_pair(const std::filesystem::path& directory, const std::string& name,
                    const CurveKeyPair& pair) {
  if (name.empty() || name.find('/') != std::string::npos)
    throw std::runtime_error("key name must be non-empty and contain no '/': " + name);
  std::filesystem::create_directories(directory);
  write_file(directory / (name + ".key"),
             "# chronowatch CURVE secret key (Z85) of " + name + " — keep private\n" +
                 pair.secret_key + "\n",
             0600);
  write_file(directory / (name + ".pub"),
             "# chronowatch CURVE public key (Z85) of " + name + "\n" + pair.public_key + "\n",
             0644);
}

std::string read_key_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read key file " + file.string());
  std::string line;
  while (std::getline(in, line)) {
    // A bare key on its own line (ours), or `public-key = "KEY"` (pyzmq / CZMQ certificates).
    // Comments start with "# "; a key itself may start with '#', a Z85 character.
    std::istringstream words(line);
    std::string token;
    words >> token;
    if (is_z85_key(token)) return token;
    const auto open = line.find('"'), close = line.rfind('"');
    if (open != std::string::npos && close > open &&
        is_z85_key(line.substr(open + 1, close - open - 1)))
      return line.substr(open + 1, close - open - 1);
  }
  throw std::runtime_error("no 40-character Z85 CURVE key in " + file.string());
}

CurveKeyPair read_secret_key_file(const std::filesystem::path& key_file) {
  CurveKeyPair pair;
  pair.secret_key = read_key_file(key_file);
  pair.public_key = public_key_of(pair.secret_key);
  return pair;
}

AuthorizedKeys load_authorized_keys(const std::filesystem::path& directory) {
  AuthorizedKeys keys;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.path().extension() != ".pub") continue;
    try {
      const auto name = entry.path().stem().string();
      keys.names_by_key[read_key_file(entry.path())] = name;
      std::ifstream in(entry.path());
      const std::string text{std::istreambuf_iterator<char>(in), {}};
      if (auto claims = pipeline::parse_agent_claims(text); !claims.patterns.empty())
        keys.claims_by_name[name] = std::move(claims.patterns);
    } catch (const std::exception&) {
      keys.rejected_files.push_back(entry.path().string());
    }
  }
  if (error)
    throw std::runtime_error("cannot read authorized keys directory " + directory.string() + ": " +
                             error.message());
  return keys;
}

}  // namespace cw::transport
