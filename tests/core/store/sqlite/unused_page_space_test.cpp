// The store's database file keeps no bytes in the space its B-tree pages do not use (issue 34,
// unused_page_space.hpp): SQLite's secure_delete zeroes what it deletes, but pages it rebuilds
// while balancing keep older copies of moved cells there, where an erased row outlived its
// erasure (found by the power-loss test). Checked on the file by a reading of SQLite's page
// format of the test's own, after seeded workloads that insert, grow, shrink and delete.
#include "weft/store/sqlite/sqlite.hpp"
#include "weft/store/sqlite/unused_page_space.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <random>
#include <string>

using weft::SqliteDb;
using weft::SqliteWal;
using weft::test::TempDir;

namespace {

std::size_t be16(const std::string& b, std::size_t at) {
  return static_cast<std::size_t>(static_cast<unsigned char>(b[at])) << 8 | static_cast<unsigned char>(b[at + 1]);
}

struct Scan {
  std::size_t btree_pages = 0;
  std::size_t pages_with_bytes = 0;  // B-tree pages with a nonzero byte in their unused space
  std::size_t bytes = 0;
};

// Every B-tree page of the file: the gap between its cell pointers and its content, and the
// bodies of its free blocks.
Scan scan_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string file{std::istreambuf_iterator<char>(in), {}};
  REQUIRE(file.size() >= 100);
  const std::size_t page_size = be16(file, 16) == 1 ? 65536 : be16(file, 16);
  Scan scan;
  for (std::size_t page = 0; (page + 1) * page_size <= file.size(); ++page) {
    const std::size_t base = page * page_size, header = base + (page == 0 ? 100 : 0);
    const int type = static_cast<unsigned char>(file[header]);
    if (type != 2 && type != 5 && type != 10 && type != 13) continue;
    ++scan.btree_pages;
    const std::size_t pointers_end = header + (type == 2 || type == 5 ? 12 : 8) + 2 * be16(file, header + 3);
    const std::size_t content = base + (be16(file, header + 5) == 0 ? 65536 : be16(file, header + 5));
    std::size_t nonzero = 0;
    for (std::size_t at = pointers_end; at < content; ++at) nonzero += file[at] != 0;
    for (std::size_t block = be16(file, header + 1); block != 0; block = be16(file, base + block))
      for (std::size_t at = base + block + 4; at < base + block + be16(file, base + block + 2); ++at) nonzero += file[at] != 0;
    scan.pages_with_bytes += nonzero != 0;
    scan.bytes += nonzero;
  }
  return scan;
}

// Rows of varied sizes in a table, a table without rowid and an index, changed at random,
// copied into the database file at the end.
void run_workload(const std::string& path, SqliteWal wal, std::uint64_t seed) {
  SqliteDb db(path, wal);
  db.exec("PRAGMA secure_delete = ON");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT NOT NULL, body TEXT NOT NULL)");
  db.exec("CREATE INDEX t_email ON t (email)");
  db.exec("CREATE TABLE k (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
  std::mt19937_64 random(seed);
  auto insert = db.prepare("INSERT OR REPLACE INTO t (id, email, body) VALUES (?1, ?2, ?3)");
  auto grow = db.prepare("UPDATE t SET body = ?2 WHERE id = ?1");
  auto erase = db.prepare("DELETE FROM t WHERE id = ?1");
  auto key = db.prepare("INSERT OR REPLACE INTO k (key, value) VALUES (?1, ?2)");
  auto unkey = db.prepare("DELETE FROM k WHERE key = ?1");
  for (int transaction = 0; transaction < 200; ++transaction) {
    db.exec("BEGIN");
    for (int step = 0; step < 100; ++step) {
      const auto id = static_cast<std::int64_t>(random() % 5000);
      const std::string email = "person" + std::to_string(id) + "@example.com";
      const std::string body(10 + random() % 400, static_cast<char>('a' + random() % 26));
      switch (random() % 5) {
        case 0:
        case 1:
          run(insert.bind(1, id).bind(2, email).bind(3, body));
          run(key.bind(1, email).bind(2, body.substr(0, 40)));
          break;
        case 2:
          run(grow.bind(1, id).bind(2, body));
          break;
        default:
          run(erase.bind(1, id));
          run(unkey.bind(1, email));
      }
    }
    db.exec("COMMIT");
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  auto check = db.prepare("PRAGMA integrity_check");
  REQUIRE(check.step());
  REQUIRE(check.text(0) == "ok");
}

}  // namespace

TEST_CASE("the store's database file keeps nothing in the unused space of its pages, with either log") {
  for (const SqliteWal wal : {SqliteWal::weft_log, SqliteWal::sqlite}) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      TempDir dir;
      const std::string path = (dir.path() / "store.db").string();
      run_workload(path, wal, seed);
      const Scan scan = scan_file(path);
      INFO("log " << (wal == SqliteWal::weft_log ? "weft" : "sqlite") << ", seed " << seed << ": " << scan.btree_pages << " B-tree pages, "
                  << scan.pages_with_bytes << " with " << scan.bytes << " bytes in their unused space");
      REQUIRE(scan.btree_pages > 100);
      CHECK(scan.pages_with_bytes == 0);
    }
  }
}

TEST_CASE("a page whose header does not describe a B-tree page's layout is left as it is") {
  std::string page(4096, '\x7f');
  const auto left_as_it_is = [&] {
    const std::string given = page;
    return !weft::zero_unused_page_space(reinterpret_cast<unsigned char*>(page.data()), page.size(), false) && page == given;
  };
  SECTION("an overflow page: the next page's number first") {
    page[0] = 0;
    CHECK(left_as_it_is());
  }
  SECTION("a leaf whose content area starts inside its cell pointers") {
    page[0] = 13, page[1] = 0, page[2] = 0, page[3] = 0, page[4] = 10, page[5] = 0, page[6] = 20;
    CHECK(left_as_it_is());
  }
  SECTION("a leaf whose free blocks go backwards") {
    page[0] = 13, page[1] = 0x0f, page[2] = 0x00, page[3] = 0, page[4] = 0, page[5] = 0x08, page[6] = 0x00;
    page[0xf00] = 0x09, page[0xf01] = 0x00, page[0xf02] = 0, page[0xf03] = 16;  // next at 0x900 < 0xf00
    CHECK(left_as_it_is());
  }
  SECTION("a consistent one is scrubbed: its gap and its free block's body, not its cells") {
    // a leaf with one cell at 0xff0, a free block at 0x900 of 32 bytes, content from 0x800
    page[0] = 13, page[1] = 0x09, page[2] = 0x00, page[3] = 0, page[4] = 1, page[5] = 0x08, page[6] = 0x00, page[7] = 0;
    page[8] = 0x0f, page[9] = static_cast<char>(0xf0);
    page[0x900] = 0, page[0x901] = 0, page[0x902] = 0, page[0x903] = 32;
    const std::string given = page;
    REQUIRE(weft::zero_unused_page_space(reinterpret_cast<unsigned char*>(page.data()), page.size(), false));
    CHECK(page.substr(0, 10) == given.substr(0, 10));
    CHECK(page.substr(10, 0x800 - 10) == std::string(0x800 - 10, '\0'));
    CHECK(page.substr(0x800, 0x104) == given.substr(0x800, 0x104));  // content, the block's next and size
    CHECK(page.substr(0x904, 28) == std::string(28, '\0'));
    CHECK(page.substr(0x920) == given.substr(0x920));
  }
}
