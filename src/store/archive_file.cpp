// store/archive_file.cpp — archive files of warm blocks: encoding, decoding, durable writing
// (store/archive_file.h).
#include "store/archive_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <tuple>

#include "events/decode_error.h"

namespace cw::store {
namespace {

constexpr char kMagic[] = "CWARCHV1";
constexpr std::size_t kMagicSize = 8;

void put(std::vector<std::byte>& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}

std::uint64_t take(std::span<const std::byte> in, std::size_t& at, int bytes) {
  if (in.size() - at < static_cast<std::size_t>(bytes))
    throw std::runtime_error("archive: truncated at byte " + std::to_string(at));
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::to_integer<std::uint64_t>(in[at++]) << (8 * i);
  return v;
}

std::uint64_t fnv1a(std::span<const std::byte> bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (const auto b : bytes) h = (h ^ std::to_integer<std::uint64_t>(b)) * 1099511628211ull;
  return h;
}

void write_durably(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
  const auto temp = path.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) throw std::runtime_error("archive " + temp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      throw std::runtime_error("archive " + temp + ": " + std::strerror(error));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) throw std::runtime_error("archive " + temp + ": fsync failed");
  std::filesystem::rename(temp, path);
  const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) ::fsync(dir), ::close(dir);
}

}  // namespace

std::vector<std::byte> encode_archive(std::span<const WarmBlock> blocks) {
  std::vector<std::byte> out;
  for (std::size_t i = 0; i < kMagicSize; ++i) out.push_back(static_cast<std::byte>(kMagic[i]));
  for (const auto& b : blocks) {
    put(out, b.agent_id.size(), 4);
    for (const char c : b.agent_id) out.push_back(static_cast<std::byte>(c));
    put(out, static_cast<std::uint64_t>(b.hour_ns), 8);
    put(out, b.count, 4);
    put(out, b.body.size(), 4);
    out.insert(out.end(), b.body.begin(), b.body.end());
  }
  return out;
}

std::vector<StoredEvent> decode_archive(std::span<const std::byte> bytes) {
  if (bytes.size() < kMagicSize || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0)
    throw std::runtime_error("archive: not a chronowatch archive (no CWARCHV1 header)");
  std::size_t at = kMagicSize;
  std::vector<StoredEvent> out;
  while (at < bytes.size()) {
    const auto id_length = take(bytes, at, 4);
    if (id_length > events::kMaxAgentIdLength || bytes.size() - at < id_length)
      throw std::runtime_error("archive: bad agent id length at byte " + std::to_string(at));
    std::string agent(reinterpret_cast<const char*>(bytes.data() + at), id_length);
    at += id_length;
    take(bytes, at, 8);  // the hour: the events carry their own timestamps
    const auto count = take(bytes, at, 4);
    const auto length = take(bytes, at, 4);
    if (bytes.size() - at < length)
      throw std::runtime_error("archive: truncated block at byte " + std::to_string(at));
    auto events = unpack_events(bytes.subspan(at, length), agent);
    if (events.size() != count) throw std::runtime_error("archive: block count mismatch");
    at += length;
    for (auto& e : events) out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.event.timestamp, a.event.agent_id, a.event.sequence) <
           std::tie(b.event.timestamp, b.event.agent_id, b.event.sequence);
  });
  return out;
}

std::filesystem::path write_archive(const std::filesystem::path& dir, Timestamp day_start,
                                    std::span<const WarmBlock> blocks) {
  std::filesystem::create_directories(dir);
  const auto bytes = encode_archive(blocks);
  const auto date = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(day_start)};
  char name[64];
  std::snprintf(name, sizeof name, "events-%04d%02u%02u-%016llx.cwarchive",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<unsigned long long>(fnv1a(bytes)));
  const auto path = dir / name;
  write_durably(path, bytes);
  return path;
}

std::vector<StoredEvent> read_archive(const std::filesystem::path& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in) throw std::runtime_error("archive " + file.string() + ": cannot open");
  std::vector<char> chars{std::istreambuf_iterator<char>{in}, {}};
  try {
    return decode_archive(std::as_bytes(std::span{chars}));
  } catch (const std::exception& error) {
    throw std::runtime_error(file.string() + ": " + error.what());
  }
}

}  // namespace cw::store
