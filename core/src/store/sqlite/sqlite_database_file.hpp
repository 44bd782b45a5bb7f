// The store's database file as weft's VFSes open it: the platform's file, except for one byte
// and the unused space of its pages.
//
// While weft's own log (`<db>-dwal`) may hold commits, the file's latest state is not in the
// file alone, and a stock sqlite3 (which knows nothing of that log) would read it half-written
// and could write into it. So on disk, byte 19 of the header (SQLite's "read version", 2 for
// WAL) holds `W` from the moment weft's log is opened until the last connection
// has copied it back and removed it: SQLite's own VFS refuses a read version above 2 ("file is
// not a database"). weft's connections see 2, as SQLite wrote it. (SPEC 7, issue 33.)
//
// Each page is written with the space it does not use zeroed (unused_page_space.hpp), with
// either log: an erasure's zeroed cells must not survive as older copies elsewhere (issue 34).
//
// It also tells the connection's WAL file when the connection gives up SQLite's WAL write
// lock (sqlite_wal_vfs.cpp: what the WAL still holds then is a rolled-back transaction's).
#pragma once

#include <sqlite3.h>

namespace weft {

// The size SQLite must allocate for a database file opened by open_database_file.
int database_file_size(const sqlite3_vfs& platform);

// Opens a main database file through `platform` into `file`: with weft's log (the byte
// translated) or with SQLite's own WAL (`weft_log` false: the header as SQLite writes it).
int open_database_file(sqlite3_vfs& platform, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags, bool weft_log);

// The WAL's side of the link between a connection's WAL file and its database file.
struct WalLink {
  void* wal = nullptr;
  void (*write_lock_released)(void* wal) = nullptr;
  sqlite3_file** database = nullptr;  // set to the database file once linked
};

// Called by the WAL's xOpen, which SQLite calls from sqlite3WalOpen with the connection's
// database file open: SQLite asks that file its device characteristics right after, on this
// thread, and that call links the two. `wal_name`: the name SQLite opened the WAL by.
void expect_wal(const char* wal_name, WalLink link);
// Called by the WAL's xClose (SQLite closes the WAL before the database file).
void forget_wal(sqlite3_file* database_file);

// Whether the linked database file carries the mark (or is new, and gets it with its first
// page): the WAL writes nothing before.
bool is_marked(sqlite3_file* database_file);

}  // namespace weft
