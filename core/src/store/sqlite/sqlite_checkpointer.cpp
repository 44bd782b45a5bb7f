#include "weft/store/sqlite/sqlite_checkpointer.hpp"

#include <Poco/Logger.h>

namespace weft {
namespace {

int page_size(SqliteDb& db) {
  auto s = db.prepare("PRAGMA page_size");
  return s.step() ? static_cast<int>(s.integer(0)) : 4096;
}

}  // namespace

SqliteCheckpointer::SqliteCheckpointer(const std::string& path, SqliteDb& writer, WalLimits limits)
    : writer_(writer.handle()), db_(path) {
  const int page = page_size(writer);
  start_at_pages_ = static_cast<int>(limits.start_at_bytes / page);
  writer_waits_past_pages_ = static_cast<int>(limits.writer_waits_past_bytes / page);
  // Replaces the auto-checkpoint hook: SQLite calls it after each commit with the WAL's size.
  sqlite3_wal_hook(
      writer.handle(),
      [](void* self, sqlite3*, const char*, int pages) {
        auto* checkpointer = static_cast<SqliteCheckpointer*>(self);
        checkpointer->wal_pages_.store(pages, std::memory_order_relaxed);
        if (pages >= checkpointer->start_at_pages_) checkpointer->wake();
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

void SqliteCheckpointer::before_write() {
  if (wal_pages_.load(std::memory_order_relaxed) <= writer_waits_past_pages_) return;
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
      if (rc == SQLITE_OK) wal_pages_.store(0, std::memory_order_relaxed);
      restart_wanted_ = false;
      restarted_.notify_all();
    }
    if (mode == SQLITE_CHECKPOINT_TRUNCATE) return;
  }
}

}  // namespace weft
