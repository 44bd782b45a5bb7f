// Operators' corrections (SPEC 13) through the real server, on each store backend.
#include "served.hpp"

#include <catch2/catch.hpp>

using namespace weft::test;

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
  const std::string holder = json_member(first.body, "$.profile_id");
  const auto blocked = http(port, "DELETE", "/profiles/" + holder + "/identifiers/email:info@example.com?block=true");
  REQUIRE(blocked.status == 200);
  CHECK(json_member(blocked.body, "$.profiles[0].id") == holder);
  CHECK(json_member(blocked.body, "$.profiles[0].identifiers") == R"([{"type":"people","value":"U1"}])");
  const auto listed = http(port, "GET", "/blocked");
  CHECK(json_member(listed.body, "$.blocked[0].type") == "email");
  CHECK(json_member(listed.body, "$.blocked[0].value") == "info@example.com");
  CHECK(json_member(listed.body, "$.blocked[1]").empty());

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

namespace {

// The README's story: two people typed one shared inbox, and were joined by it.
struct SharedInbox : Served {
  std::string jane, joe;
  explicit SharedInbox(const std::string& backend) : Served(backend) {
    post("/collect/people", R"({"user":"jane","email":"info@acme.example","name":"Jane"})");
    post("/collect/crm", R"({"user":"joe","email":"joe@acme.example","name":"Joe"})");
    post("/collect/crm", R"({"user":"joe","email":"info@acme.example"})");
    post("/collect/people", R"({"user":"jane","name":"Jane Doe"})");
    jane = json_member(get("/profiles?identifier=people:jane").body, "$.profiles[0].id");
    joe = json_member(get("/profiles?identifier=crm:joe").body, "$.profiles[0].id");
  }
};

}  // namespace

TEST_CASE("operations: removing a shared e-mail splits the two people it joined, and every id keeps answering") {
  const std::string backend = GENERATE(from_range(store_backends()));
  INFO("store backend " << backend);
  SharedInbox s(backend);
  REQUIRE(s.jane == s.joe);  // joined by info@
  const std::string joined = s.jane;
  const auto aliases = json_member(s.get("/profiles/" + joined).body, "$.aliases[0]");
  REQUIRE(!aliases.empty());
  const std::string joes_old_id = aliases;

  const auto r = http(s.server.port(), "DELETE", "/profiles/" + joined + "/identifiers/email:info@acme.example");
  REQUIRE(r.status == 200);
  // two people again, oldest first, each with its own id back
  CHECK(json_member(r.body, "$.profiles[0].id") == joined);
  CHECK(json_member(r.body, "$.profiles[1].id") == joes_old_id);
  CHECK(json_member(r.body, "$.profiles[2]").empty());
  CHECK(json_member(r.body, "$.profiles[0].identifiers") == R"([{"type":"people","value":"jane"}])");
  CHECK(json_member(r.body, "$.profiles[1].identifiers") == R"([{"type":"crm","value":"joe"},{"type":"email","value":"joe@acme.example"}])");
  CHECK(json_member(r.body, "$.profiles[0].traits") == R"({"name":"Jane Doe"})");
  CHECK(json_member(r.body, "$.profiles[1].traits") == R"({"name":"Joe"})");
  CHECK(json_member(r.body, "$.profiles[0].event_count") == "2");
  CHECK(json_member(r.body, "$.profiles[1].event_count") == "2");
  CHECK(json_member(r.body, "$.profiles[0].aliases") == "[]");
  CHECK(json_member(s.get("/profiles/" + joes_old_id + "/merges").body, "$.merges") == "[]");
  CHECK(s.get("/profiles?identifier=email:info@acme.example").body == R"({"profiles":[]})");

  const auto log = s.get("/operations").body;
  CHECK(json_member(log, "$.operations[0].kind") == "remove_identifier");
  CHECK(json_member(log, "$.operations[0].result.type") == "email");
  CHECK(json_member(log, "$.operations[0].result.events") == "4");
  CHECK(log.find("info@acme") == std::string::npos);  // no personal data in the log
  const auto metrics = s.get("/metrics").body;
  CHECK(metrics.find(R"(weft_operations_total{kind="remove_identifier"} 1)") != std::string::npos);
  CHECK(metrics.find("\nweft_profiles 2\n") != std::string::npos);

  // removed, not blocked: a later event may add it again, to whoever sends it
  const auto later = s.post("/collect/crm", R"({"user":"joe","email":"info@acme.example"})");
  CHECK(json_member(later.body, "$.profile_id") == joes_old_id);
  CHECK(json_member(s.get("/profiles?identifier=email:info@acme.example").body, "$.profiles[0].id") == joes_old_id);
  CHECK(json_member(s.get("/profiles/" + joined).body, "$.identifiers") == R"([{"type":"people","value":"jane"}])");

  // and a re-derivation of Joe keeps the old events without it, the new one with it
  const auto again = s.post("/profiles/" + joes_old_id + "/rederive", "");
  REQUIRE(again.status == 200);
  CHECK(json_member(again.body, "$.profiles[0].id") == joes_old_id);
  CHECK(json_member(again.body, "$.profiles[1]").empty());
  CHECK(json_member(again.body, "$.profiles[0].event_count") == "3");
  CHECK(json_member(s.get("/profiles?identifier=email:info@acme.example").body, "$.profiles[0].id") == joes_old_id);
  CHECK(json_member(s.get("/operations").body, "$.operations[0].kind") == "rederive");
}

