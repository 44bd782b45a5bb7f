// HMAC against RFC 4231 and RFC 2202, and the hex and base64 codecs on good and bad input.
#include "weft/base/hmac.hpp"

#include <catch2/catch.hpp>

TEST_CASE("hmac_sha256 gives RFC 4231's test case 2") {
  CHECK(weft::to_hex(weft::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// hmac() reuses one context per thread and algorithm: each call must take its own key, whatever
// the call before it used (a longer one, an empty one, another algorithm).
TEST_CASE("hmac gives the RFCs' vectors for each algorithm, key after key") {
  const std::string long_key(131, '\xaa');  // longer than a block: hashed first (RFC 4231 case 6)
  const std::string long_key_data = "Test Using Larger Than Block-Size Key - Hash Key First";
  for (int round = 0; round < 2; ++round) {
    INFO(round);
    CHECK(weft::to_hex(weft::hmac(weft::HmacAlgorithm::sha256, long_key, long_key_data)) ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    CHECK(weft::to_hex(weft::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(weft::to_hex(weft::hmac(weft::HmacAlgorithm::sha512, "Jefe", "what do ya want for nothing?")) ==
          "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
    CHECK(weft::to_hex(weft::hmac(weft::HmacAlgorithm::sha1, "Jefe", "what do ya want for nothing?")) ==
          "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    CHECK(weft::to_hex(weft::hmac_sha256("", "")) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  }
}

TEST_CASE("hex and base64 round-trip every length, and refuse what is not theirs") {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    INFO(n);
    CHECK(weft::from_hex(weft::to_hex(bytes)) == bytes);
    CHECK(weft::from_base64(weft::to_base64(bytes)) == bytes);
    bytes += static_cast<char>(n * 37);
  }
  CHECK(weft::to_base64("any carnal pleas") == "YW55IGNhcm5hbCBwbGVhcw==");
  CHECK(weft::from_base64("YW55IGNhcm5hbCBwbGVhcw==") == std::optional<std::string>("any carnal pleas"));
  CHECK_FALSE(weft::from_base64("YW55"  "IGNhcm5hbCBwbGVhcw="));  // not a multiple of 4
  CHECK_FALSE(weft::from_base64("YW5!"));
  CHECK_FALSE(weft::from_hex("abc"));
  CHECK_FALSE(weft::from_hex("zz"));
  CHECK(weft::from_hex("4A6b") == std::optional<std::string>("Jk"));
  CHECK(weft::same_bytes("abc", "abc"));
  CHECK_FALSE(weft::same_bytes("abc", "abd"));
  CHECK_FALSE(weft::same_bytes("abc", "ab"));
}
