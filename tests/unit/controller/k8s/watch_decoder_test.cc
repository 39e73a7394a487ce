#include "controller/k8s/watch_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rackboot::k8s {
namespace {

// Three events as kube-apiserver writes them: one JSON object per line,
// including a multi-byte UTF-8 character so splits land inside it too.
const std::string kStream =
    R"({"type":"ADDED","object":{"kind":"Machine","metadata":{"name":"m1","resourceVersion":"10"}}})"
    "\n"
    R"({"type":"MODIFIED","object":{"kind":"Machine","metadata":{"name":"m1","resourceVersion":"11","annotations":{"note":"caf\u00e9 ü"}}}})"
    "\n"
    R"({"type":"BOOKMARK","object":{"kind":"Machine","metadata":{"resourceVersion":"12"}}})"
    "\n";

std::vector<std::string> Types(const std::vector<WatchEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.emplace_back(WatchEventTypeName(e.type));
  return out;
}

TEST(WatchDecoderTest, WholeStreamInOneChunk) {
  WatchDecoder d;
  std::vector<WatchEvent> events;
  ASSERT_TRUE(d.Feed(kStream, &events).ok());
  EXPECT_EQ(Types(events), (std::vector<std::string>{"ADDED", "MODIFIED", "BOOKMARK"}));
  EXPECT_EQ(events[1].object.at("metadata").at("resourceVersion").as_string(), "11");
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(WatchDecoderTest, SplitAtEveryBoundaryGivesTheSameEvents) {
  for (size_t cut1 = 0; cut1 <= kStream.size(); ++cut1) {
    for (size_t cut2 = cut1; cut2 <= kStream.size(); cut2 += 7) {
      WatchDecoder d;
      std::vector<WatchEvent> events;
      ASSERT_TRUE(d.Feed(std::string_view(kStream).substr(0, cut1), &events).ok());
      ASSERT_TRUE(d.Feed(std::string_view(kStream).substr(cut1, cut2 - cut1), &events).ok());
      ASSERT_TRUE(d.Feed(std::string_view(kStream).substr(cut2), &events).ok());
      ASSERT_EQ(Types(events), (std::vector<std::string>{"ADDED", "MODIFIED", "BOOKMARK"}))
          << "cuts at " << cut1 << "," << cut2;
      EXPECT_EQ(events[1].object.at("metadata").at("annotations").at("note").as_string(), "café ü");
    }
  }
}

TEST(WatchDecoderTest, ByteAtATime) {
  WatchDecoder d;
  std::vector<WatchEvent> events;
  for (char c : kStream) ASSERT_TRUE(d.Feed(std::string_view(&c, 1), &events).ok());
  EXPECT_EQ(events.size(), 3u);
}

TEST(WatchDecoderTest, IncompleteTailIsHeldBack) {
  WatchDecoder d;
  std::vector<WatchEvent> events;
  ASSERT_TRUE(d.Feed(kStream.substr(0, 30), &events).ok());
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(d.buffered(), 30u);
}

TEST(WatchDecoderTest, ErrorEventCarries410) {
  WatchDecoder d;
  std::vector<WatchEvent> events;
  const std::string gone =
      R"J({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (2)","reason":"Expired","code":410}})J"
      "\n";
  ASSERT_TRUE(d.Feed(gone, &events).ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, WatchEventType::kError);
  EXPECT_EQ(events[0].ErrorCode(), 410);
}

TEST(WatchDecoderTest, BlankLinesAndCrlfAreTolerated) {
  WatchDecoder d;
  std::vector<WatchEvent> events;
  ASSERT_TRUE(d.Feed("\n\r\n"
                     R"({"type":"DELETED","object":{"metadata":{"name":"x"}}})"
                     "\r\n",
                     &events)
                  .ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, WatchEventType::kDeleted);
}

TEST(WatchDecoderTest, MalformedInputFailsAndPoisonsTheStream) {
  for (const char* bad : {"not json\n", "[1,2]\n",
                          R"({"object":{}})"
                          "\n",
                          R"({"type":"ADDED"})"
                          "\n",
                          R"({"type":"EXPLODED","object":{}})"
                          "\n",
                          R"({"type":7,"object":{}})"
                          "\n"}) {
    WatchDecoder d;
    std::vector<WatchEvent> events;
    EXPECT_FALSE(d.Feed(bad, &events).ok()) << bad;
    EXPECT_FALSE(d.Feed(kStream, &events).ok()) << "must stay failed after " << bad;
    EXPECT_TRUE(events.empty());
  }
}

TEST(WatchDecoderTest, EventsBeforeABadLineAreKept) {
  WatchDecoder d;
  std::vector<WatchEvent> events;
  EXPECT_FALSE(d.Feed(kStream + "garbage\n", &events).ok());
  EXPECT_EQ(events.size(), 3u);
}

TEST(WatchDecoderTest, OverlongLineIsRefused) {
  WatchDecoder d;
  std::vector<WatchEvent> events;
  std::string chunk(1024 * 1024, 'x');
  Status s;
  for (int i = 0; i < 9 && s.ok(); ++i) s = d.Feed(chunk, &events);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exceeds"), std::string::npos);
}

}  // namespace
}  // namespace rackboot::k8s
