// transport/zmq/zmq_collector.h — the collector's ingest: one thread owning the CURVE ROUTER
// socket. It admits agents (hello → welcome), decodes their batches, drops what was already
// accepted, hands new events to the writer through the IngestQueue, and acknowledges what the
// writer reports committed. A malformed frame is dropped and counted for its connection only.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "core/clock.h"
#include "core/result.h"
#include "core/unique_fd.h"
#include "events/event.h"
#include "pipeline/collector_ledger.h"
#include "transport/ingest_queue.h"
#include "transport/zmq/curve_keys.h"
#include "transport/zmq/zmq_sockets.h"

namespace cw::transport {

// The events codec, injected (transport does not choose the wire format of events).
struct CollectorCodec {
  std::function<Result<events::AgentIdentity, std::string>(std::span<const std::byte>)>
      decode_identity;
  std::function<Result<std::vector<events::Event>, std::string>(std::span<const std::byte>,
                                                                const events::AgentIdentity&)>
      decode_batch;
};

struct IngestStats {
  std::uint64_t connections = 0;  // connections that said hello and are still known
  std::uint64_t agents = 0;       // agents ever seen by this process (and seeded)
  std::uint64_t hellos = 0, batches = 0, events_accepted = 0, acks_sent = 0;
  // Of `hellos`, repeated on a connection that had already said hello as the same agent (its
  // welcome was late): welcomed again without another write of the agent's record.
  std::uint64_t hellos_repeated = 0;
  std::uint64_t hello_required = 0;  // batches on connections that had not said hello
  std::uint64_t malformed_frames = 0;
  std::uint64_t claims_refused = 0;  // hellos for an agent id the connection's key may not claim
  std::uint64_t send_failures = 0;
  pipeline::LedgerStats ledger;
};

struct CollectorOptions {
  std::string listen = "tcp://0.0.0.0:5555";
  CurveKeyPair server_key;
  LinkTiming timing;
  // Whether the key authorized as `key_name` (the ZAP user id) may say hello as `agent_id`
  // (ZapHandler::may_claim). Empty: any authorized key may claim any agent id.
  std::function<bool(const std::string& key_name, const std::string& agent_id)> may_claim = {};
  bool shared_store = false;  // other collectors write to the same store (failover counting)
};

class ZmqCollector {
 public:
  // Binds (throws zmq::error_t with the reason if the address is taken or invalid). The ZAP
  // handler must already exist in `context`.
  // `clock` times the connections' last batch and the sweep of idle ones (a fake one in tests).
  ZmqCollector(zmq::context_t& context, CollectorOptions options, CollectorCodec codec,
               IngestQueue& queue, Clock& clock);
  ~ZmqCollector();

  void seed(const std::map<std::string, std::uint64_t>& stored_next);  // before start()
  void start();
  void stop();  // joins the ingest thread
  // From the writer thread: every accepted event of these agents below `next` is stored.
  void committed(const std::vector<std::pair<std::string, std::uint64_t>>& agents_next);
  // From the writer thread: these agents' queued events could not be stored; accept them again.
  void failed(const std::vector<std::pair<std::string, std::uint64_t>>& agents_next);
  // From the writer thread, on a shared store: the agent's hello is recorded and the store holds
  // its sequences below `stored_next` (0: unknown). Only then is it welcomed, so that the welcome
  // says what every collector stored, not what this one last saw.
  void hello_recorded(const std::string& agent_id, std::uint64_t stored_next);
  IngestStats stats() const;
  const std::string& endpoint() const { return endpoint_; }  // as bound (the port of `:*`)

 private:
  struct Connection {
    std::string agent_id;
    std::string key_name;
    events::AgentIdentity identity;
    MonotonicTime last_seen;
  };
  void run();
  void receive_ready();
  void handle(const std::string& routing_id, zmq::message_t& frame);
  void handle_hello(const std::string& routing_id, const std::string& key_name,
                    std::uint64_t resume_from, std::span<const std::byte> body);
  void repeat_welcome(Connection& connection, const std::string& routing_id,
                      std::uint64_t resume_from);
  void handle_batch(const std::string& routing_id, Connection& connection, std::uint64_t cursor,
                    std::span<const std::byte> body);
  void malformed(const std::string& routing_id, std::string_view reason);
  void send(const std::string& routing_id, std::vector<std::byte> frame);
  void deliver_commits();
  void welcome_recorded(const std::string& agent_id, std::uint64_t stored_next);
  void welcome(const std::string& agent_id, const std::string& routing_id,
               std::uint64_t resume_from);
  void forget_idle_connections();

  Clock& clock_;
  zmq::socket_t socket_;
  std::string endpoint_;
  CollectorCodec codec_;
  IngestQueue& queue_;
  UniqueFd wake_fd_;  // eventfd: the writer's commits are waiting
  pipeline::CollectorLedger ledger_;
  std::map<std::string, Connection> connections_;        // by ZeroMQ routing id
  std::map<std::string, std::string> routing_by_agent_;  // the agent's latest connection
  std::map<std::string, std::uint64_t> malformed_by_peer_;
  std::function<bool(const std::string&, const std::string&)> may_claim_;
  bool shared_store_ = false;
  std::set<std::pair<std::string, std::string>> refused_claims_;  // (key, agent) logged once
  mutable std::mutex mutex_;  // guards pending_commits_ and published_
  struct Commit {
    std::string agent_id;
    std::uint64_t next = 0;
    bool stored = true;
    bool hello = false;  // hello_recorded()
  };
  struct PendingHello {
    std::string routing_id;
    std::uint64_t resume_from = 0;
  };
  std::map<std::string, PendingHello> pending_hellos_;  // by agent, awaiting hello_recorded()
  void report(const std::vector<std::pair<std::string, std::uint64_t>>& agents_next, bool stored);
  std::vector<Commit> pending_commits_;
  IngestStats counters_, published_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace cw::transport
