// tests/unit/pipeline/agent_session_test.cpp — the agent's acknowledged-batch protocol, and the
// collector's ledger, exchanged by hand with literal sequences: hello/welcome, acks, a lost frame
// (rewind), a silent collector (resend), a restarted collector (hello required), duplicates.
#include "pipeline/agent_session.h"

#include <gtest/gtest.h>

#include "pipeline/collector_ledger.h"
#include "pipeline/envelope.h"

namespace cw::pipeline {
namespace {

using namespace std::chrono_literals;

MonotonicTime at(Duration d) { return MonotonicTime{d}; }

// Batches are "encoded" as the list of their ids, one byte each, to keep the test readable.
std::vector<std::byte> ids_of(std::span<const OutboxRecord> records) {
  std::vector<std::byte> out;
  for (const auto& r : records) out.push_back(static_cast<std::byte>(r.id));
  return out;
}

Message decoded(const std::vector<std::byte>& frame) { return decode_message(frame).value(); }

SessionOptions small_batches() {
  SessionOptions options;
  options.batch_max_events = 3;
  options.window = 2;
  return options;
}

struct AgentSessionTest : ::testing::Test {
  MemoryOutbox outbox;
  SessionOptions options = small_batches();
  AgentSession session{outbox, {std::byte{0xAA}}, ids_of, options};
  void add(int n) {
    for (int i = 0; i < n; ++i) outbox.append({std::byte{0}});
  }
};

TEST_F(AgentSessionTest, HelloThenWelcomeThenBatchesWithinTheWindow) {
  add(7);
  auto out = session.poll(at(0s));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decoded(out[0]).kind, MessageKind::hello);
  EXPECT_EQ(decoded(out[0]).next, 1u);  // resume_from: the first pending sequence
  out = session.on_frame(encode_message(MessageKind::welcome, 1), at(1ms));
  ASSERT_EQ(out.size(), 2u);  // window 2: ids 1-3 and 4-6; 7 waits (partial batch, Nagle)
  EXPECT_EQ(decoded(out[0]).next, 1u);
  EXPECT_EQ(decoded(out[1]).next, 4u);
  out = session.on_frame(encode_message(MessageKind::ack, 4), at(2ms));
  EXPECT_EQ(outbox.first_pending(), 4u);
  EXPECT_TRUE(out.empty());  // 4-6 still in flight: the partial batch (7) waits
  out = session.on_frame(encode_message(MessageKind::ack, 7), at(3ms));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decoded(out[0]).next, 7u);
  EXPECT_EQ(session.stats().acknowledged_next, 7u);
}

// on_round_trip hears each acknowledged batch once, with the time since it was sent; an ack that
// covers two batches reports both, a repeated ack neither.
TEST(AgentSessionRoundTrip, EachAcknowledgedBatchReportsItsTimeSinceSending) {
  MemoryOutbox outbox;
  std::vector<Duration> heard;
  auto options = small_batches();
  options.on_round_trip = [&heard](Duration took) { heard.push_back(took); };
  AgentSession session{outbox, {std::byte{0xAA}}, ids_of, options};
  for (int i = 0; i < 6; ++i) outbox.append({std::byte{0}});
  (void)session.poll(at(0ms));
  ASSERT_EQ(session.on_frame(encode_message(MessageKind::welcome, 1), at(10ms)).size(), 2u);
  (void)session.on_frame(encode_message(MessageKind::ack, 4), at(17ms));
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0], 7ms);
  (void)session.on_frame(encode_message(MessageKind::ack, 4), at(20ms));  // nothing new
  EXPECT_EQ(heard.size(), 1u);
  for (int i = 0; i < 3; ++i) outbox.append({std::byte{0}});
  ASSERT_EQ(session.poll(at(21ms)).size(), 1u);  // 7-9 behind 4-6
  (void)session.on_frame(encode_message(MessageKind::ack, 10), at(30ms));
  ASSERT_EQ(heard.size(), 3u);
  EXPECT_EQ(heard[1], 20ms);  // 4-6, sent at 10 ms
  EXPECT_EQ(heard[2], 9ms);   // 7-9, sent at 21 ms
}

