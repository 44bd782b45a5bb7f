#include "weft/store/sqlite/frame_delta.hpp"

#include <algorithm>
#include <cstring>

namespace weft::frame_delta {
namespace {

constexpr std::size_t join_gap = 16;

void put32(std::string& out, std::uint32_t v) {
  const char bytes[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
  out.append(bytes, 4);
}

std::uint32_t get32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return std::uint32_t{u[0]} | std::uint32_t{u[1]} << 8 | std::uint32_t{u[2]} << 16 | std::uint32_t{u[3]} << 24;
}

bool same(const char* a, const char* b, std::size_t n) {
  if (n == 8) {  // the common piece, without a call
    std::uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    return x == y;
  }
  return std::memcmp(a, b, n) == 0;
}

}  // namespace

void encode(std::string_view before, std::string_view now, std::string& out) {
  const std::size_t size = std::min(before.size(), now.size());
  const char* a = before.data();
  const char* b = now.data();
  std::size_t at = 0;
  while (at < size) {
    // Most of a page is unchanged: skip it 64 bytes at a time, then 8.
    while (at + 64 <= size && same(a + at, b + at, 64)) at += 64;
    std::size_t piece = std::min<std::size_t>(8, size - at);
    if (same(a + at, b + at, piece)) {
      at += piece;
      continue;
    }
    // A run starts here; it ends once join_gap equal bytes follow its last difference.
    const std::size_t start = at;
    std::size_t end = at + piece;
    at = end;
    while (at < size && at - end < join_gap) {
      piece = std::min<std::size_t>(8, size - at);
      if (!same(a + at, b + at, piece)) end = at + piece;
      at += piece;
    }
    put32(out, static_cast<std::uint32_t>(start));
    put32(out, static_cast<std::uint32_t>(end - start));
    out.append(b + start, end - start);
    at = end;
  }
}

void add_run(std::string& delta, std::uint32_t offset, std::string_view bytes) {
  std::string kept;
  for (std::size_t at = 0; at + 8 <= delta.size();) {
    const std::uint32_t start = get32(delta.data() + at);
    const std::uint32_t length = get32(delta.data() + at + 4);
    const std::size_t next = std::min(delta.size(), at + 8 + length);
    if (start < offset || std::uint64_t{start} + length > std::uint64_t{offset} + bytes.size()) kept.append(delta, at, next - at);
    at = next;
  }
  put32(kept, offset);
  put32(kept, static_cast<std::uint32_t>(bytes.size()));
  kept.append(bytes);
  delta = std::move(kept);
}

bool apply(std::string_view delta, char* image, std::size_t size) {
  std::size_t at = 0;
  while (at < delta.size()) {
    if (delta.size() - at < 8) return false;
    const std::size_t offset = get32(delta.data() + at);
    const std::size_t length = get32(delta.data() + at + 4);
    at += 8;
    if (length > delta.size() - at || offset > size || length > size - offset) return false;
    std::memcpy(image + offset, delta.data() + at, length);
    at += length;
  }
  return true;
}

std::uint64_t checksum(std::string_view bytes, std::uint64_t seed) {
  // Multiply-xorshift over 8-byte words, then the tail: ~10 GB/s, and any change of a word
  // changes the result (the multiplier is odd, so each step is a bijection of the state).
  constexpr std::uint64_t k = 0x9E3779B97F4A7C15ULL;
  std::uint64_t h = seed ^ (bytes.size() * k);
  std::size_t at = 0;
  for (; at + 8 <= bytes.size(); at += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + at, 8);
    h = (h ^ w) * k;
    h ^= h >> 29;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + at, bytes.size() - at);
  h = (h ^ tail) * k;
  return h ^ (h >> 32);
}

}  // namespace weft::frame_delta
