// web/cursor.h — the opaque cursors of the API: a page cursor is the (timestamp, agent, sequence)
// key of the last event of a page; a stream cursor is an event's store position. Both are plain
// URL-safe text ("p.<ns>.<sequence>.<agent as hex>", "s.<position>") that decoding checks fully:
// a client can only hand back what it was given, or get a 400. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/event_store.h"

namespace cw::web {

std::string encode_page_cursor(const store::ReplayPosition& key);
std::optional<store::ReplayPosition> decode_page_cursor(std::string_view text);

std::string encode_stream_cursor(std::int64_t position);
std::optional<std::int64_t> decode_stream_cursor(std::string_view text);  // position >= 0

}  // namespace cw::web
