#include "weft/base/uuid.hpp"

#include "weft/base/clock.hpp"

#include <random>

namespace weft {
namespace {

std::uint64_t random64() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine();
}

constexpr const char* hex = "0123456789abcdef";

bool dash_before(std::size_t byte) { return byte == 4 || byte == 6 || byte == 8 || byte == 10; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string new_uuid(std::int64_t micros) {
  const auto ms = static_cast<std::uint64_t>(micros / 1000);
  const std::uint64_t a = random64();
  const std::uint64_t b = random64();
  std::array<std::uint8_t, 16> bytes{};
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  bytes[6] = static_cast<std::uint8_t>(0x70 | ((a >> 8) & 0x0F));  // version 7
  bytes[7] = static_cast<std::uint8_t>(a);
  bytes[8] = static_cast<std::uint8_t>(0x80 | ((a >> 16) & 0x3F));  // variant 10
  for (int i = 9; i < 16; ++i) bytes[i] = static_cast<std::uint8_t>(b >> (8 * (i - 9)));
  return uuid_text(bytes);
}

std::string new_uuid() { return new_uuid(now_micros()); }

std::optional<std::array<std::uint8_t, 16>> uuid_bytes(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::array<std::uint8_t, 16> bytes{};
  std::size_t at = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    if (dash_before(i) && text[at++] != '-') return std::nullopt;
    const int high = hex_value(text[at++]);
    const int low = hex_value(text[at++]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return bytes;
}

std::string uuid_text(const std::array<std::uint8_t, 16>& bytes) {
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (dash_before(i)) out += '-';
    out += hex[bytes[i] >> 4];
    out += hex[bytes[i] & 0x0F];
  }
  return out;
}

}  // namespace weft
