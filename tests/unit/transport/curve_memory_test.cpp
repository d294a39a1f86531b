// tests/unit/transport/curve_memory_test.cpp — the cache in front of libsodium's guarded memory
// that libzmq's CURVE buffers come from (transport/curve_memory.h): real CURVE messages over
// loopback arrive intact through it, which reuses its blocks; a freed buffer comes back zeroed.
#include "transport/zmq/curve_memory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "transport/zmq/curve_keys.h"
#include "transport/zmq/zmq_sockets.h"

extern "C" void* sodium_allocarray(std::size_t count, std::size_t size);
extern "C" void sodium_free(void* pointer);

namespace cw::transport {
namespace {

std::string pattern(std::size_t size, int seed) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    out[i] = static_cast<char>((i * 31 + static_cast<std::size_t>(seed)) & 0xff);
  return out;
}

TEST(CurveMemory, CurveMessagesArriveIntactAndReuseCachedBuffers) {
  const auto before = curve_memory_stats();  // before connecting: the handshake runs at once
  zmq::context_t context(1);                 // no ZAP handler: libzmq admits any CURVE client
  const auto server = generate_key_pair(), client = generate_key_pair();
  auto router = make_collector_socket(context, server);
  router.bind("tcp://127.0.0.1:*");
  auto dealer = make_agent_socket(context, client, server.public_key);
  dealer.connect(router.get(zmq::sockopt::last_endpoint));
  for (int i = 0; i < 40; ++i) {
    const auto body = pattern(i % 2 ? 100 : 20000 + static_cast<std::size_t>(i), i);
    for (int tries = 0; !dealer.send(zmq::buffer(body), zmq::send_flags::dontwait); ++tries) {
      ASSERT_LT(tries, 500) << "the CURVE handshake never completed";
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    zmq::message_t routing, frame;
    ASSERT_TRUE(router.recv(routing));
    ASSERT_TRUE(router.recv(frame));
    EXPECT_EQ(frame.to_string(), body);
  }
  const auto after = curve_memory_stats();
  // The CURVE handshakes' (and, depending on libzmq's path, messages') plaintexts went through
  // the cache, and it reused some of its blocks.
  EXPECT_GT(after.allocated + after.reused, before.allocated + before.reused);
  EXPECT_GT(after.reused, before.reused);
}

TEST(CurveMemory, AFreedBufferComesBackZeroedFromTheCache) {
  zmq::context_t context(1);  // loads libzmq, and libsodium with it
  const auto server = generate_key_pair();
  auto router = make_collector_socket(context, server);  // (links the cache)
  auto* first = static_cast<unsigned char*>(sodium_allocarray(3000, 1));
  ASSERT_NE(first, nullptr);
  std::fill(first, first + 3000, 0xab);
  sodium_free(first);
  auto* again = static_cast<unsigned char*>(sodium_allocarray(1000, 3));
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again, first);  // same size class: the block kept on free
  EXPECT_TRUE(std::all_of(again, again + 3000, [](unsigned char c) { return c == 0; }));
  sodium_free(again);
  EXPECT_EQ(sodium_allocarray(SIZE_MAX / 2, 4), nullptr);  // overflow, as libsodium
  sodium_free(nullptr);
}

}  // namespace
}  // namespace cw::transport
