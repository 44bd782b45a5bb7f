// The read API over real HTTP: every route, paging, merges, errors, the bearer token, metrics.
#include "server_process.hpp"
#include "store_backends.hpp"
#include "test_workflows.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace weft::test;

namespace {

struct Served {
  TempDir dir;
  ServerProcess server;
  explicit Served(const std::string& extra = "", std::map<std::string, std::string> env = {}, const std::string& backend = "sqlite")
      : server(dir, [&] {
          auto o = test_serve_options(dir, extra);
          o.env.insert(env.begin(), env.end());
          o.store = fresh_store_location(backend, dir);
          return o;
        }()) {}
  HttpResponse get(const std::string& path, const Headers& h = {}) { return http(server.port(), "GET", path, "", "", h); }
  HttpResponse post(const std::string& source, const std::string& body, const Headers& h = {}) {
    return http(server.port(), "POST", "/collect/" + source, body, "application/json", h);
  }
};

}  // namespace

TEST_CASE("api: a person seen in two sources is one profile, by id, by identifier and by old id") {
  const std::string backend = GENERATE(from_range(store_backends()));
  INFO("store backend " << backend);
  Served s("", {}, backend);
  const auto a = s.post("people", R"({"user":"U1","name":"Jane","email":"jane@example.com"})");
  const auto b = s.post("crm", R"({"user":"C7","email":"Jane@Example.com"})");
  const std::string survivor = json_member(a.body, "$.profile_id");
  REQUIRE(json_member(b.body, "$.profile_id") == survivor);

  const auto profile = s.get("/profiles/" + survivor);
  REQUIRE(profile.status == 200);
  CHECK(json_member(profile.body, "$.id") == survivor);
  CHECK(json_member(profile.body, "$.event_count") == "2");
  CHECK(json_member(profile.body, "$.traits.name") == "Jane");
  CHECK(profile.body.find(R"({"type":"crm","value":"C7"})") != std::string::npos);
  CHECK(profile.body.find(R"({"type":"people","value":"U1"})") != std::string::npos);
  const std::string merged = json_member(profile.body, "$.aliases[0]");
  REQUIRE(merged.size() == 36);

  // the merged id keeps answering, for the profile, its events and its merges
  CHECK(json_member(s.get("/profiles/" + merged).body, "$.id") == survivor);
  CHECK(json_member(s.get("/profiles/" + merged + "/events").body, "$.events[1].source") == "crm");
  CHECK(json_member(s.get("/profiles?identifier=crm:C7").body, "$.profiles[0].id") == survivor);
  CHECK(json_member(s.get("/profiles?identifier=email:jane@example.com").body, "$.profiles[0].id") == survivor);

  const auto merges = s.get("/profiles/" + merged + "/merges");
  CHECK(json_member(merges.body, "$.merges[0].survivor") == survivor);
  CHECK(json_member(merges.body, "$.merges[0].merged") == merged);
  CHECK(json_member(merges.body, "$.merges[0].identifier.type") == "email");
  CHECK(json_member(merges.body, "$.merges[0].identifier.value") == "jane@example.com");
  CHECK(json_member(merges.body, "$.merges[0].event_id") == json_member(b.body, "$.event_id"));
  CHECK(json_member(merges.body, "$.merges[0].merged_snapshot.id") == merged);
  CHECK(json_member(merges.body, "$.merges[0].merged_snapshot.identifiers[0].value") == "C7");
}

