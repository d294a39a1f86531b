// web/stream_hub.h — GET /api/v1/stream: every WebSocket client with its filters (the events
// query's), the stored events and agent changes fanned out to those they match, and resuming: a
// client that sends `cursor` first gets what it missed, read from the store page by page as its
// queue drains, then the live events after it (no gap, no repeat: positions are compared). A
// client whose bounded queue is full is disconnected with a counted reason. Events travel in
// batches: one `events` frame per commit (or per page read back), each event serialized once and
// each distinct batch once, shared by every client it matches. Runs on the console's loop only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/event_store.h"
#include "web/agent_view.h"
#include "web/http_server.h"
#include "web/query.h"

namespace cw::web {

struct StreamStats {
  std::uint64_t clients = 0;  // connected now
  std::uint64_t accepted = 0;
  std::uint64_t frames_sent = 0;  // queued to a client
  std::uint64_t events_sent = 0;  // events in those frames
  std::uint64_t slow_disconnects = 0;
  std::uint64_t resumed = 0;     // clients that came with a cursor
  std::uint64_t backfilled = 0;  // events read from the store for resuming clients
  std::uint64_t resyncs = 0;     // live hand-over overflowed: clients caught up from the store
};

bool event_matches(const store::EventFilter& filter, const events::Event& event);
// One event of an `events` frame: {"cursor":…,"event":{…}}.
std::string event_item(const store::StoredEvent& stored);
// {"type":"events","cursor":<the last item's>,["stored_unix_ns":…,]"events":[items…]}.
std::string events_frame(const std::vector<const std::string*>& items, const std::string& cursor,
                         std::optional<Timestamp> stored_at);
std::string agent_frame(const nlohmann::ordered_json& agent);
std::string hello_frame(Timestamp server_time);

class StreamHub {
 public:
  // `clock` gives the hello frame's server time (the browser compares its own clock with it).
  StreamHub(store::EventStore& reads, const AgentViews& views, Clock& clock,
            std::size_t backfill_page = 500);
  // The upgrade of GET /api/v1/stream: 400 for bad parameters, else takes the client.
  std::optional<HttpResponse> upgrade(const HttpRequest& request,
                                      std::function<void(std::shared_ptr<StreamClient>)>& accept);
  // One commit's newly stored events, handed over by the writer at `stored_at`.
  void publish(const std::vector<store::StoredEvent>& events, Timestamp stored_at);
  void agent_changed(const std::string& agent_id);
  // The hand-over from the writer dropped events: every client catches up from the store.
  void resync();
  StreamStats stats() const;
  void close_all();

 private:
  struct Client;
  void add(std::shared_ptr<Client> client);
  void catch_up(const std::shared_ptr<Client>& client);
  bool deliver(Client& client, std::shared_ptr<const std::string> frame, std::size_t events);
  std::shared_ptr<const std::string> batch(const std::vector<store::StoredEvent>& events,
                                           const std::vector<std::uint32_t>& matched,
                                           std::vector<std::optional<std::string>>& items,
                                           Timestamp stored_at);
  void remove(Client* client);

  store::EventStore& reads_;
  const AgentViews& views_;
  Clock& clock_;
  std::size_t backfill_page_;
  std::vector<std::shared_ptr<Client>> clients_;
  StreamStats stats_;
};

}  // namespace cw::web
