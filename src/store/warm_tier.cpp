// store/warm_tier.cpp — warm blocks: packing (codec + zlib), grouping, merging and reading in
// replay order (store/warm_tier.h).
#include "store/warm_tier.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>
#include <tuple>

#include "events/binary_codec.h"
#include "events/decode_error.h"
#include "store/retention.h"

namespace cw::store {
namespace {

using events::Event;

// Body before compression: u32 event count, then batches (u32 length + one codec batch of at
// most kMaxBatchEvents events), then one i64 store position per event. Little-endian.
void put_u32(std::vector<std::byte>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}
void put_i64(std::vector<std::byte>& out, std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::byte>(u >> (8 * i)));
}

struct Reader {
  std::span<const std::byte> in;
  std::size_t at = 0;
  std::uint64_t take(int bytes) {
    if (in.size() - at < static_cast<std::size_t>(bytes))
      throw std::runtime_error("warm block: truncated");
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= std::to_integer<std::uint64_t>(in[at++]) << (8 * i);
    return v;
  }
};

std::vector<std::byte> deflate_bytes(const std::vector<std::byte>& raw) {
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::vector<std::byte> out(size + 4);
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::byte>(raw.size() >> (8 * i));
  if (compress2(reinterpret_cast<Bytef*>(out.data() + 4), &size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                6) != Z_OK)
    throw std::runtime_error("warm block: zlib compress failed");
  out.resize(size + 4);
  return out;
}

constexpr std::uint32_t kMaxBody = 1u << 30;

std::vector<std::byte> inflate_bytes(std::span<const std::byte> packed) {
  Reader header{packed};
  const auto size = static_cast<std::uint32_t>(header.take(4));
  if (size > kMaxBody) throw std::runtime_error("warm block: size over 1 GiB");
  if (size / 1100 > packed.size())  // deflate never compresses more than ~1032:1
    throw std::runtime_error("warm block: size does not fit its compressed length");
  std::vector<std::byte> out(size);
  uLongf got = size;
  if (uncompress(reinterpret_cast<Bytef*>(out.data()), &got,
                 reinterpret_cast<const Bytef*>(packed.data() + 4),
                 static_cast<uLong>(packed.size() - 4)) != Z_OK ||
      got != size)
    throw std::runtime_error("warm block: does not inflate");
  return out;
}

auto key(const Event& e) { return std::tie(e.timestamp, e.agent_id, e.sequence); }

bool before(const StoredEvent& a, const StoredEvent& b, bool descending) {
  return descending ? key(b.event) < key(a.event) : key(a.event) < key(b.event);
}

bool past(const Event& e, const ReplayPosition& p, bool descending) {
  const auto k = std::tie(p.timestamp, p.agent_id, p.sequence);
  return descending ? key(e) < k : k < key(e);
}

}  // namespace

std::vector<std::byte> pack_events(std::span<const StoredEvent> events) {
  std::vector<std::byte> raw;
  put_u32(raw, static_cast<std::uint32_t>(events.size()));
  std::vector<Event> chunk;
  std::vector<std::byte> batch;
  for (std::size_t i = 0; i < events.size(); i += events::kMaxBatchEvents) {
    chunk.clear(), batch.clear();
    const auto end = std::min(events.size(), i + events::kMaxBatchEvents);
    for (auto j = i; j < end; ++j) chunk.push_back(events[j].event);
    events::encode_batch(chunk, batch);
    put_u32(raw, static_cast<std::uint32_t>(batch.size()));
    raw.insert(raw.end(), batch.begin(), batch.end());
  }
  for (const auto& e : events) put_i64(raw, e.position);
  return deflate_bytes(raw);
}

std::vector<StoredEvent> unpack_events(std::span<const std::byte> body,
                                       const std::string& agent_id) {
  const auto raw = inflate_bytes(body);
  Reader in{raw};
  const auto count = in.take(4);
  std::vector<Event> decoded;
  while (decoded.size() < count) {
    const auto length = in.take(4);
    if (raw.size() - in.at < length) throw std::runtime_error("warm block: truncated batch");
    auto batch = events::decode_batch(std::span{raw}.subspan(in.at, length), agent_id);
    if (!batch) throw std::runtime_error("warm block: a batch does not decode");
    in.at += length;
    if (batch->empty()) throw std::runtime_error("warm block: empty batch");
    for (auto& e : *batch) decoded.push_back(std::move(e));
  }
  if (decoded.size() != count) throw std::runtime_error("warm block: event count mismatch");
  std::vector<StoredEvent> out;
  out.reserve(decoded.size());
  for (auto& e : decoded) out.push_back({static_cast<std::int64_t>(in.take(8)), std::move(e)});
  if (in.at != raw.size()) throw std::runtime_error("warm block: trailing bytes");
  return out;
}

