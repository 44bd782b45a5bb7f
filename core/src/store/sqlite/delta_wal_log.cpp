#include "weft/store/sqlite/delta_wal_log.hpp"

#include "weft/store/sqlite/frame_delta.hpp"

#include <lz4.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <utility>

namespace weft {
namespace {

constexpr std::int64_t header_bytes = 4096;  // one page, mapped by every process
constexpr std::int64_t record_header_bytes = 40;
constexpr std::uint32_t file_version = 1;
constexpr char file_magic[8] = {'W', 'E', 'F', 'T', 'D', 'W', 'A', 'L'};
constexpr std::uint32_t record_magic = 0x31524457;  // "WDR1"
constexpr std::uint16_t max_depth = 16;             // deltas read to rebuild a frame, at most
constexpr std::size_t cached_pages = 16384;         // latest images kept (64 MiB of 4 KiB pages)
constexpr std::size_t max_spare_images = 512;       // images kept for reuse (spare_image)

// A frame is stored whole, whole and compressed (LZ4: B-tree pages shrink to ~0.45 in ~4 us),
// or as a delta.
enum Kind : std::uint8_t { wal_header_record = 1, whole_frame = 2, delta_frame = 3, truncation = 4, compressed_frame = 5 };

bool self_contained(std::uint32_t kind) { return kind == whole_frame || kind == compressed_frame; }

void put32(char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void put64(char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
std::uint32_t get32(const volatile char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}
std::uint64_t get64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}
std::uint32_t big_endian32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return std::uint32_t{u[0]} << 24 | std::uint32_t{u[1]} << 16 | std::uint32_t{u[2]} << 8 | u[3];
}

bool valid_page_size(std::uint32_t size) { return size >= 512 && size <= 65536 && (size & (size - 1)) == 0; }

struct RecordHeader {
  std::uint32_t generation, sequence, kind, frame, page;
  std::int32_t base;
  std::uint32_t payload;
};

// A record's checksum: over its header's first 32 bytes and its payload.
std::uint64_t record_checksum(const char* header, std::string_view payload) {
  return frame_delta::checksum(payload, frame_delta::checksum({header, 32}, 0));
}

// The 40 bytes before a payload.
void encode_header(char* out, const RecordHeader& h, std::string_view payload) {
  put32(out, record_magic);
  put32(out + 4, h.generation);
  put32(out + 8, h.sequence);
  put32(out + 12, h.kind);
  put32(out + 16, h.frame);
  put32(out + 20, h.page);
  put32(out + 24, static_cast<std::uint32_t>(h.base));
  put32(out + 28, h.payload);
  put64(out + 32, record_checksum(out, payload));
}

int read_all(int fd, char* out, std::int64_t size, std::int64_t offset) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, out, static_cast<std::size_t>(size), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n == 0 ? SQLITE_IOERR_SHORT_READ : SQLITE_IOERR_READ;
    out += n;
    size -= n;
    offset += n;
  }
  return SQLITE_OK;
}

int write_all(int fd, const char* data, std::int64_t size, std::int64_t offset) {
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, data, static_cast<std::size_t>(size), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == ENOSPC ? SQLITE_FULL : SQLITE_IOERR_WRITE;
    data += n;
    size -= n;
    offset += n;
  }
  return SQLITE_OK;
}

std::int64_t file_size(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? static_cast<std::int64_t>(st.st_size) : -1;
}

// A new or removed file is durable only once its directory is synced.
void sync_directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Opens (creating) a file of the store's as SQLite's own VFS opens its -wal and -shm: with the
// database's permissions, and, when weft runs as root, owned by the database's owner, so that
// a service user can still open what a root process created.
int open_beside_database(const std::string& path, const std::string& database) {
  struct stat db {};
  const bool known = ::stat(database.c_str(), &db) == 0;
  const mode_t mode = known ? (db.st_mode & 0777) : 0644;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, mode);
  if (fd < 0 || !known) return fd;
  struct stat made {};
  if (::fstat(fd, &made) == 0 && made.st_size == 0) {
    if ((made.st_mode & 0777) != mode) ::fchmod(fd, mode);  // the umask took bits away
    if (::geteuid() == 0 && (made.st_uid != db.st_uid || made.st_gid != db.st_gid)) {
      [[maybe_unused]] const int ignored = ::fchown(fd, db.st_uid, db.st_gid);  // as SQLite: best effort
    }
  }
  return fd;
}

