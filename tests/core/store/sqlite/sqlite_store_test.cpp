#include "weft/store/profile_search.hpp"
#include "weft/store/sqlite/sqlite_store.hpp"
#include "weft/store/sqlite/delta_wal_log.hpp"
#include "weft/store/sqlite/sqlite_checkpointer.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <optional>
#include <thread>

using weft::SqliteStore;
using weft::test::TempDir;

namespace {

weft::EventRecord processed_event(const std::string& id, const std::string& payload) {
  weft::EventRecord e;
  e.id = id;
  e.source = "s";
  e.type = "t";
  e.status = "processed";
  e.payload = payload;
  e.properties = "{}";
  e.trace = "[]";
  return e;
}

}  // namespace

TEST_CASE("a new store gets the current schema version, and keeps it on reopening") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  {
    SqliteStore store(path);
    store.begin();
    store.insert_profile({"p1", 1, 1, "{}", {}});
    store.commit();
  }
  SqliteStore reopened(path);
  CHECK(reopened.load_profile("p1"));
  auto version = reopened.db().prepare("SELECT version FROM schema_version");
  REQUIRE(version.step());
  CHECK(version.integer(0) == SqliteStore::schema_version);
  CHECK_FALSE(version.step());
}

TEST_CASE("an older database is upgraded when opened, its data kept") {
  TempDir dir;
  const std::string path = (dir.path() / "old.db").string();
  {
    // a version 1 store, as the first release wrote it
    weft::SqliteDb db(path);
    db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1)");
    db.exec(std::string(R"sql(
CREATE TABLE profiles (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  traits TEXT NOT NULL DEFAULT '{}', event_count INTEGER NOT NULL DEFAULT 0, merged_into TEXT, merged_at INTEGER) WITHOUT ROWID;
CREATE TABLE identifiers (type TEXT NOT NULL, value TEXT NOT NULL, profile_id TEXT NOT NULL, added_at INTEGER NOT NULL,
  PRIMARY KEY (type, value)) WITHOUT ROWID;
CREATE INDEX identifiers_profile ON identifiers (profile_id, type);
CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, type TEXT NOT NULL,
  received_at INTEGER NOT NULL, profile_id TEXT, status TEXT NOT NULL, payload TEXT NOT NULL, properties TEXT NOT NULL,
  trace TEXT NOT NULL, error TEXT);
CREATE TABLE merges (seq INTEGER PRIMARY KEY, survivor TEXT NOT NULL, merged TEXT NOT NULL, identifier_type TEXT NOT NULL,
  identifier_value TEXT NOT NULL, event_id TEXT NOT NULL, at INTEGER NOT NULL, merged_snapshot TEXT NOT NULL);
INSERT INTO profiles (id, created_at, updated_at, traits) VALUES ('p1', 1, 1, '{"name":"Jane"}');
INSERT INTO identifiers VALUES ('slack', 'U1', 'p1', 1);
INSERT INTO profiles (id, created_at, updated_at, merged_into, merged_at) VALUES ('p0', 2, 2, 'p1', 3);
INSERT INTO merges (survivor, merged, identifier_type, identifier_value, event_id, at, merged_snapshot)
  VALUES ('p1', 'p0', 'email', 'j@x.co', 'e0', 3, '{"id":"p0","identifiers":[{"type":"stripe","value":"cus_1"}]}');
INSERT INTO events (id, source, type, received_at, profile_id, status, payload, properties, trace)
  VALUES ('e0', 'slack', 'message', 3, 'p1', 'processed', '{}', '{}', '[{"node":"receive","plugin":"webhook_trigger","port":"out","micros":7}]');
)sql"));
  }
  SqliteStore store(path);
  CHECK(store.find_identifier("slack", "U1") == "p1");
  // version 5 copied the merges into a table whose identifier may be NULL: the record is kept
  const auto merges = store.merges("p1");
  REQUIRE(merges.size() == 1);
  CHECK(merges[0].identifier->value == "j@x.co");
  CHECK(merges[0].event_id == "e0");
  CHECK_FALSE(merges[0].reason);
  CHECK(store.operations(0, 10).empty());  // the table version 5 added
  CHECK(store.load_profile("p1")->traits == R"({"name":"Jane"})");
  // version 7 told older profiles the identifier they were created for, so that a re-derivation
  // can give their ids back: a live one its earliest identifier, a merged one the first in its
  // merge's snapshot
  const auto rows = store.profile_rows(std::nullopt);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].profile.id == "p1");
  CHECK(rows[0].profile.created_for->type == "slack");
  CHECK(rows[0].profile.created_for->value == "U1");
  CHECK(rows[1].profile.id == "p0");
  CHECK(rows[1].live_id == "p1");
  CHECK(rows[1].profile.created_for->type == "stripe");
  CHECK(rows[1].profile.created_for->value == "cus_1");
  store.begin();
  store.insert_idempotency_key("slack", "Ev1", "e1");  // the table version 2 added
  store.commit();
  CHECK(store.find_idempotency_key("slack", "Ev1") == "e1");
  // version 9 stores traces by their workflow's shape; older rows keep their JSON arrays
  CHECK(store.load_event("e0")->trace == R"([{"node":"receive","plugin":"webhook_trigger","port":"out","micros":7}])");
  // version 10: an erasure finds its events' keys by index, not by a scan of every key
  auto plan = store.db().prepare(
      "EXPLAIN QUERY PLAN UPDATE idempotency_keys SET event_id = NULL WHERE event_id IN (SELECT id FROM events WHERE profile_id = 'p1')");
  std::string steps;
  while (plan.step()) steps += std::string(plan.text(3)) + "\n";
  CHECK(steps.find("idempotency_keys USING COVERING INDEX idempotency_keys_event") != std::string::npos);
  auto version = store.db().prepare("SELECT version FROM schema_version");
  REQUIRE(version.step());
  CHECK(version.integer(0) == weft::SqliteStore::schema_version);
}

