#include "weft/base/uuid.hpp"

#include <catch2/catch.hpp>

#include <set>

TEST_CASE("a new id is a time-ordered UUID version 7 whose 16 bytes give back its text") {
  std::set<std::string> seen;
  std::string previous;
  for (std::int64_t ms = 1'700'000'000'000; ms < 1'700'000'000'100; ++ms) {
    const std::string id = weft::new_uuid(ms * 1000);
    REQUIRE(id.size() == 36);
    CHECK(id[14] == '7');
    CHECK(id > previous);
    previous = id;
    const auto bytes = weft::uuid_bytes(id);
    REQUIRE(bytes);
    CHECK(weft::uuid_text(*bytes) == id);
    seen.insert(id);
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("only a UUID's canonical text has bytes: any other id stays text") {
  CHECK(weft::uuid_bytes("0190f5c2-7b1a-7c3d-8e4f-0123456789ab"));
  CHECK_FALSE(weft::uuid_bytes("0190F5C2-7B1A-7C3D-8E4F-0123456789AB"));  // uppercase: its bytes would give other text back
  CHECK_FALSE(weft::uuid_bytes("0190f5c27b1a7c3d8e4f0123456789ab"));
  CHECK_FALSE(weft::uuid_bytes("0190f5c2-7b1a-7c3d-8e4f-0123456789a"));
  CHECK_FALSE(weft::uuid_bytes("0190f5c2-7b1a-7c3d-8e4f-0123456789abc"));
  CHECK_FALSE(weft::uuid_bytes("0190f5c2+7b1a-7c3d-8e4f-0123456789ab"));
  CHECK_FALSE(weft::uuid_bytes("0190f5c2-7b1a-7c3d-8e4f-0123456789ag"));
  CHECK_FALSE(weft::uuid_bytes(""));
  CHECK_FALSE(weft::uuid_bytes("p1"));
  CHECK_FALSE(weft::uuid_bytes(std::string(36, '-')));
}
