// detect/lru_table.h — a fixed-capacity hash table with least-recently-used eviction: the only
// kind of state the network detectors keep, so their memory is bounded by configuration however
// many sources a flood spoofs. All storage is allocated at construction; inserting, finding,
// touching and evicting never allocate (open addressing with linear probing and backward-shift
// deletion, nodes on an intrusive recency list).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/ip_address.h"

namespace cw::detect {

// A fast 64-bit mix (splitmix64 finaliser), for combining key fields into a table hash.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

inline std::uint64_t hash_address(const IpAddress& a, std::uint64_t seed = 0) {
  std::uint64_t high = 0, low = 0;
  std::memcpy(&high, a.bytes().data(), 8);
  std::memcpy(&low, a.bytes().data() + 8, 8);
  return mix64(high ^ mix64(low ^ seed));
}

// The keys the detectors' tables share: one address (a scanning source, a flood's victim), or a
// client and a server (a Modbus or NTP conversation).
struct AddressHash {
  std::uint64_t operator()(const IpAddress& a) const { return hash_address(a); }
};
struct AddressPair {
  IpAddress client, server;
  bool operator==(const AddressPair&) const = default;
};
struct AddressPairHash {
  std::uint64_t operator()(const AddressPair& k) const {
    return hash_address(k.client, hash_address(k.server));
  }
};

template <typename Key, typename Value, typename Hash>
class LruTable {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  explicit LruTable(std::size_t capacity)
      : nodes_(capacity == 0 ? 1 : capacity),
        slots_(std::bit_ceil((capacity == 0 ? 1 : capacity) * 2), kNone),
        mask_(slots_.size() - 1) {
    for (std::uint32_t i = 0; i < nodes_.size(); ++i)
      nodes_[i].next = i + 1 < nodes_.size() ? i + 1 : kNone;
    free_ = 0;
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return nodes_.size(); }
  std::uint64_t evictions() const { return evictions_; }

  // The entry for `key`, or nullptr; does not change its recency.
  Value* find(const Key& key) {
    const auto slot = find_slot(key, Hash{}(key));
    return slot == kNone ? nullptr : &nodes_[slots_[slot]].value;
  }

  // The entry for `key` made most recent, or nullptr.
  Value* touch(const Key& key) {
    const auto slot = find_slot(key, Hash{}(key));
    if (slot == kNone) return nullptr;
    move_to_front(slots_[slot]);
    return &nodes_[slots_[slot]].value;
  }

  struct Found {
    Value& value;
    bool inserted;
  };
  // The entry for `key` (made most recent), inserted value-initialised if absent. A full table
  // first evicts its least recently used entry, handing it to on_evict(key, value).
  template <typename OnEvict>
  Found get_or_insert(const Key& key, OnEvict&& on_evict) {
    const std::uint64_t hash = Hash{}(key);
    if (const auto slot = find_slot(key, hash); slot != kNone) {
      move_to_front(slots_[slot]);
      return {nodes_[slots_[slot]].value, false};
    }
    if (free_ == kNone) {
      ++evictions_;
      Node& victim = nodes_[tail_];
      on_evict(static_cast<const Key&>(victim.key), victim.value);
      erase_node(tail_);
    }
    const std::uint32_t index = free_;
    free_ = nodes_[index].next;
    Node& node = nodes_[index];
    node.key = key;
    node.value = Value{};
    node.hash = hash;
    link_front(index);
    std::size_t slot = hash & mask_;
    while (slots_[slot] != kNone) slot = (slot + 1) & mask_;
    slots_[slot] = index;
    ++size_;
    return {node.value, true};
  }
  Found get_or_insert(const Key& key) {
    return get_or_insert(key, [](const Key&, Value&) {});
  }

  bool erase(const Key& key) {
    const auto slot = find_slot(key, Hash{}(key));
    if (slot == kNone) return false;
    erase_node(slots_[slot]);
    return true;
  }

  // The least recently used entry (nullptr when empty), to expire entries from the old end.
  const Key* oldest_key() const { return tail_ == kNone ? nullptr : &nodes_[tail_].key; }
  Value* oldest_value() { return tail_ == kNone ? nullptr : &nodes_[tail_].value; }
  void pop_oldest() {
    if (tail_ != kNone) erase_node(tail_);
  }

  // Visits every entry, most recent first.
  template <typename F>
  void for_each(F&& f) {
    for (auto i = head_; i != kNone; i = nodes_[i].next)
      f(static_cast<const Key&>(nodes_[i].key), nodes_[i].value);
  }

 private:
  struct Node {
    Key key{};
    Value value{};
    std::uint64_t hash = 0;
    std::uint32_t prev = kNone;
    std::uint32_t next = kNone;
  };

  std::uint32_t find_slot(const Key& key, std::uint64_t hash) const {
    for (std::size_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
      const auto index = slots_[slot];
      if (index == kNone) return kNone;
      if (nodes_[index].hash == hash && nodes_[index].key == key)
        return static_cast<std::uint32_t>(slot);
    }
  }

  std::size_t slot_of(std::uint32_t index) const {
    std::size_t slot = nodes_[index].hash & mask_;
    while (slots_[slot] != index) slot = (slot + 1) & mask_;
    return slot;
  }

  void erase_node(std::uint32_t index) {
    std::size_t hole = slot_of(index);
    for (std::size_t next = (hole + 1) & mask_; slots_[next] != kNone; next = (next + 1) & mask_) {
      const std::size_t home = nodes_[slots_[next]].hash & mask_;
      const bool stays =
          hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
      if (stays) continue;
      slots_[hole] = slots_[next];
      hole = next;
    }
    slots_[hole] = kNone;
    unlink(index);
    nodes_[index].next = free_;
    free_ = index;
    --size_;
  }

  void link_front(std::uint32_t index) {
    nodes_[index].prev = kNone;
    nodes_[index].next = head_;
    if (head_ != kNone) nodes_[head_].prev = index;
    head_ = index;
    if (tail_ == kNone) tail_ = index;
  }
  void unlink(std::uint32_t index) {
    Node& n = nodes_[index];
    if (n.prev != kNone)
      nodes_[n.prev].next = n.next;
    else
      head_ = n.next;
    if (n.next != kNone)
      nodes_[n.next].prev = n.prev;
    else
      tail_ = n.prev;
  }
  void move_to_front(std::uint32_t index) {
    if (head_ == index) return;
    unlink(index);
    link_front(index);
  }

  std::vector<Node> nodes_;
  std::vector<std::uint32_t> slots_;
  std::size_t mask_;
  std::uint32_t head_ = kNone, tail_ = kNone, free_ = kNone;
  std::size_t size_ = 0;
  std::uint64_t evictions_ = 0;
};

}  // namespace cw::detect
