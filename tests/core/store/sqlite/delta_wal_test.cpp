// The WAL stored as deltas (delta_wal_log.hpp), through real SQLite connections: what it
// stores, and that SQLite sees exactly the WAL it wrote across spills, rollbacks, restarts,
// crashes, a second process and a stock WAL left by an older weft.
#include "weft/store/sqlite/sqlite.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

using weft::SqliteDb;
using weft::test::TempDir;

namespace {

std::int64_t one_integer(SqliteDb& db, const std::string& sql) {
  auto s = db.prepare(sql);
  REQUIRE(s.step());
  return s.integer(0);
}

std::string integrity(SqliteDb& db) {
  auto s = db.prepare("PRAGMA integrity_check");
  REQUIRE(s.step());
  return std::string(s.text(0));
}

std::uintmax_t size_of(const std::string& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  return ec ? 0 : size;
}

// Frames in the logical WAL, as SQLite counts them (a passive checkpoint's second column).
std::int64_t wal_frames(SqliteDb& db) {
  auto s = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
  REQUIRE(s.step());
  return s.integer(1);
}

void insert_rows(SqliteDb& db, int from, int to, std::size_t width) {
  auto insert = db.prepare("INSERT INTO t (id, v) VALUES (?1, ?2)");
  for (int i = from; i < to; ++i) {
    insert.bind(1, std::int64_t{i}).bind(2, std::string(width, static_cast<char>('a' + i % 26)));
    insert.run();
    insert.reset();
  }
}

// Runs `body` in a child process and returns its exit status. A body that ends with _exit
// leaves its connections open, as a crash would.
template <typename Body>
int in_child(Body body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = 0;
    try {
      body();
    } catch (...) {
      code = 3;
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

}  // namespace

TEST_CASE("the WAL on disk holds a fraction of the frames SQLite wrote, and reads back as written") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  std::int64_t expected = 0;
  {
    SqliteDb db(path);
    db.exec("PRAGMA wal_autocheckpoint=0");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)");
    db.exec("BEGIN");
    insert_rows(db, 0, 20000, 40);
    db.exec("COMMIT");
    // 2,000 commits of one small change each to a random row: each rewrites a leaf or two
    std::mt19937 random(5);
    auto update = db.prepare("UPDATE t SET n = n + 1 WHERE id = ?1");
    for (int i = 0; i < 2000; ++i) {
      update.bind(1, std::int64_t{static_cast<int>(random() % 20000)});
      update.run();
      update.reset();
    }
    const std::int64_t frames = wal_frames(db);
    const auto logical = 32 + frames * (24 + 4096);
    const auto stored = static_cast<std::int64_t>(size_of(path + "-dwal"));
    INFO("frames " << frames << ", logical " << logical << " bytes, stored " << stored);
    CHECK(frames > 2000);
    CHECK(stored < logical / 4);
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));
    // another connection reads the same rows from the log
    SqliteDb reader(path);
    CHECK(one_integer(reader, "SELECT sum(n) FROM t") == 2000);
    CHECK(integrity(reader) == "ok");
    expected = one_integer(db, "SELECT sum(n * id) FROM t");
  }
  // closed: copied back and removed, with the processes' shared hint
  CHECK_FALSE(std::filesystem::exists(path + "-dwal"));
  CHECK_FALSE(std::filesystem::exists(path + "-dwal-shm"));
  SqliteDb reopened(path);
  CHECK(one_integer(reopened, "SELECT sum(n * id) FROM t") == expected);
}

TEST_CASE("pages that spill into the WAL inside a transaction, rewritten or rolled back, leave SQLite's view intact") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  const int status = in_child([&] {
    SqliteDb db(path);
    db.exec("PRAGMA wal_autocheckpoint=0");
    db.exec("PRAGMA cache_size=20");  // 20 pages: a large transaction spills
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)");
    db.exec("BEGIN");
    insert_rows(db, 0, 3000, 500);
    db.exec("UPDATE t SET n = 1 WHERE id < 200");  // pages that spilled, written again in place
    db.exec("COMMIT");
    db.exec("BEGIN");
    insert_rows(db, 3000, 6000, 500);  // spills, then goes
    db.exec("UPDATE t SET n = 99");
    db.exec("ROLLBACK");
    db.exec("BEGIN");
    insert_rows(db, 6000, 6100, 500);  // overwrites the frames of the rolled-back one
    db.exec("COMMIT");
    SqliteDb reader(path);
    if (one_integer(reader, "SELECT count(*) FROM t") != 3100 || one_integer(reader, "SELECT sum(n) FROM t") != 200)
      ::_exit(4);
    ::_exit(0);  // without closing: the next open recovers the WAL from the log
  });
  REQUIRE(status == 0);
  REQUIRE(size_of(path + "-dwal") > 4096);
  SqliteDb db(path);
  CHECK(one_integer(db, "SELECT count(*) FROM t") == 3100);
  CHECK(one_integer(db, "SELECT sum(n) FROM t") == 200);
  CHECK(one_integer(db, "SELECT count(*) FROM t WHERE id >= 3000 AND id < 6000") == 0);
  CHECK(integrity(db) == "ok");
}

