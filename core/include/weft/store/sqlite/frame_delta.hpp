// A WAL frame stored as the bytes that differ from an earlier image of the same page
// (delta_wal_log.hpp). A delta is a list of runs, each a 4-byte offset, a 4-byte length (both
// little-endian) and the new bytes. Most of what a commit changes in a B-tree leaf is small (a
// new cell, the cell-pointer array, the page header), so a delta is typically a tenth of the
// page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace weft::frame_delta {

// Appends to `out` the runs where `now` differs from `before` (the same size). Runs closer
// than 16 bytes are joined: a run's header costs 8.
void encode(std::string_view before, std::string_view now, std::string& out);

// Adds one run to `delta`: `bytes` at `offset`, after the runs it has (runs apply in order, so
// the later wins where they overlap); a run it covers whole goes, so that a delta patched
// again and again stays about one frame long.
void add_run(std::string& delta, std::uint32_t offset, std::string_view bytes);

// Applies `delta` to the `size` bytes at `image`; false when a run falls outside them (a
// damaged record).
bool apply(std::string_view delta, char* image, std::size_t size);

// A fast 64-bit checksum that tells a torn or stale record from a whole one (not a MAC).
std::uint64_t checksum(std::string_view bytes, std::uint64_t seed);

}  // namespace weft::frame_delta
