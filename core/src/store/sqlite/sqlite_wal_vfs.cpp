#include "weft/store/sqlite/sqlite_wal_vfs.hpp"

#include "sqlite_database_file.hpp"
#include "weft/store/sqlite/delta_wal_log.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace weft {
namespace {

constexpr sqlite3_int64 gather_at_most = 1 << 20;

sqlite3_vfs* platform = nullptr;

constexpr std::size_t gather_runs_at_most = 8192;

// What SQLite wrote and the log has not had yet: runs of contiguous bytes, in order. A commit
// is a few runs (frames follow each other); a large transaction that spilled pages rewrites
// frame headers one by one at its commit, thousands of runs of 24 bytes.
//
// Pages a transaction spills are written without a sync, and a ROLLBACK does no I/O: held
// here, they would reach the log whenever this connection next flushes, over the frames
// another connection committed since at the same offsets (issue 33). A commit's frames are
// flushed by its sync, before SQLite publishes it and lets go of the WAL write lock (FULL);
// so whatever is still held when the connection lets go of that lock belongs to a transaction
// that rolled back, and is dropped then (the database file tells: sqlite_database_file.hpp).
struct Pending {
  struct Run {
    sqlite3_int64 offset, size;
    sqlite3_int64 at;  // in WalFile::bytes
  };
  std::vector<Run> runs;
  std::vector<DeltaWalLog::Write> writes;  // the runs as handed over (kept: no allocation a commit)
  sqlite3_int64 size = 0;
  sqlite3_int64 low = 0, high = 0;  // the span they cover
};

// A WAL file as SQLite sees it; SQLite allocates szOsFile bytes for it and never moves it.
struct WalFile {
  sqlite3_file base;  // first: SQLite sees this
  std::shared_ptr<DeltaWalLog>* log;
  char* bytes;  // gather_at_most bytes
  Pending* pending;
  sqlite3_file* database;  // the connection's database file, linked after the open
};

WalFile* wal(sqlite3_file* f) { return reinterpret_cast<WalFile*>(f); }
DeltaWalLog& log_of(sqlite3_file* f) { return **wal(f)->log; }

int flush(WalFile* w) {
  Pending& p = *w->pending;
  if (p.runs.empty()) return SQLITE_OK;
  p.writes.clear();
  for (const auto& run : p.runs) p.writes.push_back({run.offset, w->bytes + run.at, run.size});
  const int rc = (*w->log)->write(p.writes);
  p.runs.clear();
  p.size = 0;
  return rc;
}

// The connection let go of SQLite's WAL write lock: what is still held rolled back.
void write_lock_released(void* file) {
  Pending& p = *static_cast<WalFile*>(file)->pending;
  p.runs.clear();
  p.size = 0;
}

int wal_close(sqlite3_file* f) {
  WalFile* w = wal(f);
  forget_wal(w->database);
  const int rc = flush(w);
  delete w->log;
  w->log = nullptr;
  delete w->pending;
  w->pending = nullptr;
  std::free(w->bytes);
  w->bytes = nullptr;
  return rc;
}

int wal_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  WalFile* w = wal(f);
  const Pending& p = *w->pending;
  if (!p.runs.empty() && offset < p.high && offset + amount > p.low)
    if (const int rc = flush(w); rc != SQLITE_OK) return rc;
  return log_of(f).read(out, amount, offset);
}

int wal_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* w = wal(f);
  Pending& p = *w->pending;
  if (offset == 0 || amount > gather_at_most) {  // the WAL header starts the log over: alone, in order
    if (const int rc = flush(w); rc != SQLITE_OK) return rc;
    return log_of(f).write(static_cast<const char*>(data), amount, offset);
  }
  if (p.size + amount > gather_at_most || p.runs.size() >= gather_runs_at_most)
    if (const int rc = flush(w); rc != SQLITE_OK) return rc;
  // Not linked (this SQLite opens its WAL another way), or the database file not marked: held
  // writes could not be known for a rolled-back transaction's, or a stock sqlite3 could read
  // the file alone.
  if (!w->database || !is_marked(w->database)) return SQLITE_IOERR_WRITE;
  const bool first = p.runs.empty();
  if (!first && offset == p.runs.back().offset + p.runs.back().size) p.runs.back().size += amount;
  else p.runs.push_back({offset, amount, p.size});
  std::memcpy(w->bytes + p.size, data, static_cast<std::size_t>(amount));
  p.low = first ? offset : std::min(p.low, offset);
  p.high = first ? offset + amount : std::max(p.high, offset + amount);
  p.size += amount;
  return SQLITE_OK;
}

int wal_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (const int rc = flush(wal(f)); rc != SQLITE_OK) return rc;
  return log_of(f).truncate(size);
}

int wal_sync(sqlite3_file* f, int flags) {
  if (const int rc = flush(wal(f)); rc != SQLITE_OK) return rc;
  return log_of(f).sync((flags & SQLITE_SYNC_DATAONLY) != 0);
}

