// Zeroes the space a B-tree page of an SQLite database file does not use (issue 34, an
// erasure's gap): the gap between the cell pointer array and the cell content area, and the
// bodies of the free blocks. secure_delete zeroes a cell SQLite deletes, but not every copy
// a page keeps of a cell it moved: when SQLite rebuilds a page while balancing a tree
// (btree.c's rebuildPage), the bytes past the new content area stay as they were, and with
// them a row later erased elsewhere. Bytes no cell points at are never read by SQLite.
//
// A page is taken as a B-tree page by its type byte (2, 5, 10, 13); overflow and freelist
// trunk pages start with a page number instead, below 2^25 with the store's max_page_count
// (sqlite.cpp), so their first byte is 0 or 1. A page whose header does not describe a
// consistent layout is left as it is.
#pragma once

#include <cstddef>

namespace weft {

// `page`: `size` bytes, one whole page; `first_page`: the file's page 1 (its B-tree header
// follows the 100-byte database header). Returns whether it was a B-tree page it scrubbed.
bool zero_unused_page_space(unsigned char* page, std::size_t size, bool first_page);

}  // namespace weft
