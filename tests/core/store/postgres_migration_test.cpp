// The PostgreSQL schema's newest migrations on a store an older weft made (SQLite's are in
// sqlite/sqlite_store_test.cpp).
#include "skip.hpp"
#include "store_backends.hpp"

#include "weft/store/postgres/postgres_store.hpp"
#include "weft/store/profile_search.hpp"
#include "weft/store/store_factory.hpp"

#include <catch2/catch.hpp>
#include <libpq-fe.h>

#include <algorithm>

namespace {

// Runs `sql`; the first value of its result, if it has one.
std::string exec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  REQUIRE(PQstatus(conn) == CONNECTION_OK);
  PGresult* r = PQexec(conn, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  const std::string value = PQntuples(r) > 0 && PQnfields(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  const std::string why = PQerrorMessage(conn);
  PQclear(r);
  PQfinish(conn);
  if (!ok) FAIL(sql + ": " + why);
  return value;
}

}  // namespace

TEST_CASE("PostgreSQL: a schema 6 store is upgraded: its JSON traces read as they were, new traces stored by shape, its keys indexed by event") {
  const auto backends = weft::test::store_backends();
  if (std::find(backends.begin(), backends.end(), "postgresql") == backends.end())
    return weft::test::skip_test("needs WEFT_TEST_POSTGRES (packaging/dev.sh test starts a server)");
  weft::test::TempDir dir;
  const std::string url = weft::test::fresh_store_location("postgresql", dir);
  weft::open_store(url);  // today's schema, then taken back to what schema 6 was
  exec(url, "ALTER TABLE events DROP COLUMN owner; ALTER TABLE identifiers DROP COLUMN taken_from; DROP TABLE event_values, event_values_pending; "
            "DROP TABLE messages, message_attempts, destinations; "
            "DROP TABLE trace_shapes; DROP INDEX idempotency_keys_event; "
            "DROP TRIGGER profiles_deleted_terms ON profiles; DROP FUNCTION weft_profile_deleted_terms(); DROP INDEX profiles_recent; "
            "DROP TABLE trait_terms; ALTER TABLE identifiers DROP COLUMN search; "
            "CREATE INDEX identifiers_profile ON identifiers (profile_id, type); UPDATE schema_version SET version = 6; "
            "INSERT INTO profiles (id, created_at, updated_at, traits) VALUES ('p1', 1, 1, '{\"name\":\"Jane Doe\",\"a\":{\"b\":[\"Gold-Tier\"]}}'); "
            "INSERT INTO identifiers (type, value, profile_id, added_at) VALUES ('slack', 'U1ABC', 'p1', 1); "
            "INSERT INTO events (id, source, type, received_at, profile_id, status, payload, properties, trace) VALUES "
            "('e0', 'slack', 'message', 3, NULL, 'processed', '{}', '{}', '[{\"node\":\"receive\",\"plugin\":\"webhook_trigger\",\"port\":\"out\",\"micros\":7}]')");

  auto store = weft::open_store(url);
  // 7 -> 8: an erasure finds its events' keys by index
  CHECK(exec(url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'idempotency_keys_event' AND schemaname = current_schema()") == "1");
  // 8 -> 9: the events of no profile stored before are indexed at the open (e0's payload holds no string)
  CHECK(exec(url, "SELECT count(*) FROM event_values_pending") == "0");
  // 9 -> 10: the outbox (SPEC 17)
  CHECK(store->outbox().counts("crm").pending == 0);
  CHECK(store->load_event("e0")->trace == R"([{"node":"receive","plugin":"webhook_trigger","port":"out","micros":7}])");
  const auto shape = std::make_shared<const weft::TraceShape>(std::vector<weft::TraceShape::Node>{{"receive", "webhook_trigger", {"out", "error"}}});
  weft::EventRecord e{0, "e1", "slack", "message", 4, std::nullopt, "processed", "{}", "{}", weft::compact_trace(*shape, {{0, 0, 9}}),
                      std::nullopt, shape, std::nullopt};
  store->begin();
  store->insert_event(e);
  store->commit();
  auto reopened = weft::open_store(url);  // a connection that has not seen the shape
  CHECK(reopened->load_event("e1")->trace == R"([{"node":"receive","plugin":"webhook_trigger","port":"out","micros":9}])");
  // 11 -> 12: the profiles stored before are listed and found by their identifiers and traits
  const auto found = [&](const std::string& q) {
    const auto places = weft::search_profiles(*store, q, std::nullopt, 10);
    return places.size() == 1 && places[0].id == "p1";
  };
  CHECK(store->recent_profiles(std::nullopt, 10).size() == 1);
  CHECK(found("u1a"));
  CHECK(found("doe"));
  CHECK(found("jane d"));
  CHECK(found("tier"));
  CHECK_FALSE(found("zz"));
}
