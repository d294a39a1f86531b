// The store contract, the collector's state documents: write_state upserts and deletes in one
// transaction, read_state gives one kind by id, and both survive reopening the store; typed over
// every engine (store_engines.h).
#include <gtest/gtest.h>

#include "store/event_store.h"
#include "store_engines.h"

namespace cw::store {
namespace {

template <typename Engine>
using StateContract = testing::EngineTest<Engine>;
using Engines = ::testing::Types<testing::SqliteEngine, testing::PostgresEngine>;
TYPED_TEST_SUITE(StateContract, Engines, testing::EngineNames);

TYPED_TEST(StateContract, NothingWrittenReadsEmpty) {
  EXPECT_TRUE(this->store().read_state("alert").empty());
}

TYPED_TEST(StateContract, UpsertsDeletesAndSurvivesReopening) {
  auto& store = this->store();
  const std::vector<StateRecord> first{{"alert", "b", R"({"n":1})"},
                                       {"alert", "a", "{\"quote\":\"it's <b>\"}"},
                                       {"silence", "q1", "{}"}};
  store.write_state(first);
  const std::vector<StateRecord> second{{"alert", "b", R"({"n":2})"}, {"silence", "q1", ""}};
  store.write_state(second);
  this->store_.reset();
  auto reopened = open_store(this->engine_.url());
  const std::vector<StateRecord> alerts{{"alert", "a", "{\"quote\":\"it's <b>\"}"},
                                        {"alert", "b", R"({"n":2})"}};
  EXPECT_EQ(reopened->read_state("alert"), alerts);
  EXPECT_TRUE(reopened->read_state("silence").empty());
  EXPECT_TRUE(reopened->read_state("other").empty());
}

TYPED_TEST(StateContract, ManyRecordsInOneBatch) {
  auto& store = this->store();
  std::vector<StateRecord> many;
  for (int i = 0; i < 500; ++i) many.push_back({"alert", std::to_string(i), "{}"});
  store.write_state(many);
  EXPECT_EQ(store.read_state("alert").size(), 500u);
}

}  // namespace
}  // namespace cw::store
