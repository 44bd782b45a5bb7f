#include "sqlite_database_file.hpp"

#include "weft/store/sqlite/unused_page_space.hpp"

#include <cstring>
#include <string>
#include <string_view>

namespace weft {
namespace {

constexpr sqlite3_int64 read_version_at = 19;  // SQLite's header: 18 write version, 19 read version
constexpr unsigned char wal_version = 2;
constexpr unsigned char weft_log_mark = 'W';  // read version > 2: SQLite's own VFS refuses the file

struct DatabaseFile {
  sqlite3_file base;   // first: SQLite sees this
  sqlite3_file* real;  // the platform's file, in the same allocation after this struct
  const char* name;    // SQLite keeps it alive until xClose
  WalLink wal;         // of the same connection, once linked
  bool marked;         // the mark is on the file (or the file is new), since the link
  bool weft_log;       // opened for weft's log: the header gets the mark
};

thread_local struct {
  const char* wal_name = nullptr;
  WalLink link;
} expected_wal;

bool is_wal_of(std::string_view wal_name, std::string_view database) {
  return wal_name.size() == database.size() + 4 && wal_name.substr(0, database.size()) == database && wal_name.substr(database.size()) == "-wal";
}

DatabaseFile* database(sqlite3_file* f) { return reinterpret_cast<DatabaseFile*>(f); }
sqlite3_file* real(sqlite3_file* f) { return database(f)->real; }
const sqlite3_io_methods& methods(sqlite3_file* f) { return *real(f)->pMethods; }

bool covers_read_version(sqlite3_int64 offset, sqlite3_int64 amount) {
  return offset <= read_version_at && offset + amount > read_version_at;
}

// Replaces byte 19 of the header with `to` where it holds `from` and byte 18 says WAL, synced.
// Through SQLite's own handle: a second descriptor of the file, once closed, would take every
// POSIX lock of this process's connections on it with it.
int replace_read_version(sqlite3_file* f, unsigned char from, unsigned char to) {
  unsigned char versions[2] = {};
  const int rc = methods(f).xRead(real(f), versions, 2, read_version_at - 1);
  if (rc == SQLITE_IOERR_SHORT_READ) return SQLITE_OK;  // a new file: its first page gets the mark when written
  if (rc != SQLITE_OK) return rc;
  if (versions[0] != wal_version || versions[1] != from) return SQLITE_OK;
  if (const int written = methods(f).xWrite(real(f), &to, 1, read_version_at); written != SQLITE_OK) return written;
  return methods(f).xSync(real(f), SQLITE_SYNC_NORMAL);
}

int file_close(sqlite3_file* f) { return methods(f).xClose(real(f)); }

int file_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  const int rc = methods(f).xRead(real(f), out, amount, offset);
  if ((rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ) && database(f)->weft_log && covers_read_version(offset, amount)) {
    auto* version = static_cast<unsigned char*>(out) + (read_version_at - offset);
    if (*version == weft_log_mark) *version = wal_version;
  }
  return rc;
}

// A whole page: SQLite writes the database file only so (checkpoints, and the journal modes
// weft does not use).
bool is_page(int amount, sqlite3_int64 offset) {
  return amount >= 512 && amount <= 65536 && (amount & (amount - 1)) == 0 && offset % amount == 0;
}

// Every page goes to the file with its unused space zeroed (unused_page_space.hpp), and the
// header's page with weft's mark on it while weft's log is in use.
int file_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  const sqlite3_int64 at = read_version_at - offset;
  const bool mark = database(f)->weft_log && covers_read_version(offset, amount) && offset <= read_version_at - 1 && bytes[at - 1] == wal_version &&
                    bytes[at] == wal_version;  // a WAL database's header
  if (!mark && !is_page(amount, offset)) return methods(f).xWrite(real(f), data, amount, offset);
  thread_local std::string page;
  page.assign(static_cast<const char*>(data), static_cast<std::size_t>(amount));
  auto* copy = reinterpret_cast<unsigned char*>(page.data());
  if (is_page(amount, offset)) zero_unused_page_space(copy, page.size(), offset == 0);
  if (mark) copy[at] = weft_log_mark;
  return methods(f).xWrite(real(f), copy, amount, offset);
}

