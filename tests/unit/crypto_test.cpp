#include <gtest/gtest.h>

#include <set>

#include "centrala/crypto/crypto.hpp"

using namespace centrala;

TEST(PasswordHashing, Argon2idVerifiesOnlyTheRightPassword) {
    crypto::Argon2Params cheap{64, 1, 1};
    auto h = crypto::hash_password("Zażółć gęślą jaźń 123", cheap);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->rfind("$argon2id$v=19$m=64,t=1,p=1$", 0), 0u) << *h;
    EXPECT_TRUE(crypto::verify_password("Zażółć gęślą jaźń 123", *h));
    EXPECT_FALSE(crypto::verify_password("Zażółć gęślą jaźń 124", *h));
    EXPECT_FALSE(crypto::verify_password("", *h));
}

TEST(PasswordHashing, SaltsDifferAndDefaultsMeetOwasp) {
    crypto::Argon2Params defaults;
    EXPECT_GE(defaults.memory_kib, 19456u);
    EXPECT_GE(defaults.iterations, 2u);
    EXPECT_EQ(defaults.parallelism, 1u);
    auto a = crypto::hash_password("same password!", {64, 1, 1});
    auto b = crypto::hash_password("same password!", {64, 1, 1});
    EXPECT_NE(*a, *b);
    auto real = crypto::hash_password("correct horse battery", defaults);
    ASSERT_TRUE(real.ok());
    EXPECT_NE(real->find("m=19456,t=2,p=1"), std::string::npos);
    EXPECT_TRUE(crypto::verify_password("correct horse battery", *real));
}

TEST(PasswordHashing, MalformedHashNeverVerifies) {
    EXPECT_FALSE(crypto::verify_password("x", ""));
    EXPECT_FALSE(crypto::verify_password("x", "plaintext"));
    EXPECT_FALSE(crypto::verify_password("x", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA"));
    EXPECT_FALSE(crypto::verify_password("x", "$argon2id$v=19$m=64,t=1,p=1$broken"));
}

TEST(Tokens, RandomUrlSafeAndUnique) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto t = crypto::random_token(32);
        EXPECT_EQ(t.size(), 43u);
        EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                  std::string::npos);
        seen.insert(t);
    }
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(Digests, Sha256KnownAnswer) {
    EXPECT_EQ(crypto::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_TRUE(crypto::equal_constant_time("abc", "abc"));
    EXPECT_FALSE(crypto::equal_constant_time("abc", "abd"));
    EXPECT_FALSE(crypto::equal_constant_time("abc", "abcd"));
}
