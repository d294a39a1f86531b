// ntp/responder.cpp — the server side of one exchange (ntp/responder.h), RFC 5905 §9.2 and §7.4.
#include "ntp/responder.h"

#include <algorithm>
#include <array>

#include "core/bytes.h"
#include "ntp/mac.h"

namespace cw::ntp {
namespace {

constexpr std::size_t kTransmitOffset = 40;  // RFC 5905 figure 8: the transmit timestamp's place

constexpr std::array<std::string_view, kOutcomeCount> kOutcomeNames{
    "answered",          "answered_authenticated", "kiss_rate",
    "crypto_nak",        "ignored_malformed",      "ignored_not_client",
    "ignored_denied",    "ignored_rate_limited",   "ignored_unauthenticated",
    "ignored_too_large", "answered_nts",           "nts_nak"};

Reply ignore(Outcome why) { return Reply{why, 0, false, {}}; }

Packet kiss(const Packet& request, std::string_view code) {
  // RFC 5905 §7.4: stratum 0 and the kiss code in the refid. Like ntpd, every timestamp is the
  // client's own transmit timestamp, so the KoD gives away no time.
  Packet k;
  k.leap = LeapIndicator::unsynchronized;
  k.version = request.version;
  k.mode = Mode::server;
  k.stratum = Stratum{0};
  k.poll = reply_poll(request.poll);
  k.reference_id = RefId::from_ascii(code);
  k.origin_time = request.transmit_time;
  k.receive_time = request.transmit_time;
  k.transmit_time = request.transmit_time;
  return k;
}

ServerKeys keys_of(const ResponderConfig& config) { return ServerKeys{config.keys, config.nts}; }

// RFC 5905 A.5.1.1: stratum 16 (unsynchronized) goes on the wire as 0, as ntpd and chronyd send
// it; with LI = 3 and a zero refid a client reads it as "not synchronized", not as a kiss.
Stratum wire_stratum(Stratum stratum) { return stratum.is_unsynchronized() ? Stratum{0} : stratum; }

}  // namespace

bool is_answer(Outcome o) {
  return o <= Outcome::crypto_nak || o == Outcome::answered_nts || o == Outcome::nts_nak;
}

std::string_view to_string(Outcome outcome) {
  return kOutcomeNames[static_cast<std::size_t>(outcome)];
}

PollInterval reply_poll(PollInterval requested) {
  return PollInterval{std::clamp(requested.log2_seconds, kMinPoll, kMaxPoll)};
}

Responder::Responder(ResponderConfig config, std::uint64_t seed)
    : config_(std::move(config)),
      limiter_(std::make_shared<RateLimiter>(config_.rate_limit, seed)),
      auth_(keys_of(config_), config_.nonce_seed ^ seed) {}

Responder::Responder(ResponderConfig config, std::shared_ptr<RateLimiter> limiter)
    : config_(std::move(config)),
      limiter_(std::move(limiter)),
      auth_(keys_of(config_), config_.nonce_seed) {}

void Responder::set_symmetric_keys(std::shared_ptr<const KeyStore> keys) {
  config_.keys = keys;
  auth_.set_symmetric_keys(std::move(keys));
}

Reply Responder::respond(std::span<const std::byte> request, const IpAddress& client,
                         Timestamp received_at, const ServerState& state,
                         std::span<std::byte> out) {
  if (!config_.access.empty() && !config_.access.permits(client))
    return ignore(Outcome::ignored_denied);
  auto parsed = parse(request);
  if (!parsed) return ignore(Outcome::ignored_malformed);
  // RFC 5905 §9.2: a server answers mode 3; symmetric (1, 2), broadcast (5), control (6) and
  // private (7) are not served (they are amplification vectors in the wild).
  if (parsed->header.mode != Mode::client) return ignore(Outcome::ignored_not_client);
  if (out.size() < kHeaderSize) return ignore(Outcome::ignored_too_large);
  switch (limiter_->check(client, received_at)) {
    case RateDecision::kAllow:
      break;
    case RateDecision::kKissOfDeath:
      return kiss_of_death(parsed->header, out);
    case RateDecision::kDrop:
      return ignore(Outcome::ignored_rate_limited);
  }
  const Reply reply = authenticate(*parsed, received_at, state, out);
  // No amplification, whatever the reply carries (RFC 5905 §9.2 / RFC 8633 §4.5 guidance).
  if (reply.size > request.size()) return ignore(Outcome::ignored_too_large);
  return reply;
}

Reply Responder::authenticate(const ParsedPacket& request, Timestamp received_at,
                              const ServerState& state, std::span<std::byte> out) const {
  auto checked = auth_.check_request(request);
  if (!checked) {
    switch (checked.error()) {
      case AuthError::nts_bad_cookie:
      case AuthError::nts_bad_authenticator:
        // RFC 8915 §5.7: a cookie we cannot open or a request that does not verify gets the
        // NTSN Kiss-o'-Death, so that the client makes a new NTS-KE.
        return nts_nak(request, out, checked.error() == AuthError::nts_bad_cookie);
      case AuthError::nts_malformed:
        return ignore(Outcome::ignored_malformed);
      case AuthError::nts_unavailable:
        // Without NTS keys the NTS fields are unknown extension fields: a plain answer, which
        // an NTS client rejects (as it would from a server that does not know NTS).
        checked = ServerAuth{};
        break;
      default:
        // RFC 5905 §7.4 / RFC 8573: a MAC we cannot verify (unknown key id, wrong digest) gets a
        // crypto-NAK and no time.
        return crypto_nak(request.header, state, out);
    }
  }
  if (checked->mode == AuthMode::none && (config_.require_auth || config_.require_nts))
    return ignore(Outcome::ignored_unauthenticated);
  if (checked->mode == AuthMode::symmetric && config_.require_nts)
    return ignore(Outcome::ignored_unauthenticated);
  return answer(request, *checked, received_at, state, out);
}

Reply Responder::answer(const ParsedPacket& request, const ServerAuth& auth, Timestamp received_at,
                        const ServerState& state, std::span<std::byte> out) const {
  const Packet& q = request.header;
  Packet r;
  r.leap = state.leap;
  r.version = q.version;  // RFC 5905 §9.2: the reply carries the request's version
  r.mode = Mode::server;
  r.stratum = wire_stratum(state.stratum);
  r.poll = reply_poll(q.poll);
  r.precision = state.precision;
  r.root_delay = NtpShort::from(state.root_delay);
  r.root_dispersion = NtpShort::from(state.root_dispersion_at(received_at));
  r.reference_id = state.reference_id;
  if (state.reference_time != Timestamp{})
    r.reference_time = NtpTimestamp::from(state.reference_time);
  r.origin_time = q.transmit_time;  // what lets the client match the reply (RFC 5905 §8)
  r.receive_time = NtpTimestamp::from(received_at);
  r.transmit_time = r.receive_time;  // replaced by seal() just before sending
  const std::size_t size = auth_.prepare_reply(auth, request, out, serialize(r, out));
  if (size == 0) return ignore(Outcome::ignored_too_large);
  const Outcome outcome = auth.mode == AuthMode::none        ? Outcome::answered
                          : auth.mode == AuthMode::symmetric ? Outcome::answered_authenticated
                                                             : Outcome::answered_nts;
  return Reply{outcome, size, true, auth};
}

Reply Responder::nts_nak(const ParsedPacket& request, std::span<std::byte> out,
                         bool bad_cookie) const {
  const std::size_t size =
      nts::write_nak_fields(request, out, serialize(kiss(request.header, "NTSN"), out));
  if (size == 0) return ignore(Outcome::ignored_malformed);
  return Reply{Outcome::nts_nak, size, false, {}, bad_cookie};
}

Reply Responder::crypto_nak(const Packet& request, const ServerState& state,
                            std::span<std::byte> out) const {
  // RFC 5905 §7.4: a server reply followed by a MAC of key id 0 and no digest. Its timestamps are
  // the client's own transmit timestamp: no time for a client we could not authenticate.
  Packet n;
  n.leap = state.leap;
  n.version = request.version;
  n.mode = Mode::server;
  n.stratum = wire_stratum(state.stratum);
  n.poll = reply_poll(request.poll);
  n.precision = state.precision;
  n.reference_id = state.reference_id;
  n.origin_time = request.transmit_time;
  n.receive_time = request.transmit_time;
  n.transmit_time = request.transmit_time;
  const std::size_t size = append_crypto_nak(out, serialize(n, out));
  if (size == 0) return ignore(Outcome::ignored_too_large);
  return Reply{Outcome::crypto_nak, size, false, {}};
}

Reply Responder::kiss_of_death(const Packet& request, std::span<std::byte> out) const {
  return Reply{Outcome::kiss_rate, serialize(kiss(request, "RATE"), out), false, {}};
}

void Responder::seal(const Reply& reply, std::span<std::byte> out, Timestamp transmit_at) const {
  if (!reply.needs_seal || out.size() < kHeaderSize) return;
  ByteWriter writer(out.subspan(kTransmitOffset, 8));
  writer.u64(NtpTimestamp::from(transmit_at).raw());
  auth_.seal_reply(reply.auth, out, reply.size);
}

}  // namespace cw::ntp