TEST_CASE("a writer killed at any moment loses no commit that returned, and a torn tail is cut off") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  {
    SqliteDb db(path);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)");
  }
  int acks[2];
  REQUIRE(::pipe(acks) == 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(acks[0]);
    SqliteDb db(path);
    db.exec("PRAGMA wal_autocheckpoint=0");
    for (int i = 0;; ++i) {  // one row a commit, then its number to the parent
      db.exec("BEGIN IMMEDIATE");
      insert_rows(db, i, i + 1, 300);
      db.exec("UPDATE t SET n = n + 1 WHERE id = " + std::to_string(i / 2));
      db.exec("COMMIT");
      if (::write(acks[1], &i, sizeof i) != sizeof i) ::_exit(5);
    }
  }
  ::close(acks[1]);
  int last = -1;
  for (int got = 0; got < 400 && ::read(acks[0], &last, sizeof last) == sizeof last; ++got) {
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ::close(acks[0]);
  REQUIRE(last >= 399);
  {
    SqliteDb db(path);
    const auto rows = one_integer(db, "SELECT count(*) FROM t");
    CHECK(rows >= last + 1);
    CHECK(one_integer(db, "SELECT max(id) FROM t") == rows - 1);
    CHECK(integrity(db) == "ok");
  }
  // The same crash again, and then the tail of the log torn (half a record) with junk after it.
  const int status = in_child([&] {
    SqliteDb db(path);
    db.exec("PRAGMA wal_autocheckpoint=0");
    const auto rows = static_cast<int>(one_integer(db, "SELECT count(*) FROM t"));
    for (int i = rows; i < rows + 50; ++i) insert_rows(db, i, i + 1, 300);
    ::_exit(0);
  });
  REQUIRE(status == 0);
  const auto stored = size_of(path + "-dwal");
  REQUIRE(stored > 10000);
  std::filesystem::resize_file(path + "-dwal", stored - 1500);
  {
    std::ofstream junk(path + "-dwal", std::ios::binary | std::ios::app);
    junk << std::string(3000, '\x5a');
  }
  SqliteDb db(path);
  const auto rows = one_integer(db, "SELECT count(*) FROM t");
  CHECK(rows >= last + 1);
  CHECK(one_integer(db, "SELECT max(id) FROM t") == rows - 1);
  CHECK(integrity(db) == "ok");
  // the next writer appends after the cut, and what it commits survives
  insert_rows(db, static_cast<int>(rows), static_cast<int>(rows) + 10, 300);
  CHECK(in_child([&] {
          SqliteDb other(path);
          if (one_integer(other, "SELECT count(*) FROM t") != rows + 10 || integrity(other) != "ok") ::_exit(6);
        }) == 0);
}

TEST_CASE("two processes write and read one store through the log, across WAL restarts") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  SqliteDb db(path);
  db.exec("PRAGMA wal_autocheckpoint=0");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)");
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = 0;
    try {
      SqliteDb child(path);
      child.exec("PRAGMA wal_autocheckpoint=0");
      for (int i = 1; i < 1000; i += 2) {  // odd ids; now and then the WAL starts over
        insert_rows(child, i, i + 1, 200);
        if (i % 101 == 0) child.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        if (i % 37 == 0) child.exec("PRAGMA wal_checkpoint(RESTART)");
      }
      if (one_integer(child, "SELECT count(*) FROM t WHERE id % 2 = 1") != 500) code = 7;
    } catch (...) {
      code = 8;
    }
    ::_exit(code);
  }
  std::int64_t seen = 0;
  for (int i = 0; i < 1000; i += 2) {  // even ids, reading the child's as they come
    insert_rows(db, i, i + 1, 200);
    if (i % 89 == 0) db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const auto now = one_integer(db, "SELECT count(*) FROM t");
    CHECK(now >= seen);
    seen = now;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(one_integer(db, "SELECT count(*) FROM t") == 1000);
  CHECK(one_integer(db, "SELECT sum(id) FROM t") == 999 * 1000 / 2);
  CHECK(integrity(db) == "ok");
}

TEST_CASE("a stock WAL left beside the store by an older weft is taken in, not lost") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  const int status = in_child([&] {  // an older weft: SQLite's own VFS, killed before it checkpointed
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) ::_exit(9);
    const char* sql =
        "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);"
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 499)"
        "  INSERT INTO t SELECT i, printf('%0300d', i) FROM n;";
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) ::_exit(10);
  });
  REQUIRE(status == 0);
  REQUIRE(size_of(path + "-wal") > 100000);
  SqliteDb db(path);
  CHECK(one_integer(db, "SELECT count(*) FROM t") == 500);
  CHECK(integrity(db) == "ok");
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));
  CHECK(std::filesystem::exists(path + "-dwal"));
}