TEST_CASE("a schema 15 store's waiting messages keep their per-profile order after the upgrade") {
  TempDir dir;
  const std::string path = (dir.path() / "order.db").string();
  const std::string p1 = "0190f5c2-7b1a-7c3d-8e4f-0123456789ab";
  {
    SqliteStore store(path);
    store.begin();
    for (int i = 1; i <= 3; ++i)
      store.outbox().enqueue({.id = "msg_" + std::to_string(i), .destination = "crm", .type = "event", .profile_id = p1, .created_at = 1, .data = "{}"});
    store.commit();
  }
  {  // taken back to schema 15: the first message was retried by hand after the second was delivered
    weft::SqliteDb db(path);
    db.exec("DROP INDEX messages_updates_waiting; DROP INDEX messages_profile; ALTER TABLE messages DROP COLUMN after_seq;"
            "CREATE INDEX messages_profile ON messages (profile_id, destination, status, seq);"
            "UPDATE messages SET status = 'delivered' WHERE id = 'msg_2'; UPDATE schema_version SET version = 15");
  }
  SqliteStore store(path);
  const auto claim = [&](std::int64_t now) {
    store.begin();
    std::vector<std::string> ids;
    for (const auto& m : store.outbox().claim("crm", now, now + 10, 10, true)) ids.push_back(m.id);
    store.commit();
    return ids;
  };
  store.begin();
  store.outbox().enqueue({.id = "msg_4", .destination = "crm", .type = "event", .profile_id = p1, .created_at = 2, .data = "{}"});
  store.commit();
  CHECK(claim(100) == std::vector<std::string>{"msg_1"});  // the third and the new fourth wait behind it
  store.begin();
  store.outbox().settle({.seq = 1, .attempt = {.at = 100, .http_status = 200}});
  store.commit();
  CHECK(claim(200) == std::vector<std::string>{"msg_3"});
}

