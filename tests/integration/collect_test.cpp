// POST /collect over real HTTP against a real `weft serve`: every row of SPEC 7's table, the
// handshake, forms, the path's event type, idempotency, dead letters.
#include "server_process.hpp"
#include "test_workflows.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>

using namespace weft::test;

namespace {

struct Served {
  TempDir dir;
  ServerProcess server;
  explicit Served(const std::string& extra_config = "") : server(dir, test_serve_options(dir, extra_config)) {}
  HttpResponse post(const std::string& path, const std::string& body, const std::string& type = "application/json", const Headers& h = {}) {
    return http(server.port(), "POST", path, body, type, h);
  }
};

void check_error(const HttpResponse& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(json_member(r.body, "$.error") == code);
  CHECK_FALSE(json_member(r.body, "$.message").empty());
  CHECK(r.headers.at("content-type") == "application/json");
}

}  // namespace

TEST_CASE("collect: an accepted event answers with its id, its profile and processed") {
  Served s;
  const auto r = s.post("/collect/people", R"({"user":"U1","name":"Jane","email":"jane@example.com","kind":"signup"})");
  REQUIRE(r.status == 200);
  CHECK(json_member(r.body, "$.status") == "processed");
  CHECK(json_member(r.body, "$.event_id").size() == 36);
  const std::string profile = json_member(r.body, "$.profile_id");
  CHECK(profile.size() == 36);
  const auto event = http(s.server.port(), "GET", "/events/" + json_member(r.body, "$.event_id"));
  CHECK(json_member(event.body, "$.type") == "signup");
  CHECK(json_member(event.body, "$.profile_id") == profile);
}

TEST_CASE("collect: SPEC 7 error table, row by row") {
  Served s("limits: { max_body_bytes: 1000, max_json_depth: 8 }\n");
  check_error(s.post("/collect/people", "{not json"), 400, "invalid_body");
  check_error(s.post("/collect/people", std::string(9, '[') + std::string(9, ']')), 400, "invalid_body");
  check_error(s.post("/collect/people", "a=%zz", "application/x-www-form-urlencoded"), 400, "invalid_body");
  check_error(s.post("/collect/slack", R"({"user":"U1"})"), 401, "bad_signature");
  check_error(s.post("/collect/nope", "{}"), 404, "unknown_source");
  check_error(http(s.server.port(), "GET", "/collect/people"), 405, "method_not_allowed");
  check_error(s.post("/collect/people", std::string(1001, ' ')), 413, "too_large");
  check_error(s.post("/collect/people", "<xml/>", "text/xml"), 415, "unsupported_media_type");
  check_error(s.post("/collect/people", R"({"name":"no user id"})"), 422, "rejected");
  // nothing was stored for any of them
  const auto metrics = http(s.server.port(), "GET", "/metrics").body;
  CHECK(metrics.find("weft_events_total{source=\"people\",status=\"processed\"}") == std::string::npos);
}

TEST_CASE("collect: when several errors apply, 404, 405, 415, 413, 401, 400 win in that order") {
  Served s("limits: { max_body_bytes: 10 }\n");
  check_error(http(s.server.port(), "GET", "/collect/nope"), 404, "unknown_source");
  check_error(http(s.server.port(), "PUT", "/collect/slack", "x", "text/plain"), 405, "method_not_allowed");
  check_error(s.post("/collect/slack", std::string(100, 'x'), "text/plain"), 415, "unsupported_media_type");
  check_error(s.post("/collect/slack", std::string(100, 'x')), 413, "too_large");
  check_error(s.post("/collect/slack", "not json"), 401, "bad_signature");
}

