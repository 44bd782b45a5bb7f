// A raw SQLite connection for the store's differential and power-loss tests: every statement
// answers with its result code and rows as text, so that two stores' answers compare as
// strings. Also the framing of the messages that drive one in a child process.
#pragma once

#include <sqlite3.h>

#include <string>

namespace weft::test {

// weft_bytes(seed, length) in SQL: deterministic bytes, half random (different in every row,
// incompressible), half one letter repeated (what deltas and LZ4 shrink).
void define_weft_bytes(sqlite3* db);

class SqlSession {
public:
  // WAL, synchronous=FULL (as weft's connections), no busy wait: a lock another connection
  // holds answers SQLITE_BUSY at once. `vfs`: a registered VFS's name, or nullptr.
  SqlSession(const std::string& path, const char* vfs, int cache_pages);
  SqlSession(const SqlSession&) = delete;
  SqlSession& operator=(const SqlSession&) = delete;
  ~SqlSession();

  // "[row][row] rc=N autocommit=B": N the extended result code of the first failure, or 0.
  std::string run(const std::string& sql);

private:
  sqlite3* db_ = nullptr;
};

// Length-prefixed messages over a pipe; read_message returns false at its end.
void write_message(int fd, const std::string& message);
bool read_message(int fd, std::string& message);

}  // namespace weft::test