TEST_CASE("ids that a schema 10 store holds as text are stored as their 16 bytes after the upgrade, and read back the same") {
  TempDir dir;
  const std::string path = (dir.path() / "ids.db").string();
  const std::string p1 = "0190f5c2-7b1a-7c3d-8e4f-0123456789ab", p0 = "0190f5c2-7b1a-7c3d-8e4f-0123456789aa";
  const std::string e0 = "0190f5c2-7b1a-7000-8000-00000000000e";
  { SqliteStore store(path); }
  {  // taken back to schema 10, with rows as weft wrote them then (and an id that is no UUID)
    weft::SqliteDb db(path);
    db.exec("DROP INDEX events_owner; DROP INDEX identifiers_taken_from; ALTER TABLE events DROP COLUMN owner;"
            "ALTER TABLE identifiers DROP COLUMN taken_from; DROP TABLE event_values; DROP TABLE event_values_pending;"
            "DROP TABLE messages; DROP TABLE message_attempts; DROP TABLE destinations;"
            "DROP TRIGGER profiles_deleted_terms; DROP INDEX profiles_recent; DROP TABLE trait_terms; DROP INDEX identifiers_search;"
            "DROP INDEX identifiers_profile; CREATE INDEX identifiers_profile ON identifiers (profile_id, type);"
            "ALTER TABLE identifiers DROP COLUMN search;");
    db.exec("INSERT INTO profiles (id, created_at, updated_at, traits) VALUES ('" + p1 + "', 1, 1, '{\"name\":\"Jane Doe\"}');"
            "INSERT INTO profiles (id, created_at, updated_at, merged_into, merged_at) VALUES ('" + p0 + "', 2, 2, '" + p1 + "', 3);"
            "INSERT INTO profiles (id, created_at, updated_at, traits) VALUES ('legacy-1', 4, 4, '{}');"
            "INSERT INTO identifiers (type, value, profile_id, added_at) VALUES ('slack', 'U1', '" + p1 + "', 1);"
            "INSERT INTO events (id, source, type, received_at, profile_id, status, payload, properties, trace) VALUES ('" + e0 +
            "', 'slack', 'message', 3, '" + p1 + "', 'processed', '{}', '{}', '[]');"
            "INSERT INTO merges (survivor, merged, identifier_type, identifier_value, event_id, at, merged_snapshot) VALUES ('" + p1 +
            "', '" + p0 + "', 'email', 'j@x.co', '" + e0 + "', 3, '{}');"
            "INSERT INTO idempotency_keys (source, key, event_id) VALUES ('slack', 'Ev1', '" + e0 + "');"
            "UPDATE schema_version SET version = 10");
  }
  SqliteStore store(path);
  CHECK(store.find_identifier("slack", "U1") == p1);
  CHECK(store.load_profile(p0)->id == p1);  // the alias answers with its survivor
  CHECK(store.load_profile("legacy-1")->id == "legacy-1");
  CHECK(store.aliases(p1) == std::vector<std::string>{p0});
  CHECK(store.load_event(e0)->profile_id == p1);
  CHECK(store.profile_events(p1, 0, 10, false).size() == 1);
  const auto merges = store.merges(p1);
  REQUIRE(merges.size() == 1);
  CHECK(merges[0].merged == p0);
  CHECK(merges[0].event_id == e0);
  CHECK(store.find_idempotency_key("slack", "Ev1") == e0);
  const auto count = [&](const std::string& sql) {
    auto q = store.db().prepare(sql);
    REQUIRE(q.step());
    return q.integer(0);
  };
  CHECK(count("SELECT count(*) FROM profiles WHERE typeof(id) = 'blob' AND length(id) = 16") == 2);
  CHECK(count("SELECT count(*) FROM profiles WHERE typeof(merged_into) = 'blob'") == 1);
  CHECK(count("SELECT count(*) FROM profiles WHERE id = 'legacy-1'") == 1);
  CHECK(count("SELECT count(*) FROM identifiers WHERE typeof(profile_id) = 'blob'") == 1);
  CHECK(count("SELECT count(*) FROM events WHERE typeof(id) = 'blob' AND typeof(profile_id) = 'blob'") == 1);
  CHECK(count("SELECT count(*) FROM merges WHERE typeof(survivor) = 'blob' AND typeof(merged) = 'blob' AND typeof(event_id) = 'blob'") == 1);
  CHECK(count("SELECT count(*) FROM idempotency_keys WHERE typeof(event_id) = 'blob'") == 1);
  // version 15: the profiles stored before are listed and found by their identifiers and traits
  const auto ids = [](const std::vector<weft::ProfilePlace>& places) {
    std::vector<std::string> out;
    for (const auto& p : places) out.push_back(p.id);
    return out;
  };
  CHECK(ids(store.recent_profiles(std::nullopt, 10)) == std::vector<std::string>{"legacy-1", p1});
  CHECK(ids(weft::search_profiles(store, "u1", std::nullopt, 10)) == std::vector<std::string>{p1});
  CHECK(ids(weft::search_profiles(store, "DOE", std::nullopt, 10)) == std::vector<std::string>{p1});
}

TEST_CASE("a database from a newer weft is refused, not damaged") {
  TempDir dir;
  const std::string path = (dir.path() / "new.db").string();
  {
    weft::SqliteDb db(path);
    db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99)");
  }
  CHECK_THROWS_WITH(SqliteStore(path), "the store has schema version 99, newer than this weft understands (" + std::to_string(SqliteStore::schema_version) + "): upgrade weft");
}

TEST_CASE("an unusable store path is a clear error") {
  CHECK_THROWS_WITH(SqliteStore("/nonexistent/folder/weft.db"),
                    Catch::Matchers::StartsWith("cannot open the SQLite store /nonexistent/folder/weft.db: "));
}

