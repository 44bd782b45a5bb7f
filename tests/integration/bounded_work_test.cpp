// Bounded work for every input (issue 14): the largest inputs the limits allow, sent to the
// example workflows a new user starts with, each answered within a second while /healthz keeps
// answering, and the server alive after. Before RE2, linear form parsing and linear trait
// merges, the first two killed the server (stack overflow in std::regex), the form took 14 s
// and the merge of two 60,000-key traits 4.7 s (release build).
#include "server_process.hpp"
#include "test_workflows.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <string>

using namespace weft::test;

namespace {

constexpr std::size_t max_body = 1048576;  // limits.max_body_bytes, the default
constexpr auto bound = std::chrono::seconds(1);

// Posts `body` and, while it is in flight, asks /healthz; both must answer within `bound`.
HttpResponse post_within_bound(std::uint16_t port, const std::string& path, const std::string& body,
                               const std::string& type = "application/json") {
  REQUIRE(body.size() <= max_body);
  const auto started = std::chrono::steady_clock::now();
  auto answer = std::async(std::launch::async, [&] { return http(port, "POST", path, body, type); });
  const auto health_started = std::chrono::steady_clock::now();
  const auto health = http(port, "GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(std::chrono::steady_clock::now() - health_started < bound);
  REQUIRE(answer.wait_for(std::chrono::seconds(30)) == std::future_status::ready);  // a stall fails, bounded
  const HttpResponse r = answer.get();
  const auto took = std::chrono::steady_clock::now() - started;
  INFO(path << ": " << body.size() << " bytes answered " << r.status << " in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  CHECK(took < bound);
  CHECK(http(port, "GET", "/healthz").status == 200);  // alive after
  return r;
}

// A JSON string member whose text makes the whole body exactly `size` bytes.
std::string padded(const std::string& head, const std::string& tail, std::size_t size) {
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

// {"0":0,"1":0,...} with `count` members named in base 36, so 100,000 fit under 1 MiB.
std::string wide_object(int count, int value) {
  std::string json = "{";
  for (int i = 0; i < count; ++i) {
    std::string name;
    for (int n = i; n > 0 || name.empty(); n /= 36) name.insert(name.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[n % 36]);
    json += (i ? ",\"" : "\"") + name + "\":" + std::to_string(value);
  }
  return json + "}";
}

}  // namespace

TEST_CASE("bounded: 1 MiB ids against every example blocklist and allowed list") {
  TempDir dir;
  ServerProcess server(dir);  // the example workflows
  const std::uint16_t port = server.port();

  // stripe: an id that is not a customer's (allowed: ['cus_.*']) is missing: stored without a profile
  auto r = post_within_bound(port, "/collect/stripe", padded(R"({"data":{"object":{"id":")", R"("}}})", max_body));
  CHECK(r.status == 200);
  CHECK(r.body.find(R"("profile_id":null)") != std::string::npos);
  // one that is: grouped, with its 1 MiB identifier
  r = post_within_bound(port, "/collect/stripe", padded(R"({"data":{"object":{"id":"cus_)", R"("}}})", max_body));
  CHECK(r.status == 200);
  CHECK(json_member(r.body, "$.status") == "processed");

  // github: a 1 MiB no-reply address is blocked (.*@users\.noreply\.github\.com), a 1 MiB
  // address that is not is added (and identifies the sender)
  r = post_within_bound(port, "/collect/github",
                        padded(R"({"sender":{"id":1},"pusher":{"email":")", R"(@users.noreply.github.com"}})", max_body));
  CHECK(r.status == 200);
  const std::string sender = json_member(r.body, "$.profile_id");
  CHECK(json_member(http(port, "GET", "/profiles/" + sender).body, "$.identifiers") == R"([{"type":"github","value":"1"}])");
  r = post_within_bound(port, "/collect/github", padded(R"({"sender":{"id":2},"pusher":{"email":")", R"(@example.com"}})", max_body));
  CHECK(r.status == 200);
  CHECK(json_member(http(port, "GET", "/profiles/" + json_member(r.body, "$.profile_id")).body, "$.identifiers").find(R"("type":"email")") !=
        std::string::npos);

  // slack: a 1 MiB user id against the default list; the generic form: a 1 MiB e-mail
  r = post_within_bound(port, "/collect/slack", padded(R"({"event":{"type":"message","user":")", R"("}})", max_body));
  CHECK(r.status == 200);
  r = post_within_bound(port, "/collect/generic", padded(R"({"user_id":"g1","email":"a@)", R"(.example"})", max_body));
  CHECK(r.status == 200);
}

TEST_CASE("bounded: a form of 100,000 fields") {
  TempDir dir;
  ServerProcess server(dir);
  std::string body = "user_id=f1&name=Jane";
  for (int i = 0; i < 99999; ++i) body += "&f" + std::to_string(i) + "=";
  body += "&f99999=last";
  const auto r = post_within_bound(server.port(), "/collect/generic", body, "application/x-www-form-urlencoded");
  REQUIRE(r.status == 200);
  const auto event = http(server.port(), "GET", "/events/" + json_member(r.body, "$.event_id"));
  CHECK(json_member(event.body, "$.payload.f99999") == "last");
  CHECK(json_member(event.body, "$.payload.name") == "Jane");
}

TEST_CASE("bounded: 100,000-member traits, written, rewritten and merged") {
  TempDir dir;
  ServerProcess server(dir);
  const std::uint16_t port = server.port();
  const auto person = [](const std::string& user, int value) {
    return R"({"user_id":")" + user + R"(","email":"wide@example.com","name":)" + wide_object(100000, value) + "}";
  };
  auto r = post_within_bound(port, "/collect/generic", person("w1", 1));  // first write
  REQUIRE(r.status == 200);
  const std::string first = json_member(r.body, "$.profile_id");
  r = post_within_bound(port, "/collect/generic", person("w1", 2));  // the same profile, every member new
  REQUIRE(r.status == 200);
  r = post_within_bound(port, "/collect/generic", person("w2", 3));  // another profile, merged by the e-mail
  REQUIRE(r.status == 200);
  CHECK(json_member(r.body, "$.profile_id") == first);  // the first profile survives
  const auto profile = http(port, "GET", "/profiles/" + first);
  CHECK(json_member(profile.body, "$.traits.name['255r']") == "2");  // keep_survivor: the rewrite's value
  CHECK(json_member(profile.body, "$.aliases[0]").size() == 36);
}

TEST_CASE("bounded: extreme signed timestamps are refused, not overflowed") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir));  // the test workflows: slack and stripe are signed
  for (const char* ts : {"-9223372036854775808", "9223372036854775807", "99999999999999999999999"}) {
    INFO(ts);
    auto r = http(server.port(), "POST", "/collect/slack", R"({"event":{"user":"U1"}})", "application/json",
                  {{"X-Slack-Request-Timestamp", ts}, {"X-Slack-Signature", "v0=00"}});
    CHECK(r.status == 401);
    CHECK(json_member(r.body, "$.error") == "bad_signature");
    r = http(server.port(), "POST", "/collect/stripe", R"({"data":{"object":{"customer":"cus_1"}}})", "application/json",
             {{"Stripe-Signature", std::string("t=") + ts + ",v1=00"}});
    CHECK(r.status == 401);
  }
  CHECK(http(server.port(), "GET", "/healthz").status == 200);
}
