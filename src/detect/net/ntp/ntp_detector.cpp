// detect/net/ntp/ntp_detector.cpp — the NTP-on-the-wire rules of detect/net/ntp/ntp_detector.h.
#include "detect/net/ntp/ntp_detector.h"

#include <algorithm>
#include <vector>

#include "core/ntp_time.h"

namespace cw::detect {
namespace {

events::Severity severity_of(NtpKind kind, const NtpWire& w) {
  switch (kind) {
    case NtpKind::mode7_request:
      return w.monlist() ? events::Severity::high : events::Severity::medium;
    case NtpKind::mode7_responder:
    case NtpKind::amplification:
    case NtpKind::unsolicited_reply:
    case NtpKind::kod_spoofed:
    case NtpKind::time_shift:
      return events::Severity::high;
    case NtpKind::nonstandard_packet:
      return events::Severity::low;
    default:
      return events::Severity::medium;
  }
}

bool any_contains(const std::vector<IpPrefix>& list, const IpAddress& a) {
  return std::any_of(list.begin(), list.end(), [&](const IpPrefix& p) { return p.contains(a); });
}

std::int64_t millis(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// The capture time `at` as the NTP timestamp that names it resolves `raw` to the nearest era.
Timestamp ntp_time(std::uint64_t raw, Timestamp at) { return NtpTimestamp(raw).to_timestamp(at); }

}  // namespace

std::string_view to_string(NtpKind kind) {
  static constexpr std::array<std::string_view, kNtpKinds> kNames{
      "mode7_request", "mode7_responder",    "control_query", "amplification",
      "rogue_server",  "unsolicited_reply",  "kod_storm",     "kod_spoofed",
      "time_shift",    "nonstandard_packet", "scanner_probe"};
  return kNames[static_cast<std::size_t>(kind)];
}

NtpDetector::NtpDetector(const NetmonConfig& config, EventSink& sink)
    : config_(config.ntp),
      ports_(config.ntp.enabled ? config.ntp.ports : std::vector<std::uint16_t>{}),
      sink_(sink),
      pairs_(config.ntp.max_pairs),
      servers_(config.ntp.max_servers),
      victims_(config.ntp.max_victims),
      reports_(config.ntp.max_reports) {}

std::uint64_t NtpDetector::total() const {
  std::uint64_t sum = 0;
  for (auto n : reported_) sum += n;
  return sum;
}

void NtpDetector::counters(DetectorCounters& out) const {
  out.events.push_back({"ntp_anomaly", total()});
  out.extra.push_back({"ntp_datagrams", datagrams_});
  out.extra.push_back({"ntp_suppressed", suppressed_});
  out.table_evictions +=
      pairs_.evictions() + servers_.evictions() + victims_.evictions() + reports_.evictions();
}

void NtpDetector::on_datagram(const DecodedPacket& p, Timestamp now) {
  NtpWire w;
  if (!decode_ntp_wire(p.payload, w)) return;
  ++datagrams_;
  if (!seen_any_) {
    seen_any_ = true;
    started_ = now;
  }
  const auto port = p.destination_port;
  if (w.layout != NtpLayout::standard) {
    raise({NtpKind::nonstandard_packet, p.source, p.destination, port, 1}, w, now,
          {{"layout", std::string(to_string(w.layout))},
           {"size", static_cast<std::int64_t>(w.size)}});
    return;
  }
  switch (w.mode) {
    case 3:
      return on_time_request(p, w, now);
    case 4:
      return on_time_reply(p, w, now);
    case 6:
    case 7:
      return w.response ? on_control_response(p, w, now) : on_control_request(p, w, now);
    default:
      return;  // symmetric and broadcast modes: only their layout is checked
  }
}

void NtpDetector::on_time_request(const DecodedPacket& p, const NtpWire& w, Timestamp now) {
  if (is_scanner_probe(w))
    raise({NtpKind::scanner_probe, p.source, p.destination, p.destination_port, 1}, w, now);
  Pair& pair = pairs_.get_or_insert({p.source, p.destination}).value;
  pair.transmit[pair.next] = w.transmit;
  pair.sent[pair.next] = now;
  pair.next = static_cast<std::uint8_t>((pair.next + 1) % pair.transmit.size());
  pair.asked_time = true;
}

void NtpDetector::on_time_reply(const DecodedPacket& p, const NtpWire& w, Timestamp now) {
  const IpAddress& client = p.destination;
  const IpAddress& server = p.source;
  Pair* pair = pairs_.touch({client, server});
  const Timestamp* sent = nullptr;
  if (pair != nullptr && w.origin != 0)
    for (std::size_t i = 0; i < pair->transmit.size(); ++i)
      if (pair->transmit[i] == w.origin && now - pair->sent[i] <= config_.request_timeout) {
        sent = &pair->sent[i];
        pair->transmit[i] = 0;  // a second reply to one request is not matched again
        break;
      }
  const bool known = pair != nullptr && pair->asked_time;
  if (w.kiss_of_death()) return on_kod(p, w, sent != nullptr || (!known && w.origin != 0), now);
  if (w.origin == 0 || (known && sent == nullptr)) {
    raise({NtpKind::unsolicited_reply, server, client, p.destination_port, 1}, w, now,
          {{"reason", std::string(w.origin == 0 ? "zero_origin" : "no_matching_request")}});
    return;
  }
  if (!config_.allowed_servers.empty() && !any_contains(config_.allowed_servers, server)) {
    const auto key = ReportKey{server, IpAddress{}, NtpKind::rogue_server};
    auto found = reports_.get_or_insert(key);
    if (found.inserted || now - found.value >= config_.rogue_window) {
      found.value = now;
      raise({NtpKind::rogue_server, server, client, p.source_port, 1}, w, now);
    }
  }
  follow_time(p, w, sent, now);
}

void NtpDetector::on_kod(const DecodedPacket& p, const NtpWire& w, bool matched, Timestamp now) {
  std::string refid;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto c = static_cast<char>((w.reference_id >> shift) & 0xff);
    if (c >= 0x20 && c < 0x7f) refid += c;
  }
  if (!matched) {
    raise({NtpKind::kod_spoofed, p.source, p.destination, p.destination_port, 1}, w, now,
          {{"code", refid}});
    return;
  }
  Victim& v = victim(p.destination, now);
  if (now - v.kod_start > config_.window) {
    v.kod_start = now;
    v.kods = 0;
  }
  if (++v.kods >= config_.kod_threshold)
    raise({NtpKind::kod_storm, p.source, p.destination, p.destination_port, v.kods}, w, now,
          {{"code", refid}});
}

void NtpDetector::follow_time(const DecodedPacket& p, const NtpWire& w, const Timestamp* sent,
                              Timestamp now) {
  if (w.stratum == 0 || w.stratum > 15 || w.leap == 3 || w.transmit == 0) return;
  // RFC 5905 §8 with the capture clock as the client's: θ = ((T2 − c1) + (T3 − c4)) / 2 when
  // the request was seen at c1; T3 − c4 (one-way) otherwise.
  const Timestamp t3 = ntp_time(w.transmit, now);
  Duration offset = t3 - now;
  if (sent != nullptr && w.receive != 0)
    offset = ((ntp_time(w.receive, now) - *sent) + (t3 - now)) / 2;
  Server& s = servers_.get_or_insert(p.source).value;
  if (s.has_offset) {
    const Duration jump = offset - s.offset;
    const Duration size = jump < Duration::zero() ? -jump : jump;
    // A leap second announced by the server (LI 1 or 2, RFC 5905 §7.3) moves it by one second,
    // and a server that applied it late or only on its clock corrects by up to one second again,
    // in one step or several (chronyd -x after the leap of 2016-12-31): none of it is a shift.
    const bool leap = s.leap_announced != Timestamp{} &&
                      now - s.leap_announced <= config_.leap_grace &&
                      size < 1s + config_.shift_threshold;
    if (size > config_.shift_threshold && !leap)
      raise({NtpKind::time_shift, p.source, p.destination, p.destination_port, 1}, w, now,
            {{"reason", std::string("jump")},
             {"jump_ms", millis(jump)},
             {"offset_ms", millis(offset)}});
  }
  s.offset = offset;
  s.has_offset = true;
  if (w.leap == 1 || w.leap == 2) s.leap_announced = now;
  check_disagreement(p, w, offset, now);
}

void NtpDetector::check_disagreement(const DecodedPacket& p, const NtpWire& w, Duration offset,
                                     Timestamp now) {
  std::array<Duration, 8> others{};
  std::size_t n = 0;
  bool listed = false;
  for (auto& r : recent_) {
    if (r.at == Timestamp{} || now - r.at > config_.dedupe_window) continue;
    if (r.server == p.source) {
      r.offset = offset;
      r.at = now;
      listed = true;
    } else {
      others[n++] = r.offset;
    }
  }
  if (!listed) {
    recent_[recent_next_] = {p.source, offset, now};
    recent_next_ = (recent_next_ + 1) % recent_.size();
  }
  if (n < 2) return;  // a majority needs at least two others
  // A falseticker: a strict majority of the others disagrees with it (with one honest and one
  // false other, an honest server is not accused: the false one is).
  std::size_t agree = 0;
  for (std::size_t i = 0; i < n; ++i)
    agree += std::chrono::abs(others[i] - offset) <= config_.disagreement;
  if (2 * agree >= n) return;
  for (std::size_t i = 1; i < n; ++i)  // insertion sort of at most 7
    for (std::size_t j = i; j > 0 && others[j] < others[j - 1]; --j)
      std::swap(others[j], others[j - 1]);
  const Duration median = others[n / 2];
  raise({NtpKind::time_shift, p.source, p.destination, p.destination_port, 1}, w, now,
        {{"reason", std::string("disagrees")},
         {"offset_ms", millis(offset)},
         {"median_ms", millis(median)}});
}

void NtpDetector::on_control_request(const DecodedPacket& p, const NtpWire& w, Timestamp now) {
  Pair& pair = pairs_.get_or_insert({p.source, p.destination}).value;
  pair.control_request = now;
  pair.asked_control = true;
  if (w.mode == 7) {
    raise({NtpKind::mode7_request, p.source, p.destination, p.destination_port, 1}, w, now);
  } else if (!any_contains(config_.admin_hosts, p.source)) {
    raise({NtpKind::control_query, p.source, p.destination, p.destination_port, 1}, w, now);
  }
}

NtpDetector::Victim& NtpDetector::victim(const IpAddress& host, Timestamp now) {
  auto found = victims_.get_or_insert(host);
  if (found.inserted) found.value.window_start = found.value.kod_start = now;
  return found.value;
}

void NtpDetector::on_control_response(const DecodedPacket& p, const NtpWire& w, Timestamp now) {
  const IpAddress& requester = p.destination;
  const IpAddress& responder = p.source;
  if (w.mode == 7)
    raise({NtpKind::mode7_responder, responder, IpAddress{}, p.source_port, 1}, w, now);
  const Pair* pair = pairs_.find({requester, responder});
  const bool asked = pair != nullptr && pair->asked_control &&
                     now - pair->control_request <= config_.request_timeout;
  const bool warm = now - started_ > config_.request_timeout;  // a capture's start misses asks
  const auto port = p.destination_port;
  if (!asked && warm) {
    raise({NtpKind::amplification, responder, requester, port, 1, true}, w, now,
          {{"reason", std::string("unsolicited_response")}});
  } else if (port < 1024 && port != 123) {
    raise({NtpKind::amplification, responder, requester, port, 1, true}, w, now,
          {{"reason", std::string("privileged_port")}});
  }
  if (w.size < config_.large_response) return;
  Victim& v = victim(requester, now);
  if (now - v.window_start > config_.window) {
    v.window_start = now;
    v.large = 0;
    v.reflectors.clear();
  }
  ++v.large;
  v.reflectors.add(hash_address(responder));
  if (v.reflectors.estimate() >= config_.amplification_reflectors)
    raise({NtpKind::amplification, responder, requester, port, v.large, true}, w, now,
          {{"reason", std::string("many_reflectors")},
           {"distinct_reflectors", std::int64_t{v.reflectors.estimate()}}});
}

bool NtpDetector::raise(const Report& r, const NtpWire& w, Timestamp now,
                        std::initializer_list<events::Attribute> extra) {
  if (r.kind != NtpKind::rogue_server) {  // rogue_server keeps its own (hourly) window
    auto found =
        reports_.get_or_insert({r.per_destination ? IpAddress{} : r.source, r.destination, r.kind});
    if (!found.inserted && now - found.value < config_.dedupe_window) return false;
    found.value = now;
  }
  const auto k = static_cast<std::size_t>(r.kind);
  if (budget_start_[k] == Timestamp{} || now - budget_start_[k] >= config_.dedupe_window) {
    budget_start_[k] = now;
    budget_used_[k] = 0;
  }
  if (++budget_used_[k] > config_.max_events_per_kind) {  // a flood of reflectors or spoofers
    ++suppressed_;
    return false;
  }
  events::NetworkData data;
  data.source = r.source;
  if (r.destination != IpAddress{}) data.destination = r.destination;
  data.ports = {r.port};
  data.count = r.count;
  data.kind = std::string(to_string(r.kind));
  auto event =
      network_event(events::EventType::ntp_anomaly, severity_of(r.kind, w), now, std::move(data));
  add_attribute(event, "mode", std::int64_t{w.mode});
  add_attribute(event, "version", std::int64_t{w.version});
  if (w.mode == 7) add_attribute(event, "request_code", std::int64_t{w.request_code});
  if (w.mode == 6) add_attribute(event, "opcode", std::int64_t{w.opcode});
  for (const auto& a : extra) event.attributes.push_back(a);
  ++reported_[static_cast<std::size_t>(r.kind)];
  sink_(std::move(event));
  return true;
}

}  // namespace cw::detect
