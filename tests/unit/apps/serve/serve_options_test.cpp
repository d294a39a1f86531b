// tests/unit/apps/serve/serve_options_test.cpp — the values serve cannot use are found while
// parsing (serve_usage_problem), each message starting with its flag, so that serve exits 2 before
// it starts.
#include "apps/serve/serve_options.h"

#include <gtest/gtest.h>

namespace cw::apps {
namespace {

TEST(ServeUsageProblem, NamesTheFlagOfTheFirstValueServeCannotUse) {
  ServeOptions o;
  o.listen = {"127.0.0.1:11123"};
  o.allow = {"10.0.0.0/8"};
  EXPECT_FALSE(serve_usage_problem(o));
  o.deny = {"192.0.2.0/33"};
  EXPECT_TRUE(serve_usage_problem(o).value().starts_with("--deny '192.0.2.0/33'"));
  o.deny.clear();
  o.listen = {"localhost"};
  EXPECT_TRUE(serve_usage_problem(o).value().starts_with("--listen 'localhost'"));
  o.listen.clear();  // the default listen addresses
  o.min_poll = 8;
  o.max_poll = 6;
  EXPECT_TRUE(serve_usage_problem(o).value().starts_with("--max-poll 6 is below --min-poll 8"));
}

}  // namespace
}  // namespace cw::apps
