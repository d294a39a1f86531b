// apps/agent/agent_poller.h — the agent's NTP measurements: one ntp::Source per configured server,
// kept across polls (its clock filter, reach, Kiss-o'-Death back-off and NTS cookies), a burst of
// `exchanges` requests on each at every poll, run together on the SourceDriver
// (apps/common/source_driver.h), then selection and combining (ntp::System, RFC 5905 §11.2) over
// every server whose latest poll was answered. Its output is the clock monitor's input
// (detect/clock/clock_sample.h). Blocking: the agent runs it on a worker thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/agent/agent_settings.h"
#include "apps/common/source_driver.h"
#include "apps/query/query_session.h"
#include "core/clock.h"
#include "core/random.h"
#include "detect/clock/clock_sample.h"
#include "ntp/source.h"

namespace cw::apps {

struct PollerOptions {
  Duration timeout = std::chrono::seconds{2};  // per exchange
  Duration burst_spacing = std::chrono::milliseconds{250};
  bool kernel_timestamps = false;
  bool nts = false;  // NTS (RFC 8915) with every server, associations kept across polls
  std::string nts_ca;
  std::uint16_t nts_ke_port = 4460;
};

class NtpPoller {
 public:
  NtpPoller(std::vector<ServerSpec> servers, PollerOptions options, Clock& clock, Random& random);

  // Polls the servers named by `labels` with `exchanges` requests each, then selects over all
  // servers. Never throws for network conditions.
  detect::PollRound poll(const std::vector<std::string>& labels, int exchanges);

  std::vector<std::string> labels() const;

  // Forgets every filter at the start of the next poll: after a clock step, samples taken before
  // it would otherwise win the filter's minimum-delay choice with a stale offset.
  void forget_history() { forget_ = true; }

 private:
  struct Server {
    ServerSpec spec;
    std::unique_ptr<ntp::Source> source;  // filter, reach, KoD state, NTS keys and cookies
    std::optional<platform::SocketAddress> ntp_address;  // --nts: where NTS-KE said NTP is
    std::optional<std::size_t> slot;                     // in this poll's driver
    bool usable = false;                                 // answered validly at its latest poll
    std::string last_error;                              // logged once per distinct error
    std::string last_resolve_error;                      // of this poll
  };

  bool start(Server& server, SourceDriver& driver, int exchanges);
  KeyExchangeHook key_exchange(Server& server);
  detect::ServerOutcome outcome_of(Server& server, const SourceDriver* driver);
  std::optional<detect::ClockSample> sample_of(const Server& server, Timestamp now) const;
  void select(detect::PollRound& round, Timestamp now);

  std::map<std::string, Server> servers_;
  std::atomic<bool> forget_ = false;
  PollerOptions options_;
  Clock& clock_;
  Random& random_;
};

}  // namespace cw::apps
