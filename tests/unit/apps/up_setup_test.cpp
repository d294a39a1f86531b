// apps/up/up_setup.h: the NTP servers this host is configured with, read from chrony, ntpd and
// systemd-timesyncd configuration texts and files, with literal texts.
#include "apps/up/up_setup.h"

#include <gtest/gtest.h>

#include <fstream>

namespace cw::apps {
namespace {

using Servers = std::vector<std::string>;

TEST(UpSetup, ServersOfChronyNtpdAndTimesyncdTexts) {
  EXPECT_EQ(ntp_servers_in("# chrony\npool 2.debian.pool.ntp.org iburst\nserver 10.0.0.1 "
                           "prefer\n  server ntp.example.com  # comment\nmakestep 1 3\n"),
            (Servers{"2.debian.pool.ntp.org", "10.0.0.1", "ntp.example.com"}));
  EXPECT_EQ(ntp_servers_in("[Time]\nNTP=a.example b.example\nFallbackNTP=c.example\n"),
            (Servers{"a.example", "b.example"}));
  EXPECT_EQ(ntp_servers_in("[Time]\n#NTP=\nFallbackNTP=c.example d.example\n"),
            (Servers{"c.example", "d.example"}));
  EXPECT_EQ(ntp_servers_in("driftfile /var/lib/chrony/drift\n"), Servers{});
}

TEST(UpSetup, ConfiguredServersFromFilesOrThePool) {
  const auto root = std::filesystem::temp_directory_path() / "cw-up-setup-test";
  std::filesystem::remove_all(root);
  EXPECT_EQ(configured_ntp_servers(root), Servers{"pool.ntp.org"});
  std::filesystem::create_directories(root / "etc/chrony/sources.d");
  std::ofstream{root / "etc/chrony/chrony.conf"} << "pool 2.debian.pool.ntp.org iburst\n";
  std::ofstream{root / "etc/chrony/sources.d/local.sources"} << "server 192.0.2.1 iburst\n";
  EXPECT_EQ(configured_ntp_servers(root), (Servers{"2.debian.pool.ntp.org", "192.0.2.1"}));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace cw::apps
