// ntp/access_list.cpp — longest-prefix allow/deny matching of ntp/access_list.h.
#include "ntp/access_list.h"

#include <algorithm>

namespace cw::ntp {
namespace {

int absolute_length(const IpPrefix& p) { return p.address.is_v4() ? 96 + p.length : p.length; }

}  // namespace

void AccessList::add(const IpPrefix& prefix, bool allow) {
  rules_.push_back({prefix, allow});
  any_allow_ = any_allow_ || allow;
  std::stable_sort(rules_.begin(), rules_.end(), [](const Rule& a, const Rule& b) {
    const int la = absolute_length(a.prefix), lb = absolute_length(b.prefix);
    if (la != lb) return la > lb;
    return !a.allow && b.allow;
  });
}

bool AccessList::permits(const IpAddress& client) const {
  for (const Rule& rule : rules_)
    if (rule.prefix.contains(client)) return rule.allow;
  return !any_allow_;
}

}  // namespace cw::ntp
