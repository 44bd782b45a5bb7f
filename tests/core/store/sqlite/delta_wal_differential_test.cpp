// weft's VFS against SQLite's own (issue 33): the same seeded operations run on two stores,
// one through weft's VFS (its delta log) and one through SQLite's unix VFS, by several
// connections in this process and in a child process: inserts, updates and deletes of random
// sizes, transactions that spill pages into the WAL and roll back, savepoints, every
// checkpoint mode, connections closed and opened again, the child killed with SIGKILL, every
// connection closed. Every operation's result code and rows, and integrity_check after every
// step, must be the same in both; a stock sqlite3 must read weft's store as weft does, or
// refuse to open it.
//
// It runs rounds of fresh stores for WEFT_DIFFERENTIAL_SECONDS (60 by default), each with
// its own seed; a failing round prints its seed, and WEFT_DIFFERENTIAL_SEED=N runs that round
// alone.
#include "weft/store/sqlite/sqlite_wal_vfs.hpp"

#include "sql_session.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using weft::test::TempDir;

namespace {

using weft::test::SqlSession;

// One store and its connections: slots 0-2 in this process, 3-4 in a child process that runs
// what it is sent (sql_session_child.cpp) and can be killed in the middle of a transaction.
class World {
public:
  static constexpr int slots = 5;
  static constexpr int child_slots_from = 3;

  World(std::string path, bool weft_vfs) : path_(std::move(path)), weft_vfs_(weft_vfs) {}
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World() { kill_child(); }

  const std::string& path() const { return path_; }
  bool is_open(int slot) const { return open_[static_cast<std::size_t>(slot)]; }

  std::string open(int slot, int cache_pages) {
    open_[static_cast<std::size_t>(slot)] = true;
    if (slot >= child_slots_from) return to_child(slot, 'o', std::to_string(cache_pages));
    local_[slot] = std::make_unique<SqlSession>(path_, weft_vfs_ ? weft::weft_sqlite_vfs() : "unix", cache_pages);
    return "opened";
  }

  std::string close(int slot) {
    open_[static_cast<std::size_t>(slot)] = false;
    if (slot >= child_slots_from) return to_child(slot, 'c', "");
    local_[slot].reset();
    return "closed";
  }

  std::string run(int slot, const std::string& sql) {
    if (slot >= child_slots_from) return to_child(slot, 'r', sql);
    return local_[slot] ? local_[slot]->run(sql) : "not open";
  }

  // SIGKILL: the child's connections end with whatever they held, as in a crash.
  void kill_child() {
    if (child_ <= 0) return;
    ::kill(child_, SIGKILL);
    ::waitpid(child_, nullptr, 0);
    ::close(to_child_);
    ::close(from_child_);
    child_ = -1;
    for (int s = child_slots_from; s < slots; ++s) open_[static_cast<std::size_t>(s)] = false;
  }

  void close_all() {
    for (int s = 0; s < slots; ++s)
      if (is_open(s)) close(s);
  }

private:
  std::string to_child(int slot, char kind, const std::string& argument) {
    start_child();
    weft::test::write_message(to_child_, std::string(1, static_cast<char>(slot)) + kind + argument);
    std::string answer;
    if (!weft::test::read_message(from_child_, answer)) throw std::runtime_error("the child process died");
    return answer;
  }

