// events/msgpack_codec.cpp — Event ⇄ MessagePack (events/msgpack_codec.h).
#include "events/msgpack_codec.h"

#include <msgpack.hpp>

#include "events/json_codec.h"

namespace cw::events {
namespace {

using nlohmann::ordered_json;

// msgpack-cxx writes through any object with write(const char*, size_t).
struct ByteSink {
  std::vector<std::byte>& out;
  void write(const char* data, std::size_t size) {
    const auto* bytes = reinterpret_cast<const std::byte*>(data);
    out.insert(out.end(), bytes, bytes + size);
  }
};

// Packs the JSON form (already the agreed layout) without its ISO timestamp string.
void pack(msgpack::packer<ByteSink>& p, const ordered_json& j) {
  switch (j.type()) {
    case ordered_json::value_t::object: {
      std::size_t n = j.size() - (j.contains("timestamp_ns") && j.contains("timestamp") ? 1 : 0);
      p.pack_map(static_cast<std::uint32_t>(n));
      for (const auto& [key, value] : j.items()) {
        if (key == "timestamp" && j.contains("timestamp_ns")) continue;
        p.pack(key);
        pack(p, value);
      }
      break;
    }
    case ordered_json::value_t::array:
      p.pack_array(static_cast<std::uint32_t>(j.size()));
      for (const auto& value : j) pack(p, value);
      break;
    case ordered_json::value_t::string:
      p.pack(j.get_ref<const std::string&>());
      break;
    case ordered_json::value_t::boolean:
      j.get<bool>() ? p.pack_true() : p.pack_false();
      break;
    case ordered_json::value_t::number_integer:
      p.pack_int64(j.get<std::int64_t>());
      break;
    case ordered_json::value_t::number_unsigned:
      p.pack_uint64(j.get<std::uint64_t>());
      break;
    case ordered_json::value_t::number_float:
      p.pack_double(j.get<double>());
      break;
    default:
      p.pack_nil();
      break;
  }
}

// A decoded MessagePack object as JSON, or nullopt for what JSON cannot hold (bin, ext, non-string
// keys) — the JSON rules then say what is missing or wrong.
std::optional<ordered_json> to_json(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL:
      return ordered_json(nullptr);
    case msgpack::type::BOOLEAN:
      return ordered_json(o.via.boolean);
    case msgpack::type::POSITIVE_INTEGER:
      return ordered_json(o.via.u64);
    case msgpack::type::NEGATIVE_INTEGER:
      return ordered_json(o.via.i64);
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return ordered_json(o.via.f64);
    case msgpack::type::STR:
      return ordered_json(std::string{o.via.str.ptr, o.via.str.size});
    case msgpack::type::ARRAY: {
      auto array = ordered_json::array();
      for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
        auto item = to_json(o.via.array.ptr[i]);
        if (!item) return std::nullopt;
        array.push_back(std::move(*item));
      }
      return array;
    }
    case msgpack::type::MAP: {
      auto object = ordered_json::object();
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        const auto& kv = o.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR) return std::nullopt;
        auto value = to_json(kv.val);
        if (!value) return std::nullopt;
        object[std::string{kv.key.via.str.ptr, kv.key.via.str.size}] = std::move(*value);
      }
      return object;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

void encode_msgpack(const Event& event, std::vector<std::byte>& out) {
  ByteSink sink{out};
  msgpack::packer<ByteSink> packer{sink};
  pack(packer, event_to_json(event));
}

Result<Event, DecodeError> decode_msgpack(std::span<const std::byte> bytes) {
  // Arrays up to the port limit, maps up to the attribute limit, strings up to the string
  // limit, no bin/ext, nesting at most 4 (event → data → ports): nothing hostile gets allocated.
  const msgpack::unpack_limit limits{kMaxPorts, kMaxAttributes + 16, kMaxStringLength, 0, 0, 4};
  msgpack::object_handle handle;
  std::size_t offset = 0;
  try {
    handle = msgpack::unpack(reinterpret_cast<const char*>(bytes.data()), bytes.size(), offset,
                             nullptr, nullptr, limits);
  } catch (const msgpack::insufficient_bytes&) {
    return fail(DecodeError::truncated);
  } catch (const std::exception&) {
    return fail(DecodeError::bad_syntax);
  }
  if (offset != bytes.size()) return fail(DecodeError::trailing_bytes);
  auto json = to_json(handle.get());
  if (!json) return fail(DecodeError::wrong_field_type);
  return event_from_json(*json);
}

}  // namespace cw::events
