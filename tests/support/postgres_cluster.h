// tests/support/postgres_cluster.h — a throwaway PostgreSQL 15 cluster for a test: initdb (trust
// authentication) in a fresh directory under /tmp, the server on a unix socket there (no TCP:
// listen_addresses=''), run as the `postgres` user when we are root, stopped by its PID and
// removed afterwards. Never the system's cluster. Missing binaries throw (the test fails, never
// skips: CI installs postgresql-15). $CW_PG_BIN overrides /usr/lib/postgresql/15/bin.
#pragma once

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace cw::testing {

class PostgresCluster {
 public:
  PostgresCluster() {
    const char* env_bin = std::getenv("CW_PG_BIN");
    bin_ = env_bin && *env_bin ? env_bin : "/usr/lib/postgresql/15/bin";
    if (!std::filesystem::exists(bin_ / "initdb") || !std::filesystem::exists(bin_ / "pg_ctl"))
      throw std::runtime_error("PostgreSQL 15 is not installed (no " + (bin_ / "initdb").string() +
                               "): apt-get install postgresql-15, or set CW_PG_BIN");
    std::string pattern = (std::filesystem::temp_directory_path() / "cw-pg-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    as_postgres_ = ::geteuid() == 0;
    if (as_postgres_) {
      const passwd* user = ::getpwnam("postgres");
      if (!user) throw std::runtime_error("running as root but there is no `postgres` user");
      if (::chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0)
        throw std::runtime_error("cannot chown " + dir_.string());
    }
    run({(bin_ / "initdb").string(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
         "--locale=C", "-D", data().string()},
        "initdb");
    start();
  }
  ~PostgresCluster() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // libpq keywords for a database of this cluster.
  std::string conninfo(const std::string& database = "postgres") const {
    return "host=" + dir_.string() + " port=5432 user=postgres dbname=" + database;
  }
  void create_database(const std::string& name) { psql("CREATE DATABASE " + name); }
  void psql(const std::string& sql, const std::string& database = "postgres") {
    run({(bin_ / "psql").string(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo(database),
         "-c", sql},
        "psql");
  }

  void start() {
    run({(bin_ / "pg_ctl").string(), "-D", data().string(), "-l", (dir_ / "server.log").string(),
         "-w", "-t", "60", "-o",
         "-k " + dir_.string() + " -p 5432 -c listen_addresses='' -c fsync=off", "start"},
        "pg_ctl start");
    std::ifstream pidfile(data() / "postmaster.pid");
    pidfile >> pid_;
    if (pid_ <= 0) throw std::runtime_error("no postmaster.pid after pg_ctl start");
  }
  // SIGQUIT is `pg_ctl -m immediate`: no shutdown checkpoint, crash recovery at the next start.
  void stop(bool immediate = false) {
    if (pid_ <= 0) return;
    ::kill(pid_, immediate ? SIGQUIT : SIGINT);  // SIGINT: fast shutdown
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (::kill(pid_, 0) == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    pid_ = 0;
  }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path data() const { return dir_ / "data"; }

  void run(std::vector<std::string> argv, const char* what) {
    if (as_postgres_) argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const auto log = (dir_ / "commands.log").string();
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0666);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t child = 0;
    const int spawned = ::posix_spawn(&child, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    if (spawned != 0 || ::waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
      std::ifstream in(log);
      const std::string output{std::istreambuf_iterator<char>(in), {}};
      throw std::runtime_error(std::string{what} + " failed: " + output);
    }
  }

  std::filesystem::path bin_, dir_;
  bool as_postgres_ = false;
  pid_t pid_ = 0;
};

}  // namespace cw::testing
