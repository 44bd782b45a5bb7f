// The event and all its effects are one unit: rejected and dropped events leave nothing,
// failed ones leave only their dead letter.
#include "skip.hpp"
#include "store_fixture.hpp"

#include "weft/store/store_factory.hpp"

#include <catch2/catch.hpp>
#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <random>

using weft::Outcome;
using weft::test::StoreFixture;

namespace {
const std::string grouping = "nodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                             "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                             "  - id: group\n    plugin: profile_grouper\n"
                             "  - id: identify\n    plugin: email_identification_merger\n    with: { email: $.payload.email }\n";
}  // namespace

TEST_CASE("a processed event is stored with its payload, properties, type and trace") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow("id: slack\n" + grouping);
  const auto a = f.post(*w, R"({"user":"U1","email":"a@x.co"})");
  const auto e = f.store.load_event(a.event_id);
  REQUIRE(e);
  CHECK(e->source == "slack");
  CHECK(e->type == "webhook");
  CHECK(e->status == "processed");
  CHECK(e->payload == R"({"user":"U1","email":"a@x.co"})");
  CHECK(e->properties == R"({"profile_key":"U1"})");
  CHECK(e->trace.find(R"({"node":"identify","plugin":"email_identification_merger","port":"out","micros":)") != std::string::npos);
  CHECK(e->profile_id == a.profile_id);
  CHECK_FALSE(e->error);
}

TEST_CASE("a stored trace names its workflow's shape: each event reads back with the nodes it ran, after the workflow changed") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto before = f.workflow("id: slack\n" + grouping);
  const auto a = f.post(*before, R"({"user":"U1","email":"a@x.co"})");
  auto after = f.workflow("id: slack\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                          "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.member }\n"
                          "    on: { missing: stop }\n");
  REQUIRE(after->trace_shape->key != before->trace_shape->key);
  const auto b = f.post(*after, R"({"user":"U1"})");
  const auto first = f.store.load_event(a.event_id);
  const auto second = f.store.load_event(b.event_id);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->trace.find(R"({"node":"identify","plugin":"email_identification_merger","port":"out","micros":)") != std::string::npos);
  CHECK(second->trace.rfind(R"([{"node":"receive","plugin":"webhook_trigger","port":"out","micros":)", 0) == 0);
  CHECK(second->trace.find(R"({"node":"extract","plugin":"json_path_extractor","port":"missing","micros":)") != std::string::npos);
  CHECK(second->trace.find("identify") == std::string::npos);
  // what the row holds: the shape's key and indexes (issue 20); the shape once per workflow
  if (dynamic_cast<weft::SqliteStore*>(&f.store)) {
    auto raw = f.sqlite().db().prepare("SELECT trace FROM events WHERE id = ?1");
    raw.bind_id(1, a.event_id);
    REQUIRE(raw.step());
    CHECK(raw.text(0).rfind(before->trace_shape->key + ":0.0.", 0) == 0);
    CHECK(raw.text(0).size() < 60);
    raw.reset();
    auto shapes = f.sqlite().db().prepare("SELECT count(*) FROM trace_shapes");
    REQUIRE(shapes.step());
    CHECK(shapes.integer(0) == 2);
  }
}

TEST_CASE("a shape is stored again after the transaction or savepoint that wrote it was rolled back") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  const auto shape =
      std::make_shared<const weft::TraceShape>(std::vector<weft::TraceShape::Node>{{"receive", "webhook_trigger", {"out", "error"}}});
  const auto event = [&](const std::string& id) {
    return weft::EventRecord{0, id, "s", "t", 1, std::nullopt, "processed", "{}", "{}", weft::compact_trace(*shape, {{0, 0, 5}}),
                             std::nullopt, shape, std::nullopt};
  };
  f.store.begin();
  f.store.insert_event(event("rolled-back"));
  f.store.rollback();
  f.store.begin();
  f.store.savepoint();
  f.store.insert_event(event("undone"));
  f.store.rollback_to_savepoint();
  f.store.insert_event(event("kept"));
  f.store.release_savepoint();
  f.store.commit();
  f.store.begin();
  f.store.insert_event(event("later"));  // the shape is known to be stored: no statement for it
  f.store.commit();
  // the store reads shapes from its tables (it keeps only those it read): a lost one throws
  const std::string expanded = R"([{"node":"receive","plugin":"webhook_trigger","port":"out","micros":5}])";
  CHECK(f.store.load_event("kept")->trace == expanded);
  CHECK(f.store.load_event("later")->trace == expanded);
  CHECK_FALSE(f.store.load_event("undone"));
}

