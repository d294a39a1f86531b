// transport/zmq/event_codec_binding.h — binds the transport to the events' compact binary codec
// (events/binary_codec.h): a spool record is one event as a one-event batch message; a batch on
// the wire is the codec's batch message; a hello carries the codec's hello message.
#pragma once

#include <span>
#include <vector>

#include "events/event.h"
#include "pipeline/outbox.h"
#include "transport/zmq/zmq_collector.h"

namespace cw::transport {

std::vector<std::byte> encode_outbox_record(const events::Event& event);
std::vector<std::byte> encode_identity(const events::AgentIdentity& identity);
// Re-batches outbox records (each a one-event batch) into one batch message; empty when none of
// them decodes (AgentSession then drops them as lost rather than send an empty batch forever).
std::vector<std::byte> encode_records_as_batch(std::span<const pipeline::OutboxRecord> records);
CollectorCodec binary_collector_codec();

}  // namespace cw::transport
