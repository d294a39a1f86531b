// events/json_codec.cpp — Event ⇄ JSON (events/json_codec.h; layout in docs/wire-format.md §7).
#include "events/json_codec.h"

#include <limits>

namespace cw::events {
namespace {

using nlohmann::ordered_json;
using json = nlohmann::ordered_json;  // decoding keeps the order of attributes

std::string_view data_type_name(const EventData& data) {
  switch (data.index()) {
    case 1:
      return "clock";
    case 2:
      return "network";
    case 3:
      return "heartbeat";
    default:
      return "";
  }
}

ordered_json data_to_json(const EventData& data) {
  ordered_json j;
  if (const auto* c = std::get_if<ClockData>(&data)) {
    j = {{"server", c->server},
         {"offset_ns", c->offset.count()},
         {"delay_ns", c->delay.count()},
         {"error_bound_ns", c->error_bound.count()},
         {"threshold_ns", c->threshold.count()},
         {"step_ns", c->step.count()},
         {"stratum", c->stratum},
         {"frequency_ppm", c->frequency_ppm}};
  } else if (const auto* n = std::get_if<NetworkData>(&data)) {
    j = {{"source", n->source.to_string()}};
    if (n->destination) j["destination"] = n->destination->to_string();
    j["ports"] = n->ports;
    j["count"] = n->count;
    j["duration_ns"] = n->duration.count();
    j["kind"] = n->kind;
  } else if (const auto* h = std::get_if<HeartbeatData>(&data)) {
    j = {{"uptime_ns", h->uptime.count()},
         {"events_sent", h->events_sent},
         {"events_dropped", h->events_dropped},
         {"events_spooled", h->events_spooled},
         {"cpu_percent", h->cpu_percent},
         {"rss_bytes", h->rss_bytes},
         {"load1", h->load1},
         {"connected", h->connected}};
  }
  return j;
}

// Reads typed fields out of one JSON object, keeping the first error (like the binary Decoder).
class Fields {
 public:
  explicit Fields(const json& object) : object_(object) {
    if (!object.is_object()) fail(DecodeError::bad_message_kind);
  }
  bool ok() const { return !error_; }
  DecodeError error() const { return error_.value_or(DecodeError::bad_syntax); }
  void fail(DecodeError error) {
    if (!error_) error_ = error;
  }

