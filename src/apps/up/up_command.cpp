// apps/up/up_command.cpp — `chronowatch up`: the main job on one machine. A collector (SQLite in
// the data directory) with its console, and a local agent (a child process: the clock against
// this host's NTP servers, the network monitor on the default interface when it may capture),
// keys made at first start and the agent authorized. Prints the console's URL; SIGINT/SIGTERM
// stop the agent and the collector, and it exits 0 with nothing left running.
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "apps/collector/collector_runtime.h"
#include "apps/common/commands.h"
#include "apps/common/exit_codes.h"
#include "apps/common/signals.h"
#include "apps/up/up_setup.h"
#include "store/event_store.h"

extern char** environ;

namespace cw::apps {
namespace {

struct UpOptions {
  std::string data_dir;
  std::string http = "127.0.0.1:8080";
  std::string collector_listen = "tcp://127.0.0.1:5555";
  std::string interface;                 // empty: the default route's; "none": no network monitor
  std::vector<std::string> ntp_servers;  // empty: this host's configuration
  bool no_agent = false;
};

// The endpoint the local agent connects to: a wildcard bind is reached on loopback.
std::string local_endpoint(std::string listen) {
  for (const char* any : {"0.0.0.0", "*"})
    if (auto at = listen.find(any); at != std::string::npos)
      listen.replace(at, std::string_view{any}.size(), "127.0.0.1");
  return listen;
}

std::vector<std::string> agent_argv(const UpOptions& o, const std::filesystem::path& data,
                                    const UpKeys& keys) {
  std::vector<std::string> argv{"chronowatch",     "agent",
                                "--sink",          "zmq",
                                "--collector",     local_endpoint(o.collector_listen),
                                "--collector-key", keys.collector_pub.string(),
                                "--key",           keys.agent_key.string(),
                                "--spool-dir",     (data / "agent-spool").string(),
                                "--mqtt-timeout",  "3",
                                "--agent-id",      local_agent_id()};
  const auto servers = o.ntp_servers.empty() ? configured_ntp_servers() : o.ntp_servers;
  for (const auto& server : servers) argv.insert(argv.end(), {"--ntp-server", server});
  std::string interface = o.interface.empty() ? default_interface() : o.interface;
  if (interface == "none") interface.clear();
  if (!interface.empty() && !has_cap_net_raw()) {
    spdlog::warn("up: no CAP_NET_RAW: the network monitor is off (run as root to capture on {})",
                 interface);
    interface.clear();
  }
  if (!interface.empty()) argv.insert(argv.end(), {"--interface", interface});
  spdlog::info("up: local agent measures {} NTP server(s) ({}){}", servers.size(), servers.front(),
               interface.empty() ? "" : ", network monitor on " + interface);
  return argv;
}

pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (const int error =
          ::posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), environ);
      error != 0)
    throw std::runtime_error(std::string{"cannot start the local agent: "} + std::strerror(error));
  return pid;
}

// Waits for the child up to `timeout`, then kills it: nothing is left running.
void reap(pid_t pid, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      spdlog::warn("up: the local agent did not stop in {} s: killing it", timeout.count());
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

int run_up(const UpOptions& o) {
  auto& signals = install_signal_flags();
  const std::filesystem::path data =
      o.data_dir.empty() ? default_data_dir() : std::filesystem::path{o.data_dir};
  std::filesystem::create_directories(data);
  const auto agent_id = local_agent_id();
  const auto keys = prepare_keys(data, agent_id);
  CollectorCommandOptions collector;
  collector.listen = o.collector_listen;
  collector.db = (data / "events.db").string();
  collector.store = store::store_url("", collector.db);
  collector.key = keys.collector_key.string();
  collector.authorized_keys = keys.authorized.string();
  collector.http = o.http;
  collector.web_token_file = (data / "web-token").string();
  collector.stats_interval = 60;
  pid_t agent = -1;
  std::thread stopper;
  if (!o.no_agent) {
    agent = spawn(agent_argv(o, data, keys));
    stopper = std::thread([&signals, agent] {
      while (!signals.stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      ::kill(agent, SIGTERM);
    });
  }
  int code = kExitFailure;
  try {
    code = run_collector_until_stopped(collector);
  } catch (...) {
    signals.stop = true;
    if (stopper.joinable()) stopper.join();
    if (agent > 0) reap(agent, std::chrono::seconds(15));
    throw;
  }
  signals.stop = true;
  if (stopper.joinable()) stopper.join();
  if (agent > 0) reap(agent, std::chrono::seconds(15));
  return code;
}

}  // namespace

void add_up_command(CLI::App& app, CommandBody& run) {
  auto o = std::make_shared<UpOptions>();
  auto* cmd = app.add_subcommand(
      "up",
      "Run chronowatch on this machine: a collector (SQLite in the data directory), the web\n"
      "console, and a local agent measuring this host's clock against its configured NTP\n"
      "servers (chrony, ntpd or timesyncd configuration; else pool.ntp.org) and watching the\n"
      "default interface when it may capture. Keys are made at first start. Prints the\n"
      "console's URL (with its token); Ctrl-C stops everything. Exit codes: 0 stopped by a\n"
      "signal, 1 failure, 2 usage.");
  cmd->add_option("--data-dir", o->data_dir,
                  "where the database, keys and token live (default $CW_DATA_DIR, else "
                  "/var/lib/chronowatch as root, else $XDG_DATA_HOME/chronowatch)")
      ->envname("CW_DATA_DIR");
  cmd->add_option("--http", o->http, "the console's ADDR:PORT")->capture_default_str();
  cmd->add_option("--collector-listen", o->collector_listen, "the collector's ZeroMQ endpoint")
      ->capture_default_str();
  cmd->add_option("--interface", o->interface,
                  "network monitor interface (default: the default route's; none: off)");
  cmd->add_option("--ntp-server", o->ntp_servers,
                  "NTP server for the local agent (repeat; default: this host's configuration)");
  cmd->add_flag("--no-agent", o->no_agent, "run the collector and console only");
  cmd->callback([o, &run] { run = [o] { return run_up(*o); }; });
}

}  // namespace cw::apps