TEST_CASE("the (type, value) of an identifier is unique") {
  TempDir dir;
  SqliteStore store((dir.path() / "weft.db").string());
  store.begin();
  store.insert_profile({"p1", 1, 1, "{}", {}});
  store.insert_profile({"p2", 1, 1, "{}", {}});
  store.insert_identifier("email", "a@b.co", "p1", 1);
  CHECK_THROWS_AS(store.insert_identifier("email", "a@b.co", "p2", 1), weft::StoreError);
  store.insert_identifier("slack", "a@b.co", "p2", 1);  // another type is another identifier
  store.commit();
}

TEST_CASE("the writer's WAL is copied into the database in the background, and emptied on close") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  const auto file_size = [](const std::string& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    return ec ? std::uintmax_t{0} : size;
  };
  {
    weft::SqliteDb writer(path);
    writer.exec("CREATE TABLE t (v TEXT)");
    weft::SqliteCheckpointer checkpointer(path, writer, {1 << 20, 64 << 20});  // rounds past 1 MiB of log
    auto insert = writer.prepare("INSERT INTO t VALUES (randomblob(3000))");  // incompressible: ~3 KiB stored a row
    for (int transaction = 0; transaction < 8; ++transaction) {
      writer.exec("BEGIN IMMEDIATE");
      for (int i = 0; i < 1000; ++i) {
        insert.run();
        insert.reset();
      }
      writer.exec("COMMIT");
    }
    // The writer never checkpoints (wal_autocheckpoint is replaced): the database file grows
    // only through the background thread. Wait for it, bounded.
    for (int i = 0; i < 600 && file_size(path) < 16u << 20; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(file_size(path) >= 16u << 20);
  }
  CHECK(file_size(path + "-dwal") <= 4096);  // truncated by the last round, or removed on close
  weft::SqliteDb reopened(path);
  auto count = reopened.prepare("SELECT count(*) FROM t");
  REQUIRE(count.step());
  CHECK(count.integer(0) == 8000);
}

TEST_CASE("a writer that never pauses keeps the WAL bounded: past the limit it waits for a restart before its next transaction") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  weft::SqliteDb writer(path);
  writer.exec("CREATE TABLE t (v TEXT)");
  weft::SqliteCheckpointer checkpointer(path, writer, {1 << 20, 4 << 20});
  auto insert = writer.prepare("INSERT INTO t VALUES (?1)");
  const std::string row(4000, 'w');
  std::uintmax_t largest = 0;
  for (int transaction = 0; transaction < 40; ++transaction) {  // 40 x 1 MiB, one after the other
    checkpointer.before_write();
    writer.exec("BEGIN IMMEDIATE");
    for (int i = 0; i < 256; ++i) {
      insert.bind(1, row);
      insert.run();
      insert.reset();
    }
    writer.exec("COMMIT");
    largest = std::max(largest, std::filesystem::file_size(path + "-dwal"));
  }
  // the limit, plus the transaction that crossed it and the one after
  CHECK(largest < std::uintmax_t{8} << 20);
  auto count = writer.prepare("SELECT count(*) FROM t");
  REQUIRE(count.step());
  CHECK(count.integer(0) == 40 * 256);
}

TEST_CASE("a writer that never pauses starts the log over after each round, without waiting for a restart") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  weft::SqliteDb writer(path);
  writer.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)");
  // rounds past 1 MiB of log; the writer would wait only past 1 GiB
  weft::SqliteCheckpointer checkpointer(path, writer, {1 << 20, std::int64_t{1} << 30, 1 << 30, 1 << 30});
  auto upsert = writer.prepare("INSERT OR REPLACE INTO t VALUES (?1, randomblob(3000))");  // incompressible
  std::int64_t largest = 0, previous = 0;
  int restarts = 0;
  for (int transaction = 0; transaction < 400; ++transaction) {  // 400 x ~400 KiB of frames, one after the other
    checkpointer.before_write();
    writer.exec("BEGIN IMMEDIATE");
    for (int i = 0; i < 100; ++i) {
      upsert.bind(1, std::int64_t{transaction % 7 * 100 + i});  // the same 700 rows again and again
      upsert.run();
      upsert.reset();
    }
    writer.exec("COMMIT");
    const std::int64_t stored = weft::DeltaWalLog::stored_bytes(path);
    if (stored < previous) ++restarts;
    previous = stored;
    largest = std::max(largest, stored);
  }
  CHECK(restarts >= 5);
  CHECK(largest < std::int64_t{24} << 20);  // a round's worth of commits past 1 MiB, not 160 MiB
  auto count = writer.prepare("SELECT count(*) FROM t");
  REQUIRE(count.step());
  CHECK(count.integer(0) == 700);
}

