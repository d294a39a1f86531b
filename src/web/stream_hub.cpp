// web/stream_hub.cpp — the live stream's clients (web/stream_hub.h).
#include "web/stream_hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "events/json_codec.h"
#include "web/cursor.h"

namespace cw::web {

struct StreamHub::Client {
  std::shared_ptr<StreamClient> connection;
  store::EventFilter filter;
  std::int64_t position = 0;  // the last event delivered (or skipped by the filter)
  bool catching_up = false;
};

bool event_matches(const store::EventFilter& f, const events::Event& e) {
  if (f.since && e.timestamp < *f.since) return false;
  if (f.until && e.timestamp >= *f.until) return false;
  if (f.agent_id && e.agent_id != *f.agent_id) return false;
  if (f.type && e.type != *f.type) return false;
  if (f.min_severity && e.severity < *f.min_severity) return false;
  if (f.excluded_type && e.type == *f.excluded_type) return false;
  return true;
}

std::string event_item(const store::StoredEvent& stored) {
  nlohmann::ordered_json item{{"cursor", encode_stream_cursor(stored.position)},
                              {"event", events::event_to_json(stored.event)}};
  return item.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string events_frame(const std::vector<const std::string*>& items, const std::string& cursor,
                         std::optional<Timestamp> stored_at) {
  std::size_t size = 96 + cursor.size();
  for (const auto* item : items) size += item->size() + 1;
  std::string out;
  out.reserve(size);
  out += R"({"type":"events","cursor":)";
  out += nlohmann::json(cursor).dump();
  if (stored_at) out += R"(,"stored_unix_ns":)" + std::to_string(unix_ns(*stored_at));
  out += R"(,"events":[)";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += *items[i];
  }
  out += "]}";
  return out;
}

std::string agent_frame(const nlohmann::ordered_json& agent) {
  nlohmann::ordered_json frame{{"type", "agent"}, {"agent", agent}};
  return frame.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string hello_frame(Timestamp server_time) {
  nlohmann::ordered_json frame{{"type", "hello"},
                               {"server_time", to_iso8601(server_time)},
                               {"server_time_unix_ns", unix_ns(server_time)}};
  return frame.dump();
}

StreamHub::StreamHub(store::EventStore& reads, const AgentViews& views, Clock& clock,
                     std::size_t backfill_page)
    : reads_(reads), views_(views), clock_(clock), backfill_page_(backfill_page) {}

std::optional<HttpResponse> StreamHub::upgrade(
    const HttpRequest& request, std::function<void(std::shared_ptr<StreamClient>)>& accept) {
  const auto target = parse_target(request.target);
  if (!target) return error_response(400, "malformed request target");
  auto filter = parse_event_filter(*target, {"cursor"});
  if (!filter) return error_response(400, filter.error().message, filter.error().parameter);
  auto client = std::make_shared<Client>();
  client->filter = std::move(*filter);
  if (const auto* cursor = target->param("cursor")) {
    const auto position = decode_stream_cursor(*cursor);
    if (!position) return error_response(400, "cursor: not one this server gave", "cursor");
    client->position = *position;
    client->catching_up = true;
  }
  accept = [this, client](std::shared_ptr<StreamClient> connection) {
    client->connection = std::move(connection);
    add(client);
  };
  return std::nullopt;
}

void StreamHub::add(std::shared_ptr<Client> client) {
  ++stats_.accepted;
  if (client->catching_up) ++stats_.resumed;
  std::weak_ptr<Client> weak = client;
  client->connection->on_closed = [this, weak] {
    if (auto c = weak.lock()) remove(c.get());
  };
  client->connection->on_drained = [this, weak] {
    if (auto c = weak.lock(); c && c->catching_up) catch_up(c);
  };
  clients_.push_back(client);
  // Without a cursor the client starts at the present: what is stored from now on.
  if (!client->catching_up) client->position = reads_.last_position();
  deliver(*client, std::make_shared<const std::string>(hello_frame(clock_.now())), 0);
  if (client->catching_up) catch_up(client);
}

void StreamHub::remove(Client* client) {
  std::erase_if(clients_, [client](const auto& c) { return c.get() == client; });
}

bool StreamHub::deliver(Client& client, std::shared_ptr<const std::string> frame,
                        std::size_t events) {
  if (client.connection->send(std::move(frame))) {
    ++stats_.frames_sent;
    stats_.events_sent += events;
    return true;
  }
  ++stats_.slow_disconnects;
  spdlog::warn("web: stream client disconnected: its queue of frames is full (slow client)");
  client.connection->close("slow client: frame queue full");
  return false;
}

// One page of what the client missed; more when its queue has drained. A short page means the
// client has everything stored so far: from then on the live events (position compared) follow.
void StreamHub::catch_up(const std::shared_ptr<Client>& client) {
  auto filter = client->filter;
  filter.limit = backfill_page_;
  std::vector<store::StoredEvent> page;
  try {
    page = reads_.read_after(client->position, filter);
  } catch (const std::exception& error) {
    spdlog::error("web: stream resume: cannot read the store: {}", error.what());
    client->connection->close("store unavailable");
    return;
  }
  stats_.backfilled += page.size();
  if (!page.empty()) {
    std::vector<std::string> items;
    items.reserve(page.size());
    for (const auto& stored : page) items.push_back(event_item(stored));
    std::vector<const std::string*> refs;
    for (const auto& item : items) refs.push_back(&item);
    const auto cursor = encode_stream_cursor(page.back().position);
    auto frame = std::make_shared<const std::string>(events_frame(refs, cursor, std::nullopt));
    if (!deliver(*client, std::move(frame), page.size())) return;
    client->position = page.back().position;
  }
  if (page.size() < backfill_page_) {
    client->catching_up = false;  // later commits are handed over live, after `position`
  } else if (client->connection->queued() == 0) {
    catch_up(client);
  }
}

// Each client's share of the commit is the list of the events it matches; clients with the same
// list (the same filter, most often none) share one frame. Each event is serialized at most once.
void StreamHub::publish(const std::vector<store::StoredEvent>& events, Timestamp stored_at) {
  if (clients_.empty() || events.empty()) return;
  std::vector<std::optional<std::string>> items(events.size());
  std::map<std::vector<std::uint32_t>, std::shared_ptr<const std::string>> frames;
  auto clients = clients_;  // a delivery may close (and remove) a client
  std::vector<std::uint32_t> matched;
  for (const auto& client : clients) {
    if (client->catching_up) continue;
    matched.clear();
    for (std::uint32_t i = 0; i < events.size(); ++i) {
      const auto& stored = events[i];
      if (stored.position <= client->position) continue;
      client->position = stored.position;
      if (event_matches(client->filter, stored.event)) matched.push_back(i);
    }
    if (matched.empty()) continue;
    auto& frame = frames[matched];
    if (!frame) frame = batch(events, matched, items, stored_at);
    deliver(*client, frame, matched.size());
  }
}

std::shared_ptr<const std::string> StreamHub::batch(const std::vector<store::StoredEvent>& events,
                                                    const std::vector<std::uint32_t>& matched,
                                                    std::vector<std::optional<std::string>>& items,
                                                    Timestamp stored_at) {
  std::vector<const std::string*> refs;
  refs.reserve(matched.size());
  for (const auto i : matched) {
    if (!items[i]) items[i] = event_item(events[i]);
    refs.push_back(&*items[i]);
  }
  const auto cursor = encode_stream_cursor(events[matched.back()].position);
  return std::make_shared<const std::string>(events_frame(refs, cursor, stored_at));
}

void StreamHub::agent_changed(const std::string& agent_id) {
  if (clients_.empty()) return;
  std::optional<store::AgentRecord> record;
  try {
    record = reads_.agent(agent_id);
  } catch (const std::exception& error) {
    spdlog::error("web: cannot read agent {}: {}", agent_id, error.what());
  }
  if (!record) return;
  auto frame = std::make_shared<const std::string>(
      agent_frame(agent_to_json(*record, views_.find(agent_id))));
  auto clients = clients_;
  for (const auto& client : clients)
    if (!client->filter.agent_id || *client->filter.agent_id == agent_id)
      deliver(*client, frame, 0);
}

void StreamHub::resync() {
  ++stats_.resyncs;
  auto clients = clients_;
  for (const auto& client : clients)
    if (!client->catching_up) {
      client->catching_up = true;
      catch_up(client);
    }
}

StreamStats StreamHub::stats() const {
  auto out = stats_;
  out.clients = clients_.size();
  return out;
}

void StreamHub::close_all() {
  auto clients = clients_;
  for (const auto& client : clients) client->connection->close("server stopping");
  clients_.clear();
}

}  // namespace cw::web
