// weft check (issue 33): a whole store says ok and exits 0; a damaged page, or a row that
// breaks what every weft store holds, is named and exits 1; on PostgreSQL too.
#include "weft/store/sqlite/sqlite.hpp"

#include "run_process.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using weft::test::run_weft;
using weft::test::TempDir;

namespace {

// A store with people who merged (a Slack user and a Stripe customer sharing an e-mail).
std::string store_with_people(const TempDir& dir, const std::string& store) {
  const auto config = dir.write("weft.yaml", "store: " + store + "\nworkflows: " + std::string(WEFT_SOURCE_DIR) +
                                                 "/workflows\nplugin_dirs: [" + WEFT_PLUGIN_DIR + "]\n");
  std::string lines;
  for (int i = 0; i < 200; ++i)
    lines += R"({"type":"event_callback","event":{"type":"team_join","user":{"id":"U)" + std::to_string(i) +
             R"(","profile":{"email":"p)" + std::to_string(i) + R"(@check.example"}}}})" "\n";
  const auto events = dir.write("events.jsonl", lines);
  const auto r = run_weft({"ingest", "--config", config.string(), "--source", "slack", events.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return config.string();
}

}  // namespace

TEST_CASE("weft check: a whole SQLite store is ok, exit 0") {
  TempDir dir;
  const auto config = store_with_people(dir, "sqlite:weft.db");
  const auto r = run_weft({"check", "--config", config});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("weft.db: ok") != std::string::npos);
}

TEST_CASE("weft check: a damaged page and a broken invariant are each named, exit 1") {
  TempDir dir;
  const auto config = store_with_people(dir, "sqlite:weft.db");
  const std::string store = (dir.path() / "weft.db").string();
  SECTION("an identifier held by a profile that was merged away") {
    {
      weft::SqliteDb db(store);
      db.exec("UPDATE profiles SET merged_into = id WHERE id = (SELECT id FROM profiles LIMIT 1)");
    }
    const auto r = run_weft({"check", "--config", config});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("identifiers held by a profile that is not live") != std::string::npos);
    CHECK(r.out.find("problem: 1 merged profiles whose survivor is not live") != std::string::npos);
  }
  SECTION("search terms that do not match the profiles (SPEC 8)") {
    {
      weft::SqliteDb db(store);
      db.exec("INSERT INTO trait_terms (profile_id, term) VALUES (x'00', 'ghost'); UPDATE identifiers SET search = NULL WHERE value = 'U3'");
    }
    const auto r = run_weft({"check", "--config", config});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("problem: 1 identifiers without their search term") != std::string::npos);
    CHECK(r.out.find("problem: 1 search terms of profiles that are not live or do not exist") != std::string::npos);
  }
  SECTION("a page of the database file overwritten") {
    std::fstream file(store, std::ios::in | std::ios::out | std::ios::binary);
    const auto pages = static_cast<long>(std::filesystem::file_size(store) / 4096);
    file.seekp(4096 * (pages - 2));  // a late page (events or an index): its B-tree type byte
    file << '\x7f';
    file.close();
    const auto r = run_weft({"check", "--config", config});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("problem: integrity_check") != std::string::npos);
  }
}

TEST_CASE("weft check: a missing store is not created, and a PostgreSQL store is checked too") {
  TempDir dir;
  const auto missing = dir.write("missing.yaml", "store: sqlite:nothing.db\nworkflows: " + std::string(WEFT_SOURCE_DIR) + "/workflows\n");
  const auto r = run_weft({"check", "--config", missing.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("no store at") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "nothing.db"));
  const char* postgres = std::getenv("WEFT_TEST_POSTGRES");
  if (!postgres) return;  // dev.sh test starts one
  TempDir pg;
  const auto config = store_with_people(pg, postgres);
  const auto checked = run_weft({"check", "--config", config});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);
  CHECK(checked.out.find(": ok") != std::string::npos);
}

TEST_CASE("weft check and weft ingest take a store kept with SQLite's own WAL (?wal=sqlite), its path relative to the config") {
  TempDir dir;
  const auto config = store_with_people(dir, "sqlite:data/weft.db?wal=sqlite");
  CHECK(std::filesystem::exists(dir.path() / "data" / "weft.db"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "data" / "weft.db-dwal"));
  const auto r = run_weft({"check", "--config", config});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("weft.db?wal=sqlite: ok") != std::string::npos);
}
