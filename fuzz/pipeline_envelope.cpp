// fuzz/pipeline_envelope.cpp — the pipeline's envelope decoder and the agent session's handling
// of whatever a collector (or an impostor) sends back: nothing may crash, hang or acknowledge
// what was never sent.
#include <cstddef>
#include <cstdint>
#include <span>

#include "pipeline/agent_session.h"
#include "pipeline/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> input{reinterpret_cast<const std::byte*>(data), size};
  (void)cw::pipeline::decode_message(input);
  cw::pipeline::MemoryOutbox outbox;
  for (int i = 0; i < 8; ++i) outbox.append({std::byte{1}});
  cw::pipeline::AgentSession session(
      outbox, {}, [](auto records) { return std::vector<std::byte>(records.size()); });
  const cw::MonotonicTime now{};
  (void)session.poll(now);
  (void)session.on_frame(cw::pipeline::encode_message(cw::pipeline::MessageKind::welcome, 1), now);
  (void)session.on_frame(input, now);
  (void)session.poll(now + std::chrono::seconds(11));
  if (session.stats().acknowledged_next > outbox.next_id()) __builtin_trap();
  return 0;
}
