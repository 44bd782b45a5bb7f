#include "weft/store/sqlite/sqlite_checkpointer.hpp"

#include "weft/store/sqlite/delta_wal_log.hpp"
#include "weft/store/store.hpp"

#include <Poco/Logger.h>

#include <chrono>
#include <cstdlib>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace weft {

WalLimits WalLimits::from_environment() {
  WalLimits limits;
  if (const char* frames = std::getenv("WEFT_CHECKPOINT_AT_FRAMES"); frames && std::atoi(frames) > 0) {
    limits.start_at_frames = std::atoi(frames);
    limits.writer_waits_past_frames = limits.start_at_frames + limits.start_at_frames / 2;
  }
  return limits;
}

SqliteCheckpointer::SqliteCheckpointer(const std::string& path, SqliteDb& writer, WalLimits limits)
    : writer_(writer.handle()), db_(path, writer.wal()), database_(sqlite3_db_filename(writer.handle(), "main")), limits_(limits) {
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
  // Held for the checkpointer's life: closing a descriptor of the file drops every POSIX lock
  // this process holds on it, its connections' SQLite locks too (a later close by another
  // process would then find itself the last connection and remove the live WAL). -1: the
  // database file is synced by SQLite alone.
  database_fd_ = ::open(database_.c_str(), O_RDONLY | O_CLOEXEC);
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
  // those the last checkpoint did not cut
  scrubs_->failed_through(scrubs_->last_asked(), "the store closed before its WAL was cut after an erasure");
  if (database_fd_ >= 0) ::close(database_fd_);  // the store is closing: its writer commits nothing more
}

std::uint64_t SqliteCheckpointer::Scrubs::last_asked() {
  std::lock_guard lock(mutex);
  return asked;
}

void SqliteCheckpointer::Scrubs::cut_through(std::uint64_t ticket) {
  std::lock_guard lock(mutex);
  cut = std::max(cut, ticket);
  settled.notify_all();
}

void SqliteCheckpointer::Scrubs::failed_through(std::uint64_t ticket, std::string why) {
  std::lock_guard lock(mutex);
  if (ticket <= cut) return;
  failed = std::max(failed, ticket);
  failure = std::move(why);
  settled.notify_all();
}

std::int64_t SqliteCheckpointer::stored_bytes() const { return DeltaWalLog::stored_bytes(database_); }

