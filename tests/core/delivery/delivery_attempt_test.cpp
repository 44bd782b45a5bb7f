// One delivery attempt against a real HTTP receiver on loopback (Poco's server in this
// process): the request as SPEC 17 defines it, signed; each kind of answer and failure as its
// outcome; and the retry schedule.
#include "weft/delivery/delivery_attempt.hpp"
#include "weft/delivery/webhook_signature.hpp"

#include "webhook_receiver.hpp"

#include <catch2/catch.hpp>


#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

namespace {

using namespace std::chrono_literals;
using weft::test::Answer;
using weft::test::Receiver;

weft::Destination destination(const std::string& url) {
  weft::Destination d;
  d.id = "crm";
  d.url = url;
  d.signing_key = *weft::webhook_signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  d.headers = {{"Authorization", "Bearer t0ken"}};
  d.timeout = 1s;
  d.retry = {5s, 5min, 30min};
  return d;
}

const weft::OutgoingMessage message{"msg_2Zb8vQ", "profile.updated", 1614265330000000, R"({"id":"p1","traits":{"name":"Jane"}})"};

}  // namespace

TEST_CASE("a delivery is POST url with the body, Standard Webhooks headers and the destination's own, signed") {
  Receiver receiver;
  const weft::Destination d = destination(receiver.url());
  weft::DestinationClient client(d);
  const auto outcome = client.send(message, 1700000000);
  CHECK(outcome.result == weft::AttemptOutcome::Result::delivered);
  CHECK(outcome.http_status == 200);
  CHECK(outcome.error.empty());
  const auto got = receiver.received();
  REQUIRE(got.size() == 1);
  const std::string body = R"({"type":"profile.updated","timestamp":"2021-02-25T15:02:10.000Z","data":{"id":"p1","traits":{"name":"Jane"}}})";
  CHECK(got[0].body == body);
  CHECK(got[0].path == "/hooks/in?x=1");
  CHECK(got[0].headers.at("content-type") == "application/json");
  CHECK(got[0].headers.at("webhook-id") == "msg_2Zb8vQ");
  CHECK(got[0].headers.at("webhook-timestamp") == "1700000000");
  CHECK(got[0].headers.at("webhook-signature") == weft::sign_webhook(d.signing_key, "msg_2Zb8vQ", 1700000000, body));
  CHECK(got[0].headers.at("user-agent").rfind("weft/", 0) == 0);
  CHECK(got[0].headers.at("authorization") == "Bearer t0ken");
}

TEST_CASE("each answer and failure is its outcome: retry, gone, Retry-After, timeout, refused, redirect") {
  Receiver receiver;
  const weft::Destination d = destination(receiver.url());
  weft::DestinationClient client(d);
  receiver.script({500, std::string(3000, 'x')});
  auto outcome = client.send(message, 1700000000);
  CHECK(outcome.result == weft::AttemptOutcome::Result::retry);
  CHECK(outcome.http_status == 500);
  CHECK(outcome.error == "HTTP 500 Internal Server Error");
  CHECK(outcome.response == std::string(1024, 'x'));  // the first 1 KiB

  receiver.script({429, "slow down", {{"Retry-After", "2"}}});
  outcome = client.send(message, 1700000000);
  CHECK(outcome.result == weft::AttemptOutcome::Result::retry);
  CHECK(outcome.retry_after == std::chrono::seconds(2));
  receiver.script({503, "", {{"Retry-After", "Wed, 15 Nov 2023 22:13:30 GMT"}}});
  outcome = client.send(message, 1700086400);  // 2023-11-15T22:13:20Z: ten seconds before
  CHECK(outcome.retry_after == std::chrono::seconds(10));

  receiver.script({410, "gone"});
  CHECK(client.send(message, 1700000000).result == weft::AttemptOutcome::Result::gone);

  receiver.script({302, "", {{"Location", "http://127.0.0.1:1/elsewhere"}}});
  outcome = client.send(message, 1700000000);
  CHECK(outcome.result == weft::AttemptOutcome::Result::retry);  // redirects are not followed
  CHECK(outcome.http_status == 302);

  receiver.script({200, "", {}, 1500ms});  // past the 1 s timeout
  outcome = client.send(message, 1700000000);
  CHECK(outcome.result == weft::AttemptOutcome::Result::retry);
  CHECK_FALSE(outcome.http_status);
  CHECK(outcome.error == "no answer within 1000 ms");
  CHECK(outcome.ms >= 900);

  // the next attempt opens a new connection and is delivered
  CHECK(client.send(message, 1700000000).result == weft::AttemptOutcome::Result::delivered);
  CHECK(receiver.received().size() == 7);

  weft::Destination nobody = destination("http://127.0.0.1:1/in");  // nothing listens on port 1
  weft::DestinationClient refused(nobody);
  outcome = refused.send(message, 1700000000);
  CHECK(outcome.result == weft::AttemptOutcome::Result::retry);
  CHECK_FALSE(outcome.http_status);
  CHECK(outcome.error.find("onnection refused") != std::string::npos);
}

TEST_CASE("the retry schedule: N waits give N + 1 attempts, up to 10 % jitter, Retry-After replaces the wait") {
  const weft::Destination d = destination("http://127.0.0.1:1/");
  CHECK(weft::next_attempt_after(d, 1, std::nullopt, 0.0) == std::chrono::milliseconds(5s));
  CHECK(weft::next_attempt_after(d, 1, std::nullopt, 0.999) == std::chrono::milliseconds(5499));
  CHECK(weft::next_attempt_after(d, 3, std::nullopt, 0.5) == std::chrono::milliseconds(31min + 30s));
  CHECK_FALSE(weft::next_attempt_after(d, 4, std::nullopt, 0.0));  // four attempts made: failed
  CHECK(weft::next_attempt_after(d, 1, std::chrono::seconds(2), 0.7) == std::chrono::milliseconds(2s));
  CHECK(weft::next_attempt_after(d, 2, std::chrono::seconds(999999), 0.0) == std::chrono::milliseconds(24h));
  CHECK_FALSE(weft::next_attempt_after(d, 4, std::chrono::seconds(2), 0.0));
}