TEST_CASE("after weft closes a store, a stock sqlite3 reads all of it") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  {
    SqliteDb db(path);
    db.exec("PRAGMA wal_autocheckpoint=0");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)");
    insert_rows(db, 0, 300, 100);
  }
  CHECK_FALSE(std::filesystem::exists(path + "-dwal"));
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &count, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(count) == SQLITE_ROW);
  CHECK(sqlite3_column_int(count, 0) == 300);
  sqlite3_finalize(count);
  sqlite3_close(db);
}

// Issue 33: the frames a rolled-back transaction spilled must never reach the log over a
// commit another connection made since.
namespace {

// A spills 400 rows into the WAL (a 20-page cache) and rolls back, which does no I/O; then B
// commits 300 rows, whose frames take the offsets A's spill had.
void spill_roll_back_then_commit(SqliteDb& a, SqliteDb& b) {
  a.exec("PRAGMA cache_size=20");
  a.exec("BEGIN");
  insert_rows(a, 0, 400, 900);
  a.exec("ROLLBACK");
  b.exec("BEGIN");
  insert_rows(b, 1000, 1300, 900);
  b.exec("COMMIT");
}

std::string store_with_table(const TempDir& dir) {
  const std::string path = (dir.path() / "weft.db").string();
  SqliteDb setup(path);
  setup.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
  return path;
}

}  // namespace

TEST_CASE("a transaction that spilled and rolled back does not write its frames over another connection's commit") {
  TempDir dir;
  const std::string path = store_with_table(dir);
  SqliteDb a(path);
  SqliteDb b(path);
  spill_roll_back_then_commit(a, b);
  CHECK(one_integer(a, "SELECT count(*) FROM t") == 300);  // A reads: what it held must not land now
  CHECK(one_integer(b, "SELECT count(*) FROM t") == 300);
  CHECK(integrity(a) == "ok");
}

TEST_CASE("the frames a closing connection still held from a rolled-back transaction are not written over commits") {
  TempDir dir;
  const std::string path = store_with_table(dir);
  SqliteDb b(path);
  {
    SqliteDb a(path);
    spill_roll_back_then_commit(a, b);
  }  // A closes: its held writes go nowhere now
  CHECK(one_integer(b, "SELECT count(*) FROM t") == 300);
  SqliteDb reopened(path);
  CHECK(one_integer(reopened, "SELECT count(*) FROM t") == 300);
  CHECK(integrity(reopened) == "ok");
}

TEST_CASE("a log whose header never reached the disk (a crash while it was made) is made again, the store intact") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  {
    SqliteDb db(path);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)");
    insert_rows(db, 0, 50, 100);
  }
  std::ofstream(path + "-dwal", std::ios::binary) << std::string(4096, '\0');  // its size did, its bytes not
  SqliteDb db(path);
  CHECK(one_integer(db, "SELECT count(*) FROM t") == 50);
  insert_rows(db, 50, 60, 100);
  CHECK(one_integer(db, "SELECT count(*) FROM t") == 60);
  CHECK(integrity(db) == "ok");
}

TEST_CASE("while weft's log holds commits a stock sqlite3 refuses the store, and once weft closed it reads all of it") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  const int status = in_child([&] {
    SqliteDb db(path);
    db.exec("PRAGMA wal_autocheckpoint=0");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)");
    insert_rows(db, 0, 300, 100);
    ::_exit(0);  // a crash: the commits stay in the log
  });
  REQUIRE(status == 0);
  REQUIRE(size_of(path + "-dwal") > 4096);
  const auto stock_count = [&]() -> std::string {
    sqlite3* db = nullptr;
    std::string result = "cannot open";
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* count = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &count, nullptr) == SQLITE_OK && sqlite3_step(count) == SQLITE_ROW)
        result = std::to_string(sqlite3_column_int(count, 0));
      else
        result = sqlite3_errmsg(db);
      sqlite3_finalize(count);
    }
    sqlite3_close(db);
    return result;
  };
  CHECK(stock_count() == "file is not a database");
  {
    SqliteDb db(path);
    CHECK(one_integer(db, "SELECT count(*) FROM t") == 300);
    CHECK(stock_count() == "file is not a database");
  }
  CHECK(stock_count() == "300");
}