TEST_CASE("a rejected or dropped event undoes the profiles and identifiers it made") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  for (const char* target : {"reject", "drop"}) {
    INFO(target);
    auto w = f.workflow("id: s\n" + grouping + "  - id: gate\n    plugin: json_path_extractor\n    with: { path: $.payload.ok }\n" +
                        "    on: { missing: " + target + " }\n");
    const auto r = f.post(*w, R"({"user":"U-gone","email":"gone@x.co"})");
    CHECK(r.run.outcome == (std::string(target) == "reject" ? Outcome::rejected : Outcome::dropped));
    CHECK_FALSE(f.store.find_identifier("s", "U-gone"));
    CHECK_FALSE(f.store.find_identifier("email", "gone@x.co"));
    CHECK_FALSE(f.store.load_event(r.event_id));
  }
  CHECK(f.writer.stats().identity.profiles_created == 0);
  CHECK(f.writer.stats().rejected == 1);
  CHECK(f.writer.stats().dropped == 1);
}

TEST_CASE("a failing node leaves a dead letter with the error and trace, and no other effect") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  weft::PluginRegistry registry;
  registry.load_directory(WEFT_PLUGIN_DIR);
  registry.load_file(std::string(WEFT_FIXTURE_PLUGIN_DIR) + "/throwing.so");
  auto loaded = weft::test::load_yaml("id: s\n" + grouping + "  - id: boom\n    plugin: throwing\n", registry);
  REQUIRE(loaded.workflow);
  const auto r = f.post(*loaded.workflow, R"({"user":"U9","email":"nine@x.co"})");
  CHECK(r.run.outcome == Outcome::failed);
  const auto e = f.store.load_event(r.event_id);
  REQUIRE(e);
  CHECK(e->status == "failed");
  CHECK(e->error == "node 'boom': process failed: test says so");
  CHECK(e->profile_id == std::nullopt);
  CHECK(e->trace.find(R"("node":"boom","plugin":"throwing","port":"error")") != std::string::npos);
  CHECK_FALSE(f.store.find_identifier("s", "U9"));
  CHECK(f.writer.stats().failed == 1);
  CHECK(f.writer.stats().identity.profiles_created == 0);
}

TEST_CASE("one failing event does not spoil the others in its batch") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow("id: s\n" + grouping + "    on: { invalid: reject }\n");
  f.writer.begin_batch();
  std::vector<std::string> ids;
  for (const char* payload : {R"({"user":"A","email":"a@x.co"})", R"({"user":"B","email":"not-an-email"})", R"({"user":"C"})"}) {
    weft::EventDocument event;
    weft::test::set_payload(event, payload);
    weft::stamp_event(event, "s");
    f.writer.write(*w, event);
    ids.emplace_back(event.string("id"));
  }
  f.writer.commit_batch();
  CHECK(f.store.load_event(ids[0]));
  CHECK_FALSE(f.store.load_event(ids[1]));
  CHECK(f.store.load_event(ids[2]));
  CHECK(f.store.find_identifier("s", "A"));
  CHECK_FALSE(f.store.find_identifier("s", "B"));
  CHECK(f.writer.stats().processed == 2);
}

