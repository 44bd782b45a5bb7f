// Operators' corrections (SPEC 13) through the real server, on each store backend.
#include "server_process.hpp"
#include "store_backends.hpp"
#include "test_workflows.hpp"

#include "weft/store/sqlite/sqlite.hpp"

#include <catch2/catch.hpp>

using namespace weft::test;

namespace {

struct Served {
  TempDir dir;
  ServerProcess server;
  explicit Served(const std::string& backend)
      : server(dir, [&] {
          auto o = test_serve_options(dir);
          o.store = fresh_store_location(backend, dir);
          return o;
        }()) {}
  HttpResponse post(const std::string& path, const std::string& body) { return http(server.port(), "POST", path, body); }
  HttpResponse get(const std::string& path) { return http(server.port(), "GET", path); }
  std::string profile_of(const std::string& user) { return json_member(get("/profiles?identifier=people:" + user).body, "$.profiles[0].id"); }
};

}  // namespace

TEST_CASE("operations: an operator merges two profiles with a reason, and the log says so") {
  const std::string backend = GENERATE(from_range(store_backends()));
  INFO("store backend " << backend);
  Served s(backend);
  s.post("/collect/people", R"({"user":"U1","email":"jane@work.example","name":"Jane"})");
  s.post("/collect/people", R"({"user":"U2","email":"jane@home.example","plan":"pro"})");
  const std::string older = s.profile_of("U1"), younger = s.profile_of("U2");
  REQUIRE(older != younger);

  // asked on the younger one: the older still survives (SPEC 6), no limits apply
  const auto merged = s.post("/profiles/" + younger + "/merge", R"({"profile":")" + older + R"(","reason":"one person, two e-mails"})");
  REQUIRE(merged.status == 200);
  CHECK(json_member(merged.body, "$.id") == older);
  CHECK(json_member(merged.body, "$.aliases[0]") == younger);
  CHECK(json_member(merged.body, "$.event_count") == "2");
  CHECK(s.profile_of("U2") == older);
  CHECK(json_member(s.get("/profiles/" + younger).body, "$.id") == older);  // the old id answers for the survivor

  const auto merges = s.get("/profiles/" + older + "/merges");
  CHECK(json_member(merges.body, "$.merges[0].merged") == younger);
  CHECK(json_member(merges.body, "$.merges[0].identifier") == "null");
  CHECK(json_member(merges.body, "$.merges[0].event_id") == "null");
  CHECK(json_member(merges.body, "$.merges[0].reason") == "one person, two e-mails");
  CHECK(json_member(merges.body, "$.merges[0].merged_snapshot.id") == younger);

  const auto log = s.get("/operations");
  REQUIRE(log.status == 200);
  CHECK(json_member(log.body, "$.operations[0].kind") == "merge");
  CHECK(json_member(log.body, "$.operations[0].profiles") == "[\"" + younger + "\",\"" + older + "\"]");
  CHECK(json_member(log.body, "$.operations[0].reason") == "one person, two e-mails");
  CHECK(json_member(log.body, "$.operations[0].result.survivor") == older);
  CHECK(json_member(log.body, "$.next") == "null");
  CHECK(s.get("/metrics").body.find(R"(weft_operations_total{kind="merge"} 1)") != std::string::npos);
  CHECK(s.get("/metrics").body.find("\nweft_profiles 1\n") != std::string::npos);

  // later events of either external id land on the survivor
  CHECK(json_member(s.post("/collect/people", R"({"user":"U2"})").body, "$.profile_id") == older);
}