  void start_child() {
    if (child_ > 0) return;
    int down[2], up[2];
    if (::pipe2(down, O_CLOEXEC) != 0 || ::pipe2(up, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    child_ = ::fork();
    if (child_ == 0) {  // nothing but exec here: this process's SQLite state is not the child's
      ::dup2(down[0], STDIN_FILENO);
      ::dup2(up[1], STDOUT_FILENO);
      ::execl(WEFT_SQL_SESSION_CHILD, WEFT_SQL_SESSION_CHILD, path_.c_str(), weft_vfs_ ? "weft" : "unix", nullptr);
      ::_exit(127);
    }
    ::close(down[0]);
    ::close(up[1]);
    to_child_ = down[1];
    from_child_ = up[0];
  }

  std::string path_;
  bool weft_vfs_;
  std::unique_ptr<SqlSession> local_[child_slots_from];
  bool open_[slots] = {};
  pid_t child_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
};

// What a stock sqlite3 (SQLite's own VFS, knowing nothing of weft's log) reads of a store:
// its digest, or "refused" when it cannot open it.
std::string stock_reading(const std::string& path, const std::string& digest_sql) {
  sqlite3* db = nullptr;
  std::string result = "refused";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, digest_sql.c_str(), -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW) {
      result.clear();
      for (int i = 0; i < sqlite3_column_count(statement); ++i) {
        const auto* text = sqlite3_column_text(statement, i);
        result += std::string(i ? "," : "") + (text ? reinterpret_cast<const char*>(text) : "NULL");
      }
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close_v2(db);
  return result;
}

const std::string last_integrity = "PRAGMA integrity_check";

const std::string digest_sql =
    "SELECT count(*), total(n), total(length(v)), total(k), total(unicode(substr(v, 1 + k % 50, 1))), "
    "(SELECT count(*) FROM u) FROM t";

class Round {
public:
  explicit Round(std::uint64_t seed)
      : seed_(seed), random_(seed), weft_((dir_.path() / "weft.db").string(), true), stock_((dir_.path() / "stock.db").string(), false) {}

  // Runs `steps` operations; returns an empty string, or what differed.
  std::string run(int steps) {
    for (int s = 0; s < World::slots; ++s) {
      const int pages = cache_pages(s);
      last_ = "open slot " + std::to_string(s);
      both([&](World& w) { return w.open(s, pages); });
    }
    both([](World& w) {
      return w.run(0, "CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB, n INTEGER NOT NULL); CREATE INDEX t_n ON t (n);"
                      "CREATE TABLE u (k INTEGER PRIMARY KEY, w TEXT)");
    });
    for (step_ = 0; step_ < steps && difference_.empty(); ++step_) {
      one_step();
      last_ = "PRAGMA integrity_check";
      if (difference_.empty()) both([](World& w) { return checker(w, last_integrity); });
    }
    if (difference_.empty()) {  // every connection closed: the last one copies the log back and removes it
      weft_.kill_child();
      stock_.kill_child();
      weft_.close_all();
      stock_.close_all();
      if (std::filesystem::exists(weft_.path() + "-dwal")) difference_ = "weft's log is still there after the last connection closed";
      const std::string mine = stock_reading(weft_.path(), digest_sql);
      const std::string theirs = stock_reading(stock_.path(), digest_sql);
      if (difference_.empty() && mine != theirs)
        difference_ = "after every connection closed, a stock sqlite3 reads " + mine + " in weft's store, " + theirs + " in SQLite's";
    }
    return difference_;
  }

  std::uint64_t seed() const { return seed_; }

private:
  int below(int n) { return static_cast<int>(random_() % static_cast<std::uint64_t>(n)); }
  bool chance(int percent) { return below(100) < percent; }

  // Small caches make large transactions spill pages into the WAL before they commit.
  int cache_pages(int slot) {
    static constexpr int choices[] = {10, 20, 50, 2000};
    return choices[(slot + below(4)) % 4];
  }

  static std::string checker(World& w, const std::string& sql) {
    // slot 0 when it is outside a transaction, else whichever is
    for (int s = 0; s < World::slots; ++s)
      if (w.is_open(s)) {
        const std::string state = w.run(s, "SELECT 1");
        if (state.find("autocommit=1") != std::string::npos) return w.run(s, sql);
      }
    return "no connection outside a transaction";
  }

  template <typename Action>
  void both(Action action) {
    const std::string in_weft = action(weft_);
    const std::string in_stock = action(stock_);
    log_.push_back(last_ + " -> " + in_stock);
    if (in_weft != in_stock && difference_.empty())
      difference_ = recent_steps() + "step " + std::to_string(step_) + ": " + last_ + "\n  weft's VFS: " + in_weft + "\n  SQLite's:   " + in_stock;
  }

  void sql(int slot, const std::string& statement) {
    last_ = "slot " + std::to_string(slot) + ": " + statement;
    both([&](World& w) { return w.run(slot, statement); });
  }

  void one_step() {
    const int slot = below(World::slots);
    if (!weft_.is_open(slot) || !stock_.is_open(slot)) {
      const int pages = cache_pages(slot);
      last_ = "open slot " + std::to_string(slot);
      both([&](World& w) { return w.open(slot, pages); });
      return;
    }
    const int what = below(100);
    const std::int64_t key = below(4000);
    const int rows = 1 + below(chance(30) ? 400 : 40);
    const int width = chance(50) ? 10 + below(200) : 200 + below(2500);
    const std::int64_t salt = static_cast<std::int64_t>(random_() >> 16);
    if (what < 12) sql(slot, chance(50) ? "BEGIN" : "BEGIN IMMEDIATE");
    else if (what < 30)
      sql(slot, "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < " + std::to_string(rows - 1) +
                    ") INSERT OR REPLACE INTO t (k, v, n) SELECT " + std::to_string(key) + " + i * 7, weft_bytes(" +
                    std::to_string(salt) + " + i, " + std::to_string(width) + "), i FROM s");
    else if (what < 38)
      sql(slot, "UPDATE t SET n = n + 1, v = weft_bytes(k + " + std::to_string(salt) + ", length(v) + " + std::to_string(below(300)) +
                    " - 150) WHERE k % " + std::to_string(2 + below(20)) + " = " + std::to_string(below(2)));
    else if (what < 44)
      sql(slot, "DELETE FROM t WHERE k % " + std::to_string(2 + below(10)) + " = " + std::to_string(below(2)));
    else if (what < 47)
      sql(slot, "INSERT INTO u (w) VALUES (hex(weft_bytes(" + std::to_string(salt) + ", " + std::to_string(width) + ")))");
    else if (what < 53) sql(slot, "SAVEPOINT s" + std::to_string(below(3)));
    else if (what < 57) sql(slot, "ROLLBACK TO s" + std::to_string(below(3)));
    else if (what < 60) sql(slot, "RELEASE s" + std::to_string(below(3)));
    else if (what < 70) sql(slot, "COMMIT");
    else if (what < 78) sql(slot, "ROLLBACK");
    else if (what < 86) sql(slot, digest_sql);
    else if (what < 91) {
      static constexpr const char* modes[] = {"PASSIVE", "FULL", "RESTART", "TRUNCATE"};
      sql(slot, std::string("PRAGMA wal_checkpoint(") + modes[below(4)] + ")");
    } else if (what < 94) {
      last_ = "close slot " + std::to_string(slot);
      both([&](World& w) { return w.close(slot); });
    } else if (what < 96) {
      last_ = "SIGKILL the child";
      both([](World& w) {
        w.kill_child();
        return std::string("killed");
      });
    } else if (what < 98) {
      last_ = "a stock sqlite3 reads the stores";
      const std::string mine = stock_reading(weft_.path(), digest_sql);
      const std::string theirs = checker(stock_, digest_sql);
      log_.push_back(last_ + " -> " + mine);
      if (mine != "refused" && theirs.rfind("[" + mine + "]", 0) != 0 && difference_.empty())
        difference_ = "step " + std::to_string(step_) + ": a stock sqlite3 reads " + mine + " in weft's store; SQLite's holds " + theirs;
    } else {
      sql(slot, "PRAGMA wal_autocheckpoint=" + std::to_string(chance(50) ? 0 : 1 + below(200)));
    }
  }

  std::string recent_steps() const {
    std::string text = "the steps before:\n";
    for (std::size_t i = log_.size() > 40 ? log_.size() - 40 : 0; i < log_.size(); ++i) text += "  " + log_[i].substr(0, 300) + "\n";
    return text;
  }

  std::uint64_t seed_;
  std::mt19937_64 random_;
  TempDir dir_;
  World weft_;
  World stock_;
  int step_ = 0;
  std::string last_;
  std::string difference_;
  std::vector<std::string> log_;
};

double seconds_from_environment() {
  const char* set = std::getenv("WEFT_DIFFERENTIAL_SECONDS");
  return set ? std::atof(set) : 60.0;
}

}  // namespace

TEST_CASE("weft's VFS answers every operation as SQLite's own does, for seeded random workloads of several connections and processes") {
  constexpr int steps_a_round = 300;
  std::vector<std::uint64_t> seeds;
  if (const char* seed = std::getenv("WEFT_DIFFERENTIAL_SEED")) seeds.push_back(std::strtoull(seed, nullptr, 10));
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds_from_environment());
  std::random_device fresh;
  int rounds = 0;
  while (seeds.empty() ? std::chrono::steady_clock::now() < until : rounds < 1) {
    const std::uint64_t seed = seeds.empty() ? (std::uint64_t{fresh()} << 32 | fresh()) : seeds.front();
    Round round(seed);
    const std::string difference = round.run(steps_a_round);
    ++rounds;
    INFO("seed " << seed << " (run it again: WEFT_DIFFERENTIAL_SEED=" << seed << ")");
    INFO(difference);
    REQUIRE(difference.empty());
  }
  WARN(rounds << " rounds of " << steps_a_round << " steps, every result the same in both stores");
  CHECK(rounds > 0);
}
