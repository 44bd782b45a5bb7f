#include "weft/store/sqlite/page_cache.hpp"

namespace weft {
namespace {

sqlite3_pcache_methods2 inner;  // SQLite's default page cache, which does the work

// One cache: pcache1's, and the temporary number of its page size.
struct Cache {
  sqlite3_pcache* inner;
  unsigned temporary_key;
};

Cache* of(sqlite3_pcache* cache) { return reinterpret_cast<Cache*>(cache); }

// The key pcache1 holds for `key`: the swap's temporary number and 0 trade places.
unsigned held_key(const Cache& cache, unsigned key) {
  if (key == cache.temporary_key) return 0;
  return key;
}

sqlite3_pcache* create(int page_size, int extra_size, int purgeable) {
  sqlite3_pcache* cache = inner.xCreate(page_size, extra_size, purgeable);
  if (!cache) return nullptr;
  constexpr unsigned pending_byte = 0x40000000;  // SQLite's PENDING_BYTE
  auto* wrapped = static_cast<Cache*>(sqlite3_malloc(sizeof(Cache)));
  if (!wrapped) {
    inner.xDestroy(cache);
    return nullptr;
  }
  *wrapped = {cache, pending_byte / static_cast<unsigned>(page_size) + 1};
  return reinterpret_cast<sqlite3_pcache*>(wrapped);
}

void cache_size(sqlite3_pcache* cache, int pages) { inner.xCachesize(of(cache)->inner, pages); }
int page_count(sqlite3_pcache* cache) { return inner.xPagecount(of(cache)->inner); }

sqlite3_pcache_page* fetch(sqlite3_pcache* cache, unsigned key, int create_flag) {
  return inner.xFetch(of(cache)->inner, held_key(*of(cache), key), create_flag);
}

void unpin(sqlite3_pcache* cache, sqlite3_pcache_page* page, int discard) { inner.xUnpin(of(cache)->inner, page, discard); }

void rekey(sqlite3_pcache* cache, sqlite3_pcache_page* page, unsigned old_key, unsigned new_key) {
  const Cache& c = *of(cache);
  inner.xRekey(c.inner, page, held_key(c, old_key), held_key(c, new_key));
}

void truncate(sqlite3_pcache* cache, unsigned limit) { inner.xTruncate(of(cache)->inner, limit); }

void destroy(sqlite3_pcache* cache) {
  inner.xDestroy(of(cache)->inner);
  sqlite3_free(of(cache));
}

void shrink(sqlite3_pcache* cache) { inner.xShrink(of(cache)->inner); }

sqlite3_pcache_methods2 wrapper;

bool install() {
  if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &inner) != SQLITE_OK || !inner.xCreate) return false;
  wrapper = inner;  // xInit and xShutdown: pcache1's, with its pArg
  wrapper.xCreate = create;
  wrapper.xCachesize = cache_size;
  wrapper.xPagecount = page_count;
  wrapper.xFetch = fetch;
  wrapper.xUnpin = unpin;
  wrapper.xRekey = rekey;
  wrapper.xTruncate = truncate;
  wrapper.xDestroy = destroy;
  wrapper.xShrink = shrink;
  return sqlite3_config(SQLITE_CONFIG_PCACHE2, &wrapper) == SQLITE_OK;
}

// Before main, ahead of any use of SQLite by this process.
[[maybe_unused]] const bool installed_before_main = use_weft_page_cache();

}  // namespace

bool use_weft_page_cache() {
  static const bool installed = install();
  return installed;
}

const sqlite3_pcache_methods2* weft_page_cache_methods() { return use_weft_page_cache() ? &wrapper : nullptr; }

}  // namespace weft
