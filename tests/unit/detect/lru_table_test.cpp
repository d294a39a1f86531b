// Unit tests for detect/lru_table.h against std::map as the model, under random operations.
#include "detect/lru_table.h"

#include <gtest/gtest.h>

#include <list>
#include <map>
#include <random>

namespace cw::detect {
namespace {

struct IntHash {
  std::uint64_t operator()(int k) const {
    return static_cast<std::uint64_t>(k % 7);
  }  // many collisions
};

TEST(LruTable, EvictsTheLeastRecentlyUsed) {
  LruTable<int, int, IntHash> table(3);
  std::vector<int> evicted;
  auto on_evict = [&](int key, int&) { evicted.push_back(key); };
  table.get_or_insert(1, on_evict).value = 10;
  table.get_or_insert(2, on_evict).value = 20;
  table.get_or_insert(3, on_evict).value = 30;
  ASSERT_NE(table.touch(1), nullptr);  // 2 is now the oldest
  table.get_or_insert(4, on_evict);
  EXPECT_EQ(evicted, std::vector<int>{2});
  EXPECT_EQ(*table.find(1), 10);
  EXPECT_EQ(table.find(2), nullptr);
  EXPECT_EQ(*table.oldest_key(), 3);
  EXPECT_EQ(table.size(), 3u);
}

TEST(LruTable, MatchesAModelUnderRandomOperations) {
  LruTable<int, int, IntHash> table(64);
  std::map<int, int> model;
  std::list<int> order;  // most recent first
  std::mt19937 random(7);
  for (int step = 0; step < 200000; ++step) {
    const int key = static_cast<int>(random() % 200);
    if (random() % 3 == 0) {
      EXPECT_EQ(table.erase(key), model.erase(key) == 1);
      order.remove(key);
    } else {
      auto found = table.get_or_insert(key, [&](int evicted, int&) {
        EXPECT_EQ(evicted, order.back());
        model.erase(order.back());
        order.pop_back();
      });
      EXPECT_EQ(found.inserted, model.count(key) == 0);
      found.value = step;
      model[key] = step;
      order.remove(key);
      order.push_front(key);
    }
    ASSERT_EQ(table.size(), model.size());
  }
  for (const auto& [key, value] : model) EXPECT_EQ(*table.find(key), value);
}

}  // namespace
}  // namespace cw::detect