// The file header's 16 bytes: magic, version, generation.
void encode_file_header(char* out, std::uint32_t generation) {
  std::memcpy(out, file_magic, 8);
  put32(out + 8, file_version);
  put32(out + 12, generation);
}

int write_file_header(int fd, std::uint32_t generation) {
  char header[16];
  encode_file_header(header, generation);
  return write_all(fd, header, sizeof header, 0);
}

thread_local std::string payload_buffer;

// The hint file's fields: the appending log object's token and the end of its last append.
constexpr std::size_t hint_owner_at = 0, hint_end = 8;

std::uint64_t new_owner_token() {
  std::random_device random;
  std::uint64_t token = 0;
  while (token == 0) token = std::uint64_t{random()} << 32 | random();  // 0: a hint nobody wrote
  return token;
}

}  // namespace

WriterFirstLock::WriterFirstLock() {
  pthread_rwlockattr_t attributes;
  pthread_rwlockattr_init(&attributes);
  pthread_rwlockattr_setkind_np(&attributes, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(&lock_, &attributes);
  pthread_rwlockattr_destroy(&attributes);
}

WriterFirstLock::~WriterFirstLock() { pthread_rwlock_destroy(&lock_); }

std::mutex& DeltaWalLog::registry_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::unordered_map<std::string, std::weak_ptr<DeltaWalLog>>& DeltaWalLog::registry() {
  static std::unordered_map<std::string, std::weak_ptr<DeltaWalLog>> logs;
  return logs;
}

std::shared_ptr<DeltaWalLog> DeltaWalLog::open(const std::string& database, int& rc) {
  const std::string path = database + "-dwal";
  std::lock_guard lock(registry_mutex());
  auto& registry = DeltaWalLog::registry();
  if (auto live = registry[path].lock(); live && live->pid_ == static_cast<std::uint32_t>(::getpid())) {
    rc = SQLITE_OK;
    return live;
  }  // (one inherited through fork() is the parent's)
  const int fd = open_beside_database(path, database);
  if (fd < 0) {
    rc = SQLITE_CANTOPEN;
    return nullptr;
  }
  std::shared_ptr<DeltaWalLog> log(new DeltaWalLog(fd, path));
  rc = log->initialise(database);
  if (rc != SQLITE_OK) return nullptr;
  registry[path] = log;
  for (auto it = registry.begin(); it != registry.end();) it = it->second.expired() ? registry.erase(it) : std::next(it);
  return log;
}

DeltaWalLog::DeltaWalLog(int fd, std::string path)
    : fd_(fd), path_(std::move(path)), pid_(static_cast<std::uint32_t>(::getpid())), owner_token_(new_owner_token()) {}

DeltaWalLog::~DeltaWalLog() {
  if (header_) ::munmap(const_cast<char*>(header_), header_bytes);
  if (hint_) ::munmap(hint_, header_bytes);
  if (hint_fd_ >= 0) ::close(hint_fd_);
  ::close(fd_);
}

std::uint64_t DeltaWalLog::hint_owner() const {
  return __atomic_load_n(reinterpret_cast<const std::uint64_t*>(hint_ + hint_owner_at), __ATOMIC_ACQUIRE);
}

std::int64_t DeltaWalLog::hint_end_now() const {
  return __atomic_load_n(reinterpret_cast<const std::int64_t*>(hint_ + hint_end), __ATOMIC_ACQUIRE);
}

void DeltaWalLog::publish_end() {
  __atomic_store_n(reinterpret_cast<std::int64_t*>(hint_ + hint_end), scanned_end_, __ATOMIC_RELEASE);
  used_.store(scanned_end_, std::memory_order_relaxed);
}

void DeltaWalLog::take_over() {
  if (hint_owner() != owner_token_)
    __atomic_store_n(reinterpret_cast<std::uint64_t*>(hint_ + hint_owner_at), owner_token_, __ATOMIC_RELEASE);
}

std::int64_t DeltaWalLog::stored_bytes(const std::string& database) {
  std::lock_guard lock(registry_mutex());
  const auto found = registry().find(database + "-dwal");
  const auto log = found == registry().end() ? nullptr : found->second.lock();
  return log ? log->used_.load(std::memory_order_relaxed) : 0;
}

int DeltaWalLog::initialise(const std::string& database) {
  // Another process may be creating the same file: one at a time writes its header.
  while (::flock(fd_, LOCK_EX) != 0)
    if (errno != EINTR) return SQLITE_IOERR_LOCK;
  int rc = create_header();
  if (rc == SQLITE_OK) {
    void* mapped = ::mmap(nullptr, header_bytes, PROT_READ, MAP_SHARED, fd_, 0);
    if (mapped == MAP_FAILED) rc = SQLITE_IOERR_SHMMAP;
    else header_ = static_cast<const volatile char*>(mapped);
  }
  // The hint: memory shared by the processes, never synced (a crash leaves nothing to trust
  // in it but a hint: records are read and checked either way).
  if (rc == SQLITE_OK) {
    hint_fd_ = open_beside_database(path_ + "-shm", database);
    if (hint_fd_ < 0 || (file_size(hint_fd_) < header_bytes && ::ftruncate(hint_fd_, header_bytes) != 0)) rc = SQLITE_CANTOPEN;
  }
  if (rc == SQLITE_OK) {
    void* mapped = ::mmap(nullptr, header_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, hint_fd_, 0);
    if (mapped == MAP_FAILED) rc = SQLITE_IOERR_SHMMAP;
    else hint_ = static_cast<char*>(mapped);
  }
  if (rc == SQLITE_OK) {
    std::unique_lock lock(mutex_);
    rc = refresh();
  }
  if (rc == SQLITE_OK) rc = take_in_stock_wal(database + "-wal");
  ::flock(fd_, LOCK_UN);
  return rc;
}

int DeltaWalLog::create_header() {
  char first[16] = {};
  const std::int64_t size = file_size(fd_);
  if (size < 0 || (size >= 16 && read_all(fd_, first, 16, 0) != SQLITE_OK)) return SQLITE_IOERR_READ;
  if (std::all_of(std::begin(first), std::end(first), [](char c) { return c == 0; })) {
    // New, or its header never reached the disk (a crash while it was made: the file's size
    // may have, its bytes not); records come only after it was synced, so there are none.
    // The header page is written whole, in one call, before anything else.
    std::string page(static_cast<std::size_t>(header_bytes), '\0');
    encode_file_header(page.data(), 1);
    if (const int rc = write_all(fd_, page.data(), header_bytes, 0); rc != SQLITE_OK) return rc;
    if (::fdatasync(fd_) != 0) return SQLITE_IOERR_FSYNC;
    sync_directory_of(path_);
    return SQLITE_OK;
  }
  if (std::memcmp(first, file_magic, 8) != 0 || get32(first + 8) != file_version) return SQLITE_NOTADB;  // not ours
  if (size < header_bytes && ::ftruncate(fd_, header_bytes) != 0) return SQLITE_IOERR_TRUNCATE;  // its tail was lost
  return SQLITE_OK;
}

namespace {
thread_local std::string open_error;
}  // namespace

std::string DeltaWalLog::take_open_error() { return std::exchange(open_error, {}); }

int DeltaWalLog::take_in_stock_wal(const std::string& stock_wal) {
  // A stock WAL beside the store (an older weft, SQLite's own WAL kept with `?wal=sqlite`, or
  // a crash while one was taken in) holds the latest commits: its bytes become this log's,
  // then it goes.
  struct stat stock {};
  if (::stat(stock_wal.c_str(), &stock) != 0 || stock.st_size < 32) return SQLITE_OK;
  const int in = ::open(stock_wal.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return SQLITE_CANTOPEN;
  std::string chunk(32, '\0');
  int rc = read_all(in, chunk.data(), 32, 0);
  // Unless this log holds frames of another WAL: two histories of one store, each with commits
  // the other lacks, and no order in which both are right. Taking either in would lose the
  // other's (the stock one used to win); the store stays as it is for a person to decide.
  if (rc == SQLITE_OK && !frames_.empty() && std::memcmp(chunk.data(), wal_header_, 32) != 0) {
    open_error = stock_wal + " and " + path_ +
                 " both hold commits of this store that the database file lacks; weft takes in neither (move the one "
                 "to keep aside, or the other away, with every process of the store stopped)";
    rc = SQLITE_CANTOPEN;
  }
  for (std::int64_t at = 0; rc == SQLITE_OK && at < stock.st_size && (at == 0 || page_size_ != 0);) {
    // the WAL header first (it gives the page size), then whole frames, 64 at a time
    const std::int64_t want = at == 0 ? 32 : std::min<std::int64_t>(stock.st_size - at, 64 * frame_size());
    chunk.resize(static_cast<std::size_t>(want));
    rc = read_all(in, chunk.data(), want, at);
    if (rc == SQLITE_OK) rc = write(chunk.data(), want, at);
    at += want;
  }
  ::close(in);
  if (rc == SQLITE_OK) rc = sync(false);
  if (rc == SQLITE_OK && ::unlink(stock_wal.c_str()) != 0) rc = SQLITE_IOERR_DELETE;
  if (rc == SQLITE_OK) sync_directory_of(stock_wal);
  return rc;
}

bool DeltaWalLog::stale() const {
  if (get32(header_ + 12) != generation_) return true;
  // Only this object appended since it took over: what it knows is all there is.
  if (hint_owner() == owner_token_) return false;
  return hint_end_now() != seen_end_;
}

int DeltaWalLog::refresh() {
  if (!stale()) return SQLITE_OK;
  const std::uint32_t generation = get32(header_ + 12);
  if (generation != generation_) reset(generation);
  return scan();
}

void DeltaWalLog::reset(std::uint32_t generation) {
  generation_ = generation;
  has_wal_header_ = false;
  page_size_ = 0;
  scanned_end_ = header_bytes;
  records_.clear();
  frames_.clear();
  pages_.clear();
  cache_.clear();
}

int DeltaWalLog::scan() {
  // the hint before the records: a change after this shows in stale()
  seen_end_ = hint_end_now();
  char raw[record_header_bytes];
  std::string& payload = payload_buffer;
  while (true) {
    if (read_all(fd_, raw, record_header_bytes, scanned_end_) != SQLITE_OK) break;
    RecordHeader h{get32(raw + 4), get32(raw + 8), get32(raw + 12), get32(raw + 16), get32(raw + 20),
                   static_cast<std::int32_t>(get32(raw + 24)), get32(raw + 28)};
    const std::int64_t frame = frame_size();
    const bool framed = page_size_ != 0;
    const bool fits = get32(raw) == record_magic && h.generation == generation_ && h.sequence == records_.size() &&
                      ((h.kind == wal_header_record && h.payload == 32 && !has_wal_header_) ||
                       (h.kind == whole_frame && framed && h.payload == frame) ||
                       (h.kind == compressed_frame && framed && h.payload < frame) ||
                       (h.kind == delta_frame && framed && h.payload <= frame + 64 && h.base >= 0 &&
                        static_cast<std::size_t>(h.base) < records_.size() && records_[h.base].page == h.page &&
                        records_[h.base].depth < max_depth) ||
                       (h.kind == truncation && h.payload == 0));
    if (!fits) break;
    payload.resize(h.payload);
    if (read_all(fd_, payload.data(), h.payload, scanned_end_ + record_header_bytes) != SQLITE_OK) break;
    if (record_checksum(raw, payload) != get64(raw + 32)) break;
    Record record{scanned_end_, h.payload, -1, h.page, 0, static_cast<std::uint8_t>(h.kind)};
    if (h.kind == wal_header_record) {
      take_wal_header(payload.data());
      records_.push_back(record);
    } else if (h.kind == truncation) {
      if (frames_.size() > h.frame) frames_.resize(h.frame);
      records_.push_back(record);
    } else {
      if (h.kind == delta_frame) {
        record.base = h.base;
        record.depth = static_cast<std::uint16_t>(records_[h.base].depth + 1);
      }
      cache_.erase(h.page);  // its image is of an older record now
      remember(record, h.frame, {});
    }
    scanned_end_ += record_header_bytes + h.payload;
  }
  used_.store(scanned_end_, std::memory_order_relaxed);
  return SQLITE_OK;
}

void DeltaWalLog::take_wal_header(const char* header) {
  std::memcpy(wal_header_, header, 32);
  has_wal_header_ = true;
  const std::uint32_t page = big_endian32(header + 8);  // SQLite's page size
  page_size_ = valid_page_size(page) ? page : 0;
}

const std::string* DeltaWalLog::cached_image(std::int32_t record) const {
  if (record < 0) return nullptr;
  const auto cached = cache_.find(records_[record].page);
  return cached != cache_.end() && cached->second.record == record ? &cached->second.image : nullptr;
}

void DeltaWalLog::remember(const Record& record, std::uint32_t frame, std::string image) {
  const auto index = static_cast<std::int32_t>(records_.size());
  records_.push_back(record);
  if (frames_.size() <= frame) frames_.resize(frame + 1, -1);
  frames_[frame] = index;
  PageRecords& of_page = pages_[record.page];
  of_page.latest = index;
  if (self_contained(record.kind)) of_page.whole = index;
  if (image.empty()) return;
  if (const auto cached = cache_.find(record.page); cached != cache_.end()) {
    keep_spare(std::move(cached->second.image));
    cached->second = Cached{index, std::move(image)};
    return;
  }
  if (cache_.size() >= cached_pages) {  // any will do
    keep_spare(std::move(cache_.begin()->second.image));
    cache_.erase(cache_.begin());
  }
  cache_.emplace(record.page, Cached{index, std::move(image)});
}

// A page's image is 4 KiB (the page and its frame header): above what malloc keeps in its
// per-thread cache, so each allocation and free of one took its locked paths (~7 % of the
// committer's time under the Slack load, perf). The images a commit replaces in the cache are
// kept for the next commit's frames instead.
std::string DeltaWalLog::spare_image() const {
  std::lock_guard lock(spare_mutex_);
  if (spare_images_.empty()) return {};
  std::string image = std::move(spare_images_.back());
  spare_images_.pop_back();
  return image;
}

void DeltaWalLog::keep_spare(std::string image) {
  if (image.empty()) return;  // no page's memory (a moved-from string keeps only its inline buffer)
  std::lock_guard lock(spare_mutex_);
  if (spare_images_.size() < max_spare_images) spare_images_.push_back(std::move(image));
}

int DeltaWalLog::rebuild(std::int32_t record, std::string& image) const {
  std::int32_t chain[max_depth + 1];
  int length = 0;
  std::int32_t at = record;
  image.resize(static_cast<std::size_t>(frame_size()));
  while (true) {
    const Record& r = records_[at];
    if (const std::string* cached = cached_image(at)) {
      image = *cached;
      break;
    }
    if (r.kind == whole_frame) {
      if (const int rc = read_all(fd_, image.data(), r.payload, r.pos + record_header_bytes); rc != SQLITE_OK)
        return SQLITE_IOERR_READ;
      break;
    }
    if (r.kind == compressed_frame) {
      std::string& compressed = payload_buffer;
      compressed.resize(r.payload);
      if (read_all(fd_, compressed.data(), r.payload, r.pos + record_header_bytes) != SQLITE_OK) return SQLITE_IOERR_READ;
      const int size = static_cast<int>(image.size());
      if (LZ4_decompress_safe(compressed.data(), image.data(), static_cast<int>(r.payload), size) != size) return SQLITE_CORRUPT;
      break;
    }
    if (r.kind != delta_frame || length > max_depth) return SQLITE_CORRUPT;
    chain[length++] = at;
    at = r.base;
  }
  std::string& delta = payload_buffer;
  while (length > 0) {
    const Record& r = records_[chain[--length]];
    delta.resize(r.payload);
    if (read_all(fd_, delta.data(), r.payload, r.pos + record_header_bytes) != SQLITE_OK) return SQLITE_IOERR_READ;
    if (!frame_delta::apply(delta, image.data(), image.size())) return SQLITE_CORRUPT;
  }
  return SQLITE_OK;
}

int DeltaWalLog::read(void* out, int amount, std::int64_t offset) {
  const auto read_locked = [&]() -> int {
    char* dest = static_cast<char*>(out);
    std::memset(dest, 0, static_cast<std::size_t>(amount));
    const std::int64_t frame = frame_size();
    const std::int64_t logical = has_wal_header_ ? 32 + static_cast<std::int64_t>(frames_.size()) * frame : 0;
    const std::int64_t end = offset + amount;
    std::int64_t at = offset;
    if (at < 32 && has_wal_header_) {
      const std::int64_t take = std::min<std::int64_t>(32, end) - at;
      std::memcpy(dest, wal_header_ + at, static_cast<std::size_t>(take));
      at += take;
    }
    thread_local std::string image;
    while (at < std::min(end, logical)) {
      const std::int64_t index = (at - 32) / frame;
      const std::int64_t within = (at - 32) % frame;
      const std::int64_t take = std::min(frame - within, std::min(end, logical) - at);
      if (const std::int32_t record = frames_[static_cast<std::size_t>(index)]; record >= 0) {
        const std::string* from = cached_image(record);  // the latest image of the page: most reads
        if (!from) {
          if (const int rc = rebuild(record, image); rc != SQLITE_OK) return rc;
          from = &image;
        }
        std::memcpy(dest + (at - offset), from->data() + within, static_cast<std::size_t>(take));
      }
      at += take;
    }
    return end > logical ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
  };
  {
    std::shared_lock lock(mutex_);
    if (!stale()) return read_locked();
  }
  std::unique_lock lock(mutex_);
  if (const int rc = refresh(); rc != SQLITE_OK) return rc;
  return read_locked();
}

int DeltaWalLog::begin_generation(const char* wal_header) {
  const std::uint32_t generation = generation_ + 1;
  // The records of the old generation stay where they are until overwritten (rewriting a
  // file's blocks syncs faster than growing it); their generation tells them apart.
  if (const int rc = write_file_header(fd_, generation); rc != SQLITE_OK) return rc;
  reset(generation);
  if (!wal_header) {
    publish_end();
    return SQLITE_OK;
  }
  std::string record(record_header_bytes, '\0');
  record.append(wal_header, 32);
  encode_header(record.data(), {generation, 0, wal_header_record, 0, 0, -1, 32}, {wal_header, 32});
  if (const int rc = write_all(fd_, record.data(), static_cast<std::int64_t>(record.size()), header_bytes); rc != SQLITE_OK)
    return rc;
  take_wal_header(wal_header);
  records_.push_back({header_bytes, 32, -1, 0, 0, wal_header_record});
  scanned_end_ = header_bytes + static_cast<std::int64_t>(record.size());
  publish_end();
  return SQLITE_OK;
}

int DeltaWalLog::write(const std::vector<Write>& writes) {
  std::vector<Write> frames;
  frames.reserve(writes.size());
  for (Write w : writes) {
    if (w.offset == 0) {  // SQLite starts the WAL over
      if (!frames.empty())
        if (const int rc = write_frames(frames); rc != SQLITE_OK) return rc;
      frames.clear();
      if (w.size < 32) return SQLITE_IOERR_WRITE;
      std::unique_lock lock(mutex_);
      if (const int rc = refresh(); rc != SQLITE_OK) return rc;
      take_over();
      if (const int rc = begin_generation(w.data); rc != SQLITE_OK) return rc;
      w = {32, w.data + 32, w.size - 32};
    }
    if (w.size == 0) continue;
    if (w.offset < 32) return SQLITE_IOERR_WRITE;
    frames.push_back(w);
  }
  return frames.empty() ? SQLITE_OK : write_frames(frames);
}

int DeltaWalLog::write_frames(const std::vector<Write>& writes) {
  std::string batch;
  std::vector<Pending> pending;
  std::int64_t start = 0;
  std::uint32_t generation = 0;
  while (true) {
    std::shared_lock lock(mutex_);
    if (stale() || hint_owner() != owner_token_) {
      lock.unlock();
      std::unique_lock exclusive(mutex_);
      if (const int rc = refresh(); rc != SQLITE_OK) return rc;
      take_over();
      continue;
    }
    if (!has_wal_header_ || page_size_ == 0) return SQLITE_IOERR_WRITE;
    start = scanned_end_;
    generation = generation_;
    int rc = encode(writes, batch, pending);
    if (rc == SQLITE_OK) rc = write_all(fd_, batch.data(), static_cast<std::int64_t>(batch.size()), start);
    if (rc == SQLITE_OK) break;
    lock.unlock();
    // What reached the file is the truth: read it again (a torn record ends the log).
    std::unique_lock exclusive(mutex_);
    reset(generation_);
    scan();
    return rc;
  }
  std::unique_lock lock(mutex_);
  if (generation_ != generation || scanned_end_ != start) return refresh();  // a reader took the records in already
  for (Pending& p : pending) remember(p.record, p.frame, std::move(p.image));
  scanned_end_ = start + static_cast<std::int64_t>(batch.size());
  publish_end();
  return SQLITE_OK;
}

// The records of the frames `writes` cover (shared lock held: reads the log, changes nothing).
int DeltaWalLog::encode(const std::vector<Write>& writes, std::string& batch, std::vector<Pending>& pending) const {
  const std::int64_t frame = frame_size();
  const auto first = static_cast<std::int32_t>(records_.size());
  std::unordered_map<std::uint32_t, std::size_t> pending_of_page;   // the latest with an image, in this write
  std::unordered_map<std::uint32_t, std::size_t> pending_of_frame;  // the latest, in this write
  std::string base;
  std::string delta;
  // Appends `record` (its kind, page, base and depth set) with `payload` to the batch.
  const auto add = [&](Record record, std::uint32_t index, std::string_view payload, std::string&& image, std::string&& patch) {
    const auto sequence = static_cast<std::uint32_t>(first + static_cast<std::int32_t>(pending.size()));
    record.pos = scanned_end_ + static_cast<std::int64_t>(batch.size());
    record.payload = static_cast<std::uint32_t>(payload.size());
    const std::size_t at = batch.size();
    batch.resize(at + record_header_bytes);
    batch.append(payload);
    encode_header(batch.data() + at, {generation_, sequence, record.kind, index, record.page, record.base, record.payload}, payload);
    pending_of_frame[index] = pending.size();
    if (!image.empty()) pending_of_page[record.page] = pending.size();
    pending.push_back({record, index, std::move(image), std::move(patch)});
  };
  for (const Write& w : writes) {
    for (std::int64_t done = 0, take = 0; done < w.size; done += take) {
      const std::int64_t offset = w.offset + done;
      const auto index = static_cast<std::uint32_t>((offset - 32) / frame);
      const std::int64_t within = (offset - 32) % frame;
      take = std::min(frame - within, w.size - done);
      const char* data = w.data + done;
      std::string image;
      if (within == 0 && take == frame) {
        image = spare_image();
        image.assign(data, static_cast<std::size_t>(frame));
      } else {
        // Part of a frame: SQLite rewriting a frame's header (its checksums) or its page (a
        // spilled page changed again). Over the frame's image when it is at hand; else as a
        // patch of the frame's record, with no read (big transactions do this for every frame).
        const auto mine = pending_of_frame.find(index);
        const Pending* earlier = mine == pending_of_frame.end() ? nullptr : &pending[mine->second];
        const std::int32_t current = earlier ? first + static_cast<std::int32_t>(mine->second)
                                             : (index < frames_.size() ? frames_[index] : -1);
        const Record* record = earlier ? &earlier->record : current >= 0 ? &records_[current] : nullptr;
        // A patch must keep the frame's page number: it comes from the base.
        const bool same_page = within >= 4 || (within == 0 && take >= 4 && record && big_endian32(data) == record->page);
        const std::string* cached = earlier ? nullptr : cached_image(current);
        if (earlier && !earlier->image.empty()) {
          image = earlier->image;
        } else if (cached) {
          image = *cached;
        } else if (record && same_page && (earlier || record->depth < max_depth)) {
          // A patch of the record, or of a patch in this write: then one record with both.
          Record patched = earlier ? earlier->record
                                   : Record{0, 0, current, record->page, static_cast<std::uint16_t>(record->depth + 1), delta_frame};
          std::string patch = earlier ? earlier->patch : std::string();
          frame_delta::add_run(patch, static_cast<std::uint32_t>(within), {data, static_cast<std::size_t>(take)});
          add(patched, index, patch, std::string(), std::move(patch));
          continue;
        } else {
          if (earlier) return SQLITE_IOERR_WRITE;  // a patch whose page number changes: SQLite never does
          image.assign(static_cast<std::size_t>(frame), '\0');
          if (current >= 0)
            if (const int rc = rebuild(current, image); rc != SQLITE_OK) return rc;
        }
        std::memcpy(image.data() + within, data, static_cast<std::size_t>(take));
      }
      const std::uint32_t page = big_endian32(image.data());
      Record record{0, 0, -1, page, 0, whole_frame};
      // The base: this page's latest frame, in this write or in the log; there, its previous
      // frame when its image is at hand, else its last whole one (one read): a larger delta,
      // but no chain of reads to rebuild a base.
      std::int32_t base_record = -1;
      std::uint16_t base_depth = 0;
      const std::string* base_image = nullptr;
      if (const auto mine = pending_of_page.find(page); mine != pending_of_page.end()) {
        base_record = first + static_cast<std::int32_t>(mine->second);
        base_depth = pending[mine->second].record.depth;
        base_image = &pending[mine->second].image;
      } else if (const auto known = pages_.find(page); known != pages_.end()) {
        const PageRecords& of_page = known->second;
        if (const std::string* latest = cached_image(of_page.latest); latest && records_[of_page.latest].depth < max_depth) {
          base_record = of_page.latest;
          base_depth = records_[of_page.latest].depth;
          base_image = latest;
        } else if (of_page.whole >= 0 && rebuild(of_page.whole, base) == SQLITE_OK) {
          base_record = of_page.whole;
          base_image = &base;
        }
      }
      delta.clear();
      if (base_image && base_depth < max_depth) {
        frame_delta::encode(*base_image, image, delta);
        if (static_cast<std::int64_t>(delta.size()) <= frame / 2) {
          record.kind = delta_frame;
          record.base = base_record;
          record.depth = static_cast<std::uint16_t>(base_depth + 1);
        }
      }
      if (record.kind == whole_frame) {
        delta.resize(static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(frame))));
        const int compressed = LZ4_compress_default(image.data(), delta.data(), static_cast<int>(frame), static_cast<int>(delta.size()));
        if (compressed > 0 && compressed < frame - frame / 8) {
          delta.resize(static_cast<std::size_t>(compressed));
          record.kind = compressed_frame;
        }
      }
      const std::string_view payload = record.kind == whole_frame ? std::string_view(image) : std::string_view(delta);
      add(record, index, payload, std::move(image), {});
    }
  }
  return SQLITE_OK;
}

