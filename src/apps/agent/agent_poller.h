// apps/agent/agent_poller.h — the agent's NTP measurements: polls the configured servers with the
// client shell of `chronowatch query` (apps/query_session.h over platform::UdpClient and the pure
// ntp/ exchange), keeps one RFC 5905 §10 clock filter per server across polls, and runs selection
// and combining (§11.2) over every server with a recent sample. Its output is the clock monitor's
// input (detect/clock/clock_sample.h). Blocking: the agent runs it on a worker thread.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apps/agent/agent_settings.h"
#include "apps/query/query_session.h"
#include "core/clock.h"
#include "core/random.h"
#include "detect/clock/clock_sample.h"
#include "ntp/clock_filter.h"
#include "ntp/exchange.h"

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
    ntp::ClockFilter filter;
    std::optional<ntp::Sample> latest;    // the filter's best sample, with its header
    bool usable = false;                  // answered validly at its latest poll
    std::string last_error;               // logged once per distinct error
    std::shared_ptr<NtsAssociation> nts;  // --nts: keys and cookies across polls
  };

  detect::ServerOutcome poll_one(Server& server, int exchanges);
  std::optional<detect::ClockSample> sample_of(const Server& server, Timestamp now) const;
  void select(detect::PollRound& round, Timestamp now);

  std::map<std::string, Server> servers_;
  std::atomic<bool> forget_ = false;
  PollerOptions options_;
  Clock& clock_;
  Random& random_;
};

}  // namespace cw::apps