TEST(AgentSessionNagle, WithPartialWindowTwoAPartialBatchGoesBehindOneInFlightNotTwo) {
  MemoryOutbox outbox;
  auto options = small_batches();
  options.partial_window = 2;
  AgentSession session{outbox, {std::byte{0xAA}}, ids_of, options};
  const auto add = [&outbox](int n) {
    for (int i = 0; i < n; ++i) outbox.append({std::byte{0}});
  };
  add(3);
  session.poll(at(0s));
  auto out = session.on_frame(encode_message(MessageKind::welcome, 1), at(1ms));
  ASSERT_EQ(out.size(), 1u);  // ids 1-3, full
  add(1);
  out = session.poll(at(2ms));
  ASSERT_EQ(out.size(), 1u);  // id 4 alone: one batch in flight, partial_window 2
  EXPECT_EQ(decoded(out[0]).next, 4u);
  add(1);
  EXPECT_TRUE(session.poll(at(3ms)).empty());  // two in flight: id 5 waits
  out = session.on_frame(encode_message(MessageKind::ack, 4), at(4ms));
  ASSERT_EQ(out.size(), 1u);  // one in flight again: id 5 goes
  EXPECT_EQ(decoded(out[0]).next, 5u);
  out = session.on_frame(encode_message(MessageKind::ack, 6), at(5ms));
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(session.stats().acknowledged_next, 6u);
  EXPECT_EQ(outbox.first_pending(), 6u);
}

TEST(AgentSessionNagle, ByDefaultAPartialBatchWaitsForEveryBatchInFlight) {
  MemoryOutbox outbox;
  AgentSession session{outbox, {std::byte{0xAA}}, ids_of, small_batches()};
  for (int i = 0; i < 4; ++i) outbox.append({std::byte{0}});
  session.poll(at(0s));
  auto out = session.on_frame(encode_message(MessageKind::welcome, 1), at(1ms));
  ASSERT_EQ(out.size(), 1u);  // ids 1-3; id 4 (partial) waits for their acknowledgement
  out = session.on_frame(encode_message(MessageKind::ack, 4), at(2ms));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decoded(out[0]).next, 4u);
}

TEST_F(AgentSessionTest, RewindResendsFromTheCollectorsNextAndIgnoresItsEcho) {
  add(6);
  session.poll(at(0s));
  session.on_frame(encode_message(MessageKind::welcome, 1), at(0s));
  auto out = session.on_frame(encode_message(MessageKind::rewind, 1), at(1ms));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(decoded(out[0]).next, 1u);
  EXPECT_TRUE(session.on_frame(encode_message(MessageKind::rewind, 1), at(2ms)).empty());
  EXPECT_EQ(session.stats().rewinds, 1u);
}

TEST_F(AgentSessionTest, SilenceAfterSendingLeadsToANewHelloAndResend) {
  add(3);
  session.poll(at(0s));
  session.on_frame(encode_message(MessageKind::welcome, 1), at(0s));
  EXPECT_TRUE(session.poll(at(5s)).empty());
  auto out = session.poll(at(11s));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decoded(out[0]).kind, MessageKind::hello);
  out = session.on_frame(encode_message(MessageKind::welcome, 1), at(12s));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decoded(out[0]).next, 1u);  // everything unacknowledged goes again
}

TEST_F(AgentSessionTest, HelloRequiredAfterACollectorRestart) {
  add(1);
  session.poll(at(0s));
  session.on_frame(encode_message(MessageKind::welcome, 1), at(0s));
  auto out = session.on_frame(encode_message(MessageKind::hello_required, 0), at(1s));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decoded(out[0]).kind, MessageKind::hello);
}

