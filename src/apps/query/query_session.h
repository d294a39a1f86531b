// apps/query/query_session.h — the shell of `chronowatch query`: resolves the servers (NTS-KE first
// with --nts), makes each address one ntp::Source in a burst of --samples requests, runs them all
// on the one SourceDriver (apps/common/source_driver.h) until every burst is done, and keeps what
// each server said.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apps/common/nts/ke_client.h"
#include "core/clock.h"
#include "core/random.h"
#include "ntp/clock_filter.h"
#include "ntp/exchange.h"
#include "ntp/nts/client_session.h"
#include "ntp/source.h"
#include "platform/socket_address.h"

namespace cw::apps {

// How one server's query ended, from best to worst for the exit status.
enum class ServerStatus {
  ok,              // at least one sample was accepted
  no_answer,       // timeout, refused, unresolvable, or only invalid replies
  kiss_of_death,   // it sent a Kiss-o'-Death and nothing usable
  auth_failed,     // its replies failed authentication
  unsynchronized,  // it said it has no time to give (LI = 3 / stratum 16)
};
const char* to_string(ServerStatus status);

struct ServerResult {
  std::string name;                         // as the user wrote it
  platform::SocketAddress address;          // zero address when the name did not resolve
  std::vector<ntp::Sample> samples;         // accepted, in order
  std::optional<ntp::FilterOutput> filter;  // over the samples (RFC 5905 §10)
  std::optional<ntp::Rejection> rejection;  // the last significant rejection
  std::optional<ntp::Packet> last_header;   // the last header we could read (for display)
  ServerStatus status = ServerStatus::no_answer;
  std::string error;                         // one line, when status != ok
  ntp::AuthMode auth = ntp::AuthMode::none;  // how its replies were to be authenticated
  std::optional<ntp::nts::AeadId> aead;      // NTS: the negotiated AEAD
  std::size_t cookies = 0;                   // NTS: cookies held at the end

  // The sample the filter chose, when there is one.
  const ntp::Sample* best() const;
};

struct SessionOptions {
  int samples = 4;                              // requests per server
  Duration timeout = std::chrono::seconds{2};   // wait for each answer
  Duration interval = std::chrono::seconds{1};  // between rounds
  bool kernel_timestamps = true;
  std::optional<ntp::Key> key;  // authenticate every request with it; require it back
  // NTS (RFC 8915): an NTS-KE with each server's KE port first, then NTS-protected requests.
  std::optional<apps::nts::KeClientOptions> nts;
  std::uint16_t nts_ke_port = ntp::nts::kDefaultKePort;
  Duration local_precision = ntp::precision_duration(-20);  // ρ of our clock (RFC 5905 §7.3)
};

struct Target {
  std::string name;
  std::string host;
  std::uint16_t port = 123;
};

// Queries every target (each address a name resolves to is a server of its own) and returns one
// result per server. Never throws for network conditions; throws std::system_error when a
// socket cannot be created.
std::vector<ServerResult> run_session(const std::vector<Target>& targets,
                                      const SessionOptions& options, Clock& clock, Random& random);

// What a source's latest burst comes to: its samples and filter, the last rejection and header,
// the status and one line of error. io_error: the driver's last error for it; timeout: the
// request timeout, for "no valid answer within T s". Name and address are left to the caller.
ServerResult result_of(const ntp::Source& source, std::string_view io_error, Duration timeout);

}  // namespace cw::apps
