#include "dwal_contents.hpp"

#include "weft/store/sqlite/frame_delta.hpp"

#include <lz4.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <utility>

namespace weft::test {
namespace {

// The record layout of delta_wal_log.cpp.
constexpr std::size_t header_bytes = 4096;
constexpr std::size_t record_header_bytes = 40;
constexpr std::uint32_t record_magic = 0x31524457;
enum Kind : std::uint32_t { wal_header_record = 1, whole_frame = 2, delta_frame = 3, truncation = 4, compressed_frame = 5 };

std::uint32_t get32(const char* p) {
  std::uint32_t v = 0;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

std::string dwal_contents(const std::string& log) {
  std::string out = log;  // LZ4 keeps literals as they are; a torn record may hold raw bytes
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> images;  // (generation, sequence) -> frame
  std::size_t page_size = 0;
  for (std::size_t at = header_bytes; at + record_header_bytes <= log.size(); ++at) {
    if (get32(log.data() + at) != record_magic) continue;
    const char* h = log.data() + at;
    const std::uint32_t generation = get32(h + 4), sequence = get32(h + 8), kind = get32(h + 12), base = get32(h + 24),
                        payload = get32(h + 28);
    if (at + record_header_bytes + payload > log.size()) continue;
    const std::string_view bytes(log.data() + at + record_header_bytes, payload);
    std::uint64_t checksum = 0;
    std::memcpy(&checksum, h + 32, 8);
    if (frame_delta::checksum(bytes, frame_delta::checksum({h, 32}, 0)) != checksum) continue;
    std::string image;
    if (kind == wal_header_record && payload == 32) {
      const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
      page_size = std::size_t{u[8]} << 24 | std::size_t{u[9]} << 16 | std::size_t{u[10]} << 8 | u[11];
    } else if (kind == whole_frame) {
      image.assign(bytes);
    } else if (kind == compressed_frame && page_size) {
      image.resize(24 + page_size);
      if (LZ4_decompress_safe(bytes.data(), image.data(), static_cast<int>(payload), static_cast<int>(image.size())) !=
          static_cast<int>(image.size()))
        image.clear();
    } else if (kind == delta_frame) {
      const auto found = images.find({generation, base});
      if (found != images.end()) {
        image = found->second;
        if (!frame_delta::apply(bytes, image.data(), image.size())) image.clear();
      }
      if (image.empty()) out.append(bytes);  // its runs' bytes, as they are
    }
    if (!image.empty()) {
      out += image;
      images[{generation, sequence}] = std::move(image);
    }
    at += record_header_bytes + payload - 1;
  }
  return out;
}

}  // namespace weft::test
