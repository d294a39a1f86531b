// bench/ntp_server/loadgen_cookies.h — for the NTS load generator: many distinct cookies of one
// NTS-KE session, asked of the server itself (requests with 7 placeholders, 8 cookies a reply),
// so that a flood can carry a different cookie in every pooled request, as real clients do (each
// cookie used once), instead of one cookie over and over (ntpperf), which a server's cache of
// opened cookies answers without opening any.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "ntp/nts/client_fields.h"

namespace cw::bench {

// `count` cookies from the server at `server`, starting from `request`'s cookie (which is used);
// an error message when the server stops answering or a reply does not verify.
std::optional<std::string> gather_cookies(const sockaddr_storage& server, socklen_t length,
                                          ntp::nts::ClientRequest request, std::size_t count,
                                          Random& random, std::vector<ntp::nts::Cookie>& out);

}  // namespace cw::bench
