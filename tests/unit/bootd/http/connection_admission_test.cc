#include "bootd/http/connection_admission.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::http {
namespace {

using Verdict = ConnectionAdmission::Verdict;

TEST(ConnectionAdmissionTest, FullStopsAcceptingUntilAConnectionCloses) {
  ConnectionAdmission a(ConnectionLimits{2, 2, 8});
  EXPECT_FALSE(a.Full(false));
  EXPECT_EQ(a.Admit(1, false), Verdict::kServe);
  EXPECT_EQ(a.Admit(2, false), Verdict::kServe);
  EXPECT_TRUE(a.Full(false));
  EXPECT_TRUE(a.Full(true));
  a.Release(1, false, Verdict::kServe);
  EXPECT_FALSE(a.Full(false));
  EXPECT_EQ(a.active(), 1u);
}

TEST(ConnectionAdmissionTest, TlsHasItsOwnLimitBesideTheGlobalOne) {
  ConnectionAdmission a(ConnectionLimits{10, 1, 8});
  EXPECT_EQ(a.Admit(1, true), Verdict::kServe);
  EXPECT_TRUE(a.Full(true));
  EXPECT_FALSE(a.Full(false));  // plain HTTP keeps accepting
  a.Release(1, true, Verdict::kServe);
  EXPECT_FALSE(a.Full(true));
}

TEST(ConnectionAdmissionTest, OneClientPastItsLimitIsAnsweredBusyOthersAreServed) {
  ConnectionAdmission a(ConnectionLimits{100, 100, 2});
  EXPECT_EQ(a.Admit(7, false), Verdict::kServe);
  EXPECT_EQ(a.Admit(7, true), Verdict::kServe);
  EXPECT_EQ(a.Admit(7, false), Verdict::kAnswerBusy);
  EXPECT_EQ(a.Admit(8, false), Verdict::kServe);  // the rest of the rack is not affected
  EXPECT_EQ(a.active(), 4u);                      // busy answers still hold a slot until closed
  a.Release(7, false, Verdict::kAnswerBusy);
  EXPECT_EQ(a.Admit(7, false), Verdict::kAnswerBusy);  // still two served ones
  a.Release(7, false, Verdict::kServe);
  EXPECT_EQ(a.Admit(7, false), Verdict::kServe);
}

TEST(ConnectionAdmissionTest, ZeroPerClientLimitAnswersEveryConnectionBusy) {
  ConnectionAdmission a(ConnectionLimits{10, 10, 0});
  EXPECT_EQ(a.Admit(1, false), Verdict::kAnswerBusy);
  a.Release(1, false, Verdict::kAnswerBusy);
  EXPECT_EQ(a.active(), 0u);
}

}  // namespace
}  // namespace rackboot::bootd::http