int wal_file_size(sqlite3_file* f, sqlite3_int64* size) {
  if (const int rc = flush(wal(f)); rc != SQLITE_OK) return rc;
  std::int64_t logical = 0;
  const int rc = log_of(f).logical_size(logical);
  *size = logical;
  return rc;
}

// SQLite never locks a WAL file (its locks live in the WAL index, on the database's handle).
int wal_lock(sqlite3_file*, int) { return SQLITE_OK; }
int wal_unlock(sqlite3_file*, int) { return SQLITE_OK; }
int wal_check_reserved(sqlite3_file*, int* out) {
  *out = 0;
  return SQLITE_OK;
}
int wal_file_control(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
int wal_sector_size(sqlite3_file*) { return 4096; }  // what the unix VFS says
// As the unix VFS says by default: a write never damages bytes around it, so SQLite does not
// pad commits to a sector.
int wal_device(sqlite3_file*) { return SQLITE_IOCAP_POWERSAFE_OVERWRITE; }

const sqlite3_io_methods wal_methods = {
    1,        wal_close,     wal_read,   wal_write,          wal_truncate,     wal_sync,
    wal_file_size, wal_lock, wal_unlock, wal_check_reserved, wal_file_control, wal_sector_size,
    wal_device, nullptr,     nullptr,    nullptr,            nullptr,          nullptr,
    nullptr,
};

constexpr std::string_view wal_suffix = "-wal";

bool is_wal(std::string_view name) {
  return name.size() > wal_suffix.size() && name.substr(name.size() - wal_suffix.size()) == wal_suffix;
}

std::string database_of(std::string_view wal_name) { return std::string(wal_name.substr(0, wal_name.size() - wal_suffix.size())); }

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if ((flags & SQLITE_OPEN_MAIN_DB) && name) return open_database_file(*platform, name, file, flags, out_flags, true);
  if (!(flags & SQLITE_OPEN_WAL) || !name) return platform->xOpen(platform, name, file, flags, out_flags);
  WalFile* w = wal(file);
  w->base.pMethods = nullptr;
  w->bytes = static_cast<char*>(std::malloc(gather_at_most));
  if (!w->bytes) return SQLITE_NOMEM;
  int rc = SQLITE_OK;
  auto log = DeltaWalLog::open(database_of(name), rc);
  if (!log) {
    std::free(w->bytes);
    return rc == SQLITE_OK ? SQLITE_CANTOPEN : rc;
  }
  w->pending = new Pending;
  w->log = new std::shared_ptr<DeltaWalLog>(std::move(log));
  w->database = nullptr;
  expect_wal(name, {w, write_lock_released, &w->database});  // name: SQLite's, for the WAL
  if (out_flags) *out_flags = flags;
  w->base.pMethods = &wal_methods;
  return SQLITE_OK;
}

// `<db>-wal` exists, or goes, as the log does.
int vfs_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  if (!is_wal(name)) return platform->xAccess(platform, name, flags, out);
  return platform->xAccess(platform, (database_of(name) + "-dwal").c_str(), flags, out);
}

// SQLite deletes the WAL when its last connection closes, after copying every frame back.
int vfs_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  if (!is_wal(name)) return platform->xDelete(platform, name, sync_dir);
  const std::string log = database_of(name) + "-dwal";
  platform->xDelete(platform, (log + "-shm").c_str(), 0);
  return platform->xDelete(platform, log.c_str(), sync_dir);
}

sqlite3_vfs vfs;

int own_wal_vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if ((flags & SQLITE_OPEN_MAIN_DB) && name) return open_database_file(*platform, name, file, flags, out_flags, false);
  return platform->xOpen(platform, name, file, flags, out_flags);
}

sqlite3_vfs own_wal_vfs;

void find_platform() {
  static std::once_flag once;
  std::call_once(once, [] { platform = sqlite3_vfs_find(nullptr); });
}

}  // namespace

const char* weft_sqlite_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    find_platform();
    vfs = *platform;  // every other method is the platform's own
    vfs.szOsFile = std::max(static_cast<int>(sizeof(WalFile)), database_file_size(*platform));
    vfs.zName = "weft-delta-wal";
    vfs.pAppData = nullptr;
    vfs.pNext = nullptr;
    vfs.xOpen = vfs_open;
    vfs.xAccess = vfs_access;
    vfs.xDelete = vfs_delete;
    sqlite3_vfs_register(&vfs, 0);
  });
  return vfs.zName;
}

const char* weft_sqlite_own_wal_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    find_platform();
    own_wal_vfs = *platform;
    own_wal_vfs.szOsFile = std::max(platform->szOsFile, database_file_size(*platform));
    own_wal_vfs.zName = "weft-sqlite-wal";
    own_wal_vfs.pAppData = nullptr;
    own_wal_vfs.pNext = nullptr;
    own_wal_vfs.xOpen = own_wal_vfs_open;
    sqlite3_vfs_register(&own_wal_vfs, 0);
  });
  return own_wal_vfs.zName;
}

}  // namespace weft