TEST_CASE("operations: a merge is refused with 404, 409 and 400 and changes nothing") {
  const std::string backend = GENERATE(from_range(store_backends()));
  INFO("store backend " << backend);
  Served s(backend);
  s.post("/collect/people", R"({"user":"U1"})");
  s.post("/collect/people", R"({"user":"U2"})");
  const std::string a = s.profile_of("U1"), b = s.profile_of("U2");
  auto r = s.post("/profiles/" + a + "/merge", R"({"profile":"no-such-profile"})");
  CHECK(r.status == 404);
  CHECK(json_member(r.body, "$.error") == "not_found");
  CHECK(s.post("/profiles/no-such-profile/merge", R"({"profile":")" + a + R"("})").status == 404);
  r = s.post("/profiles/" + a + "/merge", R"({"profile":")" + a + R"("})");
  CHECK(r.status == 409);
  CHECK(json_member(r.body, "$.error") == "conflict");
  for (const char* bad : {"", "[]", R"({"reason":"x"})", R"({"profile":7})", R"({"profile":"x","traits":"newest"})"}) {
    INFO(bad);
    r = s.post("/profiles/" + a + "/merge", bad);
    CHECK(r.status == 400);
    CHECK(json_member(r.body, "$.error") == "bad_request");
  }
  CHECK(s.get("/profiles/" + a + "/merge").status == 405);
  CHECK(json_member(s.get("/operations").body, "$.operations") == "[]");
  CHECK(s.profile_of("U1") != s.profile_of("U2"));
  // with most_recent the traits of the profile updated last win
  s.post("/collect/people", R"({"user":"U1","name":"Old"})");
  s.post("/collect/people", R"({"user":"U2","name":"New"})");
  r = s.post("/profiles/" + a + "/merge", R"({"profile":")" + b + R"(","traits":"most_recent"})");
  REQUIRE(r.status == 200);
  CHECK(json_member(r.body, "$.traits.name") == "New");
  CHECK(json_member(s.get("/operations").body, "$.operations[0].reason") == "");

  // the log pages newest first: ?limit=1, then ?after= the "next" it gave
  s.post("/collect/people", R"({"user":"U3"})");
  REQUIRE(s.post("/profiles/" + s.profile_of("U3") + "/merge", R"({"profile":")" + a + R"(","reason":"second"})").status == 200);
  const auto page = s.get("/operations?limit=1");
  CHECK(json_member(page.body, "$.operations[0].reason") == "second");
  CHECK(json_member(page.body, "$.operations[1]").empty());
  const std::string next = json_member(page.body, "$.next");
  REQUIRE(next != "null");
  const auto older = s.get("/operations?limit=1&after=" + next);
  CHECK(json_member(older.body, "$.operations[0].reason") == "");
  CHECK(json_member(older.body, "$.operations[0].result.survivor") == a);
  CHECK(json_member(older.body, "$.next") == "null");
}

TEST_CASE("operations: blocked identifiers are listed, ignored by new events, and unblocked") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir));
  const auto port = server.port();
  const auto first = http(port, "POST", "/collect/people", R"({"user":"U1","email":"info@example.com"})");
  REQUIRE(first.status == 200);
  CHECK(http(port, "GET", "/blocked").body == R"({"blocked":[]})");
  {
    // blocking comes with identifier removal (not built yet): set the rule in the store itself
    weft::SqliteDb db((dir.path() / "weft.db").string());
    db.exec("UPDATE identifiers SET profile_id = NULL, ignored_before = 1, blocked_at = 1764633600000000 "
            "WHERE type = 'email' AND value = 'info@example.com'");
  }
  const auto listed = http(port, "GET", "/blocked");
  CHECK(json_member(listed.body, "$.blocked[0].type") == "email");
  CHECK(json_member(listed.body, "$.blocked[0].value") == "info@example.com");
  CHECK(json_member(listed.body, "$.blocked[0].at") == "2025-12-02T00:00:00.000Z");

  // a new person with the shared inbox stays apart: the merger sees no e-mail
  const auto other = http(port, "POST", "/collect/people", R"({"user":"U2","email":"info@example.com"})");
  CHECK(json_member(other.body, "$.profile_id") != json_member(first.body, "$.profile_id"));
  CHECK(json_member(http(port, "GET", "/events/" + json_member(other.body, "$.event_id")).body, "$.trace[5].port") == "missing");

  CHECK(http(port, "GET", "/blocked/email:info@example.com").status == 405);
  CHECK(http(port, "DELETE", "/blocked/email").status == 400);
  auto r = http(port, "DELETE", "/blocked/email:info@example.com");
  REQUIRE(r.status == 200);
  CHECK(r.body == R"({"unblocked":{"type":"email","value":"info@example.com"}})");
  CHECK(http(port, "DELETE", "/blocked/email:info@example.com").status == 404);
  CHECK(http(port, "GET", "/blocked").body == R"({"blocked":[]})");
  const auto log = http(port, "GET", "/operations").body;
  CHECK(json_member(log, "$.operations[0].kind") == "unblock");
  CHECK(json_member(log, "$.operations[0].result") == R"({"type":"email"})");  // no personal data in the log
  CHECK(http(port, "GET", "/metrics").body.find(R"(weft_operations_total{kind="unblock"} 1)") != std::string::npos);
  // unblocked: the next event adds it again
  const auto again = http(port, "POST", "/collect/people", R"({"user":"U3","email":"info@example.com"})");
  CHECK(json_member(http(port, "GET", "/profiles?identifier=email:info@example.com").body, "$.profiles[0].id") ==
        json_member(again.body, "$.profile_id"));
}
