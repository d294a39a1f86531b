// web/assets.cpp — looking up embedded files and their Content-Type (web/assets.h).
#include "web/assets.h"

#include <array>
#include <utility>

namespace cw::web {

const EmbeddedFile* find_embedded(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const auto& file : embedded_files())
    if (file.path == path) return &file;
  return nullptr;
}

std::string_view content_type_for(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".woff2", "font/woff2"},
      {".webmanifest", "application/manifest+json"},
      {".yaml", "application/yaml"},
  }};
  if (path == "/") return kTypes[0].second;
  for (const auto& [extension, type] : kTypes)
    if (path.ends_with(extension)) return type;
  return "application/octet-stream";
}

}  // namespace cw::web
