#include "weft/store/sqlite/sqlite_checkpointer.hpp"

#include <Poco/Logger.h>

namespace weft {

SqliteCheckpointer::SqliteCheckpointer(const std::string& path, SqliteDb& writer) : writer_(writer.handle()), db_(path) {
  // Replaces the auto-checkpoint hook: SQLite calls it after each commit with the WAL's size.
  sqlite3_wal_hook(
      writer.handle(),
      [](void* self, sqlite3*, const char*, int pages) {
        if (pages >= start_at_pages) static_cast<SqliteCheckpointer*>(self)->wake();
        return SQLITE_OK;
      },
      this);
  thread_ = std::thread([this] { run(); });
}

SqliteCheckpointer::~SqliteCheckpointer() {
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wanted_.notify_one();
  thread_.join();
}

void SqliteCheckpointer::wake() {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
  }
  wanted_.notify_one();
}

void SqliteCheckpointer::run() {
  int mode = SQLITE_CHECKPOINT_PASSIVE;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wanted_.wait(lock, [&] { return pending_ || stopping_; });
      if (stopping_ && !pending_) mode = SQLITE_CHECKPOINT_TRUNCATE;  // leave a short WAL behind
      pending_ = false;
    }
    int in_wal = 0;
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, mode, &in_wal, &copied);
    // BUSY: the writer or a reader held on; the next round picks the pages up.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      Poco::Logger::get("weft.store").warning(std::string("WAL checkpoint failed: ") + sqlite3_errmsg(db_.handle()));
    if (mode == SQLITE_CHECKPOINT_TRUNCATE) return;
    mode = in_wal - copied > restart_after_pages ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
  }
}

}  // namespace weft