TEST_CASE("a stock WAL beside a log that holds commits of another WAL is taken in by neither: the store is refused, nothing lost") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  const std::string other = (dir.path() / "other.db").string();
  REQUIRE(in_child([&] {
            SqliteDb db(path);
            db.exec("PRAGMA wal_autocheckpoint=0");
            db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)");
            insert_rows(db, 0, 100, 100);
            ::_exit(0);
          }) == 0);
  REQUIRE(in_child([&] {  // SQLite's own VFS leaves a WAL of other commits
            sqlite3* db = nullptr;
            if (sqlite3_open_v2(other.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) ::_exit(9);
            if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE x (a);", nullptr, nullptr, nullptr) != SQLITE_OK)
              ::_exit(10);
          }) == 0);
  std::filesystem::copy_file(other + "-wal", path + "-wal");
  try {
    SqliteDb db(path);
    FAIL("the store opened");
  } catch (const weft::StoreError& e) {
    CHECK_THAT(e.what(), Catch::Contains("both hold commits"));
  }
  std::filesystem::remove(path + "-wal");
  SqliteDb db(path);
  CHECK(one_integer(db, "SELECT count(*) FROM t") == 100);
  CHECK(integrity(db) == "ok");
}

TEST_CASE("the log's files get the database file's permissions and, for a root process, its owner") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  {
    SqliteDb db(path);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)");
  }
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  const bool root = ::geteuid() == 0;
  if (root) REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);  // a service user's store
  SqliteDb db(path);
  insert_rows(db, 0, 10, 100);
  for (const std::string& file : {path + "-dwal", path + "-dwal-shm"}) {
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    if (root) CHECK(st.st_uid == 65534);
    if (root) CHECK(st.st_gid == 65534);
  }
}

namespace {

// Runs `body` as PID 1 of a new PID namespace (as in a container), in a child process;
// returns its exit status, or -1 when namespaces cannot be made here (not root).
template <typename Body>
pid_t as_pid_one(Body body) {
  const pid_t holder = ::fork();
  if (holder == 0) {
    if (::unshare(CLONE_NEWPID) != 0) ::_exit(77);
    const pid_t one = ::fork();
    if (one == 0) {
      int code = ::getpid() == 1 ? 0 : 5;
      try {
        if (code == 0) body();
      } catch (...) {
        code = 3;
      }
      ::_exit(code);
    }
    int status = 0;
    ::waitpid(one, &status, 0);
    ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 100);
  }
  return holder;
}

int status_of(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

}  // namespace

TEST_CASE("two processes that are both PID 1 (containers sharing a volume) append to one log without overwriting each other") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  {
    SqliteDb db(path);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)");
  }
  int to_a[2], to_b[2];
  REQUIRE(::pipe(to_a) == 0);
  REQUIRE(::pipe(to_b) == 0);
  const auto wait_turn = [](int fd) {
    char c = 0;
    if (::read(fd, &c, 1) != 1) throw std::runtime_error("the other process ended");
  };
  const auto give_turn = [](int fd) {
    char c = 1;
    if (::write(fd, &c, 1) != 1) throw std::runtime_error("the other process ended");
  };
  // A and B take turns: each writes 100 rows, then the other must see them all.
  const pid_t a = as_pid_one([&] {
    ::close(to_a[1]);  // so that a read ends when the other process does
    ::close(to_b[0]);
    SqliteDb db(path);
    db.exec("PRAGMA wal_autocheckpoint=0");
    for (int round = 0; round < 3; ++round) {
      if (one_integer(db, "SELECT count(*) FROM t") != round * 200) ::_exit(6);
      insert_rows(db, round * 200, round * 200 + 100, 300);
      give_turn(to_b[1]);
      wait_turn(to_a[0]);
    }
    if (one_integer(db, "SELECT count(*) FROM t") != 600 || integrity(db) != "ok") ::_exit(7);
    ::_exit(0);
  });
  const pid_t b = as_pid_one([&] {
    ::close(to_b[1]);
    ::close(to_a[0]);
    SqliteDb db(path);
    db.exec("PRAGMA wal_autocheckpoint=0");
    for (int round = 0; round < 3; ++round) {
      wait_turn(to_b[0]);
      if (one_integer(db, "SELECT count(*) FROM t") != round * 200 + 100) ::_exit(6);
      insert_rows(db, round * 200 + 100, round * 200 + 200, 300);
      give_turn(to_a[1]);
    }
    ::_exit(0);
  });
  for (const int fd : {to_a[0], to_a[1], to_b[0], to_b[1]}) ::close(fd);
  const int status_a = status_of(a), status_b = status_of(b);
  if (status_a == 77 || status_b == 77) {
    WARN("no PID namespaces here (not root): the case was not run");
    return;
  }
  CHECK(status_a == 0);
  CHECK(status_b == 0);
  SqliteDb db(path);
  CHECK(one_integer(db, "SELECT count(*) FROM t") == 600);
  CHECK(integrity(db) == "ok");
}
