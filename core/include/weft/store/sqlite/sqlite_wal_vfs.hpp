// The SQLite VFS that weft's connections use. Every file but the WAL goes to the platform's
// VFS as it is. The WAL does not exist on disk as SQLite writes it: its frames go to a
// DeltaWalLog (`<db>-dwal`, delta_wal_log.hpp) that stores each as its changes against the
// page's previous frame and rebuilds it when SQLite reads it; the VFS answers SQLite's
// questions about `<db>-wal` (does it exist, delete it) with that file.
//
// The writes of a commit are gathered in memory and handed to the log in one call before
// anything that must see them (sync, read, size, truncate, close): SQLite writes each frame
// with two calls, ~110 for a commit of ~55 pages, and those cost the writer more than the
// fsync (perf trace, weft serve under the bench load). Durability is unchanged: a commit's
// frames are on disk when its sync returns.
//
// It relies on synchronous=FULL (SqliteDb always sets it): SQLite then syncs the WAL before it
// publishes a commit in the WAL index, so other connections never look for frames still held
// here. With NORMAL or OFF they could.
#pragma once

namespace weft {

// Registers the VFS (once; not as the default) and returns its name for sqlite3_open_v2.
const char* weft_sqlite_vfs();

// The VFS of a store that keeps SQLite's own WAL (`wal=sqlite`): the platform's, except that
// the database file's pages are written with their unused space zeroed, as with weft's log
// (sqlite_database_file.hpp). Registered once, not as the default.
const char* weft_sqlite_own_wal_vfs();

}  // namespace weft
