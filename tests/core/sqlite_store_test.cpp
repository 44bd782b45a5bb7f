#include "weft/sqlite_store.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using weft::SqliteStore;
using weft::test::TempDir;

TEST_CASE("a new store gets the current schema version, and keeps it on reopening") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  {
    SqliteStore store(path);
    store.begin();
    store.insert_profile({"p1", 1, 1, "{}", 0});
    store.commit();
  }
  SqliteStore reopened(path);
  CHECK(reopened.load_profile("p1"));
  auto version = reopened.db().prepare("SELECT version FROM schema_version");
  REQUIRE(version.step());
  CHECK(version.integer(0) == SqliteStore::schema_version);
  CHECK_FALSE(version.step());
}

TEST_CASE("an older database is upgraded when opened") {
  TempDir dir;
  const std::string path = (dir.path() / "old.db").string();
  {
    weft::SqliteDb db(path);  // what a release before the first migration would have left
    db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (0)");
  }
  SqliteStore store(path);
  store.begin();
  store.insert_profile({"p1", 1, 1, "{}", 0});
  store.insert_identifier("slack", "U1", "p1", 1);
  store.commit();
  CHECK(store.find_identifier("slack", "U1") == "p1");
}

TEST_CASE("a database from a newer weft is refused, not damaged") {
  TempDir dir;
  const std::string path = (dir.path() / "new.db").string();
  {
    weft::SqliteDb db(path);
    db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99)");
  }
  CHECK_THROWS_WITH(SqliteStore(path), "the store has schema version 99, newer than this weft understands (1): upgrade weft");
}

TEST_CASE("an unusable store path is a clear error") {
  CHECK_THROWS_WITH(SqliteStore("/nonexistent/folder/weft.db"),
                    Catch::Matchers::StartsWith("cannot open the SQLite store /nonexistent/folder/weft.db: "));
}

TEST_CASE("the (type, value) of an identifier is unique") {
  TempDir dir;
  SqliteStore store((dir.path() / "weft.db").string());
  store.begin();
  store.insert_profile({"p1", 1, 1, "{}", 0});
  store.insert_profile({"p2", 1, 1, "{}", 0});
  store.insert_identifier("email", "a@b.co", "p1", 1);
  CHECK_THROWS_AS(store.insert_identifier("email", "a@b.co", "p2", 1), weft::StoreError);
  store.insert_identifier("slack", "a@b.co", "p2", 1);  // another type is another identifier
  store.commit();
}
