// SPEC promises that had no test of their own (issue 14), each through the real server and
// the real plugins: `limited` and weft_merges_refused_total, `traits: most_recent`, `stop`
// storing the event, `drop` counted, and commits grouped under concurrency.
#include "server_process.hpp"
#include "test_workflows.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <string>
#include <vector>

using namespace weft::test;

namespace {

// `strict`: ids from $.payload.user; `halt` present stops the event before grouping; an
// e-mail merges with most_recent traits, at most two original profiles in one.
const char* const strict_flow =
    "id: strict\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
    "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n    on: { missing: reject }\n"
    "  - id: halt\n    plugin: json_path_extractor\n    with: { path: $.payload.halt, into: halt }\n    on: { out: stop }\n"
    "  - id: group\n    plugin: profile_grouper\n"
    "  - id: traits\n    plugin: profile_updater\n    with: { set: { name: $.payload.name } }\n"
    "  - id: identify\n    plugin: email_identification_merger\n"
    "    with: { email: $.payload.email, traits: most_recent, max_profiles: 2 }\n";

struct Strict {
  TempDir dir;
  ServerProcess server;
  Strict()
      : server(dir, [this] {
          auto options = test_serve_options(dir);
          dir.write("flows/strict.yaml", strict_flow);
          return options;
        }()) {}
  HttpResponse post(const std::string& body) { return http(server.port(), "POST", "/collect/strict", body); }
  std::string metrics() { return http(server.port(), "GET", "/metrics").body; }
  std::string profile_of(const std::string& user) {
    return http(server.port(), "GET", "/profiles?identifier=strict:" + user).body;
  }
};

// The value of a metric line `name value` in Prometheus text, or -1 when absent.
double metric(const std::string& text, const std::string& name) {
  const std::size_t at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("promises: a merge past max_profiles leaves on limited, changes nothing and is counted") {
  Strict s;
  const auto a = s.post(R"({"user":"U1","email":"shared@example.com"})");
  const auto b = s.post(R"({"user":"U2","email":"shared@example.com"})");  // 2 profiles in one: allowed
  REQUIRE(json_member(b.body, "$.profile_id") == json_member(a.body, "$.profile_id"));
  CHECK(metric(s.metrics(), "weft_merges_refused_total") == 0);
  const auto c = s.post(R"({"user":"U3","email":"shared@example.com"})");  // would be 3
  CHECK(c.status == 200);
  CHECK(json_member(c.body, "$.status") == "processed");
  CHECK(json_member(c.body, "$.profile_id") != json_member(a.body, "$.profile_id"));
  const auto event = http(s.server.port(), "GET", "/events/" + json_member(c.body, "$.event_id"));
  CHECK(json_member(event.body, "$.trace[5].node") == "identify");
  CHECK(json_member(event.body, "$.trace[5].port") == "limited");
  CHECK(json_member(s.profile_of("U3"), "$.profiles[0].identifiers") == R"([{"type":"strict","value":"U3"}])");
  const std::string m = s.metrics();
  CHECK(metric(m, "weft_merges_refused_total") == 1);
  CHECK(metric(m, "weft_merges_total") == 1);
}

TEST_CASE("promises: traits: most_recent takes the value of the profile updated last") {
  Strict s;
  const auto older = s.post(R"({"user":"U1","email":"jane@example.com","name":"Jane, old"})");
  s.post(R"({"user":"U2","name":"Jane Doe"})");  // a younger profile, updated after U1
  const auto merged = s.post(R"({"user":"U2","email":"jane@example.com"})");
  REQUIRE(json_member(merged.body, "$.profile_id") == json_member(older.body, "$.profile_id"));  // the older survives
  CHECK(json_member(s.profile_of("U1"), "$.profiles[0].traits.name") == "Jane Doe");  // keep_survivor would keep "Jane, old"
}

TEST_CASE("promises: stop stores the event as processed and runs no more nodes") {
  Strict s;
  const auto r = s.post(R"({"user":"U1","halt":"yes","email":"a@example.com"})");
  REQUIRE(r.status == 200);
  CHECK(json_member(r.body, "$.status") == "processed");
  const auto event = http(s.server.port(), "GET", "/events/" + json_member(r.body, "$.event_id"));
  REQUIRE(event.status == 200);
  CHECK(json_member(event.body, "$.status") == "processed");
  CHECK(json_member(event.body, "$.profile_id") == "null");
  CHECK(json_member(event.body, "$.trace[2].node") == "halt");
  CHECK(json_member(event.body, "$.trace[3]").empty());  // nothing ran after it
  CHECK(json_member(s.profile_of("U1"), "$.profiles") == "[]");
}

TEST_CASE("promises: drop answers dropped, stores nothing and is counted") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir));
  const auto r = http(server.port(), "POST", "/collect/people", R"({"user":"U9","test":true})");
  CHECK(json_member(r.body, "$.status") == "dropped");
  const std::string m = http(server.port(), "GET", "/metrics").body;
  CHECK(metric(m, R"(weft_events_total{source="people",status="dropped"})") == 1);
  CHECK(metric(m, R"(weft_events_total{source="people",status="processed"})") == -1);
}

TEST_CASE("promises: concurrent requests share one commit (grouped fsync)") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir));
  // While the committer is held, eight requests queue; released, it commits them as one batch.
  auto held = hold_committer_in_gate(dir, server.port());
  std::vector<std::future<HttpResponse>> clients;
  for (int i = 0; i < 8; ++i)
    clients.push_back(std::async(std::launch::async, [&, i] {
      return http(server.port(), "POST", "/collect/people", R"({"user":"G)" + std::to_string(i) + R"("})");
    }));
  REQUIRE(eventually([&] { return metric(http(server.port(), "GET", "/metrics").body, "weft_ingest_queue_depth") == 8; }));
  release_gate(dir);
  CHECK(held.get().status == 200);
  REQUIRE(wait_for_answers(clients, 8) == 8);
  for (auto& c : clients) CHECK(c.get().status == 200);
  const std::string m = http(server.port(), "GET", "/metrics").body;
  CHECK(metric(m, "weft_commit_batch_size_count") == 2);  // the gated event's batch, then one of eight
  CHECK(metric(m, R"(weft_commit_batch_size_bucket{le="1"})") == 1);
  CHECK(metric(m, "weft_commit_batch_size_sum") == 9);
}