TEST_F(AgentSessionTest, HelloIsRetriedWithExponentialBackOff) {
  session.poll(at(0ms));
  EXPECT_TRUE(session.poll(at(200ms)).empty());
  EXPECT_EQ(session.poll(at(250ms)).size(), 1u);  // after 250 ms
  EXPECT_TRUE(session.poll(at(600ms)).empty());   // next after 500 ms more
  EXPECT_EQ(session.poll(at(750ms)).size(), 1u);
}

TEST_F(AgentSessionTest, AHelloThatCouldNotBeQueuedIsRetriedAfterTheShortestBackOff) {
  ASSERT_EQ(session.poll(at(0ms)).size(), 1u);
  session.on_send_failed();  // not connected yet
  EXPECT_TRUE(session.poll(at(200ms)).empty());
  ASSERT_EQ(session.poll(at(250ms)).size(), 1u);
  session.on_send_failed();
  EXPECT_EQ(session.poll(at(500ms)).size(), 1u);  // 250 ms again, not 500
  session.on_send_failed();
  EXPECT_EQ(session.poll(at(750ms)).size(), 1u);
}

TEST_F(AgentSessionTest, GarbageFromTheCollectorIsCounted) {
  session.on_frame(std::vector<std::byte>{std::byte{'A'}, std::byte{9}}, at(0s));
  EXPECT_EQ(session.stats().bad_messages, 1u);
}

TEST(CollectorLedger, AcceptsInOrderDropsDuplicatesAndRewindsOnGaps) {
  CollectorLedger ledger;
  ledger.seed("a", 11);  // 1..10 already stored
  EXPECT_EQ(ledger.on_hello("a", 5), 11u);
  auto verdict = ledger.on_batch("a", 5, 5, 14);
  EXPECT_TRUE(verdict.accept);
  EXPECT_EQ(verdict.keep_from, 11u);  // 5..10 are duplicates
  EXPECT_EQ(ledger.stats().duplicates, 6u);
  verdict = ledger.on_batch("a", 20, 20, 25);  // 15..19 never arrived
  EXPECT_FALSE(verdict.accept);
  EXPECT_EQ(verdict.next, 15u);
  EXPECT_EQ(ledger.on_committed("a", 15), 15u);
  ledger.on_store_failed("a");
  EXPECT_TRUE(ledger.on_batch("a", 15, 15, 16).accept);
}

TEST(CollectorLedger, LossesDeclaredByTheAgentAreCountedNotAwaited) {
  CollectorLedger ledger;
  EXPECT_EQ(ledger.on_hello("b", 100), 100u);  // its spool dropped 1..99 when full
  EXPECT_EQ(ledger.stats().agent_lost, 99u);
  auto verdict = ledger.on_batch("b", 100, 120, 130);  // and 100..119 since
  EXPECT_TRUE(verdict.accept);
  EXPECT_EQ(ledger.stats().agent_lost, 119u);
}

TEST(Envelope, RoundTripsAndRejectsBadFrames) {
  const std::vector<std::byte> body{std::byte{1}, std::byte{2}};
  const auto frame = encode_message(MessageKind::batch, 300, body);
  const auto message = decode_message(frame).value();
  EXPECT_EQ(message.kind, MessageKind::batch);
  EXPECT_EQ(message.next, 300u);
  EXPECT_EQ(message.body.size(), 2u);
  EXPECT_EQ(decode_message({}).error(), EnvelopeError::empty);
  EXPECT_EQ(
      decode_message(std::vector<std::byte>{std::byte{'Z'}, std::byte{1}, std::byte{0}}).error(),
      EnvelopeError::unknown_kind);
  EXPECT_EQ(
      decode_message(std::vector<std::byte>{std::byte{'A'}, std::byte{2}, std::byte{0}}).error(),
      EnvelopeError::bad_version);
  EXPECT_EQ(decode_message(std::vector<std::byte>{std::byte{'A'}, std::byte{1}}).error(),
            EnvelopeError::truncated);
  EXPECT_EQ(decode_message(
                std::vector<std::byte>{std::byte{'A'}, std::byte{1}, std::byte{0}, std::byte{0}})
                .error(),
            EnvelopeError::trailing_bytes);
}

}  // namespace
}  // namespace cw::pipeline

