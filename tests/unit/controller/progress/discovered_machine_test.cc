#include "controller/progress/discovered_machine.h"

#include <gtest/gtest.h>

namespace rackboot::controller::progress {
namespace {

TEST(DiscoveredMachineTest, NameIsStableAcrossMacSpellings) {
  EXPECT_EQ(DiscoveredMachineName("52:54:00:AB:00:01"), "discovered-525400ab0001");
  EXPECT_EQ(DiscoveredMachineName("52-54-00-ab-00-01"), "discovered-525400ab0001");
  EXPECT_EQ(DiscoveredMachineName("not a mac"), "");
}

TEST(DiscoveredMachineTest, ObjectHasLabelsRackAndNoProfile) {
  auto m = DiscoveredMachineJson("lab", "rack-a", "52:54:00:AB:00:01");
  EXPECT_EQ(m.at("metadata").at("name").as_string(), "discovered-525400ab0001");
  EXPECT_EQ(m.at("metadata").at("labels").at("rackboot.io/discovered").as_string(), "true");
  EXPECT_EQ(m.at("metadata").at("labels").at("rackboot.io/rack").as_string(), "rack-a");
  EXPECT_EQ(m.at("spec").at("rack").as_string(), "rack-a");
  EXPECT_EQ(m.at("spec").at("interfaces").at(0).at("mac").as_string(), "52:54:00:ab:00:01");
  EXPECT_FALSE(m.at("spec").has_field("bootProfileRef"));
}

}  // namespace
}  // namespace rackboot::controller::progress
