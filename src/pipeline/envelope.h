// pipeline/envelope.h — the envelope of the agent ↔ collector conversation over ZeroMQ
// (DEALER → ROUTER, one frame per message), described byte by byte in docs/pipeline.md. The
// identity and event bytes inside are the events codec's; this layer only adds what at-least-once
// delivery needs: message kind, resume points and acknowledgements. Pure: bytes in, values out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cw::pipeline {

inline constexpr std::uint8_t kProtocolVersion = 1;

enum class MessageKind : std::uint8_t {
  hello = 'H',           // agent: resume_from, then the codec's AgentIdentity bytes
  batch = 'B',           // agent: cursor, then the codec's batch bytes
  welcome = 'W',         // collector: next sequence it needs from this agent
  ack = 'A',             // collector: everything below `next` is stored
  rewind = 'R',          // collector: a gap — resend from `next`
  hello_required = 'N',  // collector: this connection has not said hello (e.g. collector restarted)
};

// One decoded message. `next` is resume_from (hello), cursor (batch) or the collector's next
// expected sequence (welcome, ack, rewind); `body` views the input (hello, batch).
struct Message {
  MessageKind kind = MessageKind::hello;
  std::uint64_t next = 0;
  std::span<const std::byte> body;
};

enum class EnvelopeError { empty, bad_version, unknown_kind, truncated, trailing_bytes };
std::string_view to_string(EnvelopeError error);

Result<Message, EnvelopeError> decode_message(std::span<const std::byte> frame);
std::vector<std::byte> encode_message(MessageKind kind, std::uint64_t next,
                                      std::span<const std::byte> body = {});

}  // namespace cw::pipeline
