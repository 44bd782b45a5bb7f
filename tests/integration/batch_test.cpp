// Batches through the real server (SPEC 18, issue 37): a SendGrid-style JSON array split into
// one event per item, stored in one transaction, answered item by item, deduplicated item by
// item, bounded by limits.max_items.
#include "weft/store/sqlite/sqlite.hpp"
#include "weft/store/store_factory.hpp"

#include "server_process.hpp"
#include "store_backends.hpp"
#include "test_workflows.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <set>

using namespace weft::test;

namespace {

// SendGrid's Event Webhook posts an array of events, each with email, event and sg_event_id.
const char* const sendgrid_flow =
    "id: sendgrid\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
    "    with: { split: '$.payload.value[*]', event_type: $.payload.event, idempotency_key: $.payload.sg_event_id }\n"
    "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.email }\n    on: { missing: reject }\n"
    "  - id: group\n    plugin: profile_grouper\n";

std::string sendgrid_item(int n, int people) {
  const std::string email = "person" + std::to_string(n % people) + "@example.com";
  return R"({"email":")" + email + R"(","timestamp":1513299569,"event":")" + (n % 2 ? "open" : "delivered") + R"(","sg_event_id":"sg-)" +
         std::to_string(n) + R"(","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0"})";
}

std::string batch(int from, int to, int people) {
  std::string body = "[";
  for (int n = from; n < to; ++n) body += (n > from ? "," : "") + sendgrid_item(n, people);
  return body + "]";
}

std::int64_t stored_events(const TempDir& dir) {
  weft::SqliteDb db((dir.path() / "weft.db").string());
  auto count = db.prepare("SELECT count(*) FROM events WHERE source = 'sendgrid'");
  REQUIRE(count.step());
  return count.integer(0);
}

// The events the store holds for these profiles, read through weft's store (either backend).
std::int64_t stored_events(const std::string& location, const std::set<std::string>& profiles) {
  const auto store = weft::open_store(location);
  std::int64_t events = 0;
  for (const auto& profile : profiles) events += store->count_events(profile);
  return events;
}

rapidjson::Document parsed(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  REQUIRE(!d.HasParseError());
  return d;
}

}  // namespace

TEST_CASE("batches: a SendGrid array of 1,000 events is stored once, grouped by e-mail, and posted again is all duplicate") {
  const std::string backend = GENERATE(from_range(weft::test::store_backends()));
  INFO("store: " << backend);
  TempDir dir;
  ServeOptions options = test_serve_options(dir);
  options.store = weft::test::fresh_store_location(backend, dir);
  dir.write("flows/sendgrid.yaml", sendgrid_flow);
  ServerProcess s(dir, options);

  const auto first = http(s.port(), "POST", "/collect/sendgrid", batch(0, 1000, 100));
  REQUIRE(first.status == 200);
  const auto answer = parsed(first.body);
  REQUIRE(answer["events"].Size() == 1000);
  std::set<std::string> event_ids;
  std::map<std::string, std::string> profile_of_email;
  for (rapidjson::SizeType i = 0; i < 1000; ++i) {
    const auto& item = answer["events"][i];
    REQUIRE(std::string(item["status"].GetString()) == "processed");
    CHECK_FALSE(item.HasMember("duplicate"));
    event_ids.insert(item["event_id"].GetString());
    const std::string email = "person" + std::to_string(i % 100) + "@example.com";
    const auto [at, inserted] = profile_of_email.emplace(email, item["profile_id"].GetString());
    CHECK(at->second == item["profile_id"].GetString());  // the same person, the same profile
  }
  CHECK(event_ids.size() == 1000);
  CHECK(profile_of_email.size() == 100);
  std::set<std::string> profiles;
  for (const auto& [email, profile] : profile_of_email) profiles.insert(profile);
  CHECK(profiles.size() == 100);
  CHECK(stored_events(options.store, profiles) == 1000);
  // each item has its own type
  const std::string one = *event_ids.begin();
  const auto stored = http(s.port(), "GET", "/events/" + one);
  CHECK((json_member(stored.body, "$.type") == "open" || json_member(stored.body, "$.type") == "delivered"));

  const auto again = http(s.port(), "POST", "/collect/sendgrid", batch(0, 1000, 100));
  REQUIRE(again.status == 200);
  const auto second = parsed(again.body);
  REQUIRE(second["events"].Size() == 1000);
  for (rapidjson::SizeType i = 0; i < 1000; ++i) {
    const auto& item = second["events"][i];
    CHECK(item["duplicate"].GetBool());
    CHECK(std::string(item["event_id"].GetString()) == answer["events"][i]["event_id"].GetString());
  }
  CHECK(stored_events(options.store, profiles) == 1000);

  // a batch that overlaps: only its new items are stored
  const auto overlap = parsed(http(s.port(), "POST", "/collect/sendgrid", batch(990, 1010, 100)).body);
  REQUIRE(overlap["events"].Size() == 20);
  for (rapidjson::SizeType i = 0; i < 20; ++i) CHECK(overlap["events"][i].HasMember("duplicate") == (i < 10));
  CHECK(stored_events(options.store, profiles) == 1010);
}

TEST_CASE("batches: more items than limits.max_items is 413 too_many_items and stores nothing") {
  TempDir dir;
  ServeOptions options = test_serve_options(dir);
  dir.write("flows/sendgrid.yaml", sendgrid_flow);
  ServerProcess s(dir, options);
  const auto refused = http(s.port(), "POST", "/collect/sendgrid", batch(0, 1001, 100));
  CHECK(refused.status == 413);
  CHECK(json_member(refused.body, "$.error") == "too_many_items");
  CHECK(stored_events(dir) == 0);
  CHECK(http(s.port(), "POST", "/collect/sendgrid", batch(0, 1000, 100)).status == 200);  // the limit itself is allowed
}

TEST_CASE("batches: an empty array answers no events, and a rejected item is reported and not stored, the others are") {
  TempDir dir;
  ServeOptions options = test_serve_options(dir, "limits:\n  max_items: 5\n");
  dir.write("flows/sendgrid.yaml", sendgrid_flow);
  ServerProcess s(dir, options);
  const auto empty = http(s.port(), "POST", "/collect/sendgrid", "[]");
  CHECK(empty.status == 200);
  CHECK(empty.body == R"({"events":[]})");
  const std::string body = "[" + sendgrid_item(1, 10) + R"(,{"event":"open","sg_event_id":"no-email"},)" + sendgrid_item(2, 10) + "]";
  const auto mixed = http(s.port(), "POST", "/collect/sendgrid", body);
  REQUIRE(mixed.status == 200);
  const auto answer = parsed(mixed.body);
  REQUIRE(answer["events"].Size() == 3);
  CHECK(std::string(answer["events"][0]["status"].GetString()) == "processed");
  CHECK(std::string(answer["events"][1]["status"].GetString()) == "rejected");
  CHECK(answer["events"][1]["event_id"].IsNull());
  CHECK(std::string(answer["events"][2]["status"].GetString()) == "processed");
  CHECK(stored_events(dir) == 2);
  CHECK(http(s.port(), "POST", "/collect/sendgrid", batch(10, 16, 10)).status == 413);  // limits.max_items: 5
}
