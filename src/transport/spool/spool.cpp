// transport/spool/spool.cpp — the durable spool (see spool.h): segment files, recovery, bounds,
// acks.
#include "transport/spool/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <system_error>

#include "core/bytes.h"
#include "core/crc32c.h"
#include "platform/directory_sync.h"

namespace cw::transport {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kSegmentPrefix = "segment-";
constexpr std::string_view kSegmentSuffix = ".log";
constexpr std::string_view kAckFile = "acked";

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

std::string segment_name(std::uint64_t first_id) {
  auto digits = std::to_string(first_id);
  return std::string(kSegmentPrefix) + std::string(20 - digits.size(), '0') + digits +
         std::string(kSegmentSuffix);
}

bool is_segment_name(const std::string& name) {
  return name.size() == kSegmentPrefix.size() + 20 + kSegmentSuffix.size() &&
         name.starts_with(kSegmentPrefix) && name.ends_with(kSegmentSuffix);
}

std::vector<std::byte> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("spool: cannot read " + path.string());
  std::vector<char> chars{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto* first = reinterpret_cast<const std::byte*>(chars.data());
  return {first, first + chars.size()};
}

void write_all(int fd, std::span<const std::byte> bytes, const fs::path& path) {
  while (!bytes.empty()) {
    const auto written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw_errno("spool: writing " + path.string());
    }
    bytes = bytes.subspan(static_cast<std::size_t>(written));
  }
}

UniqueFd open_for_append(const fs::path& path) {
  UniqueFd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)};
  if (!fd) throw_errno("spool: opening " + path.string());
  return fd;
}

}  // namespace

Spool::Spool(SpoolOptions options) : options_(std::move(options)) {
  std::error_code error;
  fs::create_directories(options_.directory, error);
  if (error || !fs::is_directory(options_.directory))
    throw std::runtime_error("spool directory " + options_.directory.string() +
                             " cannot be used: " + (error ? error.message() : "not a directory"));
  recover();
  open_new_segment();  // never append behind a recovered tail
}

Spool::~Spool() {
  try {
    if (options_.fsync != FsyncPolicy::never) flush();
  } catch (...) {  // a destructor reports nothing; the data is in the page cache at worst
  }
}

void Spool::recover() {
  const auto ack_path = options_.directory / kAckFile;
  if (fs::exists(ack_path)) {
    const auto bytes = read_file(ack_path);
    ByteReader reader{bytes};
    const auto id = reader.u64();
    const auto crc = reader.u32();
    if (id && crc && crc32c(std::span{bytes}.first(8)) == *crc) acked_id_ = *id;
  }
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(options_.directory))
    if (entry.is_regular_file() && is_segment_name(entry.path().filename().string()))
      paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());  // zero-padded first ids: name order is id order
  for (std::size_t i = 0; i < paths.size(); ++i) recover_segment(paths[i], i + 1 == paths.size());
  next_id_ = std::max(next_id_, acked_id_ + 1);
}

void Spool::recover_segment(const fs::path& path, bool /*is_last*/) {
  const auto bytes = read_file(path);
  auto scan = pipeline::scan_spool_segment(bytes);
  if (scan.end == pipeline::SegmentEnd::corrupt) ++corrupt_;
  if (scan.end != pipeline::SegmentEnd::clean) fs::resize_file(path, scan.valid_bytes);

  Segment segment{0, 0, path, scan.valid_bytes};
  for (auto& record : scan.records) {
    next_id_ = std::max(next_id_, record.id + 1);
    if (record.id <= acked_id_) continue;
    if (!pending_.empty() && record.id <= pending_.back().id) {
      ++corrupt_;  // ids must rise across segments; a stray older file is not replayed twice
      continue;
    }
    if (segment.first_id == 0) segment.first_id = record.id;
    segment.last_id = record.id;
    pending_bytes_ += pipeline::kSpoolRecordOverhead + record.payload.size();
    pending_.push_back(std::move(record));
  }
  if (segment.last_id == 0) {
    fs::remove(path);  // nothing left to deliver in it
    return;
  }
  segments_.push_back(std::move(segment));
}

void Spool::open_new_segment() {
  if (active_ && options_.fsync != FsyncPolicy::never) ::fdatasync(active_.get());
  const auto path = options_.directory / segment_name(next_id_);
  active_ = open_for_append(path);
  segments_.push_back(Segment{next_id_, 0, path, 0});
  if (options_.fsync != FsyncPolicy::never) platform::sync_directory(options_.directory);
}

