#include "centrala/crypto/crypto.hpp"

#include <argon2.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace centrala::crypto {

Result<std::string> hash_password(std::string_view password, const Argon2Params& p) {
    unsigned char salt[16];
    if (RAND_bytes(salt, sizeof salt) != 1) return Error::internal("random source failed");
    constexpr size_t hash_len = 32;
    const size_t enc_len =
        argon2_encodedlen(p.iterations, p.memory_kib, p.parallelism, sizeof salt, hash_len, Argon2_id);
    std::string encoded(enc_len, '\0');
    int rc = argon2id_hash_encoded(p.iterations, p.memory_kib, p.parallelism, password.data(), password.size(), salt,
                                   sizeof salt, hash_len, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) return Error::internal(std::string("argon2: ") + argon2_error_message(rc));
    encoded.resize(std::char_traits<char>::length(encoded.c_str()));
    return encoded;
}

bool verify_password(std::string_view password, const std::string& phc) {
    if (phc.rfind("$argon2id$", 0) != 0) return false;
    return argon2id_verify(phc.c_str(), password.data(), password.size()) == ARGON2_OK;
}

void random_bytes(unsigned char* out, size_t n) {
    if (RAND_bytes(out, int(n)) != 1) throw std::runtime_error("RAND_bytes failed");
}

std::string random_token(size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    if (RAND_bytes(buf.data(), int(buf.size())) != 1) throw std::runtime_error("RAND_bytes failed");
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes * 4 + 2) / 3);
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : buf) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(alphabet[(acc >> bits) & 0x3f]);
        }
    }
    if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 0x3f]);
    return out;
}

std::string sha256_hex(std::string_view data) {
    // Fetched once: an implicit fetch on every call costs more than the hash.
    static EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, sha256, nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(len * 2, '0');
    for (unsigned i = 0; i < len; ++i) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0xf];
    }
    return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         md, &len);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(len * 2, '0');
    for (unsigned i = 0; i < len; ++i) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0xf];
    }
    return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace centrala::crypto