TEST_CASE("api: profiles are listed most recently updated first, page by page, and searched by identifier and trait prefixes") {
  const std::string backend = GENERATE(from_range(store_backends()));
  INFO("store backend " << backend);
  Served s("", {}, backend);
  const auto profile_of = [&](const std::string& user) { return json_member(s.get("/profiles?identifier=people:" + user).body, "$.profiles[0].id"); };
  s.post("people", R"({"user":"U100","name":"Jane Doe","email":"Jane.Doe@Example.com"})");
  s.post("people", R"({"user":"U200","name":"John Smith","email":"john@acme.io"})");
  s.post("people", R"({"user":"W300","name":"Émile Zola"})");
  s.post("people", R"({"user":"U400"})");
  s.post("crm", R"({"user":"C9","email":"john@acme.io"})");  // merged into John's profile
  const std::string jane = profile_of("U100"), john = profile_of("U200"), emile = profile_of("W300"), u400 = profile_of("U400");

  // John's profile was updated last (the merge), then U400, Émile, Jane; the merged one is gone.
  auto page = s.get("/profiles?limit=2");
  REQUIRE(page.status == 200);
  CHECK(json_member(page.body, "$.profiles[0].id") == john);
  CHECK(json_member(page.body, "$.profiles[0].identifiers[0].value") == "U200");
  CHECK(json_member(page.body, "$.profiles[1].id") == u400);
  const std::string next = json_member(page.body, "$.next");
  REQUIRE(next != "null");
  page = s.get("/profiles?limit=2&after=" + next);
  CHECK(json_member(page.body, "$.profiles[0].id") == emile);
  CHECK(json_member(page.body, "$.profiles[1].id") == jane);
  CHECK(json_member(page.body, "$.next") == "null");
  const auto listed = [&] {
    const std::string body = s.get("/profiles").body;
    int n = 0;
    while (!json_member(body, "$.profiles[" + std::to_string(n) + "].id").empty()) ++n;
    return n;
  };
  CHECK(listed() == 4);

  const auto found = [&](const std::string& q) {
    const auto r = s.get("/profiles?q=" + q);
    REQUIRE(r.status == 200);
    std::vector<std::string> ids;
    for (int i = 0; i < 10; ++i) {
      const std::string id = json_member(r.body, "$.profiles[" + std::to_string(i) + "].id");
      if (id.empty()) break;
      ids.push_back(id);
    }
    CHECK(json_member(r.body, "$.next") == "null");
    return ids;
  };
  using Ids = std::vector<std::string>;
  CHECK(found("ja") == Ids{jane});               // the e-mail's and the name's first letters
  CHECK(found("JANE.D") == Ids{jane});           // without regard to case
  CHECK(found("doe") == Ids{jane});              // a word of the name
  CHECK(found("Jane%20D") == Ids{jane});         // the name as typed
  CHECK(found("u2") == Ids{john});               // a source's id
  CHECK(found("c9") == Ids{john});               // an id of the merged profile, now John's
  CHECK(found("%C3%A9mi") == Ids{emile});        // émi
  CHECK(found("%C3%89MI") == Ids{emile});        // ÉMI
  CHECK(found("acme") == Ids{});                 // inside an identifier value: not a prefix
  CHECK(found("u1").size() == 1);
  const auto common = s.get("/profiles?q=u&limit=1");
  CHECK(common.status == 400);

  // Erased people are not found, nor listed.
  REQUIRE(http(s.server.port(), "DELETE", "/profiles/" + jane).status == 200);
  CHECK(found("ja").empty());
  CHECK(found("doe").empty());
  CHECK(listed() == 3);
}

TEST_CASE("api: /export/profiles and /export/events stream NDJSON, one document a line") {
  const std::string backend = GENERATE(from_range(store_backends()));
  INFO("store backend " << backend);
  Served s("", {}, backend);
  for (int i = 0; i < 30; ++i) s.post("people", R"({"user":"U)" + std::to_string(i) + R"(","name":"Person )" + std::to_string(i) + R"("})");
  s.post("crm", R"({"user":"C1","email":"c1@example.com"})");
  const auto lines = [](const std::string& body) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t end; (end = body.find('\n', start)) != std::string::npos; start = end + 1) out.push_back(body.substr(start, end - start));
    CHECK(start == body.size());  // every line ends with a newline
    return out;
  };
  const auto profiles = s.get("/export/profiles");
  REQUIRE(profiles.status == 200);
  const auto profile_lines = lines(profiles.body);
  CHECK(profile_lines.size() == 31);
  std::set<std::string> ids;
  for (const std::string& line : profile_lines) {
    ids.insert(json_member(line, "$.id"));
    CHECK_FALSE(json_member(line, "$.identifiers[0].value").empty());
    CHECK(json_member(line, "$.event_count") == "1");
  }
  CHECK(ids.size() == 31);
  CHECK(ids.count(json_member(s.get("/profiles?identifier=people:U7").body, "$.profiles[0].id")) == 1);

  const auto events = lines(s.get("/export/events").body);
  REQUIRE(events.size() == 31);
  CHECK(json_member(events[0], "$.payload.user") == "U0");  // in arrival order
  CHECK(json_member(events[30], "$.source") == "crm");
  CHECK(json_member(events[30], "$.trace").empty());  // without traces
  CHECK(lines(s.get("/export/events?source=crm").body).size() == 1);
  CHECK(lines(s.get("/export/events?since=2000-01-01T00:00:00Z").body).size() == 31);
  CHECK(lines(s.get("/export/events?since=2999-01-01").body).empty());
  const std::string first_at = json_member(events[0], "$.received_at");
  CHECK(lines(s.get("/export/events?since=" + first_at).body).size() == 31);
  CHECK(s.get("/export/events?since=yesterday").status == 400);
  CHECK(s.get("/export/nothing").status == 404);
}

