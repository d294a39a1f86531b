// ntp/exchange.cpp — request construction and reply validation (RFC 5905 §8, §9.1, A.5.1.1).
#include "ntp/exchange.h"

#include <cstdlib>
#include <string>

#include "ntp/mac.h"

namespace cw::ntp {
namespace {

Rejection reject(RejectReason reason, const Packet& server) {
  return Rejection{reason, std::nullopt, std::nullopt, server, std::nullopt};
}

RejectReason reason_for(AuthError error) {
  switch (error) {
    case AuthError::no_mac:
      return RejectReason::missing_mac;
    case AuthError::crypto_nak:
      return RejectReason::crypto_nak;
    case AuthError::nts_nak:
      return RejectReason::nts_nak;
    default:
      return RejectReason::bad_mac;
  }
}

// The request's authenticator says what the reply must prove (auth.h).
Result<AuthProof, Rejection> check_auth(const ParsedPacket& parsed, const PendingRequest& request) {
  auto checked = request.auth.check_reply(parsed);
  if (checked) return std::move(*checked);
  auto r = reject(reason_for(checked.error()), parsed.header);
  r.auth_error = checked.error();
  return fail(r);
}

// Checks that do not depend on authentication: mode, origin, kiss, leap, timestamps.
std::optional<Rejection> check_header(const Packet& p, const PendingRequest& request) {
  if (p.mode != Mode::server) return reject(RejectReason::wrong_mode, p);
  if (p.origin_time != request.sent_transmit) return reject(RejectReason::bogus_origin, p);
  return std::nullopt;
}

// RFC 5905 §7.4: in stratum 0 the refid is a kiss code. But a server that is merely not
// synchronized sends stratum 0 too (stratum 16 goes on the wire as 0, A.5.1.1) with LI = 3 and a
// refid of 0 or INIT/STEP — chronyd does exactly that — which is "unsynchronized", not a KoD.
// RATE/DENY/RSTR are always Kiss-o'-Death; other ASCII codes only from a synchronized server.
std::optional<Rejection> check_stratum_zero(const Packet& p, bool unsynchronized) {
  const RefId code = p.reference_id;
  const auto text = code.ascii();
  const bool is_code = text && !text->empty();
  auto r = reject(kiss_action(code) != KissAction::none || (!unsynchronized && is_code)
                      ? RejectReason::kiss_of_death
                      : RejectReason::unsynchronized,
                  p);
  if (is_code) r.kiss_code = code;
  return r;
}

std::optional<Rejection> check_server_state(const Packet& p) {
  const bool unsynchronized =
      p.leap == LeapIndicator::unsynchronized || p.stratum.is_unsynchronized();
  if (p.stratum.is_kiss_of_death()) return check_stratum_zero(p, unsynchronized);
  if (unsynchronized) return reject(RejectReason::unsynchronized, p);
  if (p.transmit_time.is_zero() || p.receive_time.is_zero())
    return reject(RejectReason::zero_timestamp, p);
  if (p.root_delay.to_duration() / 2 + p.root_dispersion.to_duration() >= kMaxDispersion)
    return reject(RejectReason::root_distance, p);
  return std::nullopt;
}

}  // namespace

PendingRequest make_request(Random& random) {
  PendingRequest request;
  std::uint64_t transmit = 0;
  while (transmit == 0) transmit = random.next_u64();  // zero would mean "not sent" (§8)
  request.sent_transmit = NtpTimestamp{transmit};
  request.packet.leap = LeapIndicator::no_warning;
  request.packet.version = kVersion;
  request.packet.mode = Mode::client;
  request.packet.transmit_time = request.sent_transmit;
  serialize(request.packet, request.wire);
  request.size = kHeaderSize;
  return request;
}

PendingRequest make_request(Random& random, const Key& key) {
  auto request = make_request(random, ClientAuth::symmetric(key));
  if (!request) std::abort();  // invariant: wire has room for any key type's MAC
  return std::move(*request);
}

std::optional<PendingRequest> make_request(Random& random, ClientAuth auth) {
  PendingRequest request = make_request(random);
  request.auth = std::move(auth);
  request.size = request.auth.write_request(request.wire, kHeaderSize, random);
  if (request.size == 0) return std::nullopt;
  return request;
}

const char* to_string(RejectReason reason) {
  switch (reason) {
    case RejectReason::malformed:
      return "malformed";
    case RejectReason::wrong_mode:
      return "wrong_mode";
    case RejectReason::bogus_origin:
      return "bogus_origin";
    case RejectReason::zero_timestamp:
      return "zero_timestamp";
    case RejectReason::kiss_of_death:
      return "kiss_of_death";
    case RejectReason::unsynchronized:
      return "unsynchronized";
    case RejectReason::root_distance:
      return "root_distance";
    case RejectReason::missing_mac:
      return "missing_mac";
    case RejectReason::crypto_nak:
      return "crypto_nak";
    case RejectReason::bad_mac:
      return "bad_mac";
    case RejectReason::nts_nak:
      return "nts_nak";
  }
  return "?";
}

KissAction kiss_action(RefId code) {
  if (code == RefId::from_ascii("RATE")) return KissAction::back_off;
  if (code == RefId::from_ascii("DENY") || code == RefId::from_ascii("RSTR"))
    return KissAction::stop;
  return KissAction::none;
}

bool Rejection::answers_request() const {
  switch (reason) {
    case RejectReason::kiss_of_death:
    case RejectReason::unsynchronized:
    case RejectReason::root_distance:
    case RejectReason::zero_timestamp:
    case RejectReason::crypto_nak:
    case RejectReason::missing_mac:
    case RejectReason::nts_nak:
      return true;
    case RejectReason::bad_mac:
      // An NTS reply with another unique identifier answers another request (or is forged).
      return auth_error != AuthError::nts_unique_id;
    default:
      return false;
  }
}

std::string describe(const Rejection& r) {
  switch (r.reason) {
    case RejectReason::malformed:
      return "malformed reply (" +
             std::string(r.parse_error ? to_string(*r.parse_error) : std::string_view("?")) + ")";
    case RejectReason::wrong_mode:
      return "reply in mode " + std::to_string(r.server ? static_cast<int>(r.server->mode) : -1) +
             ", expected 4 (server)";
    case RejectReason::bogus_origin:
      return "reply's origin timestamp is not the one we sent (stale or spoofed)";
    case RejectReason::zero_timestamp:
      return "reply has a zero receive or transmit timestamp";
    case RejectReason::kiss_of_death: {
      const std::string code = r.kiss_code ? r.kiss_code->to_string() : "?";
      const auto action = r.kiss_code ? kiss_action(*r.kiss_code) : KissAction::none;
      if (action == KissAction::back_off)
        return "Kiss-o'-Death " + code + ": the server asks us to poll less often";
      if (action == KissAction::stop)
        return "Kiss-o'-Death " + code + ": the server refuses to serve us";
      return "Kiss-o'-Death " + code;
    }
    case RejectReason::unsynchronized:
      return r.kiss_code ? "the server is not synchronized (" + r.kiss_code->to_string() + ")"
                         : "the server is not synchronized (leap indicator 3 or stratum 16)";
    case RejectReason::root_distance:
      return "the server's root distance is too large";
    case RejectReason::missing_mac:
      return "authentication failed: the reply has no MAC";
    case RejectReason::crypto_nak:
      return "authentication failed: the server sent a crypto-NAK (it does not know our key)";
    case RejectReason::nts_nak:
      return "NTS failed: the server sent NTSN (it cannot use our cookie; a new NTS-KE is needed)";
    case RejectReason::bad_mac:
      if (r.auth_error && static_cast<int>(*r.auth_error) >= static_cast<int>(AuthError::nts_nak))
        return "NTS authentication failed: " + std::string(to_string(*r.auth_error));
      return r.auth_error == AuthError::wrong_key
                 ? "authentication failed: the reply is signed with another key"
                 : "authentication failed: the reply's MAC does not verify";
  }
  return "rejected";
}

Result<Sample, Rejection> accept_reply(std::span<const std::byte> datagram,
                                       const PendingRequest& request, Timestamp sent_at,
                                       Timestamp received_at, Duration local_precision) {
  auto parsed = parse(datagram);
  if (!parsed) return fail(Rejection{RejectReason::malformed, parsed.error(), {}, {}, {}});
  const Packet& p = parsed->header;
  if (auto r = check_header(p, request)) return fail(*r);
  std::optional<AuthProof> proof;  // none: nothing to prove, and no cost on the plain path
  if (request.auth.mode() != AuthMode::none) {
    auto checked = check_auth(*parsed, request);
    if (!checked) return fail(checked.error());
    proof = std::move(*checked);
  }
  if (auto r = check_server_state(p)) return fail(*r);

  Sample sample;
  sample.server = p;
  sample.root = RootInfo{p.root_delay.to_duration(), p.root_dispersion.to_duration()};
  sample.sent_at = sent_at;
  if (proof) {
    sample.auth = proof->mode;
    sample.authenticated = true;
    sample.key_id = proof->key_id;
    sample.cookies = std::move(proof->cookies);
  }
  sample.measurement = measure(sent_at, p.receive_time, p.transmit_time, received_at,
                               p.precision.duration(), local_precision);
  return sample;
}

}  // namespace cw::ntp
