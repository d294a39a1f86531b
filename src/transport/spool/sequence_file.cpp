// transport/spool/sequence_file.cpp — see transport/sequence_file.h.
#include "transport/spool/sequence_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <system_error>

#include "core/unique_fd.h"
#include "platform/directory_sync.h"

namespace cw::transport {
namespace fs = std::filesystem;

std::optional<std::uint64_t> parse_sequence_text(std::string_view text) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  std::uint64_t value = 0;
  const auto end = text.data() + text.size();
  const auto [rest, status] = std::from_chars(text.data(), end, value);
  if (text.empty() || status != std::errc{} || rest != end) return std::nullopt;
  return value;
}

SequenceFile::SequenceFile(fs::path path) : path_(std::move(path)) {
  std::error_code error;
  fs::create_directories(path_.parent_path(), error);
  if (error)
    throw std::runtime_error("cannot create " + path_.parent_path().string() + ": " +
                             error.message());
  std::ifstream in(path_);
  if (!in) {
    if (fs::exists(path_)) throw std::runtime_error("cannot read " + path_.string());
    store(0);  // fails now, at start, when the directory is not writable
    return;
  }
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  const auto last = parse_sequence_text(text);
  if (!last)
    throw std::runtime_error(path_.string() +
                             " does not hold a sequence number; remove it to "
                             "start again from 1");
  last_ = *last;
}

std::uint64_t SequenceFile::next() {
  store(last_ + 1);
  return ++last_;
}

void SequenceFile::store(std::uint64_t value) const {
  const auto temporary = fs::path(path_.string() + ".tmp");
  const auto text = std::to_string(value) + "\n";
  UniqueFd fd{::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
  if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::fdatasync(fd.get()) != 0)
    throw std::system_error(errno, std::generic_category(), "writing " + temporary.string());
  if (::rename(temporary.c_str(), path_.c_str()) != 0)
    throw std::system_error(errno, std::generic_category(), "renaming to " + path_.string());
  platform::sync_directory(path_.parent_path());  // the rename too must survive a power loss
}

}  // namespace cw::transport
