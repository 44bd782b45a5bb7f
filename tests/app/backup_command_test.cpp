#include "weft/store/sqlite/sqlite.hpp"

#include "run_process.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <filesystem>

using weft::test::run_weft;
using weft::test::TempDir;

namespace {

std::int64_t count_in_plain_sqlite(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);  // SQLite's own VFS
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  const std::int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

// A config in `dir` whose SQLite store holds one ingested Slack event.
std::filesystem::path store_of_one_event(const TempDir& dir) {
  const auto config = dir.write("weft.yaml", "store: sqlite:weft.db\nworkflows: " + std::string(WEFT_SOURCE_DIR) +
                                                 "/workflows\nplugin_dirs: [" + WEFT_PLUGIN_DIR + "]\n");
  const auto events = dir.write("events.jsonl", R"({"event":{"type":"message","user":"U1"}})" "\n");
  REQUIRE(run_weft({"ingest", "--config", config.string(), "--source", "slack", events.string()}).exit_code == 0);
  return config;
}

}  // namespace

TEST_CASE("weft backup copies a store that is open and written, commits still in its WAL included, into one plain file") {
  TempDir dir;
  const auto config = store_of_one_event(dir);
  // A writer holds the store open; its rows are in the WAL only (nothing copied back yet).
  const std::string store = (dir.path() / "weft.db").string();
  weft::SqliteDb writer(store);
  writer.exec("PRAGMA wal_autocheckpoint=0");
  writer.exec("CREATE TABLE extra (n INTEGER)");
  writer.exec("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 5000) INSERT INTO extra SELECT i FROM k");
  REQUIRE(std::filesystem::exists(store + "-dwal"));

  const std::string copy = (dir.path() / "copy.db").string();
  const auto r = run_weft({"backup", "--config", config.string(), copy});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("backed up") != std::string::npos);
  CHECK(count_in_plain_sqlite(copy, "SELECT count(*) FROM extra") == 5000);
  CHECK(count_in_plain_sqlite(copy, "SELECT count(*) FROM events") == 1);
  CHECK_FALSE(std::filesystem::exists(copy + "-wal"));
  CHECK_FALSE(std::filesystem::exists(copy + "-dwal"));

  // never over an existing file; a PostgreSQL store is pg_dump's
  const auto again = run_weft({"backup", "--config", config.string(), copy});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("exists") != std::string::npos);
  const auto pg = dir.write("pg.yaml", "store: postgresql://localhost/none\nworkflows: " + std::string(WEFT_SOURCE_DIR) + "/workflows\n");
  const auto refused = run_weft({"backup", "--config", pg.string(), (dir.path() / "pg.db").string()});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("pg_dump") != std::string::npos);
  CHECK(run_weft({"backup", "--config", config.string()}).exit_code == 64);
}

TEST_CASE("weft backup: the copy is as private as the store (a 0600 store gives a 0600 copy)") {
  TempDir dir;
  const auto config = store_of_one_event(dir);
  namespace fs = std::filesystem;
  fs::permissions(dir.path() / "weft.db", fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  const std::string copy = (dir.path() / "copy.db").string();
  REQUIRE(run_weft({"backup", "--config", config.string(), copy}).exit_code == 0);
  CHECK((fs::status(copy).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(count_in_plain_sqlite(copy, "SELECT count(*) FROM events") == 1);
}