namespace cw::pipeline {
namespace {

// Records whose payload is 0xFF hold no event (unreadable spool records): the encoder returns an
// empty body for a batch of only those. The session must neither send that empty batch (the
// collector drops it as malformed, and the resend after the silence would repeat it forever) nor
// drop anything still unacknowledged; it drops them and says hello from after them, so the
// collector counts them lost and the events behind them flow.
std::vector<std::byte> readable_ids(std::span<const OutboxRecord> records) {
  std::vector<std::byte> out;
  for (const auto& r : records)
    if (r.payload != std::vector<std::byte>{std::byte{0xFF}})
      out.push_back(static_cast<std::byte>(r.id));
  return out;
}

TEST(AgentSessionUnreadable, ABatchWithNoEventIsDroppedAndDeclaredLostNotSent) {
  MemoryOutbox outbox;
  for (int i = 0; i < 3; ++i) outbox.append({std::byte{0}});     // 1-3 readable
  for (int i = 0; i < 3; ++i) outbox.append({std::byte{0xFF}});  // 4-6 unreadable
  for (int i = 0; i < 2; ++i) outbox.append({std::byte{0}});     // 7-8 readable
  AgentSession session{outbox, {std::byte{0xAA}}, readable_ids, small_batches()};
  (void)session.poll(at(0s));
  auto out = session.on_frame(encode_message(MessageKind::welcome, 1), at(1ms));
  ASSERT_EQ(out.size(), 1u);  // 1-3; 4-6 wait: 1-3 are not acknowledged yet
  EXPECT_EQ(decoded(out[0]).kind, MessageKind::batch);
  EXPECT_EQ(outbox.first_pending(), 1u);
  out = session.on_frame(encode_message(MessageKind::ack, 4), at(2ms));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decoded(out[0]).kind, MessageKind::hello);  // not an empty batch
  EXPECT_EQ(decoded(out[0]).next, 7u);                  // resume_from: 4-6 are declared lost
  EXPECT_EQ(session.stats().unreadable_dropped, 3u);
  EXPECT_EQ(outbox.first_pending(), 7u);
  // The collector counts 4-6 lost and welcomes from 7; 7-8 go.
  CollectorLedger ledger;
  ledger.on_batch("a", 1, 1, 3);
  ledger.on_committed("a", 4);
  const auto next = ledger.on_hello("a", 7);
  EXPECT_EQ(next, 7u);
  EXPECT_EQ(ledger.stats().agent_lost, 3u);
  out = session.on_frame(encode_message(MessageKind::welcome, next), at(3ms));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decoded(out[0]).kind, MessageKind::batch);
  EXPECT_EQ(decoded(out[0]).next, 7u);
  EXPECT_EQ(decoded(out[0]).body.size(), 2u);  // ids 7 and 8
  // After the silence, the resend is of 7-8 again, never of an empty batch.
  out = session.poll(at(20s));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decoded(out[0]).kind, MessageKind::hello);
  EXPECT_EQ(decoded(out[0]).next, 7u);
}

TEST(AgentSessionUnreadable, OnlyUnreadableRecordsAtTheStartAreDroppedAtOnce) {
  MemoryOutbox outbox;
  for (int i = 0; i < 2; ++i) outbox.append({std::byte{0xFF}});
  AgentSession session{outbox, {std::byte{0xAA}}, readable_ids, small_batches()};
  (void)session.poll(at(0s));
  auto out = session.on_frame(encode_message(MessageKind::welcome, 1), at(1ms));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decoded(out[0]).kind, MessageKind::hello);
  EXPECT_EQ(decoded(out[0]).next, 3u);
  EXPECT_EQ(outbox.first_pending(), 3u);
  out = session.on_frame(encode_message(MessageKind::welcome, 3), at(2ms));
  EXPECT_TRUE(out.empty());  // nothing left to send
  EXPECT_EQ(session.stats().acknowledged_next, 3u);
}

}  // namespace
}  // namespace cw::pipeline
