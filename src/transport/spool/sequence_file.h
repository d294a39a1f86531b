// transport/spool/sequence_file.h — the agent's own event sequence number kept in a small file, so
// that `sequence` survives restarts when no sink has a durable numbering of its own (the stdout
// sink alone; the MQTT spool's record ids are used when there is one). Each number is written
// (temporary file + rename: never torn) before the event that carries it goes out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace cw::transport {

// The file's text: decimal digits, optionally one newline, nothing else; nullopt otherwise
// (empty, signs, spaces, a second line, beyond 2^64 − 1).
std::optional<std::uint64_t> parse_sequence_text(std::string_view text);

class SequenceFile {
 public:
  // Creates the directory if needed and reads the last number given (0 when the file does not
  // exist). Throws std::runtime_error naming the file when it cannot be read or is not a number.
  explicit SequenceFile(std::filesystem::path path);

  // The next number (last + 1), stored before it is returned. Throws std::system_error when it
  // cannot be stored (the caller decides whether to go on without persistence).
  std::uint64_t next();
  std::uint64_t last() const { return last_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  void store(std::uint64_t value) const;

  std::filesystem::path path_;
  std::uint64_t last_ = 0;
};

}  // namespace cw::transport
