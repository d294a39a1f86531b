// ntp/access_list.h — who may get time from the server: allow and deny rules by CIDR prefix.
// The most specific (longest) matching prefix decides; between an allow and a deny of the same
// length, deny wins. An address no rule matches is allowed only when there are no allow rules
// (an empty list serves everyone; one `--allow` turns the server into allow-only).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/ip_address.h"

namespace cw::ntp {

class AccessList {
 public:
  void allow(const IpPrefix& prefix) { add(prefix, true); }
  void deny(const IpPrefix& prefix) { add(prefix, false); }
  bool permits(const IpAddress& client) const;
  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    IpPrefix prefix;
    bool allow;
  };
  void add(const IpPrefix& prefix, bool allow);
  std::vector<Rule> rules_;  // longest prefix first, deny before allow at equal length
  bool any_allow_ = false;
};

}  // namespace cw::ntp
