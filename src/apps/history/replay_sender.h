// apps/history/replay_sender.h — `chronowatch replay --to tcp://...`: stored history sent again to
// a collector as the agents that made it. One CURVE DEALER per original agent (its identity from
// the store, its original sequences), the real acknowledged-batch protocol
// (transport/agent_session.h), events released at their original pacing scaled by the speed. The
// receiving collector stores each (agent, sequence) once, so a replay that is repeated or overlaps
// stored history adds nothing twice. Events the collector made itself (agent_down/agent_up) are not
// sent.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/time.h"
#include "store/event_store.h"
#include "transport/zmq/zmq_sockets.h"

namespace cw::apps {

struct ReplaySendOptions {
  std::string endpoint;                      // tcp://HOST:PORT of the receiving collector(s),
                                             // several separated by commas (failover)
  std::filesystem::path key_file;            // the replayer's NAME.key
  std::filesystem::path collector_key_file;  // the receiving collector's NAME.pub
  double speed = 1.0;                        // 0: no waiting
  double drain = 30;                         // seconds to wait for acks after the last event
  transport::LinkTiming timing{};            // failover_after: with several collectors
};

struct ReplayAgentResult {
  std::string agent_id;
  std::uint64_t sent = 0;          // events handed to this agent's connection
  std::uint64_t acknowledged = 0;  // of those, stored (or already held) by the receiving collector
  std::uint64_t first_sequence = 0, last_sequence = 0;
  std::uint64_t out_of_order = 0;  // sequence below one already sent (the agent's clock went back)
  std::uint64_t already_held = 0;  // the receiver's welcome said it stores these already
};

struct ReplaySendResult {
  std::vector<ReplayAgentResult> agents;
  std::uint64_t collector_made = 0;  // agent_down/agent_up of the source collector, not sent
  double elapsed_seconds = 0;
  bool complete() const;  // every sent event acknowledged
};

// `clock` paces the events and times the drain (the shell's; a fake one in tests).
ReplaySendResult send_replay(store::EventStore& store, Timestamp from, Timestamp until,
                             const ReplaySendOptions& options, const std::atomic<bool>& stop,
                             Clock& clock);

}  // namespace cw::apps
