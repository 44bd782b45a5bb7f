// An LD_PRELOAD library for the power-loss test (tests/integration/power_loss_test.cpp): it
// records every write, truncation, zeroing, sync and removal of the files under one folder, in
// the order they happened, with their bytes, so that the test can build the files as a power
// loss at any moment could have left them. Only the real calls are made; nothing is changed.
//
//   WEFT_IO_RECORD_DIR  the folder whose files are recorded (a path prefix)
//   WEFT_IO_RECORD_LOG  the log, appended to (outside that folder)
//
// A record: {u8 kind, u32 file, i64 a, i64 b, u32 size} and `size` bytes (io_record.hpp). Each
// call on a recorded file runs and is logged under one lock, so the log's order is the calls'.
// Memory-mapped writes are not seen: SQLite's -shm and weft's -dwal-shm, which the test
// treats as lost or zeroed at a power loss anyway.
#include "io_record.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

using weft::test::IoKind;

pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
constexpr int max_fd = 65536;
int file_of_fd[max_fd];  // 0: not recorded; else the file's id
int log_fd = -1;
int next_file = 1;
const char* folder = nullptr;
std::size_t folder_length = 0;
bool ready = false;

template <typename F>
F real(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

using write_t = ssize_t (*)(int, const void*, size_t);
write_t real_write() {
  static write_t f = real<write_t>("write");
  return f;
}

void setup() {
  if (ready) return;
  ready = true;
  folder = std::getenv("WEFT_IO_RECORD_DIR");
  const char* log = std::getenv("WEFT_IO_RECORD_LOG");
  if (!folder || !log) return;
  folder_length = std::strlen(folder);
  using open_t = int (*)(const char*, int, ...);
  log_fd = real<open_t>("open")(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

void emit(IoKind kind, int file, std::int64_t a, std::int64_t b, const void* data, std::size_t size) {
  if (log_fd < 0) return;
  std::string record(weft::test::io_header_bytes + size, '\0');
  weft::test::encode_io_header(record.data(), kind, static_cast<std::uint32_t>(file), a, b, static_cast<std::uint32_t>(size));
  if (size) std::memcpy(record.data() + weft::test::io_header_bytes, data, size);
  for (std::size_t done = 0; done < record.size();) {
    const ssize_t n = real_write()(log_fd, record.data() + done, record.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

bool watched(const char* path) {
  return path && folder && std::strncmp(path, folder, folder_length) == 0;
}

int recorded(int fd) { return fd >= 0 && fd < max_fd ? file_of_fd[fd] : 0; }

// After an open of `path` that returned `fd`: its id, named in the log the first time.
void opened(const char* path, int fd, int flags, bool existed) {
  if (fd < 0 || fd >= max_fd || !watched(path)) return;
  const int file = next_file++;
  file_of_fd[fd] = file;
  emit(IoKind::name, file, existed ? 1 : 0, 0, path, std::strlen(path));
  if ((flags & O_TRUNC) && existed) emit(IoKind::truncate, file, 0, 0, nullptr, 0);
}

class Locked {
public:
  Locked() {
    pthread_mutex_lock(&lock);
    setup();
  }
  ~Locked() { pthread_mutex_unlock(&lock); }
};

int open_with(const char* name, const char* path, int flags, mode_t mode) {
  Locked locked;
  using open_t = int (*)(const char*, int, ...);
  struct stat st {};
  const bool existed = ::stat(path, &st) == 0;
  const int fd = real<open_t>(name)(path, flags, mode);
  opened(path, fd, flags, existed);
  return fd;
}

int openat_with(const char* name, int dir, const char* path, int flags, mode_t mode) {
  Locked locked;
  using openat_t = int (*)(int, const char*, int, ...);
  struct stat st {};
  const bool existed = ::fstatat(dir, path, &st, 0) == 0;
  const int fd = real<openat_t>(name)(dir, path, flags, mode);
  if (path && path[0] == '/') opened(path, fd, flags, existed);
  return fd;
}

mode_t mode_of(int flags, va_list args) { return (flags & (O_CREAT | O_TMPFILE)) ? static_cast<mode_t>(va_arg(args, int)) : 0; }

ssize_t pwrite_with(const char* name, int fd, const void* data, size_t size, off_t offset) {
  Locked locked;
  using pwrite_t = ssize_t (*)(int, const void*, size_t, off_t);
  const ssize_t n = real<pwrite_t>(name)(fd, data, size, offset);
  if (n > 0 && recorded(fd)) emit(IoKind::write, recorded(fd), offset, 0, data, static_cast<std::size_t>(n));
  return n;
}

int truncate_with(const char* name, int fd, off_t size) {
  Locked locked;
  using ftruncate_t = int (*)(int, off_t);
  const int rc = real<ftruncate_t>(name)(fd, size);
  if (rc == 0 && recorded(fd)) emit(IoKind::truncate, recorded(fd), size, 0, nullptr, 0);
  return rc;
}

int fallocate_with(const char* name, int fd, int mode, off_t offset, off_t length) {
  Locked locked;
  using fallocate_t = int (*)(int, int, off_t, off_t);
  const int rc = real<fallocate_t>(name)(fd, mode, offset, length);
  if (rc == 0 && recorded(fd)) {
    if (mode & (FALLOC_FL_ZERO_RANGE | FALLOC_FL_PUNCH_HOLE)) emit(IoKind::zero, recorded(fd), offset, length, nullptr, 0);
    if (!(mode & FALLOC_FL_KEEP_SIZE)) emit(IoKind::extend, recorded(fd), offset + length, 0, nullptr, 0);
  }
  return rc;
}

int sync_with(const char* name, int fd) {
  Locked locked;
  using sync_t = int (*)(int);
  const int rc = real<sync_t>(name)(fd);
  if (rc == 0 && recorded(fd)) emit(IoKind::sync, recorded(fd), 0, 0, nullptr, 0);
  return rc;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int open(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = mode_of(flags, args);
  va_end(args);
  return open_with("open", path, flags, mode);
}

__attribute__((visibility("default"))) int open64(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = mode_of(flags, args);
  va_end(args);
  return open_with("open64", path, flags, mode);
}

__attribute__((visibility("default"))) int openat(int dir, const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = mode_of(flags, args);
  va_end(args);
  return openat_with("openat", dir, path, flags, mode);
}

__attribute__((visibility("default"))) int openat64(int dir, const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = mode_of(flags, args);
  va_end(args);
  return openat_with("openat64", dir, path, flags, mode);
}

__attribute__((visibility("default"))) int close(int fd) {
  Locked locked;
  if (fd >= 0 && fd < max_fd) file_of_fd[fd] = 0;
  return real<int (*)(int)>("close")(fd);
}

__attribute__((visibility("default"))) ssize_t pwrite(int fd, const void* data, size_t size, off_t offset) {
  return pwrite_with("pwrite", fd, data, size, offset);
}

__attribute__((visibility("default"))) ssize_t pwrite64(int fd, const void* data, size_t size, off_t offset) {
  return pwrite_with("pwrite64", fd, data, size, offset);
}

__attribute__((visibility("default"))) ssize_t write(int fd, const void* data, size_t size) {
  Locked locked;
  const off_t at = recorded(fd) ? ::lseek(fd, 0, SEEK_CUR) : 0;
  const ssize_t n = real_write()(fd, data, size);
  if (n > 0 && recorded(fd)) emit(IoKind::write, recorded(fd), at, 0, data, static_cast<std::size_t>(n));
  return n;
}

__attribute__((visibility("default"))) int ftruncate(int fd, off_t size) { return truncate_with("ftruncate", fd, size); }
__attribute__((visibility("default"))) int ftruncate64(int fd, off_t size) { return truncate_with("ftruncate64", fd, size); }

__attribute__((visibility("default"))) int fallocate(int fd, int mode, off_t offset, off_t length) {
  return fallocate_with("fallocate", fd, mode, offset, length);
}
__attribute__((visibility("default"))) int fallocate64(int fd, int mode, off_t offset, off_t length) {
  return fallocate_with("fallocate64", fd, mode, offset, length);
}

__attribute__((visibility("default"))) int fsync(int fd) { return sync_with("fsync", fd); }
__attribute__((visibility("default"))) int fdatasync(int fd) { return sync_with("fdatasync", fd); }

__attribute__((visibility("default"))) int unlink(const char* path) {
  Locked locked;
  const int rc = real<int (*)(const char*)>("unlink")(path);
  if (rc == 0 && watched(path)) emit(IoKind::remove, 0, 0, 0, path, std::strlen(path));
  return rc;
}

}  // extern "C"
