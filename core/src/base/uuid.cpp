#include "weft/base/uuid.hpp"

#include "weft/base/clock.hpp"

#include <random>

namespace weft {
namespace {

std::uint64_t random64() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine();
}

}  // namespace

std::string new_uuid(std::int64_t micros) {
  const auto ms = static_cast<std::uint64_t>(micros / 1000);
  const std::uint64_t a = random64();
  const std::uint64_t b = random64();
  std::uint8_t bytes[16];
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  bytes[6] = static_cast<std::uint8_t>(0x70 | ((a >> 8) & 0x0F));  // version 7
  bytes[7] = static_cast<std::uint8_t>(a);
  bytes[8] = static_cast<std::uint8_t>(0x80 | ((a >> 16) & 0x3F));  // variant 10
  for (int i = 9; i < 16; ++i) bytes[i] = static_cast<std::uint8_t>(b >> (8 * (i - 9)));
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[bytes[i] >> 4];
    out += hex[bytes[i] & 0x0F];
  }
  return out;
}

std::string new_uuid() { return new_uuid(now_micros()); }

}  // namespace weft
