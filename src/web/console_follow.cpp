// web/console_follow.cpp — the live stream on a store several collectors write to (PostgreSQL):
// a listener thread waits on its own connection for the commits' notifications (the payload, the
// newest position, is only a wake-up), the loop's thread reads what was committed after its cursor
// and publishes it to the stream's clients (web/console.h, docs/store.md).
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "web/console.h"

namespace cw::web {
namespace {

constexpr std::size_t kFollowPage = 10000;             // events per read; more: read again
constexpr std::chrono::milliseconds kListenWait{500};  // a wake-up at least this often
constexpr std::chrono::milliseconds kRetryWait{1000};  // after the listener's store failed

}  // namespace

void Console::follow_store(std::unique_ptr<store::EventStore> listener) {
  listener_ = std::move(listener);
}

void Console::start_following() {
  follow_cursor_ = reads_->last_position();  // the present: clients start there too
  listening_ = true;
  listener_thread_ = std::thread([this] { listen(); });
}

void Console::stop_following() {
  listening_ = false;
  if (listener_thread_.joinable()) listener_thread_.join();
}

void Console::listen() {
  bool failed = false;
  while (listening_) {
    try {
      listener_->wait_for_commits(kListenWait);  // woken or not, reading finds what is there
      if (failed) spdlog::info("web: live stream: listening to the store's commits again");
      failed = false;
    } catch (const std::exception& error) {
      if (!failed)
        spdlog::error("web: live stream: cannot listen to the store's commits ({}); retrying",
                      error.what());
      failed = true;
      std::this_thread::sleep_for(kRetryWait);
    }
    wake_follow();
  }
}

void Console::wake_follow() {
  if (follow_posted_.exchange(true)) return;
  boost::asio::post(io_, [this] { follow(); });
}

void Console::follow() {
  follow_posted_ = false;
  store::EventFilter all;
  all.limit = kFollowPage;
  std::vector<store::StoredEvent> page;
  try {
    page = reads_->read_after(follow_cursor_, all);
  } catch (const std::exception& error) {
    spdlog::error("web: live stream: cannot read the store: {}", error.what());
    return;
  }
  if (page.empty()) return;
  follow_cursor_ = page.back().position;
  std::vector<std::string> changed;
  for (const auto& stored : page)
    if (!views_.is_pseudo_agent(stored.event.agent_id) && views_.observe(stored.event))
      changed.push_back(stored.event.agent_id);
  hub_.publish(page, clock_.now());
  for (const auto& agent : changed) hub_.agent_changed(agent);
  if (page.size() == kFollowPage) wake_follow();
}

}  // namespace cw::web