namespace {

// A writer with a table of 700 rows rewritten by each transaction, and a row with a marker that
// was written and then deleted (secure_delete), so that only old frames of the WAL hold it.
struct ErasingWriter {
  explicit ErasingWriter(const std::string& path) : db(path) {
    db.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)");
    db.exec("INSERT INTO t VALUES (-1, 'Quokka-Zyxwvut-4711')");
    db.exec("PRAGMA secure_delete = ON");
    db.exec("DELETE FROM t WHERE k = -1");
    db.exec("PRAGMA secure_delete = OFF");
    upsert.emplace(db.prepare("INSERT OR REPLACE INTO t VALUES (?1, randomblob(3000))"));
  }
  void transaction(weft::SqliteCheckpointer& checkpointer, int n) {
    checkpointer.before_write();
    db.exec("BEGIN IMMEDIATE");
    for (int i = 0; i < 100; ++i) {
      upsert->bind(1, std::int64_t{n % 7 * 100 + i});
      upsert->run();
      upsert->reset();
    }
    db.exec("COMMIT");
  }
  weft::SqliteDb db;
  std::optional<weft::SqliteStatement> upsert;
};

bool files_hold(const std::string& path, const std::string& marker) {
  std::string bytes;
  for (const std::string& file : {path, path + "-wal", path + "-dwal"}) {
    std::ifstream in(file, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return bytes.find(marker) != std::string::npos;
}

// no rounds of its own: only the scrub copies the log
const weft::WalLimits no_rounds{std::int64_t{1} << 30, std::int64_t{1} << 31, 1 << 30, 1 << 30};

}  // namespace

TEST_CASE("an erasure's scrub does not hold the writer up: it commits meanwhile, and the WAL is cut at its next transaction") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  ErasingWriter writer(path);
  weft::SqliteCheckpointer checkpointer(path, writer.db, no_rounds);
  for (int n = 0; n < 40; ++n) writer.transaction(checkpointer, n);  // ~16 MiB of log
  REQUIRE(files_hold(path, "Quokka-Zyxwvut-4711"));                  // the search can fail
  auto settled = std::async(std::launch::async, checkpointer.scrub());
  int committed_meanwhile = 0;
  for (int n = 0; settled.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready && n < 100000; ++n) {
    writer.transaction(checkpointer, n);
    ++committed_meanwhile;
  }
  REQUIRE_NOTHROW(settled.get());
  CHECK(committed_meanwhile >= 1);
  CHECK_FALSE(files_hold(path, "Quokka-Zyxwvut-4711"));
}

TEST_CASE("an erasure's scrub with the writer idle cuts the WAL to nothing by itself") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  ErasingWriter writer(path);
  weft::SqliteCheckpointer checkpointer(path, writer.db, no_rounds);
  for (int n = 0; n < 40; ++n) writer.transaction(checkpointer, n);
  REQUIRE(files_hold(path, "Quokka-Zyxwvut-4711"));
  REQUIRE(weft::DeltaWalLog::stored_bytes(path) > 8 << 20);
  REQUIRE_NOTHROW(checkpointer.scrub()());
  CHECK(weft::DeltaWalLog::stored_bytes(path) <= 4096);  // its header at most
  CHECK_FALSE(files_hold(path, "Quokka-Zyxwvut-4711"));
  writer.transaction(checkpointer, 0);  // and the writer goes on
  auto count = writer.db.prepare("SELECT count(*) FROM t");
  REQUIRE(count.step());
  CHECK(count.integer(0) == 700);
}

TEST_CASE("commits larger than the WAL write buffer reach other connections and survive a reopen") {
  TempDir dir;
  const std::string path = (dir.path() / "weft.db").string();
  SqliteStore writer(path);
  SqliteStore reader(path);
  // 3 MiB in one commit: several 1 MiB gatherings, each written in 64 KiB pieces; rows larger
  // than a page too (overflow pages)
  const std::string payload = "\"" + std::string(150000, 'p') + "\"";
  writer.begin();
  for (int i = 0; i < 20; ++i) {
    writer.insert_event(processed_event("big" + std::to_string(i), payload));
  }
  writer.commit();
  // many small commits after it, read by the other connection as they come
  for (int i = 0; i < 50; ++i) {
    writer.begin();
    writer.insert_profile({"p" + std::to_string(i), i, i, "{}", {}});
    writer.commit();
    REQUIRE(reader.load_profile("p" + std::to_string(i)));
  }
  CHECK(reader.load_event("big19")->payload == payload);
  CHECK(reader.load_event("big0")->payload.size() == payload.size());
}