TEST_CASE("api: events page oldest first with a cursor, or newest first") {
  Served s;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(json_member(s.post("people", R"({"user":"U1","n":)" + std::to_string(i) + "}").body, "$.event_id"));
  const std::string profile = json_member(s.get("/profiles?identifier=people:U1").body, "$.profiles[0].id");
  auto page = s.get("/profiles/" + profile + "/events?limit=2");
  CHECK(json_member(page.body, "$.events[0].id") == ids[0]);
  CHECK(json_member(page.body, "$.events[1].id") == ids[1]);
  std::string next = json_member(page.body, "$.next");
  REQUIRE_FALSE(next.empty());
  page = s.get("/profiles/" + profile + "/events?limit=2&after=" + next);
  CHECK(json_member(page.body, "$.events[0].id") == ids[2]);
  next = json_member(page.body, "$.next");
  page = s.get("/profiles/" + profile + "/events?limit=2&after=" + next);
  CHECK(json_member(page.body, "$.events[0].id") == ids[4]);
  CHECK(json_member(page.body, "$.next") == "null");
  const auto desc = s.get("/profiles/" + profile + "/events?order=desc&limit=1");
  CHECK(json_member(desc.body, "$.events[0].id") == ids[4]);
  CHECK(json_member(s.get("/profiles/" + profile + "/events?order=desc&limit=1&after=" + json_member(desc.body, "$.next")).body,
                    "$.events[0].id") == ids[3]);
}

TEST_CASE("api: events with their trace, sources and plugins") {
  Served s;
  const auto r = s.post("people", R"({"user":"U1","email":"x@example.com"})");
  const auto event = s.get("/events/" + json_member(r.body, "$.event_id"));
  REQUIRE(event.status == 200);
  CHECK(json_member(event.body, "$.source") == "people");
  CHECK(json_member(event.body, "$.payload.user") == "U1");
  CHECK(json_member(event.body, "$.properties.profile_key") == "U1");
  CHECK(json_member(event.body, "$.trace[0].node") == "receive");
  CHECK(json_member(event.body, "$.trace[0].plugin") == "webhook_trigger");
  CHECK(json_member(event.body, "$.trace[-1].node") == "identify");
  CHECK(json_member(event.body, "$.trace[-1].port") == "out");
  CHECK_FALSE(json_member(event.body, "$.trace[-1].micros").empty());
  CHECK(json_member(event.body, "$.received_at").size() == 24);
  CHECK(event.body.find("\"headers\"") == std::string::npos);  // request headers are never stored

  const auto sources = s.get("/sources");
  CHECK(sources.body.find(R"("id":"people")") != std::string::npos);
  CHECK(sources.body.find(R"("signed":true)") != std::string::npos);
  CHECK(sources.body.find(R"("routes":{"out":"next","missing":"reject","error":"fail"})") != std::string::npos);
  const auto plugins = s.get("/plugins");
  CHECK(plugins.body.find(R"("name":"email_identification_merger")") != std::string::npos);
}

TEST_CASE("api: errors are JSON with 404 not_found and 400 bad_request") {
  Served s;
  s.post("people", R"({"user":"U1"})");
  const std::string profile = json_member(s.get("/profiles?identifier=people:U1").body, "$.profiles[0].id");
  for (const char* path : {"/profiles/nope", "/profiles/nope/events", "/profiles/nope/merges", "/events/nope", "/nothing/here"}) {
    INFO(path);
    const auto r = s.get(path);
    CHECK(r.status == 404);
    CHECK(json_member(r.body, "$.error") == "not_found");
  }
  for (const std::string& path : std::vector<std::string>{"/profiles?identifier=nocolon", "/profiles?identifier=:x", "/profiles?q=a",
                                 "/profiles?q=" + std::string(201, 'x'), "/profiles?limit=0", "/profiles?after=12", "/profiles?after=x.y",
                                 "/profiles/" + profile + "/events?limit=0", "/profiles/" + profile + "/events?limit=1001",
                                 "/profiles/" + profile + "/events?limit=ten", "/profiles/" + profile + "/events?after=abc",
                                 "/profiles/" + profile + "/events?order=sideways"}) {
    INFO(path);
    const auto r = s.get(path);
    CHECK(r.status == 400);
    CHECK(json_member(r.body, "$.error") == "bad_request");
  }
  // (DELETE /profiles/{id} is an erasure, SPEC 14)
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"PUT", "/profiles/" + profile}, {"DELETE", "/healthz"}, {"DELETE", "/metrics"}}) {
    INFO(method << " " << path);
    const auto r = http(s.server.port(), method, path);
    CHECK(r.status == 405);
    CHECK(json_member(r.body, "$.error") == "method_not_allowed");
  }
  CHECK(s.get("/profiles/" + profile).status == 200);
}

