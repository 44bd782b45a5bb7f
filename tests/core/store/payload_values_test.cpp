// The keys an erasure finds unattributed events by (SPEC 14): SipHash-2-4 against its
// published vectors, the normal forms, and packed keys that find a value written differently.
#include "weft/store/payload_values.hpp"
#include "weft/base/hmac.hpp"

#include <catch2/catch.hpp>

using namespace weft::payload_values;

TEST_CASE("payload values: SipHash-2-4 gives the reference implementation's vectors") {
  // key 00 01 .. 0f; messages 00 01 .. (n-1) (Aumasson and Bernstein's vectors.h)
  const std::uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
  std::string message;
  for (int i = 0; i < 15; ++i) message += static_cast<char>(i);
  CHECK(siphash24(k0, k1, "") == 0x726fdb47dd0e0e31ULL);
  CHECK(siphash24(k0, k1, message) == 0xa129ca6149be45e5ULL);
}

TEST_CASE("payload values: a value is found in a payload written in another case, with spaces, or as a phone number with separators") {
  const ValueKeys keys("0123456789abcdef0123456789abcdef");
  const std::string payload = R"({"contact":{"email":"  Jane@Example.COM ","phone":"+49 (30) 123-4567"},"note":"hello","n":42})";
  const std::string packed = keys.of_payload(payload);
  CHECK(packed.size() % 8 == 0);
  CHECK(holds_key(packed, keys.of_value("jane@example.com")));
  CHECK(holds_key(packed, keys.of_value("+49301234567")));
  CHECK_FALSE(holds_key(packed, keys.of_value("joe@example.com")));
  CHECK_FALSE(holds_key(packed, keys.of_value("42")));  // numbers are not strings
  CHECK(holds_any(payload, {"jane@example.com"}));
  CHECK(holds_any(payload, {"+49301234567"}));
  CHECK_FALSE(holds_any(payload, {"jane@example"}));
  // another store's secret gives other keys
  CHECK_FALSE(holds_key(packed, ValueKeys("another secret").of_value("jane@example.com")));
  CHECK(keys.of_payload("{not json").empty());
  CHECK(weft::from_hex(weft::to_hex(packed)) == packed);
}
