#include "sqlite_wal_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace weft {
namespace {

constexpr sqlite3_int64 flush_at = 1 << 20;  // gather at most 1 MiB

sqlite3_vfs* platform = nullptr;

// A WAL file: our methods in front, the platform's file right behind this struct (SQLite
// allocates szOsFile bytes for both).
struct WalFile {
  sqlite3_file base;  // first: SQLite sees this
  sqlite3_file* real;
  char* pending;             // bytes not yet written, starting at pending_offset
  sqlite3_int64 pending_offset;
  sqlite3_int64 pending_size;
};

WalFile* wal(sqlite3_file* f) { return reinterpret_cast<WalFile*>(f); }

// The platform's xWrite takes at most 128 KiB - 1 at a time (os_unix.c masks the size to 17
// bits: it expects pages), so the gathered bytes go out in pieces of 64 KiB.
constexpr sqlite3_int64 write_piece = 64 * 1024;

int flush(WalFile* w) {
  int rc = SQLITE_OK;
  for (sqlite3_int64 done = 0; done < w->pending_size && rc == SQLITE_OK; done += write_piece) {
    const sqlite3_int64 piece = std::min(write_piece, w->pending_size - done);
    rc = w->real->pMethods->xWrite(w->real, w->pending + done, static_cast<int>(piece), w->pending_offset + done);
  }
  w->pending_size = 0;
  return rc;
}

int wal_close(sqlite3_file* f) {
  WalFile* w = wal(f);
  const int flushed = flush(w);
  const int closed = w->real->pMethods->xClose(w->real);
  std::free(w->pending);
  w->pending = nullptr;
  return flushed != SQLITE_OK ? flushed : closed;
}

int wal_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  WalFile* w = wal(f);
  if (w->pending_size > 0 && offset < w->pending_offset + w->pending_size && offset + amount > w->pending_offset)
    if (const int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xRead(w->real, out, amount, offset);
}

int wal_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* w = wal(f);
  const bool continues = w->pending_size > 0 && offset == w->pending_offset + w->pending_size;
  if (!continues || w->pending_size + amount > flush_at) {
    if (const int rc = flush(w); rc != SQLITE_OK) return rc;
    if (amount > write_piece) return w->real->pMethods->xWrite(w->real, data, amount, offset);  // never: pages are 64 KiB at most
    w->pending_offset = offset;
  }
  std::memcpy(w->pending + w->pending_size, data, static_cast<std::size_t>(amount));
  w->pending_size += amount;
  return SQLITE_OK;
}

int wal_truncate(sqlite3_file* f, sqlite3_int64 size) {
  WalFile* w = wal(f);
  if (const int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xTruncate(w->real, size);
}

int wal_sync(sqlite3_file* f, int flags) {
  WalFile* w = wal(f);
  if (const int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xSync(w->real, flags);
}

int wal_file_size(sqlite3_file* f, sqlite3_int64* size) {
  WalFile* w = wal(f);
  if (const int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileSize(w->real, size);
}

// Everything else goes to the platform's file as it is.
int wal_lock(sqlite3_file* f, int level) { return wal(f)->real->pMethods->xLock(wal(f)->real, level); }
int wal_unlock(sqlite3_file* f, int level) { return wal(f)->real->pMethods->xUnlock(wal(f)->real, level); }
int wal_check_reserved(sqlite3_file* f, int* out) { return wal(f)->real->pMethods->xCheckReservedLock(wal(f)->real, out); }
int wal_file_control(sqlite3_file* f, int op, void* arg) { return wal(f)->real->pMethods->xFileControl(wal(f)->real, op, arg); }
int wal_sector_size(sqlite3_file* f) { return wal(f)->real->pMethods->xSectorSize(wal(f)->real); }
int wal_device(sqlite3_file* f) { return wal(f)->real->pMethods->xDeviceCharacteristics(wal(f)->real); }
int wal_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return wal(f)->real->pMethods->xShmMap(wal(f)->real, region, size, extend, out);
}
int wal_shm_lock(sqlite3_file* f, int offset, int n, int flags) { return wal(f)->real->pMethods->xShmLock(wal(f)->real, offset, n, flags); }
void wal_shm_barrier(sqlite3_file* f) { wal(f)->real->pMethods->xShmBarrier(wal(f)->real); }
int wal_shm_unmap(sqlite3_file* f, int remove) { return wal(f)->real->pMethods->xShmUnmap(wal(f)->real, remove); }
int wal_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  WalFile* w = wal(f);
  if (const int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFetch(w->real, offset, amount, out);
}
int wal_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) { return wal(f)->real->pMethods->xUnfetch(wal(f)->real, offset, page); }

const sqlite3_io_methods wal_methods = {
    3,           wal_close,     wal_read,         wal_write,       wal_truncate,  wal_sync,
    wal_file_size, wal_lock,    wal_unlock,       wal_check_reserved, wal_file_control, wal_sector_size,
    wal_device,  wal_shm_map,   wal_shm_lock,     wal_shm_barrier, wal_shm_unmap, wal_fetch,
    wal_unfetch,
};

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if (!(flags & SQLITE_OPEN_WAL)) return platform->xOpen(platform, name, file, flags, out_flags);  // in place
  WalFile* w = wal(file);
  w->base.pMethods = nullptr;
  w->real = reinterpret_cast<sqlite3_file*>(w + 1);
  w->pending = static_cast<char*>(std::malloc(flush_at));
  if (!w->pending) return SQLITE_NOMEM;
  w->pending_offset = 0;
  w->pending_size = 0;
  const int rc = platform->xOpen(platform, name, w->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    std::free(w->pending);
    return rc;
  }
  if (w->real->pMethods->iVersion < 3) {  // never on a platform that has WAL; be safe anyway
    w->real->pMethods->xClose(w->real);
    std::free(w->pending);
    return SQLITE_CANTOPEN;
  }
  w->base.pMethods = &wal_methods;
  return SQLITE_OK;
}

sqlite3_vfs vfs;

}  // namespace

const char* coalescing_wal_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    platform = sqlite3_vfs_find(nullptr);
    vfs = *platform;  // every method but xOpen is the platform's own
    vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + platform->szOsFile;
    vfs.zName = "weft-coalescing-wal";
    vfs.pAppData = nullptr;
    vfs.pNext = nullptr;
    vfs.xOpen = vfs_open;
    sqlite3_vfs_register(&vfs, 0);
  });
  return vfs.zName;
}

}  // namespace weft