TEST_CASE("api: with a token, every route but /collect, /healthz and /metrics needs it") {
  Served s("api: { token_env: TEST_API_TOKEN }\n", {{"TEST_API_TOKEN", "t0ken-123"}});
  CHECK(s.post("people", R"({"user":"U1"})").status == 200);
  CHECK(s.get("/healthz").status == 200);
  CHECK(s.get("/metrics").status == 200);
  for (const char* path : {"/profiles?identifier=people:U1", "/sources", "/plugins", "/events/x", "/events?status=failed", "/stats"}) {
    INFO(path);
    const auto r = s.get(path);
    CHECK(r.status == 401);
    CHECK(json_member(r.body, "$.error") == "unauthorized");
    CHECK(s.get(path, {{"Authorization", "Bearer wrong"}}).status == 401);
  }
  // the one write of the API, the replay of a dead letter, too
  const auto dead = s.post("failing", R"({"user":"F"})");
  REQUIRE(dead.status == 202);
  const std::string replay = "/events/" + json_member(dead.body, "$.event_id") + "/replay";
  CHECK(http(s.server.port(), "POST", replay, "").status == 401);
  CHECK(http(s.server.port(), "POST", replay, "", "", {{"Authorization", "Bearer wrong"}}).status == 401);
  CHECK(http(s.server.port(), "POST", replay, "", "", {{"Authorization", "Bearer t0ken-123"}}).status == 200);
  // and the operators' corrections and erasure (SPEC 13, 14): refused, nothing changed
  const std::string id =
      json_member(s.get("/profiles?identifier=people:U1", {{"Authorization", "Bearer t0ken-123"}}).body, "$.profiles[0].id");
  REQUIRE(!id.empty());
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/profiles/" + id + "/merge"}, {"DELETE", "/profiles/" + id + "/identifiers/people:U1"},
           {"POST", "/profiles/" + id + "/rederive"}, {"DELETE", "/profiles/" + id}, {"DELETE", "/blocked/people:U1"},
           {"GET", "/operations"}, {"GET", "/blocked"}, {"GET", "/erasures"}, {"POST", "/admin/reload"}}) {
    INFO(method << " " << path);
    const auto r = http(s.server.port(), method, path, R"({"profile":"x"})");
    CHECK(r.status == 401);
    CHECK(json_member(r.body, "$.error") == "unauthorized");
  }
  CHECK(json_member(s.get("/profiles/" + id, {{"Authorization", "Bearer t0ken-123"}}).body, "$.identifiers[0].value") == "U1");
  CHECK(json_member(s.get("/operations", {{"Authorization", "Bearer t0ken-123"}}).body, "$.operations") == "[]");
  // the console's files hold no data: served without the token
  CHECK(s.get("/ui/").status == 200);
  const auto ok = s.get("/profiles?identifier=people:U1", {{"Authorization", "Bearer t0ken-123"}});
  CHECK(ok.status == 200);
  CHECK(json_member(ok.body, "$.profiles[0].identifiers[0].value") == "U1");
  // the scheme in any case (RFC 7235), the token exactly
  CHECK(s.get("/sources", {{"Authorization", "bearer t0ken-123"}}).status == 200);
  CHECK(s.get("/sources", {{"Authorization", "BEARER t0ken-123"}}).status == 200);
  CHECK(s.get("/sources", {{"Authorization", "Bearer T0KEN-123"}}).status == 401);
  CHECK(s.get("/sources", {{"Authorization", "Basic t0ken-123"}}).status == 401);
}

