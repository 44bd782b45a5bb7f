// The records io_recorder.cpp writes and power_loss_test.cpp reads: what a process did to the
// files of one folder, in order.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace weft::test {

enum class IoKind : std::uint8_t {
  name = 1,      // file id named: a = 1 if the file existed before the open; data: its path
  write = 2,     // a: offset; data: the bytes
  truncate = 3,  // a: the new size
  zero = 4,      // a: offset, b: length (fallocate's zero range or punched hole)
  extend = 5,    // a: the size at least (fallocate without KEEP_SIZE)
  sync = 6,      // fsync or fdatasync of the file
  remove = 7,    // data: the path unlinked
  note = 8,      // written by the test itself (what was acknowledged); data: text
};

constexpr std::size_t io_header_bytes = 1 + 4 + 8 + 8 + 4;

inline void encode_io_header(char* out, IoKind kind, std::uint32_t file, std::int64_t a, std::int64_t b, std::uint32_t size) {
  out[0] = static_cast<char>(kind);
  std::memcpy(out + 1, &file, 4);
  std::memcpy(out + 5, &a, 8);
  std::memcpy(out + 13, &b, 8);
  std::memcpy(out + 21, &size, 4);
}

struct IoRecord {
  IoKind kind;
  std::uint32_t file;
  std::int64_t a, b;
  std::string data;
};

// The records of a log (a torn last record is left out).
inline std::vector<IoRecord> decode_io_log(const std::string& log) {
  std::vector<IoRecord> records;
  for (std::size_t at = 0; at + io_header_bytes <= log.size();) {
    IoRecord r{static_cast<IoKind>(log[at]), 0, 0, 0, {}};
    std::uint32_t size = 0;
    std::memcpy(&r.file, log.data() + at + 1, 4);
    std::memcpy(&r.a, log.data() + at + 5, 8);
    std::memcpy(&r.b, log.data() + at + 13, 8);
    std::memcpy(&size, log.data() + at + 21, 4);
    if (at + io_header_bytes + size > log.size()) break;
    r.data.assign(log, at + io_header_bytes, size);
    records.push_back(std::move(r));
    at += io_header_bytes + size;
  }
  return records;
}

}  // namespace weft::test
