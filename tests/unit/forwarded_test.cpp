#include <gtest/gtest.h>

#include "forwarded.hpp"

using centrala::net::resolve_client;

TEST(ForwardedHeaders, IgnoredFromUntrustedPeers) {
    auto o = resolve_client("203.0.113.7", false, "1.2.3.4", "https", {"10.0.0.2"});
    EXPECT_EQ(o.address, "203.0.113.7");
    EXPECT_FALSE(o.secure) << "a client cannot claim https for itself";
}

TEST(ForwardedHeaders, BelievedFromATrustedProxy) {
    auto o = resolve_client("10.0.0.2", false, "198.51.100.4", "https", {"10.0.0.2"});
    EXPECT_EQ(o.address, "198.51.100.4");
    EXPECT_TRUE(o.secure);
    EXPECT_FALSE(resolve_client("10.0.0.2", true, "198.51.100.4", "http", {"10.0.0.2"}).secure);
}

TEST(ForwardedHeaders, SpoofedLeftEntriesAreSkipped) {
    // The client sent "X-Forwarded-For: 6.6.6.6"; our two proxies appended the real hops.
    auto o = resolve_client("10.0.0.2", false, "6.6.6.6, 198.51.100.4, 10.0.0.3", "", {"10.0.0.2", "10.0.0.3"});
    EXPECT_EQ(o.address, "198.51.100.4");
}

TEST(ForwardedHeaders, MissingHeaderKeepsThePeer) {
    auto o = resolve_client("10.0.0.2", false, "", "", {"10.0.0.2"});
    EXPECT_EQ(o.address, "10.0.0.2");
}
