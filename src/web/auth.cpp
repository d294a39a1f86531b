// web/auth.cpp — the console's bearer token (web/auth.h).
#include "web/auth.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cw::web {
namespace {

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string random_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for a token");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) out += kHex[b >> 4], out += kHex[b & 15];
  return out;
}

void create_token_file(const std::filesystem::path& file, const std::string& token) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot create web token file " + file.string() + ": " +
                             std::strerror(errno));
  const std::string line = token + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!written) throw std::runtime_error("cannot write web token file " + file.string());
}

}  // namespace

std::string load_or_create_token(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) {
    auto token = random_token();
    create_token_file(file, token);
    return token;
  }
  std::ifstream in{file};
  if (!in) throw std::runtime_error("cannot read web token file " + file.string());
  std::string content{std::istreambuf_iterator<char>{in}, {}};
  auto token = trim(content);
  if (token.size() < 16 || token.find_first_of(" \t\r\n;,\"") != std::string::npos)
    throw std::runtime_error("web token file " + file.string() +
                             " must hold one token of at least 16 characters (no spaces)");
  return token;
}

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semicolon = header.find(';');
    auto pair = header.substr(0, semicolon);
    header =
        semicolon == std::string_view::npos ? std::string_view{} : header.substr(semicolon + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name)
      return std::string{pair.substr(equals + 1)};
  }
  return {};
}

bool TokenAuth::matches(std::string_view candidate) const {
  if (candidate.size() != token_.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < token_.size(); ++i)
    diff |= static_cast<unsigned char>(candidate[i] ^ token_[i]);
  return diff == 0;
}

bool TokenAuth::allows(const HttpRequest& request) const {
  std::string_view header = request.authorization;
  if (header.starts_with("Bearer ")) return matches(header.substr(7));
  const auto cookie = cookie_value(request.cookie, "cw_token");
  return !cookie.empty() && matches(cookie);
}

HttpResponse TokenAuth::login(const HttpRequest& request) const {
  const auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("token") || !body["token"].is_string())
    return error_response(400, "body must be {\"token\": \"...\"}", "token");
  if (!matches(body["token"].get<std::string>())) return error_response(401, "wrong token");
  HttpResponse out;
  out.status = 204;
  out.headers.emplace_back("Set-Cookie", "cw_token=" + token_ +
                                             "; Path=/; HttpOnly; SameSite=Strict" +
                                             (request.tls ? "; Secure" : ""));
  return out;
}

}  // namespace cw::web
