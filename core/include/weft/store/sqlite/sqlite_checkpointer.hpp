// Moves SQLite's WAL checkpoints off the writer's thread. With the default auto-checkpoint,
// the COMMIT that crosses 1,000 WAL pages copies them into the database file and fsyncs it
// while every client of that batch waits (weft serve's p99 was ~9.5 ms because of it, 5-6 ms
// without). Here the writer only appends to the WAL, and this thread copies pages back in the
// background (PASSIVE: it never blocks the writer), so a page changed by many commits is
// copied once per round instead of once per 1,000 pages.
#pragma once

#include "weft/store/sqlite/sqlite.hpp"

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace weft {

class SqliteCheckpointer {
public:
  // Opens its own connection to `path`; `writer` stops checkpointing by itself.
  SqliteCheckpointer(const std::string& path, SqliteDb& writer);
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;
  // Runs a last checkpoint, then joins the thread.
  ~SqliteCheckpointer();

  // A round starts once a commit leaves this many pages in the WAL (SQLite's own default is
  // 1,000; more lets a hot page changed by many commits be copied once).
  static constexpr int start_at_pages = 8192;

  // When a round ends with more than this many pages still in the WAL (the writer kept ahead
  // of passive rounds), the next round waits for a pause in writing and restarts the WAL, so
  // the file cannot grow without bound.
  static constexpr int restart_after_pages = 64 * 1024;

private:
  void wake();
  void run();

  sqlite3* writer_;
  SqliteDb db_;
  std::mutex mutex_;
  std::condition_variable wanted_;
  bool pending_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace weft