TEST_CASE("a batch rolled back leaves nothing and its counts are undone") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow("id: s\n" + grouping);
  f.writer.begin_batch();
  weft::EventDocument event;
  weft::test::set_payload(event, R"({"user":"A"})");
  weft::stamp_event(event, "s");
  f.writer.write(*w, event);
  f.writer.rollback_batch();
  CHECK_FALSE(f.store.find_identifier("s", "A"));
  CHECK(f.writer.stats().processed == 0);
  CHECK(f.writer.stats().identity.profiles_created == 0);
}

TEST_CASE("a redelivery with a known idempotency key stores nothing and names the first event") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow("id: s\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n    with: { idempotency_key: $.payload.event_id }\n"
                      "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                      "  - id: group\n    plugin: profile_grouper\n");
  const auto first = f.post(*w, R"({"event_id":"Ev1","user":"U1"})");
  CHECK(first.run.outcome == Outcome::processed);
  const auto again = f.post(*w, R"({"event_id":"Ev1","user":"U2"})");
  CHECK(again.run.outcome == Outcome::duplicate);
  CHECK(again.run.duplicate_of == first.event_id);
  CHECK_FALSE(f.store.load_event(again.event_id));
  CHECK_FALSE(f.store.find_identifier("s", "U2"));  // nothing of the redelivery ran
  CHECK(f.post(*w, R"({"event_id":"Ev2","user":"U1"})").run.outcome == Outcome::processed);
  CHECK(f.post(*w, R"({"user":"U1"})").run.outcome == Outcome::processed);  // no key: no dedupe
  CHECK(f.writer.stats().duplicates == 1);

  // keys are per source
  auto other = f.workflow("id: other\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                          "    with: { idempotency_key: $.payload.event_id }\n");
  CHECK(f.post(*other, R"({"event_id":"Ev1"})").run.outcome == Outcome::processed);
}

TEST_CASE("a failed event keeps its key: a rejected one does not") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  weft::PluginRegistry registry;
  registry.load_directory(WEFT_PLUGIN_DIR);
  registry.load_file(std::string(WEFT_FIXTURE_PLUGIN_DIR) + "/throwing.so");
  auto failing = weft::test::load_yaml("id: s\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                       "    with: { idempotency_key: $.payload.id }\n  - id: boom\n    plugin: throwing\n",
                                       registry);
  REQUIRE(failing.workflow);
  const auto failed = f.post(*failing.workflow, R"({"id":"k1"})");
  CHECK(failed.run.outcome == Outcome::failed);
  CHECK(f.post(*failing.workflow, R"({"id":"k1"})").run.duplicate_of == failed.event_id);

  auto rejecting = f.workflow("id: r\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n    with: { idempotency_key: $.payload.id }\n"
                              "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                              "    on: { missing: reject }\n");
  CHECK(f.post(*rejecting, R"({"id":"k2"})").run.outcome == Outcome::rejected);
  CHECK(f.post(*rejecting, R"({"id":"k2","user":"U1"})").run.outcome == Outcome::processed);
}

TEST_CASE("idempotency keys can come from a header") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow("id: github\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                      "    with: { idempotency_key: 'header:X-GitHub-Delivery' }\n");
  auto post = [&](const char* delivery) {
    weft::EventDocument event;
    weft::test::set_payload(event, "{}");
    event.headers().AddMember("x-github-delivery", rapidjson::Value(delivery, event.allocator()), event.allocator());
    weft::stamp_event(event, "github");
    f.writer.begin_batch();
    auto run = f.writer.write(*w, event);
    f.writer.commit_batch();
    return run.outcome;
  };
  CHECK(post("72d3162e-cc78-11e3-81ab-4c9367dc0958") == Outcome::processed);
  CHECK(post("72d3162e-cc78-11e3-81ab-4c9367dc0958") == Outcome::duplicate);
  CHECK(post("8d3c6a1e-cc78-11e3-81ab-4c9367dc0958") == Outcome::processed);
}

TEST_CASE("a batch undoes exactly the events that must be undone, whether or not they wrote") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  // `gate` rejects after the grouper has created the profile: that event wrote, and must be undone.
  auto w = f.workflow("id: s\n" + grouping + "  - id: gate\n    plugin: json_path_extractor\n    with: { path: $.payload.ok }\n" +
                      "    on: { missing: reject }\n");
  std::vector<std::unique_ptr<weft::EventDocument>> events;
  std::vector<weft::BatchItem> items;
  for (const char* payload : {R"({"user":"A","email":"a@x.co","ok":1})", R"({"user":"B","email":"b@x.co"})", R"({"nouser":1})",
                              R"({"user":"C","ok":1})"}) {
    auto event = std::make_unique<weft::EventDocument>();
    weft::test::set_payload(*event, payload);
    weft::stamp_event(*event, "s");
    items.push_back({w.get(), event.get(), weft::run_trigger(*w, *event)});
    events.push_back(std::move(event));
  }
  const auto results = f.writer.write_batch(items);
  REQUIRE(results.size() == 4);
  CHECK(results[0].outcome == Outcome::processed);
  CHECK(results[1].outcome == Outcome::rejected);  // grouped, identified, then rejected
  CHECK(results[2].outcome == Outcome::rejected);  // rejected before it wrote anything
  CHECK(results[3].outcome == Outcome::processed);
  CHECK(f.store.find_identifier("s", "A"));
  CHECK_FALSE(f.store.find_identifier("s", "B"));
  CHECK_FALSE(f.store.find_identifier("email", "b@x.co"));
  CHECK(f.store.find_identifier("s", "C"));
  CHECK(f.store.load_event(std::string(events[0]->string("id"))));
  CHECK_FALSE(f.store.load_event(std::string(events[1]->string("id"))));
  CHECK(f.writer.stats().processed == 2);
  CHECK(f.writer.stats().rejected == 2);
  CHECK(f.writer.stats().identity.profiles_created == 2);
}

