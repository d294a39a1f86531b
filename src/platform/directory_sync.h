// platform/directory_sync.h — makes a directory's entries durable: after a file is created or
// renamed into it, the rename or creation itself survives a power loss only once the directory
// is fsync'ed (the file's own fdatasync covers its data, not its name).
#pragma once

#include <filesystem>

namespace cw::platform {

// Best effort: a directory that cannot be opened is left as it is (its files' writes reported).
void sync_directory(const std::filesystem::path& directory);

}  // namespace cw::platform
