#include "bootd/http/http_request.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::http {
namespace {

TEST(HttpRequest, FindsHeadEnd) {
  EXPECT_FALSE(FindHeadEnd("GET / HTTP/1.1\r\nHost: x\r\n").has_value());
  EXPECT_EQ(*FindHeadEnd("GET / HTTP/1.1\r\n\r\nrest"), 18u);
  EXPECT_EQ(*FindHeadEnd("GET / HTTP/1.0\n\n"), 16u);
}

TEST(HttpRequest, ParsesRequestLineHeadersAndQuery) {
  auto r = ParseRequestHead(
      "GET /config/aa-bb-cc-dd-ee-ff/user-data?token=v1.1.ab%2Bc&x=a+b HTTP/1.1\r\nHost: h\r\n"
      "Range: bytes=0-9\r\nX-A: 1\r\nx-a: 2\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->path, "/config/aa-bb-cc-dd-ee-ff/user-data");
  EXPECT_EQ(r->query.at("token"), "v1.1.ab+c");
  EXPECT_EQ(r->query.at("x"), "a b");
  EXPECT_EQ(*r->Header("range"), "bytes=0-9");
  EXPECT_EQ(*r->Header("x-a"), "1, 2");
  EXPECT_FALSE(r->KeepAlive());
}

TEST(HttpRequest, KeepAliveRules) {
  auto a = ParseRequestHead("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->KeepAlive());
  auto b = ParseRequestHead("GET / HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->KeepAlive());
  auto c = ParseRequestHead("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->KeepAlive());
}

TEST(HttpRequest, RejectsMalformedHeads) {
  for (const char* h : {
           "GET / HTTP/2.0\r\n\r\n",
           "GET /\r\n\r\n",
           "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
           "GET http://x/ HTTP/1.1\r\nHost: h\r\n\r\n",
           "GET / HTTP/1.1\r\n\r\n",  // no Host
           "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
           "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
           "GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n",
           "GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n",
           "GET /?a=%zz HTTP/1.1\r\nHost: h\r\n\r\n",
           "",
           "\r\n\r\n",
       }) {
    EXPECT_FALSE(ParseRequestHead(h).ok()) << h;
  }
}

TEST(HttpRequest, LimitsSizeAndHeaderCount) {
  std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 150; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_FALSE(ParseRequestHead(many + "\r\n").ok());
  std::string big = "GET /" + std::string(kMaxRequestHeadBytes, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n";
  EXPECT_FALSE(ParseRequestHead(big).ok());
}

TEST(HttpRequest, PercentDecode) {
  EXPECT_EQ(*PercentDecode("a%20b+c", false), "a b+c");
  EXPECT_EQ(*PercentDecode("a%20b+c", true), "a b c");
  EXPECT_FALSE(PercentDecode("%00", false).ok());
  EXPECT_FALSE(PercentDecode("%4", false).ok());
  EXPECT_FALSE(PercentDecode("%", false).ok());
}

}  // namespace
}  // namespace rackboot::bootd::http
