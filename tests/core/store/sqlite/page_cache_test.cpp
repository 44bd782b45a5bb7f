// weft's page cache (page_cache.hpp): SQLite's own, with the temporary page number of a B-tree
// balance held as 0, so that truncating the cache to the database's size after such a swap
// (every commit does) has nothing to scan.
#include "weft/store/sqlite/page_cache.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

namespace {

constexpr unsigned pages = 8000;           // about weft's 32 MiB cache of 4 KiB pages
constexpr unsigned temporary_key = 262145;  // SQLite's pending-byte page with 4 KiB pages

// Runs `step` `rounds` times, five times over; seconds taken by the fastest of the five: a time slice
// lost to another process in one of them does not count (the loops take ~50 us each).
template <typename Step>
double timed(int rounds, Step step) {
  double fastest = 0;
  for (int repeat = 0; repeat < 5; ++repeat) {
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < rounds; ++i) step();
    const double taken = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (repeat == 0 || taken < fastest) fastest = taken;
  }
  return fastest;
}

}  // namespace

TEST_CASE("the page cache swaps two pages through the temporary number and truncates without a scan") {
  const sqlite3_pcache_methods2* methods = weft::weft_page_cache_methods();
  REQUIRE(methods);  // installed before main, ahead of any use of SQLite
  REQUIRE(sqlite3_initialize() == SQLITE_OK);  // as every connection's open does first
  sqlite3_pcache* cache = methods->xCreate(4096, 64, 1);
  REQUIRE(cache);
  methods->xCachesize(cache, static_cast<int>(pages) * 2);
  std::vector<sqlite3_pcache_page*> page(pages + 1);
  for (unsigned key = 1; key <= pages; ++key) {
    page[key] = methods->xFetch(cache, key, 2);
    REQUIRE(page[key]);
    methods->xUnpin(cache, page[key], 0);
  }
  // balance_nonroot's swap of two pages' numbers, as SQLite 3.40 does it
  const auto swap = [&](unsigned a, unsigned b) {
    methods->xRekey(cache, page[a], a, temporary_key);
    methods->xRekey(cache, page[b], b, a);
    methods->xRekey(cache, page[a], temporary_key, b);
    std::swap(page[a], page[b]);
  };
  swap(5, 7);
  CHECK(methods->xFetch(cache, 5, 0) == page[5]);
  CHECK(methods->xFetch(cache, 7, 0) == page[7]);
  CHECK(page[5] != page[7]);
  methods->xUnpin(cache, page[5], 0);
  methods->xUnpin(cache, page[7], 0);
  CHECK(methods->xFetch(cache, temporary_key, 0) == nullptr);
  CHECK(methods->xPagecount(cache) == static_cast<int>(pages));

  // A commit truncates to the database's size: after a swap, as cheap as after none. SQLite's
  // own cache scans every page here (~100 x slower with 8,000 pages).
  const int rounds = 2000;
  const double after_swaps = timed(rounds, [&] {
    swap(11, 13);
    methods->xTruncate(cache, pages + 1);
  });
  const double after_moves = timed(rounds, [&] {  // the control: a move that keeps the largest number
    methods->xRekey(cache, page[11], 11, pages + 1);
    methods->xRekey(cache, page[11], pages + 1, 11);
    methods->xRekey(cache, page[13], 13, 13);
    methods->xTruncate(cache, pages + 1);
  });
  INFO("after swaps " << after_swaps * 1e6 / rounds << " us a commit, after moves " << after_moves * 1e6 / rounds);
  CHECK(after_swaps < 10 * after_moves);
  CHECK(methods->xPagecount(cache) == static_cast<int>(pages));
  methods->xDestroy(cache);
}