int file_truncate(sqlite3_file* f, sqlite3_int64 size) { return methods(f).xTruncate(real(f), size); }
int file_sync(sqlite3_file* f, int flags) { return methods(f).xSync(real(f), flags); }
int file_size(sqlite3_file* f, sqlite3_int64* size) { return methods(f).xFileSize(real(f), size); }
int file_lock(sqlite3_file* f, int level) { return methods(f).xLock(real(f), level); }
int file_unlock(sqlite3_file* f, int level) { return methods(f).xUnlock(real(f), level); }
int file_check_reserved(sqlite3_file* f, int* out) { return methods(f).xCheckReservedLock(real(f), out); }
int file_control(sqlite3_file* f, int op, void* arg) {
  const int rc = methods(f).xFileControl(real(f), op, arg);
  // SQLite asks this right before it removes the WAL, after its last connection copied every
  // frame back (sqlite3WalClose): the file alone is the store again, for any sqlite3.
  if (op == SQLITE_FCNTL_PERSIST_WAL && rc == SQLITE_OK && *static_cast<int*>(arg) == 0 && database(f)->wal.wal)
    return replace_read_version(f, weft_log_mark, wal_version);
  return rc;
}
int file_sector_size(sqlite3_file* f) { return methods(f).xSectorSize(real(f)); }
int file_device(sqlite3_file* f) {
  if (expected_wal.link.wal && is_wal_of(expected_wal.wal_name, database(f)->name)) {
    database(f)->wal = expected_wal.link;
    *expected_wal.link.database = f;
    // Before weft's log can hold a commit, a stock sqlite3 must stop taking the file alone for
    // the store. (No error can be returned from here; the WAL's first write checks the mark.)
    database(f)->marked = replace_read_version(f, wal_version, weft_log_mark) == SQLITE_OK;
  }
  expected_wal = {};
  return methods(f).xDeviceCharacteristics(real(f));
}
int file_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return methods(f).xShmMap(real(f), region, size, extend, out);
}
constexpr int wal_write_lock = 0;  // SQLite's WAL_WRITE_LOCK: the first of the WAL index's locks

int file_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  const WalLink& wal = database(f)->wal;
  if (wal.wal && (flags & SQLITE_SHM_UNLOCK) && (flags & SQLITE_SHM_EXCLUSIVE) && offset <= wal_write_lock && offset + n > wal_write_lock)
    wal.write_lock_released(wal.wal);
  return methods(f).xShmLock(real(f), offset, n, flags);
}
void file_shm_barrier(sqlite3_file* f) { methods(f).xShmBarrier(real(f)); }
int file_shm_unmap(sqlite3_file* f, int remove) { return methods(f).xShmUnmap(real(f), remove); }

// Memory-mapped reads would show the mark: the header's page is read with xRead instead
// (SQLite takes a null pointer as "read it").
int file_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  if (covers_read_version(offset, amount)) {
    *out = nullptr;
    return SQLITE_OK;
  }
  return methods(f).xFetch(real(f), offset, amount, out);
}
int file_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) { return methods(f).xUnfetch(real(f), offset, page); }

const sqlite3_io_methods database_methods = {
    3,
    file_close,
    file_read,
    file_write,
    file_truncate,
    file_sync,
    file_size,
    file_lock,
    file_unlock,
    file_check_reserved,
    file_control,
    file_sector_size,
    file_device,
    file_shm_map,
    file_shm_lock,
    file_shm_barrier,
    file_shm_unmap,
    file_fetch,
    file_unfetch,
};

constexpr int aligned(int size) { return (size + 15) / 16 * 16; }

}  // namespace

int database_file_size(const sqlite3_vfs& platform) { return aligned(sizeof(DatabaseFile)) + platform.szOsFile; }

int open_database_file(sqlite3_vfs& platform, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags, bool weft_log) {
  DatabaseFile* f = database(file);
  f->weft_log = weft_log;
  f->base.pMethods = nullptr;
  f->name = name;
  f->wal = {};
  f->marked = false;
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + aligned(sizeof(DatabaseFile)));
  const int rc = platform.xOpen(&platform, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real->pMethods) f->real->pMethods->xClose(f->real);
    return rc;
  }
  if (f->real->pMethods->iVersion < 3) {  // no shared memory: not a platform weft runs on
    f->real->pMethods->xClose(f->real);
    return SQLITE_CANTOPEN;
  }
  f->base.pMethods = &database_methods;
  return SQLITE_OK;
}

void expect_wal(const char* wal_name, WalLink link) { expected_wal = {wal_name, link}; }

void forget_wal(sqlite3_file* database_file) {
  if (database_file) database(database_file)->wal = {};
}

bool is_marked(sqlite3_file* database_file) { return database(database_file)->marked; }

}  // namespace weft
