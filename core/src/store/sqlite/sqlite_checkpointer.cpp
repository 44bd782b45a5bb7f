#include "weft/store/sqlite/sqlite_checkpointer.hpp"

#include "weft/store/sqlite/delta_wal_log.hpp"

#include <Poco/Logger.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
        // A round begins past a bound; one whose rest grew past what the writer should copy
        // (a large transaction was under way) goes on.
        Phase idle = Phase::idle, restart_due = Phase::restart_due;
        const WalLimits& limits = checkpointer->limits_;
        if (((stored >= limits.start_at_bytes || frames >= limits.start_at_frames) &&
             checkpointer->phase_.compare_exchange_strong(idle, Phase::copying)) ||
            (frames - checkpointer->copied_frames_.load() > limits.restart_within_frames &&
             checkpointer->phase_.compare_exchange_strong(restart_due, Phase::copying)))
          checkpointer->wake();
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
  if (phase_.load() == Phase::restart_due) {
    // Copies the frames that came after the round (PASSIVE: never waits), so that the
    // transaction about to begin starts the log over: SQLite does at its first frame when every
    // frame was copied and no reader holds an older snapshot. If one does, the next commit
    // starts another round.
    sqlite3_wal_checkpoint_v2(writer_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    phase_.store(Phase::idle);
  }
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

// SQLite syncs the database file only in a round that reaches the end of the WAL; under a
// busy writer that is the writer's own short round (before_write), which then waited for
// every page of the rounds before it: 50-150 ms under the bench load, growing with the store.
// Here, in the background, in pieces that each wait for their pages to reach the disk, so that
// the writer's syncs of the log in between wait behind one piece, not the whole round.
void SqliteCheckpointer::sync_database() const {
  const int fd = ::open(database_.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    if (fd >= 0) ::close(fd);
    return;  // SQLite's own sync, later, is the one that counts
  }
  constexpr off_t piece = 8 << 20;
  for (off_t at = 0; at < st.st_size; at += piece)
    ::sync_file_range(fd, at, piece, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
  ::fdatasync(fd);
  ::close(fd);
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
    int frames = 0;  // in the WAL when the round began
    const int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, mode, &frames, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      Poco::Logger::get("weft.store").warning(std::string("WAL checkpoint failed: ") + sqlite3_errmsg(db_.handle()));
    if (mode == SQLITE_CHECKPOINT_PASSIVE) {
      // Copied up to the commit the round began at. The writer restarts the log before its
      // next transaction, copying what came after while it waits: when that is long, another
      // round copies it first. BUSY: the next commit starts another round.
      if (rc != SQLITE_OK) {
        phase_.store(Phase::idle);
      } else {
        sync_database();
        copied_frames_.store(frames);
        if (wal_frames_.load(std::memory_order_relaxed) - frames > limits_.restart_within_frames) wake();
        else phase_.store(Phase::restart_due);
      }
    } else if (mode == SQLITE_CHECKPOINT_RESTART) {
      std::lock_guard lock(mutex_);
      if (rc == SQLITE_OK) {
        wal_bytes_.store(0, std::memory_order_relaxed);
        wal_frames_.store(0, std::memory_order_relaxed);
      }
      phase_.store(Phase::idle);
      restart_wanted_ = false;
      restarted_.notify_all();
    }
    if (mode == SQLITE_CHECKPOINT_TRUNCATE) return;
  }
}

}  // namespace weft
