// Controller -> bootd push over real gRPC + mTLS on 127.0.0.1: snapshot and
// delta reach bootd's AssignmentStore, NACK keeps state, fencing, outage
// survival (persisted snapshot, resync by version, buffered events).

#include <set>

#include "tests/integration/grpc/push_test_env.h"

namespace rackboot::push_test {
namespace {

class PushStreamTest : public PushTestEnv {};

MacAddress Mac(const std::string& s) {
  return *MacAddress::Parse(s);
}

TEST_F(PushStreamTest, SnapshotThenDeltaOfOneMachineReachStore) {
  for (int i = 0; i < 5; ++i) {
    cache_.Upsert("rack-a", Machine("ns/m" + std::to_string(i), "52:54:00:00:00:0" + std::to_string(i)));
  }
  StartController();
  Bootd& b = StartBootd();
  ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == cache_.Version("rack-a"); }));
  EXPECT_EQ(b.store.size(), 5u);
  EXPECT_TRUE(b.agent->last_applied_update().full_snapshot);
  ASSERT_TRUE(b.store.FindByMac(Mac("52:54:00:00:00:03")));

  auto untouched = b.store.FindByName("ns/m1");
  cache_.Upsert("rack-a", Machine("ns/m3", "52:54:00:00:00:03", "10.0.0.33"));
  ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == cache_.Version("rack-a"); }));
  auto m3 = b.store.FindByMac(Mac("52:54:00:00:00:03"));
  ASSERT_TRUE(m3);
  ASSERT_TRUE(m3->interfaces[0].ipv4);
  EXPECT_EQ(m3->interfaces[0].ipv4->ToString(), "10.0.0.33");
  // Only the changed machine travelled; the others are the very same objects.
  auto summary = b.agent->last_applied_update();
  EXPECT_FALSE(summary.full_snapshot);
  EXPECT_EQ(summary.upserts, 1);
  EXPECT_EQ(summary.removals, 0);
  EXPECT_EQ(b.store.FindByName("ns/m1"), untouched);

  cache_.Remove("rack-a", "ns/m4");
  ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == cache_.Version("rack-a"); }));
  EXPECT_FALSE(b.store.FindByName("ns/m4"));
  EXPECT_EQ(b.agent->last_applied_update().removals, 1);
  EXPECT_EQ(b.agent->last_applied_update().upserts, 0);
  // The ACK reaches the controller after bootd applied the update.
  ASSERT_TRUE(WaitFor([&] { return observer_.last_ack() == cache_.Version("rack-a"); }));
  EXPECT_TRUE(observer_.nacks().empty());
}

TEST_F(PushStreamTest, EachBootdGetsOnlyItsRack) {
  cache_.Upsert("rack-a", Machine("ns/a1", "52:54:00:00:0a:01"));
  cache_.Upsert("rack-b", Machine("ns/b1", "52:54:00:00:0b:01", "", "rack-b"));
  cache_.Upsert("rack-b", Machine("ns/b2", "52:54:00:00:0b:02", "", "rack-b"));
  StartController();
  Bootd& a = StartBootd("rack-a", "bootd-rack-a");
  Bootd& b = StartBootd("rack-b", "bootd-rack-b");
  ASSERT_TRUE(WaitFor([&] { return a.agent->applied_version() == cache_.Version("rack-a"); }));
  ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == cache_.Version("rack-b"); }));
  EXPECT_EQ(a.store.size(), 1u);
  EXPECT_TRUE(a.store.FindByName("ns/a1"));
  EXPECT_EQ(b.store.size(), 2u);
  EXPECT_FALSE(b.store.FindByName("ns/a1"));
}