TEST_CASE("collect: a chunked body over the limit is refused with 413") {
  Served s("limits: { max_body_bytes: 1000 }\n");
  Poco::Net::HTTPClientSession session("127.0.0.1", s.server.port());
  Poco::Net::HTTPRequest request("POST", "/collect/people", Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/json");
  request.setChunkedTransferEncoding(true);
  session.sendRequest(request) << "{\"user\":\"" << std::string(5000, 'x') << "\"}";
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
  CHECK(response.getStatus() == 413);
  CHECK(json_member(body, "$.error") == "too_large");
}

TEST_CASE("collect: JSON with a charset, forms, and non-object bodies") {
  Served s;
  auto r = s.post("/collect/people", R"({"user":"U1"})", "application/json; charset=utf-8");
  CHECK(r.status == 200);
  r = s.post("/collect/people", "user=U2&name=Bob+Smith&email=bob%40example.org", "application/x-www-form-urlencoded");
  REQUIRE(r.status == 200);
  const auto profile = http(s.server.port(), "GET", "/profiles/" + json_member(r.body, "$.profile_id"));
  CHECK(json_member(profile.body, "$.traits.name") == "Bob Smith");
  CHECK(profile.body.find(R"({"type":"email","value":"bob@example.org"})") != std::string::npos);
  // a top level that is not an object is wrapped as {"value": ...}: no user, so rejected
  r = s.post("/collect/people", "[1,2,3]");
  CHECK(r.status == 422);
}

TEST_CASE("collect: the path's event type wins over event_type") {
  Served s;
  const auto r = s.post("/collect/purchase/people", R"({"user":"U1","kind":"signup"})");
  REQUIRE(r.status == 200);
  const auto event = http(s.server.port(), "GET", "/events/" + json_member(r.body, "$.event_id"));
  CHECK(json_member(event.body, "$.type") == "purchase");
  CHECK(s.post("/collect/a/b/people", "{}").status == 404);
}

TEST_CASE("collect: drop answers 200 dropped and stores nothing") {
  Served s;
  const auto r = s.post("/collect/people", R"({"user":"U9","test":true})");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"event_id":null,"profile_id":null,"status":"dropped"})");
  CHECK(http(s.server.port(), "GET", "/profiles?identifier=people:U9").body == R"({"profiles":[]})");
}

TEST_CASE("collect: a redelivery with a known idempotency key answers duplicate with the first event") {
  Served s;
  const auto first = s.post("/collect/people", R"({"event_id":"Ev1","user":"U1"})");
  REQUIRE(first.status == 200);
  const auto again = s.post("/collect/people", R"({"event_id":"Ev1","user":"U1"})");
  CHECK(again.status == 200);
  CHECK(json_member(again.body, "$.duplicate") == "true");
  CHECK(json_member(again.body, "$.event_id") == json_member(first.body, "$.event_id"));
  CHECK(json_member(again.body, "$.profile_id") == json_member(first.body, "$.profile_id"));
  CHECK(json_member(again.body, "$.status") == "processed");

  // a header key, per source: X-Delivery on crm
  const Headers delivery{{"X-Delivery", "d-1"}};
  const auto c1 = s.post("/collect/crm", R"({"user":"C1"})", "application/json", delivery);
  const auto c2 = s.post("/collect/crm", R"({"user":"C1"})", "application/json", delivery);
  CHECK(json_member(c2.body, "$.duplicate") == "true");
  CHECK(json_member(c2.body, "$.event_id") == json_member(c1.body, "$.event_id"));

  // after a merge the duplicate names the survivor, not the profile the event was stored with:
  // U0's profile is older, so U2's is merged into it
  s.post("/collect/people", R"({"user":"U0","email":"shared@example.com"})");
  const auto u2 = s.post("/collect/people", R"({"event_id":"Ev2","user":"U2"})");
  s.post("/collect/people", R"({"user":"U2","email":"shared@example.com"})");
  const auto later = s.post("/collect/people", R"({"event_id":"Ev2","user":"U2"})");
  const auto survivor = http(s.server.port(), "GET", "/profiles?identifier=people:U0");
  CHECK(json_member(later.body, "$.duplicate") == "true");
  CHECK(json_member(later.body, "$.event_id") == json_member(u2.body, "$.event_id"));
  CHECK(json_member(later.body, "$.profile_id") == json_member(survivor.body, "$.profiles[0].id"));
  CHECK(json_member(later.body, "$.profile_id") != json_member(u2.body, "$.profile_id"));
}

TEST_CASE("collect: a failing node makes a dead letter, answered 202 failed") {
  Served s;
  const auto r = s.post("/collect/failing", R"({"user":"F1","event_id":"f-1"})");
  CHECK(r.status == 202);
  CHECK(json_member(r.body, "$.status") == "failed");
  const auto event = http(s.server.port(), "GET", "/events/" + json_member(r.body, "$.event_id"));
  CHECK(json_member(event.body, "$.status") == "failed");
  CHECK(json_member(event.body, "$.error") == "node 'boom': process failed: test says so");
  CHECK(json_member(event.body, "$.trace[-1].port") == "error");
  CHECK(json_member(event.body, "$.profile_id") == "null");
  // its effects were rolled back: the grouper's profile is gone
  CHECK(http(s.server.port(), "GET", "/profiles?identifier=failing:F1").body == R"({"profiles":[]})");
  // and it keeps its key
  CHECK(json_member(s.post("/collect/failing", R"({"user":"F1","event_id":"f-1"})").body, "$.duplicate") == "true");
}
