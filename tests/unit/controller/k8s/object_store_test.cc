#include "controller/k8s/object_store.h"

#include <gtest/gtest.h>

namespace rackboot::k8s {
namespace {

web::json::value Obj(const std::string& ns, const std::string& name, const std::string& rack) {
  return web::json::value::parse(R"({"metadata":{"namespace":")" + ns + R"(","name":")" + name +
                                 R"("},"spec":{"rack":")" + rack + R"("}})");
}

std::vector<std::string> ByRack(const web::json::value& o) {
  return {o.at("spec").at("rack").as_string()};
}

TEST(ObjectStoreTest, IndexFollowsUpdatesAndDeletes) {
  ObjectStore s;
  s.AddIndex("rack", ByRack);
  EXPECT_FALSE(s.Upsert(Obj("a", "m1", "r1")));
  s.Upsert(Obj("a", "m2", "r1"));
  EXPECT_EQ(s.KeysByIndex("rack", "r1"), (std::vector<std::string>{"a/m1", "a/m2"}));
  auto old = s.Upsert(Obj("a", "m1", "r2"));  // moved rack
  ASSERT_TRUE(old);
  EXPECT_EQ(old->at("spec").at("rack").as_string(), "r1");
  EXPECT_EQ(s.KeysByIndex("rack", "r1"), (std::vector<std::string>{"a/m2"}));
  EXPECT_EQ(s.KeysByIndex("rack", "r2"), (std::vector<std::string>{"a/m1"}));
  s.Remove("a/m2");
  EXPECT_TRUE(s.KeysByIndex("rack", "r1").empty());
  EXPECT_EQ(s.Size(), 1u);
}

TEST(ObjectStoreTest, ReplaceReturnsVanishedObjectsAndReindexes) {
  ObjectStore s;
  s.AddIndex("rack", ByRack);
  s.Upsert(Obj("a", "m1", "r1"));
  s.Upsert(Obj("a", "m2", "r1"));
  auto gone = s.Replace({Obj("a", "m2", "r3"), Obj("b", "m3", "r3")});
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].at("metadata").at("name").as_string(), "m1");
  EXPECT_TRUE(s.KeysByIndex("rack", "r1").empty());
  EXPECT_EQ(s.KeysByIndex("rack", "r3"), (std::vector<std::string>{"a/m2", "b/m3"}));
  EXPECT_TRUE(s.Get("b/m3"));
  EXPECT_FALSE(s.Get("a/m1"));
}

}  // namespace
}  // namespace rackboot::k8s