TEST_CASE("api: an api.token_env that names an unset variable refuses to start, never serves an open API") {
  TempDir dir;
  auto options = test_serve_options(dir, "api: { token_env: TEST_UNSET_API_TOKEN }\n");
  options.env.erase("TEST_UNSET_API_TOKEN");
  const auto [status, output] = serve_refusal(dir, options);
  CHECK(status == 1);
  CHECK(output.find("api.token_env names TEST_UNSET_API_TOKEN, which is unset or empty") != std::string::npos);
  CHECK(output.find("listening") == std::string::npos);
}

TEST_CASE("api: /healthz answers, and /metrics moves with what happens") {
  Served s;
  CHECK(s.get("/healthz").body == R"({"status":"ok"})");
  s.post("people", R"({"user":"U1","email":"a@example.com"})");
  s.post("people", R"({"user":"U2","email":"a@example.com"})");
  s.post("people", R"({"nouser":1})");
  s.post("failing", R"({"user":"F"})");
  const std::string m = s.get("/metrics").body;
  CHECK(m.find("weft_events_total{source=\"people\",status=\"processed\"} 2") != std::string::npos);
  CHECK(m.find("weft_events_total{source=\"people\",status=\"rejected\"} 1") != std::string::npos);
  CHECK(m.find("weft_events_total{source=\"failing\",status=\"failed\"} 1") != std::string::npos);
  CHECK(m.find("weft_merges_total 1") != std::string::npos);
  CHECK(m.find("weft_merges_refused_total 0") != std::string::npos);
  CHECK(m.find("weft_profiles 1") != std::string::npos);
  CHECK(m.find("weft_ingest_queue_depth 0") != std::string::npos);
  CHECK(m.find("weft_node_seconds_count{node=\"identify\",workflow=\"people\"} 2") != std::string::npos);
  CHECK(m.find("weft_commit_batch_size_count") != std::string::npos);
}

