// web/assets.h — the dashboard's files, embedded in the binary at build time
// (cmake/EmbedFiles.cmake generates embedded_files()), served with their Content-Type.
#pragma once

#include <span>
#include <string_view>

namespace cw::web {

struct EmbeddedFile {
  std::string_view path;   // URL path, "/index.html"
  std::string_view bytes;  // the file's content
};

std::span<const EmbeddedFile> embedded_files();  // generated

// The file for a URL path ("/" is "/index.html"), or null.
const EmbeddedFile* find_embedded(std::string_view path);
// By extension; application/octet-stream for an unknown one.
std::string_view content_type_for(std::string_view path);

}  // namespace cw::web
