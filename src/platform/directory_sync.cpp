// platform/directory_sync.cpp — fsync of a directory (platform/directory_sync.h).
#include "platform/directory_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include "core/unique_fd.h"

namespace cw::platform {

void sync_directory(const std::filesystem::path& directory) {
  const auto path =
      directory.empty() ? std::filesystem::path(".") : directory;  // "f".parent_path()
  UniqueFd dir{::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dir) ::fsync(dir.get());
}

}  // namespace cw::platform