  const json* find(const char* key, bool required) {
    if (!ok()) return nullptr;
    auto it = object_.find(key);
    if (it == object_.end()) {
      if (required) fail(DecodeError::missing_field);
      return nullptr;
    }
    return &*it;
  }
  std::string text(const char* key, std::size_t max = kMaxStringLength, bool required = false) {
    const auto* j = find(key, required);
    if (!j) return {};
    if (!j->is_string()) return fail(DecodeError::wrong_field_type), std::string{};
    const auto& s = j->get_ref<const std::string&>();
    if (s.size() > max) fail(DecodeError::too_long);
    return s;
  }
  std::int64_t integer(const char* key, bool required = false) {
    const auto* j = find(key, required);
    if (!j) return 0;
    if (!j->is_number_integer()) return fail(DecodeError::wrong_field_type), 0;
    if (j->is_number_unsigned() &&
        j->get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return fail(DecodeError::bad_value), 0;
    return j->get<std::int64_t>();
  }
  std::uint64_t unsigned_integer(const char* key, bool required = false) {
    const auto* j = find(key, required);
    if (!j) return 0;
    if (!j->is_number_integer()) return fail(DecodeError::wrong_field_type), 0;
    if (!j->is_number_unsigned()) return fail(DecodeError::bad_value), 0;
    return j->get<std::uint64_t>();
  }
  double real(const char* key) {
    const auto* j = find(key, false);
    if (!j) return 0;
    if (!j->is_number()) return fail(DecodeError::wrong_field_type), 0.0;
    return j->get<double>();
  }
  bool boolean(const char* key) {
    const auto* j = find(key, false);
    if (!j) return false;
    if (!j->is_boolean()) return fail(DecodeError::wrong_field_type), false;
    return j->get<bool>();
  }
  Duration duration(const char* key) { return Duration{integer(key)}; }
  IpAddress address(const char* key) {
    const auto s = text(key, 64);
    if (!ok() || s.empty()) return {};
    auto address = IpAddress::parse(s);
    if (!address) fail(DecodeError::bad_address);
    return address.value_or(IpAddress{});
  }

 private:
  const json& object_;
  std::optional<DecodeError> error_;
};

ClockData clock_from(Fields& f) {
  ClockData c;
  c.server = f.text("server");
  c.offset = f.duration("offset_ns");
  c.delay = f.duration("delay_ns");
  c.error_bound = f.duration("error_bound_ns");
  c.threshold = f.duration("threshold_ns");
  c.step = f.duration("step_ns");
  const auto stratum = f.integer("stratum");
  if (stratum < INT32_MIN || stratum > INT32_MAX) f.fail(DecodeError::bad_value);
  c.stratum = static_cast<std::int32_t>(stratum);
  c.frequency_ppm = f.real("frequency_ppm");
  return c;
}

void ports_from(Fields& f, std::vector<std::uint16_t>& ports) {
  const auto* list = f.find("ports", false);
  if (!list) return;
  if (!list->is_array()) return f.fail(DecodeError::wrong_field_type);
  if (list->size() > kMaxPorts) return f.fail(DecodeError::too_many);
  for (const auto& port : *list) {
    if (!port.is_number_unsigned()) return f.fail(DecodeError::wrong_field_type);
    if (port.get<std::uint64_t>() > 0xffff) return f.fail(DecodeError::bad_value);
    ports.push_back(port.get<std::uint16_t>());
  }
}

NetworkData network_from(Fields& f) {
  NetworkData n;
  n.source = f.address("source");
  if (f.find("destination", false)) n.destination = f.address("destination");
  ports_from(f, n.ports);
  const auto count = f.unsigned_integer("count");
  if (count > UINT32_MAX) f.fail(DecodeError::bad_value);
  n.count = static_cast<std::uint32_t>(count);
  n.duration = f.duration("duration_ns");
  n.kind = f.text("kind");
  return n;
}

HeartbeatData heartbeat_from(Fields& f) {
  HeartbeatData h;
  h.uptime = f.duration("uptime_ns");
  h.events_sent = f.unsigned_integer("events_sent");
  h.events_dropped = f.unsigned_integer("events_dropped");
  h.events_spooled = f.unsigned_integer("events_spooled");
  h.cpu_percent = f.real("cpu_percent");
  h.rss_bytes = f.unsigned_integer("rss_bytes");
  h.load1 = f.real("load1");
  h.connected = f.boolean("connected");
  return h;
}

EventData data_from(Fields& top) {
  const auto kind = top.text("data_type", 16);
  if (!top.ok() || kind.empty()) return std::monostate{};
  const auto* data = top.find("data", true);
  if (!data) return std::monostate{};
  Fields f{*data};
  EventData result;
  if (kind == "clock")
    result = clock_from(f);
  else if (kind == "network")
    result = network_from(f);
  else if (kind == "heartbeat")
    result = heartbeat_from(f);
  else
    top.fail(DecodeError::bad_flags);
  if (!f.ok()) top.fail(f.error());
  return result;
}

std::vector<Attribute> attributes_from(Fields& top) {
  std::vector<Attribute> attributes;
  const auto* object = top.find("attributes", false);
  if (!object) return attributes;
  if (!object->is_object()) return top.fail(DecodeError::wrong_field_type), attributes;
  if (object->size() > kMaxAttributes) return top.fail(DecodeError::too_many), attributes;
  for (const auto& [key, value] : object->items()) {
    if (key.size() > kMaxStringLength) return top.fail(DecodeError::too_long), attributes;
    if (value.is_number_integer() && !value.is_number_unsigned())
      attributes.push_back({key, value.get<std::int64_t>()});
    else if (value.is_number_unsigned() &&
             value.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX))
      attributes.push_back({key, value.get<std::int64_t>()});
    else if (value.is_number())
      attributes.push_back({key, value.get<double>()});
    else if (value.is_string() && value.get_ref<const std::string&>().size() <= kMaxStringLength)
      attributes.push_back({key, value.get<std::string>()});
    else
      return top.fail(DecodeError::wrong_field_type), attributes;
  }
  return attributes;
}

Timestamp timestamp_from(Fields& f) {
  if (f.find("timestamp_ns", false)) return from_unix_ns(f.integer("timestamp_ns"));
  const auto text = f.text("timestamp", 64, true);
  if (!f.ok()) return {};
  auto parsed = parse_iso8601(text);
  if (!parsed) f.fail(DecodeError::bad_value);
  return parsed.value_or(Timestamp{});
}

}  // namespace

ordered_json event_to_json(const Event& event) {
  ordered_json j{{"agent_id", event.agent_id},
                 {"sequence", event.sequence},
                 {"type", to_string(event.type)},
                 {"severity", to_string(event.severity)},
                 {"timestamp", to_iso8601(event.timestamp)},
                 {"timestamp_ns", unix_ns(event.timestamp)}};
  if (event.data.index() != 0) {
    j["data_type"] = data_type_name(event.data);
    j["data"] = data_to_json(event.data);
  }
  if (!event.attributes.empty()) {
    ordered_json attributes = ordered_json::object();
    for (const auto& attribute : event.attributes)
      std::visit([&](const auto& v) { attributes[attribute.key] = v; }, attribute.value);
    j["attributes"] = std::move(attributes);
  }
  return j;
}

std::string encode_json(const Event& event) {
  return event_to_json(event).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

Result<Event, DecodeError> event_from_json(const nlohmann::ordered_json& object) {
  Fields f{object};
  Event event;
  event.agent_id = f.text("agent_id", kMaxAgentIdLength, true);
  if (f.ok() && event.agent_id.empty()) f.fail(DecodeError::bad_agent_id);
  event.sequence = f.unsigned_integer("sequence", true);
  const auto type = parse_event_type(f.text("type", 64, true));
  if (f.ok() && !type) f.fail(DecodeError::bad_event_type);
  const auto severity = parse_severity(f.text("severity", 64, true));
  if (f.ok() && !severity) f.fail(DecodeError::bad_severity);
  event.timestamp = timestamp_from(f);
  event.data = data_from(f);
  event.attributes = attributes_from(f);
  if (!f.ok()) return fail(f.error());
  event.type = *type;
  event.severity = *severity;
  return event;
}

Result<Event, DecodeError> decode_json(std::string_view text) {
  auto parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return fail(DecodeError::bad_syntax);
  return event_from_json(parsed);
}

ordered_json identity_to_json(const AgentIdentity& identity) {
  ordered_json addresses = ordered_json::array();
  for (const auto& address : identity.node.addresses) addresses.push_back(address.to_string());
  return {{"agent_id", identity.agent_id},
          {"hostname", identity.node.hostname},
          {"addresses", std::move(addresses)},
          {"version", identity.version}};
}

}  // namespace cw::events
