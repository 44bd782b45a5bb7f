#include "weft/store/sqlite/frame_delta.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>

namespace delta = weft::frame_delta;

TEST_CASE("a frame delta rebuilds the new image from the old, for changes anywhere in the frame") {
  std::mt19937 random(20);
  for (int round = 0; round < 500; ++round) {
    std::string before(4120, '\0');
    for (auto& c : before) c = static_cast<char>(random());
    std::string now = before;
    const int edits = static_cast<int>(random() % 12);
    for (int e = 0; e < edits; ++e) {  // runs of 1..300 bytes, the first and last bytes included
      const std::size_t at = random() % now.size();
      const std::size_t length = std::min<std::size_t>(1 + random() % 300, now.size() - at);
      for (std::size_t i = 0; i < length; ++i) now[at + i] = static_cast<char>(random());
    }
    if (round % 7 == 0) now.back() = static_cast<char>(now.back() + 1);
    if (round % 11 == 0) now.front() = static_cast<char>(now.front() + 1);
    std::string encoded;
    delta::encode(before, now, encoded);
    std::string rebuilt = before;
    REQUIRE(delta::apply(encoded, rebuilt.data(), rebuilt.size()));
    REQUIRE(rebuilt == now);
  }
}

TEST_CASE("a frame delta is as small as the change, and empty for none") {
  std::string before(4120, 'a');
  std::string encoded;
  delta::encode(before, before, encoded);
  CHECK(encoded.empty());
  std::string now = before;
  now.replace(1000, 40, std::string(40, 'b'));  // a new cell
  now[8] = 'c';                                  // the page header
  delta::encode(before, now, encoded);
  CHECK(encoded.size() < 80);
  // a frame whose size is not a multiple of 8 (the last piece is shorter)
  std::string odd_before(1001, 'x');
  std::string odd_now = odd_before;
  odd_now[1000] = 'y';
  std::string odd;
  delta::encode(odd_before, odd_now, odd);
  REQUIRE(delta::apply(odd, odd_before.data(), odd_before.size()));
  CHECK(odd_before == odd_now);
}

TEST_CASE("a damaged frame delta is refused, not applied past the image") {
  std::string image(512, 'i');
  const std::string past = std::string("\xf0\x01\x00\x00\x20\x00\x00\x00", 8) + std::string(32, 'z');  // 496 + 32 > 512
  CHECK_FALSE(delta::apply(past, image.data(), image.size()));
  const std::string cut = std::string("\x00\x00\x00\x00\x20\x00\x00\x00", 8) + "short";
  CHECK_FALSE(delta::apply(cut, image.data(), image.size()));
  CHECK_FALSE(delta::apply("\x01\x02\x03", image.data(), image.size()));
  CHECK(image == std::string(512, 'i'));
}

TEST_CASE("the record checksum changes with any byte, its position and the length") {
  std::string bytes(4136, 'q');
  const auto sum = delta::checksum(bytes, 0);
  for (std::size_t at : {std::size_t{0}, std::size_t{7}, std::size_t{8}, std::size_t{4000}, bytes.size() - 1}) {
    std::string changed = bytes;
    changed[at] = static_cast<char>(changed[at] ^ 1);
    CHECK(delta::checksum(changed, 0) != sum);
  }
  CHECK(delta::checksum(std::string_view(bytes).substr(0, 4135), 0) != sum);
  CHECK(delta::checksum(bytes, 1) != sum);
}