TEST_CASE("operations: a removed external id takes its events out of the profile, and the old id still answers") {
  const std::string backend = GENERATE(from_range(store_backends()));
  INFO("store backend " << backend);
  SharedInbox s(backend);
  const std::string joined = s.jane;
  const std::string joe = json_member(s.get("/profiles/" + joined).body, "$.aliases[0]");
  // Joe's crm id was reused by mistake: block it; his events no longer have a profile
  const auto r = http(s.server.port(), "DELETE", "/profiles/" + joined + "/identifiers/crm:joe?block=true");
  REQUIRE(r.status == 200);
  CHECK(json_member(r.body, "$.profiles[0].id") == joined);
  CHECK(json_member(r.body, "$.profiles[0].identifiers") == R"([{"type":"people","value":"jane"},{"type":"email","value":"info@acme.example"}])");
  CHECK(json_member(r.body, "$.profiles[0].event_count") == "2");
  CHECK(json_member(r.body, "$.profiles[1].id") == joe);  // what Joe's id became: see below
  CHECK(json_member(r.body, "$.profiles[2]").empty());
  // Joe's old id was created for crm:joe, which nothing holds now, and his events have no
  // profile: it answers with an empty profile of its own rather than 404
  const auto old = s.get("/profiles/" + joe);
  CHECK(old.status == 200);
  CHECK(json_member(old.body, "$.id") == joe);
  CHECK(json_member(old.body, "$.identifiers") == "[]");
  CHECK(json_member(old.body, "$.event_count") == "0");
  CHECK(json_member(s.get("/operations").body, "$.operations[0].kind") == "block");
  // blocked: the grouper treats it as missing in new events too
  const auto later = s.post("/collect/crm", R"({"user":"joe"})");
  CHECK(later.status == 200);
  CHECK(json_member(later.body, "$.profile_id") == "null");
}

TEST_CASE("operations: removal and re-derivation are refused with 404 and 400 and change nothing") {
  SharedInbox s("sqlite");
  const auto port = s.server.port();
  CHECK(http(port, "DELETE", "/profiles/nobody/identifiers/email:info@acme.example").status == 404);
  CHECK(http(port, "DELETE", "/profiles/" + s.jane + "/identifiers/email:nobody@acme.example").status == 404);
  CHECK(http(port, "DELETE", "/profiles/" + s.jane + "/identifiers/email").status == 400);
  CHECK(http(port, "DELETE", "/profiles/" + s.jane + "/identifiers/email:info@acme.example?block=yes").status == 400);
  CHECK(http(port, "GET", "/profiles/" + s.jane + "/identifiers/email:info@acme.example").status == 405);
  CHECK(http(port, "POST", "/profiles/nobody/rederive").status == 404);
  CHECK(http(port, "GET", "/profiles/" + s.jane + "/rederive").status == 405);
  CHECK(json_member(s.get("/operations").body, "$.operations") == "[]");
  CHECK(json_member(s.get("/profiles?identifier=email:info@acme.example").body, "$.profiles[0].id") == s.jane);
}

TEST_CASE("operations: an operator's merge is part of the history: re-derivation applies it again at its time") {
  const std::string backend = GENERATE(from_range(store_backends()));
  INFO("store backend " << backend);
  Served s(backend);
  s.post("/collect/people", R"({"user":"U1","name":"Jane"})");
  s.post("/collect/people", R"({"user":"U2","name":"J. Doe","email":"jd@example.com"})");
  const std::string older = s.profile_of("U1"), younger = s.profile_of("U2");
  REQUIRE(s.post("/profiles/" + older + "/merge", R"({"profile":")" + younger + R"(","reason":"same person","traits":"most_recent"})").status == 200);
  s.post("/collect/people", R"({"user":"U2","name":"Jane Doe"})");  // after the merge

  const auto r = s.post("/profiles/" + younger + "/rederive", "");
  REQUIRE(r.status == 200);
  CHECK(json_member(r.body, "$.profiles[0].id") == older);
  CHECK(json_member(r.body, "$.profiles[1]").empty());
  CHECK(json_member(r.body, "$.profiles[0].aliases[0]") == younger);
  CHECK(json_member(r.body, "$.profiles[0].event_count") == "3");
  CHECK(json_member(r.body, "$.profiles[0].traits") == R"({"name":"Jane Doe"})");
  const auto merges = s.get("/profiles/" + older + "/merges").body;
  CHECK(json_member(merges, "$.merges[0].reason") == "same person");
  CHECK(json_member(merges, "$.merges[0].merged") == younger);
  CHECK(json_member(merges, "$.merges[1]").empty());
  // and a removal that takes the younger one's e-mail keeps the operator's merge
  const auto removed = http(s.server.port(), "DELETE", "/profiles/" + older + "/identifiers/email:jd@example.com");
  REQUIRE(removed.status == 200);
  CHECK(json_member(removed.body, "$.profiles[0].id") == older);
  CHECK(json_member(removed.body, "$.profiles[0].identifiers") == R"([{"type":"people","value":"U1"},{"type":"people","value":"U2"}])");
}