void SqliteCheckpointer::before_write() {
  Cut due = Cut::due;
  if (cut_.load() == Cut::due && cut_.compare_exchange_strong(due, Cut::cutting)) cut_log(writer_);
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

std::function<void()> SqliteCheckpointer::scrub() {
  std::uint64_t ticket = 0;
  {
    std::lock_guard lock(scrubs_->mutex);
    ticket = ++scrubs_->asked;
  }
  {
    std::lock_guard lock(mutex_);
    scrub_wanted_ = pending_ = true;
  }
  wanted_.notify_one();
  return [scrubs = scrubs_, ticket] {
    std::unique_lock lock(scrubs->mutex);
    const auto settled = [&] { return scrubs->cut >= ticket || scrubs->failed >= ticket; };
    if (!scrubs->settled.wait_for(lock, std::chrono::seconds(10), settled))
      throw StoreError("the WAL was not cut within 10 s after an erasure");
    if (scrubs->cut < ticket) throw StoreError(scrubs->failure);
  };
}

// TRUNCATE: copies the frames left, syncs the database, and cuts the log to nothing, waiting
// at most 20 ms for the writer's lock or for readers of old frames (BUSY: tried again later),
// so that neither thread holds the other up. Settles every scrub asked for before it began.
bool SqliteCheckpointer::cut_log(sqlite3* db) {
  const std::uint64_t covers = scrubs_->last_asked();
  sqlite3_busy_timeout(db, 20);
  const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  sqlite3_busy_timeout(db, SqliteDb::busy_timeout_ms);
  if (rc != SQLITE_OK) {
    cut_.store(Cut::due);
    return false;
  }
  // SQLite does not sync its own WAL's truncation; an erasure's answer waits for this cut, and
  // a power loss must not bring the erased pages back (weft's log syncs its cut itself). The
  // -wal file carries no POSIX lock, so a descriptor of it may come and go.
  if (db_.wal() == SqliteWal::sqlite)
    if (const int fd = ::open((database_ + "-wal").c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
      ::fdatasync(fd);
      ::close(fd);
    }
  // The pages this connection keeps in memory may hold, in space no cell uses, older copies of
  // what the erasure deleted (unused_page_space.hpp); written again with a later change they
  // would bring them back into the log. Dropped, they are read again from the scrubbed file.
  // (Other connections drop theirs themselves: the cut changes the WAL index they see.)
  sqlite3_db_release_memory(db);
  wal_bytes_.store(0, std::memory_order_relaxed);
  wal_frames_.store(0, std::memory_order_relaxed);
  copied_frames_.store(0);
  phase_.store(Phase::idle);  // a round under way is moot
  cut_.store(Cut::none);
  scrubs_->cut_through(covers);
  return true;
}

// Copies the WAL in rounds until the writer would have few frames left to copy, then leaves the
// cut to the writer's next transaction; if none begins for a moment (an idle writer), cuts the
// log itself. Gives up after 2 s of BUSY (a reader holding old frames).
void SqliteCheckpointer::scrub_round() {
  for (int round = 0; round < 8; ++round) {
    int copied = 0;
    if (sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, &copied) != SQLITE_OK) break;
    sync_database();
    if (wal_frames_.load(std::memory_order_relaxed) - copied <= limits_.restart_within_frames) break;
  }
  const std::uint64_t target = scrubs_->last_asked();
  cut_.store(Cut::due);
  const auto give_up_at = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (true) {
    {
      std::unique_lock lock(scrubs_->mutex);
      if (scrubs_->settled.wait_for(lock, std::chrono::milliseconds(20), [&] { return scrubs_->cut >= target; })) return;
    }
    Cut due = Cut::due;
    if (cut_.compare_exchange_strong(due, Cut::cutting) && cut_log(db_.handle())) return;
    if (std::chrono::steady_clock::now() < give_up_at) continue;
    due = Cut::due;
    if (!cut_.compare_exchange_strong(due, Cut::none)) continue;  // the writer is cutting it
    scrubs_->failed_through(target, "the WAL could not be cut after an erasure: readers kept it busy for 2 s");
    return;
  }
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
  struct stat st {};
  if (database_fd_ < 0 || ::fstat(database_fd_, &st) != 0) return;  // SQLite's own sync, later, is the one that counts
  constexpr off_t piece = 8 << 20;
  for (off_t at = 0; at < st.st_size; at += piece)
    ::sync_file_range(database_fd_, at, piece, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
  ::fdatasync(database_fd_);
}

void SqliteCheckpointer::run() {
  while (true) {
    int mode = SQLITE_CHECKPOINT_PASSIVE;
    bool scrubbing = false;
    {
      std::unique_lock lock(mutex_);
      wanted_.wait(lock, [&] { return pending_ || stopping_; });
      if (restart_wanted_) mode = SQLITE_CHECKPOINT_RESTART;
      else if (stopping_ && !pending_) mode = SQLITE_CHECKPOINT_TRUNCATE;  // leave a short WAL behind
      else if (scrub_wanted_) {
        scrubbing = true;
        scrub_wanted_ = false;
      }
      pending_ = scrub_wanted_;  // a scrub asked for behind a restart comes next
    }
    if (scrubbing) {
      scrub_round();
      continue;
    }
    const std::uint64_t scrubs_asked = scrubs_->last_asked();  // what a last TRUNCATE settles
    // RESTART waits (the busy timeout) for readers of older frames; the writer waits for it.
    // BUSY: a reader held on; the next round picks the pages up.
    int copied = 0;  // frames of the WAL now in the database
    const int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, mode, nullptr, &copied);
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
        copied_frames_.store(copied);
        if (wal_frames_.load(std::memory_order_relaxed) - copied > limits_.restart_within_frames) wake();
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
    if (mode == SQLITE_CHECKPOINT_TRUNCATE) {
      if (rc == SQLITE_OK) scrubs_->cut_through(scrubs_asked);
      return;
    }
  }
}

}  // namespace weft