int DeltaWalLog::truncate(std::int64_t size) {
  std::unique_lock lock(mutex_);
  if (const int rc = refresh(); rc != SQLITE_OK) return rc;
  take_over();
  if (size < 32) {  // SQLite wants the bytes gone (an erasure, a store closing): they go
    if (const int rc = begin_generation(nullptr); rc != SQLITE_OK) return rc;
    // Zeroed where they are, not freed: on a file system mounted with `discard`, freeing the
    // blocks of a 130 MB log took 90 ms against 8 (ext4 here), and an erasure's cut runs on
    // the writer's thread. The next generations write over the zeros.
    // Synced before it returns: an erasure answers once the cut is done, and a power loss must
    // not bring the old generation, and the erased bytes in it, back (issue 33).
    const std::int64_t stored = file_size(fd_);
    if (stored > header_bytes && ::fallocate(fd_, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, header_bytes, stored - header_bytes) != 0 &&
        ::ftruncate(fd_, header_bytes) != 0)  // no such fallocate here
      return SQLITE_IOERR_TRUNCATE;
    return ::fdatasync(fd_) == 0 ? SQLITE_OK : SQLITE_IOERR_FSYNC;
  }
  if (!has_wal_header_ || page_size_ == 0) return SQLITE_OK;
  const auto frames = static_cast<std::uint32_t>((size - 32) / frame_size());
  if (frames >= frames_.size()) return SQLITE_OK;
  char record[record_header_bytes];
  encode_header(record, {generation_, static_cast<std::uint32_t>(records_.size()), truncation, frames, 0, -1, 0}, {});
  if (const int rc = write_all(fd_, record, record_header_bytes, scanned_end_); rc != SQLITE_OK) return rc;
  records_.push_back({scanned_end_, 0, -1, 0, 0, truncation});
  frames_.resize(frames);
  scanned_end_ += record_header_bytes;
  publish_end();
  return SQLITE_OK;
}

int DeltaWalLog::sync(bool data_only) {
  const int rc = data_only ? ::fdatasync(fd_) : ::fsync(fd_);
  return rc == 0 ? SQLITE_OK : SQLITE_IOERR_FSYNC;
}

int DeltaWalLog::logical_size(std::int64_t& size) {
  std::unique_lock lock(mutex_);
  if (const int rc = refresh(); rc != SQLITE_OK) return rc;
  size = has_wal_header_ ? 32 + static_cast<std::int64_t>(frames_.size()) * frame_size() : 0;
  return SQLITE_OK;
}

}  // namespace weft
