// SQLite's write-ahead log, stored as deltas (issue 20). SQLite writes each page a commit
// changed whole into the WAL; this log keeps a frame as the bytes that differ from the last
// frame of the same page (frame_delta.hpp), and rebuilds the exact frame bytes when SQLite
// reads them, so SQLite (its checksums, recovery, checkpoints, WAL index) works as it always
// does on a "logical" WAL file that never exists on disk. Under the bench load this stores
// about a quarter of the WAL's bytes.
//
// The physical file (`<db>-dwal`; a stock sqlite3 must not take it for a WAL):
// - a 4 KiB header: magic "WEFTDWAL", version, generation;
// - then records, appended, each {magic, generation, sequence, kind, logical frame, page,
//   base record, payload size, checksum} and a payload: SQLite's 32-byte WAL header, a whole
//   frame (LZ4-compressed when that saves an eighth), a frame as a delta against an earlier
//   record of the same page and generation, or a truncation. The later record of a logical frame wins (SQLite rewrites frames of an open
//   transaction in place, and after a rollback).
// - SQLite writing its WAL header (offset 0) starts the WAL over: a new generation, written
//   from the file's start again over the old records, as SQLite reuses its WAL (rewriting a
//   file's blocks syncs faster than growing it). SQLite does that only once every frame was
//   copied into the database. A truncation to 0 (SQLite's TRUNCATE checkpoint) shrinks it.
// - A record is valid only with the current generation, the next sequence number and its
//   checksum: a torn tail (a crash mid-write) or an older generation ends the log there, and
//   the next writer writes over it. SQLite's frame checksums stay the last word, as with its
//   own WAL.
//
// One object per path and process, shared by its connections (open()). Other processes see
// the same file; a small shared file beside it (`<db>-dwal-shm`) says which process appends
// and how far, so that before each call a log reads only what another process appended.
// Writes come only from the connection that holds SQLite's WAL write lock; it encodes and
// appends a commit's records while readers go on, and locks them out only to publish the
// records in memory. Functions return SQLite result codes.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <string>
#include <unordered_map>
#include <vector>

namespace weft {

// A readers-writer lock whose writer goes first: glibc's default lets a stream of readers
// keep a writer out, and here 32 request threads read while one writer publishes commits.
class WriterFirstLock {
public:
  WriterFirstLock();
  ~WriterFirstLock();
  WriterFirstLock(const WriterFirstLock&) = delete;
  WriterFirstLock& operator=(const WriterFirstLock&) = delete;
  void lock() { pthread_rwlock_wrlock(&lock_); }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

private:
  pthread_rwlock_t lock_;
};

class DeltaWalLog {
public:
  // The log of the store at `database`: `<database>-dwal`, created if missing. A stock WAL
  // beside the store (`<database>-wal`, left by an older weft) is taken in first and removed,
  // so that no commit in it is lost.
  static std::shared_ptr<DeltaWalLog> open(const std::string& database, int& rc);
  DeltaWalLog(const DeltaWalLog&) = delete;
  DeltaWalLog& operator=(const DeltaWalLog&) = delete;
  ~DeltaWalLog();

  // The logical WAL file, as SQLite's xRead, xWrite, xTruncate, xSync and xFileSize see it.
  int read(void* out, int amount, std::int64_t offset);
  struct Write {
    std::int64_t offset;
    const char* data;
    std::int64_t size;
  };
  int write(const std::vector<Write>& writes);  // in order: where two overlap, the later wins
  int write(const char* data, std::int64_t size, std::int64_t offset) { return write({{offset, data, size}}); }
  int truncate(std::int64_t size);
  int sync(bool data_only);
  int logical_size(std::int64_t& size);

  // Why the last open() on this thread failed, when it can say more than its result code;
  // cleared by the call.
  static std::string take_open_error();

  // Bytes of the log of `database` in use (its current generation) as this process last saw
  // them; 0 when no connection of this process has it open. For the checkpointer.
  static std::int64_t stored_bytes(const std::string& database);

private:
  struct Record {
    std::int64_t pos;       // of the record's header in the file
    std::uint32_t payload;  // bytes after the header
    std::int32_t base;      // record this delta applies to; -1: whole
    std::uint32_t page;
    std::uint16_t depth;    // deltas between this record and a whole one
    std::uint8_t kind;
  };
  struct Cached {
    std::int32_t record;
    std::string image;
  };

  static std::mutex& registry_mutex();
  static std::unordered_map<std::string, std::weak_ptr<DeltaWalLog>>& registry();

  DeltaWalLog(int fd, std::string path);
  std::uint64_t hint_owner() const;
  std::int64_t hint_end_now() const;
  void publish_end();  // exclusive lock held
  void take_over();    // exclusive lock held: this process appends from now on
  int initialise(const std::string& database);
  int create_header();                                 // flock held
  int take_in_stock_wal(const std::string& stock_wal);  // flock held
  bool stale() const;
  int refresh();                 // exclusive lock held
  void reset(std::uint32_t generation);
  int scan();
  int rebuild(std::int32_t record, std::string& image) const;
  int begin_generation(const char* wal_header);  // nullptr: an empty WAL
  struct Pending {
    Record record;
    std::uint32_t frame;
    std::string image;  // empty for a patch (part of a frame written over its record)
    std::string patch;  // a patch's runs over its base
  };
  int write_frames(const std::vector<Write>& writes);
  int encode(const std::vector<Write>& writes, std::string& batch, std::vector<Pending>& pending) const;
  void remember(const Record& record, std::uint32_t frame, std::string image);
  void take_wal_header(const char* header);            // SQLite's 32 bytes: the page size
  const std::string* cached_image(std::int32_t record) const;  // its image, when the cache has it
  std::string spare_image() const;          // an image's memory to reuse (empty when none is kept)
  void keep_spare(std::string image);         // memory of an image no longer needed, for spare_image
  std::int64_t frame_size() const { return 24 + static_cast<std::int64_t>(page_size_); }

  int fd_;
  std::string path_;
  std::uint32_t pid_;  // of the process that opened it (a child of fork() opens its own)
  // Names this log object in the hint: random, since a pid is no identity across containers
  // that share a volume (each weft may be PID 1 in its own).
  std::uint64_t owner_token_;
  // `<log>-shm`, shared by the processes and never synced: which log object appends (its
  // owner token) and where its last append ended. Readers of the appending object trust what
  // they know; the others scan when the end moved.
  int hint_fd_ = -1;
  char* hint_ = nullptr;
  std::int64_t seen_end_ = 0;      // the hint's end at the last scan
  std::atomic<std::int64_t> used_{0};
  const volatile char* header_ = nullptr;  // the file's first 4 KiB, mapped: the generation
  mutable WriterFirstLock mutex_;

  std::uint32_t generation_ = 0;
  bool has_wal_header_ = false;
  char wal_header_[32] = {};
  std::uint32_t page_size_ = 0;
  std::int64_t scanned_end_ = 0;   // end of the last valid record
  std::vector<Record> records_;
  std::vector<std::int32_t> frames_;  // logical frame -> its latest record, -1: none
  struct PageRecords {
    std::int32_t latest = -1;  // its last frame's record
    std::int32_t whole = -1;   // its last whole frame's
  };
  std::unordered_map<std::uint32_t, PageRecords> pages_;
  std::unordered_map<std::uint32_t, Cached> cache_;  // page -> image of its latest record
  // The writer takes (encode, under mutex_ shared), remember gives (under mutex_ exclusive).
  mutable std::mutex spare_mutex_;
  mutable std::vector<std::string> spare_images_;
};

}  // namespace weft
