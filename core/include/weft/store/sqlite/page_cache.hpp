// SQLite's own page cache, with one page number kept out of it.
//
// When SQLite splits or merges B-tree pages (balance_nonroot in SQLite 3.40) it swaps two
// pages' numbers through a temporary one: the page at the "pending byte" offset (1 GiB), number
// 262,145 with 4 KiB pages, a number no real page ever has. The default page cache (pcache1)
// remembers the largest number it has held and never forgets it until a truncation, and at
// every commit SQLite truncates the cache to the database's size. A store under 1 GiB then has
// a largest number far above its size, so pcache1 scans its whole hash table and every cached
// page's header on each commit with a split: ~10 % of weft serve's writer thread on the bench
// (perf; 8,000 cached pages, found by a probe on sqlite3PcacheMove).
//
// These methods wrap pcache1 and hold that temporary number as 0 instead, a number SQLite never
// asks for (pages start at 1): the same pages, the same lookups, and no scan. The swap rekeys a
// page to the temporary number and back within one call, and nothing else ever uses it.
#pragma once

#include <sqlite3.h>

namespace weft {

// Installs the wrapper as SQLite's page cache, once per process (later calls return the first
// one's result). It is called before main (page_cache.cpp), since SQLite refuses the change
// once it has initialised; returns whether it took.
bool use_weft_page_cache();

// The methods SQLite was given, or nullptr when it keeps its own (for tests).
const sqlite3_pcache_methods2* weft_page_cache_methods();

}  // namespace weft
