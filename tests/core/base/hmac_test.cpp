// HMAC-SHA256 against RFC 4231, and the hex and base64 codecs on good and bad input.
#include "weft/base/hmac.hpp"

#include <catch2/catch.hpp>

TEST_CASE("hmac_sha256 gives RFC 4231's test case 2") {
  CHECK(weft::to_hex(weft::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
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
