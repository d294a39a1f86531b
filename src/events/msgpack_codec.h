// events/msgpack_codec.h — the MessagePack form of an Event (seed 002 lists it beside JSON and
// the compact binary): a map with the JSON form's keys and values, without the ISO `timestamp`
// string (docs/wire-format.md §8). Encoded with msgpack-cxx's packer; decoded with msgpack-cxx
// under size and depth limits, then checked by the JSON codec's rules, so both accept the same.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/result.h"
#include "events/decode_error.h"
#include "events/event.h"

namespace cw::events {

// Appends one MessagePack map to `out`.
void encode_msgpack(const Event& event, std::vector<std::byte>& out);
Result<Event, DecodeError> decode_msgpack(std::span<const std::byte> bytes);

}  // namespace cw::events
