#include "weft/store/sqlite/sqlite_checkpointer.hpp"

#include "weft/store/sqlite/delta_wal_log.hpp"

#include <Poco/Logger.h>

namespace weft {

SqliteCheckpointer::SqliteCheckpointer(const std::string& path, SqliteDb& writer, WalLimits limits)
    : writer_(writer.handle()), db_(path), database_(sqlite3_db_filename(writer.handle(), "main")), limits_(limits) {
  // Replaces the auto-checkpoint hook: SQLite calls it after each commit.
  sqlite3_wal_hook(
      writer.handle(),
      [](void* self, sqlite3*, const char*, int frames) {
        auto* checkpointer = static_cast<SqliteCheckpointer*>(self);
        const std::int64_t stored = checkpointer->stored_bytes();
        checkpointer->wal_bytes_.store(stored, std::memory_order_relaxed);
        checkpointer->wal_frames_.store(frames, std::memory_order_relaxed);
        if (stored >= checkpointer->limits_.start_at_bytes || frames >= checkpointer->limits_.start_at_frames) checkpointer->wake();
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

std::int64_t SqliteCheckpointer::stored_bytes() const { return DeltaWalLog::stored_bytes(database_); }

void SqliteCheckpointer::before_write() {
  if (wal_bytes_.load(std::memory_order_relaxed) <= limits_.writer_waits_past_bytes &&
      wal_frames_.load(std::memory_order_relaxed) <= limits_.writer_waits_past_frames)
    return;
  std::unique_lock lock(mutex_);
  restart_wanted_ = pending_ = true;
  wanted_.notify_one();
  restarted_.wait(lock, [&] { return !restart_wanted_; });
}

void SqliteCheckpointer::wake() {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
  }
  wanted_.notify_one();
}

void SqliteCheckpointer::run() {
  while (true) {
    int mode = SQLITE_CHECKPOINT_PASSIVE;
    {
      std::unique_lock lock(mutex_);
      wanted_.wait(lock, [&] { return pending_ || stopping_; });
      if (restart_wanted_) mode = SQLITE_CHECKPOINT_RESTART;
      else if (stopping_ && !pending_) mode = SQLITE_CHECKPOINT_TRUNCATE;  // leave a short WAL behind
      pending_ = false;
    }
    // RESTART waits (the busy timeout) for readers of older frames; the writer waits for it.
    // BUSY: a reader held on; the next round picks the pages up.
    const int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, mode, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      Poco::Logger::get("weft.store").warning(std::string("WAL checkpoint failed: ") + sqlite3_errmsg(db_.handle()));
    if (mode == SQLITE_CHECKPOINT_RESTART) {
      std::lock_guard lock(mutex_);
      if (rc == SQLITE_OK) {
        wal_bytes_.store(0, std::memory_order_relaxed);
        wal_frames_.store(0, std::memory_order_relaxed);
      }
      restart_wanted_ = false;
      restarted_.notify_all();
    }
    if (mode == SQLITE_CHECKPOINT_TRUNCATE) return;
  }
}

}  // namespace weft
