#include "weft/store/sqlite/unused_page_space.hpp"

#include <cstring>

namespace weft {
namespace {

std::size_t get2(const unsigned char* at) { return static_cast<std::size_t>(at[0]) << 8 | at[1]; }

constexpr unsigned char interior_index = 2, interior_table = 5, leaf_index = 10, leaf_table = 13;

}  // namespace

bool zero_unused_page_space(unsigned char* page, std::size_t size, bool first_page) {
  const std::size_t header = first_page ? 100 : 0;
  if (size < 512 || size > 65536 || size <= header + 12) return false;
  const unsigned char type = page[header];
  if (type != interior_index && type != interior_table && type != leaf_index && type != leaf_table) return false;
  const std::size_t header_size = type == interior_index || type == interior_table ? 12 : 8;
  const std::size_t cells = get2(page + header + 3);
  const std::size_t pointers_end = header + header_size + 2 * cells;
  std::size_t content = get2(page + header + 5);
  if (content == 0) content = 65536;  // an empty page of 65536 bytes
  if (pointers_end > content || content > size) return false;
  for (std::size_t cell = 0; cell < cells; ++cell) {
    const std::size_t at = get2(page + header + header_size + 2 * cell);
    if (at < content || at >= size) return false;
  }
  // Free blocks: ascending, inside the content area, each at least 4 bytes (next, size). Walked
  // once to check the whole chain before anything changes, then again to zero their bodies.
  const std::size_t first_block = get2(page + header + 1);
  for (std::size_t at = first_block, previous_end = content; at != 0; at = get2(page + at)) {
    if (at < previous_end || at + 4 > size) return false;
    const std::size_t block = get2(page + at + 2);
    if (block < 4 || at + block > size) return false;
    previous_end = at + block;
  }
  std::memset(page + pointers_end, 0, content - pointers_end);
  for (std::size_t at = first_block; at != 0; at = get2(page + at)) std::memset(page + at + 4, 0, get2(page + at + 2) - 4);
  return true;
}

}  // namespace weft
