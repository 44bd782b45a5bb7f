#include "sql_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <stdexcept>

namespace weft::test {
namespace {

void weft_bytes(sqlite3_context* context, int, sqlite3_value** args) {
  std::uint64_t state = static_cast<std::uint64_t>(sqlite3_value_int64(args[0]));
  const int length = std::clamp(sqlite3_value_int(args[1]), 0, 1 << 20);
  std::string bytes(static_cast<std::size_t>(length), static_cast<char>('a' + state % 26));
  for (int i = 0; i < length; i += 16) {
    state += 0x9e3779b97f4a7c15ULL;  // splitmix64
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    for (int j = 0; j < 8 && i + j < length; ++j) bytes[static_cast<std::size_t>(i + j)] = static_cast<char>(z >> (8 * j));
  }
  sqlite3_result_blob(context, bytes.data(), length, SQLITE_TRANSIENT);
}

bool read_exactly(int fd, char* out, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::read(fd, out, size);
    if (n <= 0) return false;
    out += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

void define_weft_bytes(sqlite3* db) {
  sqlite3_create_function_v2(db, "weft_bytes", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, weft_bytes, nullptr, nullptr, nullptr);
}

SqlSession::SqlSession(const std::string& path, const char* vfs, int cache_pages) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs) != SQLITE_OK) {
    sqlite3_close_v2(db_);
    throw std::runtime_error("cannot open " + path);
  }
  define_weft_bytes(db_);
  run("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=" + std::to_string(cache_pages));
}

SqlSession::~SqlSession() { sqlite3_close_v2(db_); }

std::string SqlSession::run(const std::string& sql) {
  std::ostringstream out;
  const char* tail = sql.c_str();
  int rc = SQLITE_OK;
  while (rc == SQLITE_OK && tail && *tail) {
    sqlite3_stmt* statement = nullptr;
    rc = sqlite3_prepare_v2(db_, tail, -1, &statement, &tail);
    if (rc != SQLITE_OK || !statement) break;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      out << '[';
      for (int i = 0; i < sqlite3_column_count(statement); ++i) {
        const auto* text = sqlite3_column_text(statement, i);
        out << (i ? "," : "") << (text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      out << ']';
    }
    sqlite3_finalize(statement);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  out << " rc=" << (rc == SQLITE_OK ? 0 : sqlite3_extended_errcode(db_)) << " autocommit=" << sqlite3_get_autocommit(db_);
  return out.str();
}

void write_message(int fd, const std::string& message) {
  const auto size = static_cast<std::uint32_t>(message.size());
  std::string framed(reinterpret_cast<const char*>(&size), 4);
  framed += message;
  for (std::size_t done = 0; done < framed.size();) {
    const ssize_t n = ::write(fd, framed.data() + done, framed.size() - done);
    if (n <= 0) throw std::runtime_error("cannot write to the pipe");
    done += static_cast<std::size_t>(n);
  }
}

bool read_message(int fd, std::string& message) {
  std::uint32_t size = 0;
  if (!read_exactly(fd, reinterpret_cast<char*>(&size), 4)) return false;
  message.resize(size);
  return read_exactly(fd, message.data(), size);
}

}  // namespace weft::test
