// apps/common/source_driver.cpp — the deadline loop over sources (see source_driver.h).
#include "apps/common/source_driver.h"

#include <array>
#include <system_error>

namespace cw::apps {

SourceDriver::SourceDriver(Clock& clock, Options options, OnUpdate on_update)
    : clock_(clock), options_(options), on_update_(std::move(on_update)) {}

std::size_t SourceDriver::add(ntp::Source& source, const platform::SocketAddress& address,
                              KeyExchangeHook key_exchange) {
  entries_.push_back(Entry{&source, address, nullptr, std::move(key_exchange), {}, {}});
  open(entries_.back());
  return entries_.size() - 1;
}

void SourceDriver::open(Entry& entry) {
  try {
    entry.client = std::make_unique<platform::UdpClient>(
        entry.address, clock_, platform::UdpClient::Options{options_.kernel_timestamps});
  } catch (const std::system_error& e) {
    entry.client.reset();
    entry.error = e.what();
  }
}

void SourceDriver::apply(std::size_t index, ntp::SourceActions actions) {
  Entry& entry = entries_.at(index);
  for (;;) {
    if (actions.updated && on_update_) on_update_(index);
    actions.updated = false;
    if (!actions.send.empty()) {
      actions = send(entry, actions.send);
      continue;
    }
    if (actions.key_exchange) {
      actions = key_exchange(entry);
      continue;
    }
    return;
  }
}

// T1 is read right before the datagram leaves (UdpClient::send).
ntp::SourceActions SourceDriver::send(Entry& entry, std::span<const std::byte> datagram) {
  const auto now = clock_.monotonic_now();
  if (!entry.client) open(entry);
  if (!entry.client) return entry.source->on_io_error(ntp::Silence::io_error, now);
  try {
    entry.t1 = entry.client->send(datagram);
    return {};
  } catch (const std::system_error& e) {
    entry.error = e.what();
    return entry.source->on_io_error(ntp::Silence::io_error, clock_.monotonic_now());
  }
}

ntp::SourceActions SourceDriver::key_exchange(Entry& entry) {
  if (!entry.key_exchange) {
    entry.error = "no NTS-KE for this source";
    return entry.source->key_exchange_failed(clock_.monotonic_now());
  }
  auto keyed = entry.key_exchange();
  if (!keyed) {
    entry.error = keyed.error();
    return entry.source->key_exchange_failed(clock_.monotonic_now());
  }
  if (keyed->address && *keyed->address != entry.address) {
    entry.address = *keyed->address;
    open(entry);
  }
  entry.error.clear();
  return entry.source->rekeyed(std::move(keyed->session), clock_.monotonic_now());
}

// Every datagram queued on the source's socket, with its kernel receive time as T4.
void SourceDriver::receive(Entry& entry, std::size_t index) {
  std::array<std::byte, ntp::kMaxPacketSize + 4> buffer{};
  for (;;) {
    auto got = entry.client->try_receive(buffer);
    if (!got && got.error() == platform::ReceiveError::timeout) return;
    const auto now = clock_.monotonic_now();
    if (!got) {
      const bool refused = got.error() == platform::ReceiveError::refused;
      entry.error = platform::to_string(got.error());
      apply(index, entry.source->on_io_error(
                       refused ? ntp::Silence::refused : ntp::Silence::io_error, now));
      return;
    }
    apply(index, entry.source->on_datagram(got->bytes, entry.t1, got->received_at, now));
  }
}

// One turn: wait for a datagram or the earliest timer (at most until `until`), then hand over
// what arrived and fire what is due. False when no source has a timer left.
bool SourceDriver::step(MonotonicTime until) {
  std::optional<MonotonicTime> earliest;
  std::vector<int> fds;
  std::vector<std::size_t> owners;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const auto timer = entries_[i].source->timer();
    if (timer && (!earliest || *timer < *earliest)) earliest = timer;
    if (entries_[i].client) {
      fds.push_back(entries_[i].client->fd());
      owners.push_back(i);
    }
  }
  if (!earliest) return false;
  std::vector<std::size_t> ready;
  platform::wait_readable(fds, std::min(*earliest, until), clock_, ready);
  for (const auto k : ready) receive(entries_[owners[k]], owners[k]);
  const auto now = clock_.monotonic_now();
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const auto timer = entries_[i].source->timer();
    if (timer && *timer <= now) apply(i, entries_[i].source->on_timer(now));
  }
  return true;
}

void SourceDriver::run_until_done() {
  while (step(MonotonicTime::max())) {
  }
}

void SourceDriver::run_until(const std::function<bool()>& stop, Duration check) {
  std::vector<std::size_t> none;
  while (!stop()) {
    const auto until = clock_.monotonic_now() + check;
    if (!step(until)) platform::wait_readable({}, until, clock_, none);  // nothing to wait for
  }
}

}  // namespace cw::apps
