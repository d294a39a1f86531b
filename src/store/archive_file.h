// store/archive_file.h — the cold tier: warm blocks older than --retention-warm exported to a
// file in --archive-dir before the store drops them (docs/store.md, "Retention tiers"). One file
// per pass and UTC day, named by its day and a hash of the blocks it holds, so a pass repeated
// after a crash rewrites the same file instead of adding a second copy. Written to a temporary
// name, fsynced, renamed.
#pragma once

#include <filesystem>
#include <span>
#include <vector>

#include "store/warm_tier.h"

namespace cw::store {

// File layout: "CWARCHV1", then per block: u32 agent id length, the id, i64 hour start (ns),
// u32 event count, u32 body length, the body (warm_tier.h). Little-endian.
std::vector<std::byte> encode_archive(std::span<const WarmBlock> blocks);
// Every event of an archive, in (timestamp, agent_id, sequence) order. Throws std::runtime_error
// naming what is wrong on a file that is not an archive or is damaged.
std::vector<StoredEvent> decode_archive(std::span<const std::byte> bytes);

// Writes the blocks (all of one UTC day, `day_start`) to `dir` (made if missing); returns the path.
std::filesystem::path write_archive(const std::filesystem::path& dir, Timestamp day_start,
                                    std::span<const WarmBlock> blocks);
std::vector<StoredEvent> read_archive(const std::filesystem::path& file);

}  // namespace cw::store
