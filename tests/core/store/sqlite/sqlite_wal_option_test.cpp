// `store: sqlite:PATH?wal=sqlite` (issue 33): SQLite's own WAL, for tools that read it (e.g.
// Litestream), and the moves between it and weft's log without losing a commit.
#include "weft/store/sqlite/sqlite.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

using weft::SqliteDb;
using weft::SqliteWal;
using weft::test::TempDir;

namespace {

std::int64_t count_rows(SqliteDb& db) {
  auto s = db.prepare("SELECT count(*) FROM t");
  REQUIRE(s.step());
  return s.integer(0);
}

// A stock sqlite3's count, or -1 when it cannot read the store.
std::int64_t stock_count(const std::string& path) {
  sqlite3* db = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return n;
}

// Writes `rows` rows in a child process that then ends without closing (a crash: the commits
// stay in the log it used).
void crash_after_writing(const std::string& path, SqliteWal wal, int rows) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      SqliteDb db(path, wal);
      db.exec("PRAGMA wal_autocheckpoint=0");
      db.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)");
      db.exec("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < " + std::to_string(rows) +
              ") INSERT INTO t (v) SELECT printf('%0200d', i) FROM k");
      ::_exit(0);  // with the connection open
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

}  // namespace

TEST_CASE("the SQLite location takes wal=sqlite or wal=weft, and nothing else") {
  CHECK(weft::parse_sqlite_location("sqlite:/x/weft.db").wal == SqliteWal::weft_log);
  CHECK(weft::parse_sqlite_location("sqlite:/x/weft.db").path == "/x/weft.db");
  CHECK(weft::parse_sqlite_location("sqlite:/x/weft.db?wal=sqlite").wal == SqliteWal::sqlite);
  CHECK(weft::parse_sqlite_location("sqlite:/x/weft.db?wal=sqlite").path == "/x/weft.db");
  CHECK(weft::parse_sqlite_location("sqlite:/x/weft.db?wal=weft").wal == SqliteWal::weft_log);
  CHECK_THROWS_WITH(weft::parse_sqlite_location("sqlite:/x/weft.db?wal=litestream"), Catch::Contains("expected wal=weft or wal=sqlite"));
}

TEST_CASE("with wal=sqlite the store keeps SQLite's own WAL, which a stock sqlite3 reads while weft has the store open") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  SqliteDb db(path, SqliteWal::sqlite);
  db.exec("PRAGMA wal_autocheckpoint=0");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  db.exec("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')");
  CHECK(std::filesystem::file_size(path + "-wal") > 0);
  CHECK_FALSE(std::filesystem::exists(path + "-dwal"));
  CHECK(stock_count(path) == 3);  // through the WAL: what a replication tool reads
}

TEST_CASE("a store moves from weft's log to SQLite's WAL and back, after crashes, losing no commit") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  crash_after_writing(path, SqliteWal::weft_log, 100);  // commits in weft's log only
  REQUIRE(std::filesystem::exists(path + "-dwal"));
  CHECK(stock_count(path) == -1);  // refused while the log holds them
  crash_after_writing(path, SqliteWal::sqlite, 50);  // weft's log taken back first
  CHECK_FALSE(std::filesystem::exists(path + "-dwal"));
  REQUIRE(std::filesystem::exists(path + "-wal"));
  CHECK(stock_count(path) == 150);
  {
    SqliteDb db(path);  // weft's log again: the stock WAL is taken in
    CHECK(count_rows(db) == 150);
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));
  }
  CHECK(stock_count(path) == 150);
}

TEST_CASE("wal=sqlite is refused while another process has the store open with weft's log") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  int ready[2], done[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(done) == 0);
  const pid_t pid = ::fork();
  if (pid == 0) {  // holds the store open with weft's log until told
    int code = 0;
    try {
      SqliteDb db(path);
      db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
      db.exec("INSERT INTO t (v) VALUES ('a')");
      char c = 1;
      if (::write(ready[1], &c, 1) != 1 || ::read(done[0], &c, 1) != 1) code = 4;
    } catch (...) {
      code = 3;
    }
    ::_exit(code);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  CHECK_THROWS_WITH(SqliteDb(path, SqliteWal::sqlite), Catch::Contains("every process of a store uses the same wal="));
  REQUIRE(::write(done[1], &c, 1) == 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WEXITSTATUS(status) == 0);
  SqliteDb db(path, SqliteWal::sqlite);  // alone now
  CHECK(count_rows(db) == 1);
}
