// transport/spool/spool.h — the agent's durable, bounded on-disk queue of records not yet delivered
// (MQTT alerts, ZeroMQ event batches). Records get increasing ids that survive restarts; a
// consumer peeks pending records in order and acknowledges them once delivered.
//
// On disk: `DIR/segment-<first id>.log` files of records (spool_record.h) and `DIR/acked` holding
// the highest acknowledged id. Opening recovers: a torn last record (crash mid-write) is cut off,
// a corrupt one ends its segment and is counted. When full, the OLDEST segment is dropped and its
// records counted in `dropped_when_full`: the newest alerts are the ones worth keeping.
// All pending records are mirrored in memory (bounded by max_bytes) so peeking never reads disk.
// Not thread-safe: one owner thread, as every handle in chronowatch.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <span>
#include <vector>

#include "core/unique_fd.h"
#include "pipeline/spool_record.h"

namespace cw::transport {

enum class FsyncPolicy {
  always,  // fdatasync after every append: nothing acknowledged by append() is ever lost
  batch,   // fdatasync on flush(): the caller decides (e.g. once per batch or per second)
  never,   // leave it to the kernel: survives a process crash, not a power cut
};

struct SpoolOptions {
  std::filesystem::path directory;
  std::uint64_t max_bytes = 64u << 20;
  std::uint64_t segment_bytes = 4u << 20;
  FsyncPolicy fsync = FsyncPolicy::batch;
};

struct SpoolStats {
  std::uint64_t pending_records = 0;
  std::uint64_t pending_bytes = 0;
  std::uint64_t dropped_when_full = 0;  // since this process opened the spool
  std::uint64_t corrupt_records = 0;    // found on open (each corrupt spot counts once)
  std::uint64_t next_id = 1;
};

class Spool {
 public:
  // Creates the directory if needed and recovers what is there; throws std::runtime_error naming
  // the directory when it cannot be used.
  explicit Spool(SpoolOptions options);
  Spool(Spool&&) noexcept = default;
  Spool& operator=(Spool&&) noexcept = default;
  ~Spool();

  std::uint64_t next_id() const { return next_id_; }
  // Stores the payload durably (per the fsync policy) and returns its id. Throws
  // std::invalid_argument for a payload over kSpoolMaxPayload, std::system_error on I/O failure.
  std::uint64_t append(std::span<const std::byte> payload);
  void flush();
  // Pending records with id > after_id, oldest first, at most max_records of them.
  std::vector<pipeline::SpoolRecord> peek(std::uint64_t after_id, std::size_t max_records) const;
  // Every record with id <= through_id is delivered: forgotten, and its segments deleted.
  void acknowledge(std::uint64_t through_id);
  SpoolStats stats() const;
  // Numbering jumps to `next` (no effect unless it is ahead of next_id()): the receiver already
  // holds every id below it, e.g. this spool was wiped while the agent's id lived on. Pending
  // records keep their ids until acknowledged; the caller re-appends them to renumber them, then
  // acknowledges through next - 1, which also makes the jump survive a restart.
  void skip_to(std::uint64_t next);

 private:
  struct Segment {
    std::uint64_t first_id = 0;
    std::uint64_t last_id = 0;  // 0 while empty
    std::filesystem::path path;
    std::uint64_t bytes = 0;
  };

  void recover();
  void recover_segment(const std::filesystem::path& path, bool is_last);
  void open_new_segment();
  void make_room_for(std::uint64_t record_bytes);
  void drop_oldest_segment();
  void delete_acknowledged_segments();
  void write_ack_marker();

  SpoolOptions options_;
  std::deque<Segment> segments_;  // oldest first; the last one is the one being written
  UniqueFd active_;
  std::deque<pipeline::SpoolRecord> pending_;
  std::uint64_t pending_bytes_ = 0;
  std::uint64_t next_id_ = 1;
  std::uint64_t acked_id_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t corrupt_ = 0;
  bool unsynced_ = false;
  std::vector<std::byte> scratch_;
};

}  // namespace cw::transport
