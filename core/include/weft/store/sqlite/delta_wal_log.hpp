// SQLite's write-ahead log, stored as deltas (issue 20). SQLite writes each page a commit
// changed whole into the WAL; this log keeps a frame as the bytes that differ from the last
// frame of the same page (frame_delta.hpp), and rebuilds the exact frame bytes when SQLite
// reads them, so SQLite (its checksums, recovery, checkpoints, WAL index) works as it always
// does on a "logical" WAL file that never exists on disk. Under the bench load this stores
// about a quarter of the WAL's bytes.
//
// The physical file (`<db>-dwal`; a stock sqlite3 must not take it for a WAL):
// - a 4 KiB header: magic "WEFTDWAL", version, generation, and the process that appends (its
//   pid and an epoch that moves when another process takes over);
// - then records, appended, each {magic, generation, sequence, kind, logical frame, page,
//   base record, payload size, checksum} and a payload: SQLite's 32-byte WAL header, a whole
//   frame, a frame as a delta against an earlier record of the same generation, or a
//   truncation. The later record of a logical frame wins (SQLite rewrites frames of an open
//   transaction in place, and after a rollback).
// - SQLite writing its WAL header (offset 0) starts the WAL over: a new generation, the old
//   records cut off. SQLite does that only once every frame was copied into the database.
// - A record is valid only with the current generation, the next sequence number and its
//   checksum: a torn tail (a crash mid-write) ends the log there, and the next writer cuts
//   it off before it appends. SQLite's frame checksums stay the last word, as with its WAL.
//
// One object per path and process, shared by its connections (open()); other processes see
// the same file: before each call the log checks the header's generation and the file's size
// and reads the records it has not seen. Writes come only from the connection that holds
// SQLite's WAL write lock; it encodes and appends a commit's records while readers go on, and
// locks them out only to publish the records in memory. Functions return SQLite result codes.
#pragma once

#include <climits>
#include <cstdint>
#include <memory>
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
  int write(const char* data, std::int64_t size, std::int64_t offset);
  int truncate(std::int64_t size);
  int sync(bool data_only);
  int logical_size(std::int64_t& size);

  // Bytes of the physical file (tests, metrics).
  std::int64_t stored_bytes();

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

  DeltaWalLog(int fd, std::string path);
  int initialise(const std::string& stock_wal);
  bool stale() const;
  int refresh();                 // exclusive lock held
  void reset(std::uint32_t generation);
  int scan();
  int rebuild(std::int32_t record, std::string& image) const;
  int begin_generation(const char* wal_header);  // nullptr: an empty WAL
  struct Pending {
    Record record;
    std::uint32_t frame;
    std::string image;
  };
  int write_frames(const char* data, std::int64_t size, std::int64_t offset);
  int encode(const char* data, std::int64_t size, std::int64_t offset, std::string& batch, std::vector<Pending>& pending) const;
  void remember(const Record& record, std::uint32_t frame, std::string image);
  std::int64_t frame_size() const { return 24 + static_cast<std::int64_t>(page_size_); }

  int fd_;
  std::string path_;
  std::uint32_t pid_;                      // of this process
  std::uint32_t known_epoch_ = 0;          // the header's writer epoch at the last scan
  const volatile char* header_ = nullptr;  // the file's first 4 KiB, mapped: the generation
  mutable WriterFirstLock mutex_;

  std::uint32_t generation_ = 0;
  bool has_wal_header_ = false;
  char wal_header_[32] = {};
  std::uint32_t page_size_ = 0;
  std::int64_t scanned_end_ = 0;   // end of the last valid record
  std::int64_t seen_size_ = 0;     // file size when last scanned
  std::vector<Record> records_;
  std::vector<std::int32_t> frames_;  // logical frame -> its latest record, -1: none
  std::unordered_map<std::uint32_t, std::int32_t> latest_of_page_;
  std::unordered_map<std::uint32_t, Cached> cache_;  // page -> image of its latest record
};

}  // namespace weft
