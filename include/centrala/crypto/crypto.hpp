// Password hashing (Argon2id), random tokens and digests. Pure computation;
// hashing is slow on purpose, so callers run it off the network thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "centrala/domain/result.hpp"

namespace centrala::crypto {

struct Argon2Params {
    uint32_t memory_kib = 19456;  // OWASP minimum: 19 MiB
    uint32_t iterations = 2;
    uint32_t parallelism = 1;
};

// PHC string ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash").
Result<std::string> hash_password(std::string_view password, const Argon2Params& params);
// Constant-time comparison inside libargon2; false for a malformed hash too.
bool verify_password(std::string_view password, const std::string& phc);

// n random bytes from the OS CSPRNG, base64url without padding.
std::string random_token(size_t bytes = 32);
// Lowercase hex SHA-256: tokens are stored only as digests.
std::string sha256_hex(std::string_view data);
// Lowercase hex HMAC-SHA256, for signing outgoing webhooks.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
// n random bytes from the OS CSPRNG, raw.
void random_bytes(unsigned char* out, size_t n);
// Constant-time equality for secrets of equal length.
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace centrala::crypto
