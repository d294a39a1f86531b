// apps/common/source_driver.h — the one UDP shell of the NTP client core: runs any number of
// ntp::Source (ntp/source.h) on their own connected sockets with one deadline loop — wait for the
// first datagram or timer, take T4 from the kernel and T1 right before each send, hand them to the
// source, carry out what it answers (send, timer, NTS-KE through the given hook, demobilize).
// `query` runs it until every source is done, the agent once per poll, serve's upstream thread
// until it is stopped. Blocking; runs on its caller's thread, which owns the sockets.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "ntp/nts/client_session.h"
#include "ntp/source.h"
#include "platform/socket_address.h"
#include "platform/udp_client.h"

namespace cw::apps {

// What an NTS-KE gave one source: a new session and, when it moved, where NTP now is.
struct Rekeyed {
  ntp::nts::ClientSession session;
  std::optional<platform::SocketAddress> address;
};
using KeyExchangeHook = std::function<Result<Rekeyed, std::string>()>;

class SourceDriver {
 public:
  struct Options {
    bool kernel_timestamps = true;  // T4 from SO_TIMESTAMPNS (off under libfaketime)
  };
  // Called after a source's filter took a new sample (to run the System).
  using OnUpdate = std::function<void(std::size_t source)>;

  SourceDriver(Clock& clock, Options options, OnUpdate on_update = {});

  // Adds a source that talks to `address` (its socket opens now; a failure is the source's
  // error, its requests then fail); `key_exchange` serves its NTS-KE requests. Returns its index.
  std::size_t add(ntp::Source& source, const platform::SocketAddress& address,
                  KeyExchangeHook key_exchange = {});
  // Carries out what a source answered outside the loop (start_burst, start).
  void apply(std::size_t source, ntp::SourceActions actions);

  // The deadline loop until no source has a timer left (every burst done, every source gone).
  void run_until_done();
  // The deadline loop until `stop()` says so (checked at least every `check`).
  void run_until(const std::function<bool()>& stop, Duration check);

  // The last send, receive or NTS-KE error of a source, in one line ("" when none).
  const std::string& error(std::size_t source) const { return entries_.at(source).error; }
  const platform::SocketAddress& address(std::size_t source) const {
    return entries_.at(source).address;
  }

 private:
  struct Entry {
    ntp::Source* source;
    platform::SocketAddress address;
    std::unique_ptr<platform::UdpClient> client;
    KeyExchangeHook key_exchange;
    Timestamp t1{};  // of the request in flight
    std::string error;
  };
  bool step(MonotonicTime until);
  void receive(Entry& entry, std::size_t index);
  void open(Entry& entry);
  ntp::SourceActions send(Entry& entry, std::span<const std::byte> datagram);
  ntp::SourceActions key_exchange(Entry& entry);

  Clock& clock_;
  Options options_;
  OnUpdate on_update_;
  std::vector<Entry> entries_;
};

}  // namespace cw::apps
