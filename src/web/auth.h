// web/auth.h — the console's bearer token: read from --web-token-file, or created there (mode
// 0600, 32 random bytes as hex) when missing; checked against `Authorization: Bearer T` or the
// `cw_token` cookie that POST /api/v1/session sets (HttpOnly, SameSite=Strict).
#pragma once

#include <filesystem>
#include <string>

#include "web/http_types.h"

namespace cw::web {

// Throws std::runtime_error naming the file when it cannot be read or created, or holds no token.
std::string load_or_create_token(const std::filesystem::path& file);

class TokenAuth {
 public:
  explicit TokenAuth(std::string token) : token_(std::move(token)) {}
  bool allows(const HttpRequest& request) const;
  // POST /api/v1/session with {"token": "..."}: 204 with the cookie, 401, or 400.
  HttpResponse login(const HttpRequest& request) const;
  const std::string& token() const { return token_; }

 private:
  bool matches(std::string_view candidate) const;  // constant time in the token's length
  std::string token_;
};

std::string cookie_value(std::string_view cookie_header, std::string_view name);

}  // namespace cw::web