TEST_F(PushStreamTest, MalformedPushIsNackedStateKeptAndNotResent) {
  cache_.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01", "10.0.0.1"));
  StartController();
  Bootd& b = StartBootd();
  ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == cache_.Version("rack-a"); }));
  const uint64_t good = b.agent->applied_version();

  cache_.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:zz", "10.0.0.2"));
  ASSERT_TRUE(WaitFor([&] { return !observer_.nacks().empty(); }));
  auto nack = observer_.nacks().front();
  EXPECT_EQ(nack.version, cache_.Version("rack-a"));
  EXPECT_NE(nack.detail.find("invalid MAC"), std::string::npos) << nack.detail;
  EXPECT_EQ(nack.machines, (std::vector<std::string>{"ns/m1"}));
  // bootd kept its previous state and still serves it.
  EXPECT_EQ(b.agent->applied_version(), good);
  auto m1 = b.store.FindByMac(Mac("52:54:00:00:00:01"));
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->interfaces[0].ipv4->ToString(), "10.0.0.1");

  // The fix is a newer version; it goes out and is applied. Had the NACKed
  // version been resent in a loop, more NACKs would have arrived first.
  cache_.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01", "10.0.0.3"));
  ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == cache_.Version("rack-a"); }));
  EXPECT_EQ(b.store.FindByMac(Mac("52:54:00:00:00:01"))->interfaces[0].ipv4->ToString(), "10.0.0.3");
  EXPECT_EQ(observer_.nacks().size(), 1u);
  EXPECT_EQ(b.agent->nacks_sent(), 1u);
}

TEST_F(PushStreamTest, LowerLeaderEpochIgnored) {
  cache_.SetLeaderEpoch(5);
  cache_.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01", "10.0.0.1"));
  StartController();
  Bootd& b = StartBootd();
  ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == cache_.Version("rack-a"); }));
  const uint64_t applied = b.agent->applied_version();
  StopController();

  // A deposed leader (epoch 4) with other data takes the address.
  controller::push::RackSnapshotCache stale_cache;
  stale_cache.SetLeaderEpoch(4);
  stale_cache.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01", "10.0.0.99"));
  RecordingObserver stale_observer;
  controller::push::PushServerOptions o;
  o.listen = "127.0.0.1:" + std::to_string(port_);
  o.ca_file = Pki("ca.pem");
  o.cert_file = Pki("controller.pem");
  o.key_file = Pki("controller.key");
  controller::push::AssignmentPushServer stale(o, stale_cache, stale_observer);
  ASSERT_TRUE(stale.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return !stale_observer.nacks().empty(); }));
  EXPECT_NE(stale_observer.nacks().front().detail.find("stale leader epoch 4 < 5"), std::string::npos);
  EXPECT_EQ(b.agent->applied_version(), applied);
  EXPECT_EQ(b.store.FindByName("ns/m1")->interfaces[0].ipv4->ToString(), "10.0.0.1");
  b.agent->Stop();
  stale.Stop();
}

TEST_F(PushStreamTest, ServesPersistedSnapshotAfterOwnRestartWhileControllerDown) {
  const std::string snap = state_dir_ + "/assignments.snap";
  cache_.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01", "10.0.0.1"));
  cache_.Upsert("rack-a", Machine("ns/m2", "52:54:00:00:00:02", "10.0.0.2"));
  StartController();
  {
    Bootd& b = StartBootd("rack-a", "bootd-rack-a", snap);
    ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == cache_.Version("rack-a"); }));
    b.agent->Stop();
  }
  StopController();
  bootds_.clear();

  // bootd restarts with the controller unreachable.
  Bootd& again = StartBootd("rack-a", "bootd-rack-a", snap);
  EXPECT_EQ(again.store.size(), 2u);  // loaded during Start, before any connection
  EXPECT_EQ(again.agent->applied_version(), cache_.Version("rack-a"));
  auto m2 = again.store.FindByMac(Mac("52:54:00:00:00:02"));
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->interfaces[0].ipv4->ToString(), "10.0.0.2");
  ASSERT_TRUE(WaitFor([&] { return again.agent->streams_started() >= 3; }));  // retrying with backoff
  EXPECT_FALSE(again.agent->connected());
  EXPECT_EQ(again.store.size(), 2u);

  // A corrupted snapshot is not served.
  again.agent->Stop();
  bootds_.clear();
  {
    FILE* f = fopen(snap.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    fseek(f, -1, SEEK_END);
    int c = fgetc(f);
    fseek(f, -1, SEEK_END);
    fputc(c ^ 0xff, f);
    fclose(f);
  }
  Bootd& corrupt = StartBootd("rack-a", "bootd-rack-a", snap);
  EXPECT_EQ(corrupt.store.size(), 0u);
  EXPECT_EQ(corrupt.agent->applied_version(), 0u);
}

