// transport/zmq/event_codec_binding.cpp — the transport's use of the binary event codec.
#include "transport/zmq/event_codec_binding.h"

#include <spdlog/spdlog.h>

#include "events/binary_codec.h"

namespace cw::transport {

std::vector<std::byte> encode_outbox_record(const events::Event& event) {
  std::vector<std::byte> out;
  events::encode_batch(std::span{&event, 1}, out);
  return out;
}

std::vector<std::byte> encode_identity(const events::AgentIdentity& identity) {
  std::vector<std::byte> out;
  events::encode_hello(identity, out);
  return out;
}

std::vector<std::byte> encode_records_as_batch(std::span<const pipeline::OutboxRecord> records) {
  std::vector<events::Event> batch;
  batch.reserve(records.size());
  std::uint64_t unreadable = 0;
  for (const auto& record : records) {
    // Records were written by this program and checksummed by the spool; one that does not
    // decode (a codec version change across an upgrade) is skipped and counted, never resent
    // forever.
    if (!events::decode_batch_into(record.payload, "spool", batch)) ++unreadable;
  }
  if (unreadable > 0) spdlog::warn("transport: skipped {} unreadable spool records", unreadable);
  std::vector<std::byte> out;
  if (batch.empty()) return out;  // the session drops such records (an empty batch is malformed)
  events::encode_batch(batch, out);
  return out;
}

CollectorCodec binary_collector_codec() {
  CollectorCodec codec;
  codec.decode_identity =
      [](std::span<const std::byte> body) -> Result<events::AgentIdentity, std::string> {
    auto identity = events::decode_hello(body);
    if (!identity) return fail(std::string(events::to_string(identity.error())));
    return std::move(*identity);
  };
  codec.decode_batch =
      [](std::span<const std::byte> body,
         const events::AgentIdentity& who) -> Result<std::vector<events::Event>, std::string> {
    auto batch = events::decode_batch(body, who.agent_id);
    if (!batch) return fail(std::string(events::to_string(batch.error())));
    return std::move(*batch);
  };
  return codec;
}

}  // namespace cw::transport
