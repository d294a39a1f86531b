// pipeline/envelope.cpp — envelope encoding: kind (u8), version (u8), next (LEB128), body.
#include "pipeline/envelope.h"

#include "core/bytes.h"

namespace cw::pipeline {
namespace {

bool has_body(MessageKind kind) { return kind == MessageKind::hello || kind == MessageKind::batch; }

bool known(std::uint8_t kind) {
  switch (static_cast<MessageKind>(kind)) {
    case MessageKind::hello:
    case MessageKind::batch:
    case MessageKind::welcome:
    case MessageKind::ack:
    case MessageKind::rewind:
    case MessageKind::hello_required:
      return true;
  }
  return false;
}

}  // namespace

std::string_view to_string(EnvelopeError error) {
  switch (error) {
    case EnvelopeError::empty:
      return "empty frame";
    case EnvelopeError::bad_version:
      return "unsupported protocol version";
    case EnvelopeError::unknown_kind:
      return "unknown message kind";
    case EnvelopeError::truncated:
      return "truncated header";
    case EnvelopeError::trailing_bytes:
      return "bytes after a bodiless message";
  }
  return "?";
}

Result<Message, EnvelopeError> decode_message(std::span<const std::byte> frame) {
  ByteReader reader(frame);
  const auto kind = reader.u8();
  if (!kind) return fail(EnvelopeError::empty);
  if (!known(*kind)) return fail(EnvelopeError::unknown_kind);
  const auto version = reader.u8();
  if (!version) return fail(EnvelopeError::truncated);
  if (*version != kProtocolVersion) return fail(EnvelopeError::bad_version);
  const auto next = reader.varint();
  if (!next) return fail(EnvelopeError::truncated);
  Message message{static_cast<MessageKind>(*kind), *next, frame.subspan(reader.position())};
  if (!has_body(message.kind) && !message.body.empty()) return fail(EnvelopeError::trailing_bytes);
  return message;
}

std::vector<std::byte> encode_message(MessageKind kind, std::uint64_t next,
                                      std::span<const std::byte> body) {
  std::vector<std::byte> out(12 + body.size());
  ByteWriter writer(out);
  writer.u8(static_cast<std::uint8_t>(kind));
  writer.u8(kProtocolVersion);
  writer.varint(next);
  writer.bytes(body);
  out.resize(writer.size());
  return out;
}

}  // namespace cw::pipeline