TEST_F(PushStreamTest, ReconnectResyncsByVersion) {
  cache_.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01"));
  cache_.Upsert("rack-a", Machine("ns/m2", "52:54:00:00:00:02"));
  StartController();
  Bootd& b = StartBootd();
  ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == cache_.Version("rack-a"); }));
  ASSERT_TRUE(WaitFor([&] { return observer_.last_ack() == cache_.Version("rack-a"); }));
  const uint64_t acks_before = observer_.acks().size();

  // Controller restart without changes: the Hello's version is current, so
  // nothing is sent again.
  StopController();
  ASSERT_TRUE(WaitFor([&] { return !b.agent->connected(); }));
  const uint64_t streams = b.agent->streams_started();
  StartController();
  ASSERT_TRUE(WaitFor([&] { return server_->stream_count() == 1 && b.agent->streams_started() > streams; }));
  // Prove the stream is live end to end before checking nothing was resent.
  cache_.Upsert("rack-a", Machine("ns/m2", "52:54:00:00:00:02", "10.0.0.2"));
  ASSERT_TRUE(WaitFor([&] { return observer_.last_ack() == cache_.Version("rack-a"); }));
  EXPECT_EQ(observer_.acks().size(), acks_before + 1);
  EXPECT_FALSE(b.agent->last_applied_update().full_snapshot);

  // Changes while the controller is down arrive as one delta after reconnect.
  StopController();
  ASSERT_TRUE(WaitFor([&] { return !b.agent->connected(); }));
  cache_.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01", "10.0.0.1"));
  cache_.Upsert("rack-a", Machine("ns/m3", "52:54:00:00:00:03"));
  StartController();
  ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == cache_.Version("rack-a"); }));
  auto s = b.agent->last_applied_update();
  EXPECT_FALSE(s.full_snapshot);
  EXPECT_EQ(s.upserts, 2);
  EXPECT_EQ(b.store.size(), 3u);

  // A new controller instance (new version seed, no history) sends a full snapshot.
  StopController();
  controller::push::RackSnapshotCache fresh;
  fresh.Upsert("rack-a", Machine("ns/m9", "52:54:00:00:00:09"));
  RecordingObserver fresh_observer;
  controller::push::PushServerOptions o;
  o.listen = "127.0.0.1:" + std::to_string(port_);
  o.ca_file = Pki("ca.pem");
  o.cert_file = Pki("controller.pem");
  o.key_file = Pki("controller.key");
  controller::push::AssignmentPushServer restarted(o, fresh, fresh_observer);
  ASSERT_TRUE(restarted.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == fresh.Version("rack-a"); }));
  EXPECT_TRUE(b.agent->last_applied_update().full_snapshot);
  EXPECT_EQ(b.store.size(), 1u);
  EXPECT_TRUE(b.store.FindByName("ns/m9"));
  b.agent->Stop();
  restarted.Stop();
}

bootd::BootEvent Event(int i) {
  bootd::BootEvent e;
  e.mac = *MacAddress::Parse("52:54:00:00:00:01");
  e.machine_name = "ns/m1";
  e.stage = bootd::BootStage::kKernel;
  e.bytes = static_cast<uint64_t>(i);
  e.detail = "event-" + std::to_string(i);
  return e;
}

TEST_F(PushStreamTest, EventsBufferedDuringOutageAreDeliveredOnce) {
  StartController();
  Bootd& b = StartBootd();
  ASSERT_TRUE(WaitFor([&] { return b.agent->connected(); }));
  for (int i = 0; i < 3; ++i) b.events.Record(Event(i));
  ASSERT_TRUE(WaitFor([&] { return observer_.events().size() == 3 && b.agent->pending_events() == 0; }));

  StopController();
  ASSERT_TRUE(WaitFor([&] { return !b.agent->connected(); }));
  for (int i = 3; i < 10; ++i) b.events.Record(Event(i));
  EXPECT_EQ(b.agent->pending_events(), 7u);  // held until acknowledged

  StartController();
  ASSERT_TRUE(WaitFor([&] { return observer_.events().size() >= 10 && b.agent->pending_events() == 0; }));
  auto events = observer_.events();
  ASSERT_EQ(events.size(), 10u);  // none lost, none twice
  std::set<uint64_t> seqs;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].first, "rack-a");
    EXPECT_EQ(events[i].second.detail(), "event-" + std::to_string(i));
    EXPECT_EQ(events[i].second.stage(), v1alpha1::BOOT_STAGE_KERNEL);
    seqs.insert(events[i].second.sequence());
  }
  EXPECT_EQ(seqs.size(), 10u);
}

}  // namespace
}  // namespace rackboot::push_test