TEST_CASE("PostgreSQL: a writer whose connection was killed runs its next batch again on a new one, unseen by clients") {
  const auto backends = weft::test::store_backends();
  if (std::find(backends.begin(), backends.end(), "postgresql") == backends.end())
    return weft::test::skip_test("needs WEFT_TEST_POSTGRES (packaging/dev.sh test starts a server)");
  weft::test::TempDir dir;
  // a name of its own, so that only this test's backend is terminated on the shared server
  const std::string name = "weft_reconnect_" + std::to_string(std::random_device{}());
  auto store = weft::open_store(weft::test::fresh_store_location("postgresql", dir) + "&application_name=" + name);
  weft::EventWriter writer(*store);
  const auto loaded = weft::test::load_yaml("id: s\n" + grouping);
  REQUIRE(loaded.workflow);
  const auto batch = [&](const std::string& user) {
    weft::EventDocument event;
    weft::test::set_payload(event, R"({"user":")" + user + R"("})");
    weft::stamp_event(event, "s");
    std::vector<weft::BatchItem> items{{loaded.workflow.get(), &event, weft::run_trigger(*loaded.workflow, event)}};
    return writer.write_batch(items).at(0).outcome;
  };
  REQUIRE(batch("before") == Outcome::processed);

  // the server ends the writer's session between two batches (a restart or a failover does)
  PGconn* admin = PQconnectdb(std::getenv("WEFT_TEST_POSTGRES"));
  REQUIRE(PQstatus(admin) == CONNECTION_OK);
  PGresult* killed = PQexec(admin, ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + name + "'").c_str());
  CHECK(PQntuples(killed) == 1);
  PQclear(killed);
  PQfinish(admin);

  const std::int64_t retries_before = writer.stats().retries;
  CHECK(batch("after") == Outcome::processed);  // no error: nothing had been committed, so it ran again
  CHECK(writer.stats().retries > retries_before);
  CHECK(store->find_identifier("s", "before"));
  CHECK(store->find_identifier("s", "after"));
}