std::vector<WarmBlock> make_blocks(std::vector<StoredEvent> events,
                                   const std::vector<WarmBlock>& existing) {
  std::map<std::pair<std::string, std::int64_t>, std::vector<StoredEvent>> groups;
  for (const auto& block : existing)
    for (auto& e : unpack_events(block.body, block.agent_id))
      groups[{block.agent_id, block.hour_ns}].push_back(std::move(e));
  for (auto& e : events) {
    const auto hour = unix_ns(floor_hour(e.event.timestamp));
    groups[{e.event.agent_id, hour}].push_back(std::move(e));
  }
  std::vector<WarmBlock> out;
  for (auto& [where, group] : groups) {
    std::stable_sort(group.begin(), group.end(), [](const auto& a, const auto& b) {
      return a.event.sequence < b.event.sequence;
    });  // the first of each sequence (the one already warm) is kept
    group.erase(std::unique(group.begin(), group.end(),
                            [](const auto& a, const auto& b) {
                              return a.event.sequence == b.event.sequence;
                            }),
                group.end());
    WarmBlock block{where.first,
                    where.second,
                    group.front().event.sequence,
                    group.back().event.sequence,
                    static_cast<std::uint32_t>(group.size()),
                    {}};
    std::sort(group.begin(), group.end(),
              [](const auto& a, const auto& b) { return before(a, b, false); });
    block.body = pack_events(group);
    out.push_back(std::move(block));
  }
  return out;
}

bool matches(const EventFilter& f, const Event& e) {
  return (!f.since || e.timestamp >= *f.since) && (!f.until || e.timestamp < *f.until) &&
         (!f.agent_id || e.agent_id == *f.agent_id) && (!f.type || e.type == *f.type) &&
         (!f.min_severity || e.severity >= *f.min_severity) &&
         (!f.excluded_type || e.type != *f.excluded_type);
}

std::vector<StoredEvent> read_warm(WarmSource& source, const WarmRead& read) {
  const auto& f = read.filter;
  std::int64_t lo = f.since ? unix_ns(floor_hour(*f.since)) : INT64_MIN;
  std::int64_t hi = f.until ? unix_ns(*f.until) : INT64_MAX;
  if (read.after && !read.descending) lo = std::max(lo, unix_ns(floor_hour(read.after->timestamp)));
  if (read.after && read.descending) hi = std::min(hi, unix_ns(read.after->timestamp) + 1);
  std::vector<StoredEvent> out;
  for (const auto hour : source.warm_hours(f.agent_id, lo, hi, read.descending)) {
    std::vector<StoredEvent> in_hour;
    for (const auto& block : source.warm_blocks(hour, f.agent_id))
      for (auto& e : unpack_events(block.body, block.agent_id))
        if (matches(f, e.event) && (!read.after || past(e.event, *read.after, read.descending)))
          in_hour.push_back(std::move(e));
    std::sort(in_hour.begin(), in_hour.end(),
              [&](const auto& a, const auto& b) { return before(a, b, read.descending); });
    for (auto& e : in_hour) out.push_back(std::move(e));
    if (f.limit > 0 && out.size() >= f.limit) break;  // later hours hold only later events
  }
  if (f.limit > 0 && out.size() > f.limit) out.resize(f.limit);
  return out;
}

std::vector<StoredEvent> merge_tiers(std::vector<StoredEvent> raw, std::vector<StoredEvent> warm,
                                     bool descending, std::size_t limit) {
  if (warm.empty()) return raw;
  std::vector<StoredEvent> out;
  out.reserve(raw.size() + warm.size());
  std::merge(std::make_move_iterator(raw.begin()), std::make_move_iterator(raw.end()),
             std::make_move_iterator(warm.begin()), std::make_move_iterator(warm.end()),
             std::back_inserter(out),
             [&](const auto& a, const auto& b) { return before(a, b, descending); });
  if (limit > 0 && out.size() > limit) out.resize(limit);
  return out;
}

std::vector<StoredEvent> with_warm(std::vector<StoredEvent> raw, WarmSource& source,
                                   WarmRead read) {
  const auto limit = read.filter.limit;
  if (limit > 0 && raw.size() >= limit) {
    const auto edge = raw.back().event.timestamp;
    auto& f = read.filter;
    if (read.descending)
      f.since = f.since ? std::max(*f.since, edge) : edge;
    else
      f.until = f.until ? std::min(*f.until, edge + Duration{1}) : edge + Duration{1};
  }
  auto warm = read_warm(source, read);
  return merge_tiers(std::move(raw), std::move(warm), read.descending, limit);
}

std::vector<Event> events_of(std::vector<StoredEvent> stored) {
  std::vector<Event> out;
  out.reserve(stored.size());
  for (auto& s : stored) out.push_back(std::move(s.event));
  return out;
}

}  // namespace cw::store
