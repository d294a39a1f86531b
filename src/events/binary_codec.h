// events/binary_codec.h — the compact binary wire format of events (docs/wire-format.md): a hello
// with the agent's identity once per connection, then batches of events whose timestamps and
// sequences are deltas from the batch's base, with typed data and free attributes. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "events/decode_error.h"
#include "events/event.h"

namespace cw::events {

inline constexpr std::uint8_t kWireVersion = 1;

// The second byte of every message. Values 3..15 are left to the transport (acks, ...); they are
// rejected here as bad_message_kind.
enum class MessageKind : std::uint8_t { hello = 1, batch = 2 };

// Checks the version byte and returns the kind byte (without decoding the rest).
Result<MessageKind, DecodeError> peek_message_kind(std::span<const std::byte> message);

// Appends a hello message to `out`. Strings over their limits (decode_error.h) are truncated and
// only the first kMaxAddresses addresses are sent.
void encode_hello(const AgentIdentity& identity, std::vector<std::byte>& out);
Result<AgentIdentity, DecodeError> decode_hello(std::span<const std::byte> message);

// Appends one batch message holding `events` (at most kMaxBatchEvents, else std::length_error)
// to `out`. Event::agent_id is not encoded: the receiver takes it from the connection's hello.
void encode_batch(std::span<const Event> events, std::vector<std::byte>& out);

// Decodes a batch, every event getting `agent_id`. Nothing is returned unless all of it is valid.
Result<std::vector<Event>, DecodeError> decode_batch(std::span<const std::byte> message,
                                                     std::string_view agent_id);
// The same, appending to `out` (left as it was on error); returns how many events it appended.
Result<std::size_t, DecodeError> decode_batch_into(std::span<const std::byte> message,
                                                   std::string_view agent_id,
                                                   std::vector<Event>& out);

}  // namespace cw::events