std::uint64_t Spool::append(std::span<const std::byte> payload) {
  if (payload.size() > pipeline::kSpoolMaxPayload)
    throw std::invalid_argument("spool: record of " + std::to_string(payload.size()) +
                                " bytes is over the limit");
  const std::uint64_t record_bytes = pipeline::kSpoolRecordOverhead + payload.size();
  make_room_for(record_bytes);
  if (segments_.back().bytes > 0 && segments_.back().bytes + record_bytes > options_.segment_bytes)
    open_new_segment();

  const auto id = next_id_;
  scratch_.clear();
  pipeline::encode_spool_record(id, payload, scratch_);
  write_all(active_.get(), scratch_, segments_.back().path);
  if (options_.fsync == FsyncPolicy::always) {
    if (::fdatasync(active_.get()) != 0) throw_errno("spool: fdatasync");
  } else {
    unsynced_ = true;
  }
  auto& segment = segments_.back();
  segment.bytes += record_bytes;
  segment.last_id = id;
  pending_.push_back({id, {payload.begin(), payload.end()}});
  pending_bytes_ += record_bytes;
  ++next_id_;
  return id;
}

void Spool::make_room_for(std::uint64_t record_bytes) {
  while (!pending_.empty() && pending_bytes_ + record_bytes > options_.max_bytes) {
    if (segments_.size() == 1) open_new_segment();  // the oldest is being written: roll first
    drop_oldest_segment();
  }
}

void Spool::drop_oldest_segment() {
  const auto oldest = segments_.front();
  while (!pending_.empty() && pending_.front().id <= oldest.last_id) {
    pending_bytes_ -= pipeline::kSpoolRecordOverhead + pending_.front().payload.size();
    pending_.pop_front();
    ++dropped_;
  }
  fs::remove(oldest.path);
  segments_.pop_front();
}

void Spool::flush() {
  if (!unsynced_ || !active_) return;
  if (::fdatasync(active_.get()) != 0) throw_errno("spool: fdatasync");
  unsynced_ = false;
}

std::vector<pipeline::SpoolRecord> Spool::peek(std::uint64_t after_id,
                                               std::size_t max_records) const {
  auto it =
      std::upper_bound(pending_.begin(), pending_.end(), after_id,
                       [](std::uint64_t id, const pipeline::SpoolRecord& r) { return id < r.id; });
  std::vector<pipeline::SpoolRecord> out;
  for (; it != pending_.end() && out.size() < max_records; ++it) out.push_back(*it);
  return out;
}

void Spool::acknowledge(std::uint64_t through_id) {
  through_id = std::min(through_id, next_id_ - 1);
  if (through_id <= acked_id_) return;
  acked_id_ = through_id;
  while (!pending_.empty() && pending_.front().id <= acked_id_) {
    pending_bytes_ -= pipeline::kSpoolRecordOverhead + pending_.front().payload.size();
    pending_.pop_front();
  }
  write_ack_marker();
  delete_acknowledged_segments();
}

// The segment being written stays until it fills up: rolling on every ack would churn files.
void Spool::delete_acknowledged_segments() {
  while (segments_.size() > 1 && segments_.front().last_id <= acked_id_) {
    fs::remove(segments_.front().path);
    segments_.pop_front();
  }
}

// 12 bytes (id, CRC-32C) rewritten in place: a torn write fails its CRC and reads as "nothing
// acknowledged", which only means resending what the receiver will de-duplicate.
void Spool::write_ack_marker() {
  std::array<std::byte, 12> marker{};
  ByteWriter writer{marker};
  writer.u64(acked_id_);
  writer.u32(crc32c(std::span{marker}.first(8)));
  const auto path = options_.directory / kAckFile;
  UniqueFd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)};
  if (!fd) throw_errno("spool: opening " + path.string());
  if (::pwrite(fd.get(), marker.data(), marker.size(), 0) != static_cast<ssize_t>(marker.size()))
    throw_errno("spool: writing " + path.string());
  if (options_.fsync == FsyncPolicy::always) ::fdatasync(fd.get());
}

void Spool::skip_to(std::uint64_t next) {
  if (next <= next_id_) return;
  next_id_ = next;
  open_new_segment();  // segments are named by their first id
}

SpoolStats Spool::stats() const {
  return SpoolStats{pending_.size(), pending_bytes_, dropped_, corrupt_, next_id_};
}

}  // namespace cw::transport