TEST_CASE("api: dead letters are listed, and replayed through the source's current workflow") {
  const std::string backend = GENERATE(from_range(store_backends()));
  INFO("store backend " << backend);
  TempDir dir;
  auto options = test_serve_options(dir);
  options.store = fresh_store_location(backend, dir);
  std::string failed_id, processed_id;
  {
    ServerProcess server(dir, options);
    const auto failed = http(server.port(), "POST", "/collect/failing", R"({"user":"F1","event_id":"k1"})");
    REQUIRE(failed.status == 202);
    failed_id = json_member(failed.body, "$.event_id");
    processed_id = json_member(http(server.port(), "POST", "/collect/people", R"({"user":"P1"})").body, "$.event_id");

    const auto listed = http(server.port(), "GET", "/events?status=failed");
    REQUIRE(listed.status == 200);
    CHECK(json_member(listed.body, "$.events[0].id") == failed_id);
    CHECK(json_member(listed.body, "$.events[0].error").find("test says so") != std::string::npos);
    CHECK(json_member(listed.body, "$.events[0].trace[3].plugin") == "throwing");
    CHECK(json_member(listed.body, "$.events[1]").empty());
    CHECK(json_member(listed.body, "$.next") == "null");
    CHECK(json_member(http(server.port(), "GET", "/events?status=failed&source=people").body, "$.events") == "[]");
    CHECK(http(server.port(), "GET", "/events").status == 400);
    CHECK(http(server.port(), "GET", "/events?status=processed").status == 400);
    CHECK(http(server.port(), "GET", "/events?status=failed&source=nowhere").status == 400);

    // the workflow still throws: the replay says so, and the dead letter stays
    auto replay = http(server.port(), "POST", "/events/" + failed_id + "/replay");
    REQUIRE(replay.status == 200);
    CHECK(json_member(replay.body, "$.status") == "failed");
    CHECK(json_member(replay.body, "$.error").find("test says so") != std::string::npos);
    CHECK(http(server.port(), "POST", "/events/" + processed_id + "/replay").status == 409);
    CHECK(http(server.port(), "POST", "/events/no-such-event/replay").status == 404);
    CHECK(http(server.port(), "GET", "/events/" + failed_id + "/replay").status == 405);
    CHECK(http(server.port(), "GET", "/metrics").body.find(R"(weft_events_total{source="failing",status="replay_failed"} 1)") !=
          std::string::npos);
  }
  // fixed (the throwing node removed) and restarted on the same store
  dir.write("flows/failing.yaml", "id: failing\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                  "    with: { idempotency_key: $.payload.event_id }\n"
                                  "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                                  "  - id: group\n    plugin: profile_grouper\n");
  ServerProcess server(dir, options);
  CHECK(http(server.port(), "GET", "/metrics").body.find("\nweft_profiles 1\n") != std::string::npos);  // P1
  const auto replay = http(server.port(), "POST", "/events/" + failed_id + "/replay");
  REQUIRE(replay.status == 200);
  CHECK(json_member(replay.body, "$.status") == "processed");
  const std::string profile = json_member(replay.body, "$.profile_id");
  CHECK(json_member(http(server.port(), "GET", "/profiles?identifier=failing:F1").body, "$.profiles[0].id") == profile);
  const auto event = http(server.port(), "GET", "/events/" + failed_id);
  CHECK(json_member(event.body, "$.status") == "processed");
  CHECK(json_member(event.body, "$.profile_id") == profile);
  // the profile a replay creates is counted, and dates from the event (SPEC 2), not the replay
  CHECK(http(server.port(), "GET", "/metrics").body.find("\nweft_profiles 2\n") != std::string::npos);
  CHECK(json_member(http(server.port(), "GET", "/profiles/" + profile).body, "$.created_at") == json_member(event.body, "$.received_at"));
  CHECK(json_member(http(server.port(), "GET", "/events?status=failed").body, "$.events") == "[]");
  CHECK(http(server.port(), "POST", "/events/" + failed_id + "/replay").status == 409);  // not a dead letter any more
  // a redelivery of the replayed event is a duplicate of it
  const auto again = http(server.port(), "POST", "/collect/failing", R"({"user":"F1","event_id":"k1"})");
  CHECK(json_member(again.body, "$.duplicate") == "true");
  CHECK(json_member(again.body, "$.event_id") == failed_id);
}

TEST_CASE("api: /stats holds the last minutes of counters for the console, and ports are counted") {
  Served s;
  s.post("people", R"({"user":"U1","email":"a@example.com"})");
  s.post("people", R"({"user":"U2","email":"a@example.com"})");
  s.post("people", R"({"nouser":1})");
  const auto stats = s.get("/stats");
  REQUIRE(stats.status == 200);
  CHECK(json_member(stats.body, "$.period_seconds") == "5.0");
  // the first sample was taken at start-up, the last one by this request
  CHECK(json_member(stats.body, "$.samples[0].merges") == "0.0");
  CHECK(json_member(stats.body, "$.samples[-1].events.people.processed") == "2.0");
  CHECK(json_member(stats.body, "$.samples[-1].events.people.rejected") == "1.0");
  CHECK(json_member(stats.body, "$.samples[-1].merges") == "1.0");
  CHECK(json_member(stats.body, "$.samples[-1].profiles") == "1.0");
  CHECK(!json_member(stats.body, "$.samples[-1].at").empty());
  const std::string m = s.get("/metrics").body;
  CHECK(m.find(R"(weft_node_port_total{node="extract",port="out",workflow="people"} 2)") != std::string::npos);
  CHECK(m.find(R"(weft_node_port_total{node="extract",port="missing",workflow="people"} 1)") != std::string::npos);
  CHECK(m.find(R"(weft_node_port_total{node="identify",port="out",workflow="people"} 2)") != std::string::npos);
}

TEST_CASE("console: /ui/ serves the console's files, and nothing outside its folder") {
  Served s;
  const auto page = s.get("/ui/");
  REQUIRE(page.status == 200);
  CHECK(page.headers.at("content-type") == "text/html; charset=utf-8");
  CHECK(page.body.find("<script type=\"module\" src=\"app.js\">") != std::string::npos);
  CHECK(page.headers.at("content-security-policy").find("default-src 'self'") != std::string::npos);
  CHECK(s.get("/ui/app.js").headers.at("content-type") == "text/javascript; charset=utf-8");
  CHECK(s.get("/ui/app.css").status == 200);
  const auto redirect = s.get("/ui");
  CHECK(redirect.status == 308);
  CHECK(redirect.headers.at("location") == "/ui/");
  CHECK(s.get("/ui/../weft.db").status == 404);
  CHECK(s.get("/ui/%2e%2e%2fweft.yaml").status == 404);
  CHECK(s.get("/ui/.hidden").status == 404);
  CHECK(s.get("/ui/missing.js").status == 404);
  CHECK(http(s.server.port(), "POST", "/ui/", "{}").status == 405);
}
