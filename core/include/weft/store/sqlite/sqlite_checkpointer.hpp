// Moves SQLite's WAL checkpoints off the writer's thread. With the default auto-checkpoint,
// the COMMIT that crosses 1,000 WAL pages copies them into the database file and fsyncs it
// while every client of that batch waits (weft serve's p99 was ~9.5 ms because of it, 5-6 ms
// without). Here the writer only appends to the WAL, and this thread copies pages back in the
// background (PASSIVE: it never blocks the writer), so a page changed by many commits is
// copied once per round.
//
// SQLite can start the WAL file over only when a write transaction begins after every frame
// was copied back, which a writer that is never idle never allows by itself: a round ends
// behind the commits that came during it. Copying them at once, round after round, rewrote
// the hot pages of every commit (weft serve wrote 3.3-4.3 KB per event into the database file
// that way, issue 20). So a round goes on with short rounds until fewer than
// `restart_within_frames` frames are left, syncs the database file, and the writer copies the
// rest itself before its next transaction, which then starts the log over (a few ms).
//
// The writer also bounds the WAL: if the rounds fall behind (a reader holds an old snapshot, a
// slow disk), a writer whose last commit left more than `writer_waits_past_*` in the WAL asks
// this thread for a RESTART checkpoint and waits for it before its next transaction. (The
// writer cannot run that one itself: SQLite answers BUSY at once to a second checkpoint while
// a round runs.) weft ingest's WAL grew to 10 GB during 3,000,000 events without this.
//
// An erasure's scrub (SPEC 14) cuts the WAL to nothing, so that no old image of an erased
// page stays in it. It is done the same way: this thread copies and syncs in the background,
// and the writer copies the last frames and cuts the log before its next transaction, or this
// thread does when the writer is idle. (Cut on the writer's thread at once, it held every
// client for the whole WAL's copy: a p99 of 170-210 ms under the bench load.)
#pragma once

#include "weft/store/sqlite/sqlite.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace weft {

// A round starts once a commit leaves `start_at_bytes` in the WAL's file (its stored size:
// the log keeps deltas, delta_wal_log.hpp) or `start_at_frames` frames in the WAL as SQLite
// counts them. Longer rounds let a hot page changed by many commits be copied once (weft
// serve under the bench load wrote ~4.3 KB per event into the database file with rounds every
// 32 MiB of frames, ~2-3 KB with rounds every 128 MiB: issue 20), and each round starts the
// log over, where a page's first frame is stored whole. The frame bound keeps SQLite's WAL
// index small: a read of a page looks through all of it (weft ingest of 3,000,000 events ran
// at ~0.65 of its speed with the log bounded by stored bytes alone). Past either
// `writer_waits_past_*` the writer waits for a restart (see above); a round leaves at most
// `restart_within_frames` to the writer.
struct WalLimits {
  std::int64_t start_at_bytes = 384 << 20;
  std::int64_t writer_waits_past_bytes = std::int64_t{1} << 30;
  int start_at_frames = 256 * 1024;
  int writer_waits_past_frames = 384 * 1024;
  int restart_within_frames = 256;

  // The defaults, with rounds from WEFT_CHECKPOINT_AT_FRAMES frames when it is set (tests that
  // need rounds under a small load: the power-loss test; the writer then waits past 1.5 times).
  static WalLimits from_environment();
};

class SqliteCheckpointer {
public:
  // Opens its own connection to `path`; `writer` stops checkpointing by itself.
  SqliteCheckpointer(const std::string& path, SqliteDb& writer, WalLimits limits = {});
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;
  // Runs a last checkpoint, then joins the thread.
  ~SqliteCheckpointer();

  // Called by the writer before it begins a transaction (see above).
  void before_write();

  // Asks for the WAL to be cut to nothing after every transaction committed before this call
  // was copied into the database (see above), and returns the wait for it: any thread may run
  // it; it throws StoreError when the log could not be cut within seconds.
  std::function<void()> scrub();

private:
  void wake();
  void run();
  void scrub_round();
  bool cut_log(sqlite3* db);
  void sync_database() const;

  std::int64_t stored_bytes() const;

  sqlite3* writer_;
  SqliteDb db_;
  std::string database_;
  int database_fd_ = -1;  // for sync_database(); see the constructor
  WalLimits limits_;
  std::atomic<std::int64_t> wal_bytes_{0};  // stored, as the writer's last commit left it
  std::atomic<int> wal_frames_{0};         // frames, likewise
  // A round: a commit past a start_at_* bound moves idle -> copying; the PASSIVE rounds, done,
  // -> restart_due; the writer's next before_write() copies the rest, -> idle.
  enum class Phase { idle, copying, restart_due };
  std::atomic<Phase> phase_{Phase::idle};
  std::atomic<int> copied_frames_{0};  // by the last round
  // Scrubs asked for, and through which one the log was cut (or given up on). Shared with the
  // waits, which may outlive this object.
  struct Scrubs {
    std::uint64_t last_asked();
    // Settles the scrubs up to `ticket`: their waits return, or throw `why`.
    void cut_through(std::uint64_t ticket);
    void failed_through(std::uint64_t ticket, std::string why);

    std::mutex mutex;
    std::condition_variable settled;
    std::uint64_t asked = 0;
    std::uint64_t cut = 0;
    std::uint64_t failed = 0;
    std::string failure;
  };
  std::shared_ptr<Scrubs> scrubs_ = std::make_shared<Scrubs>();
  // A scrub's cut: none -> due (this thread copied and synced) -> cutting, by the writer's
  // before_write() or, when the writer is idle, by this thread -> none (or due, when the
  // checkpoint answered BUSY).
  enum class Cut { none, due, cutting };
  std::atomic<Cut> cut_{Cut::none};
  std::mutex mutex_;
  std::condition_variable wanted_;
  std::condition_variable restarted_;
  bool pending_ = false;
  bool restart_wanted_ = false;
  bool scrub_wanted_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace weft
