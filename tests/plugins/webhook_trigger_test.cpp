#include "weft/workflow/executor.hpp"

#include "workflow_fixture.hpp"

#include <catch2/catch.hpp>

using weft::test::load_yaml;
using weft::test::set_payload;

namespace {

std::string type_after(const std::string& with, const std::string& payload) {
  const auto loaded = load_yaml("id: t\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n    with: " + with + "\n");
  for (const auto& e : loaded.errors) FAIL(e);
  REQUIRE(loaded.workflow);
  weft::EventDocument event;
  set_payload(event, payload);
  const auto result = weft::run_workflow(*loaded.workflow, event);
  CHECK(result.outcome == weft::Outcome::processed);
  return std::string(event.string("type"));
}

}  // namespace

TEST_CASE("webhook_trigger sets the type from a literal or a JSONPath") {
  CHECK(type_after("{}", R"({"type":"ignored"})") == "webhook");
  CHECK(type_after("{ event_type: signup }", "{}") == "signup");
  CHECK(type_after("{ event_type: $.payload.event.type }", R"({"event":{"type":"message"}})") == "message");
}

TEST_CASE("webhook_trigger falls back to webhook when the path selects no string") {
  CHECK(type_after("{ event_type: $.payload.event.type }", "{}") == "webhook");
  CHECK(type_after("{ event_type: $.payload.t }", R"({"t":42})") == "webhook");
  CHECK(type_after("{ event_type: $.payload.t }", R"({"t":""})") == "webhook");
}

TEST_CASE("webhook_trigger checks its signature, handshake and idempotency settings") {
  const std::string head = "id: t\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n    with:\n";
  CHECK(load_yaml(head + "      signature: { scheme: slack, secret_env: SLACK_SIGNING_SECRET }\n      handshake: slack\n"
                         "      idempotency_key: $.payload.event_id\n")
            .errors.empty());
  CHECK(load_yaml(head + "      idempotency_key: header:X-GitHub-Delivery\n").errors.empty());
  CHECK(load_yaml(head + "      signature: { scheme: hmac-sha256, secret_env: S, header: X-Shopify-Hmac-Sha256, encoding: base64 }\n")
            .errors.empty());

  CHECK(load_yaml(head + "      signature: { scheme: slak, secret_env: S }\n").errors ==
        std::vector<std::string>{"6:28: node 'receive' (webhook_trigger): 'signature.scheme': expected one of "
                                 "slack|github|stripe|hmac-sha256|standard-webhooks|hmac|hubspot-v3|intercom|zendesk|calendly|paddle|twilio|sendgrid|basic, found 'slak' "
                                 "(did you mean 'slack'?)"});
  CHECK(load_yaml(head + "      signature: { scheme: github }\n").errors ==
        std::vector<std::string>{"6:7: node 'receive' (webhook_trigger): signature scheme 'github' needs 'signature.secret_env' (the "
                                 "environment variable that holds it)"});
  CHECK(load_yaml(head + "      signature: { scheme: sendgrid, secret_env: S }\n").errors ==
        std::vector<std::string>{"6:7: node 'receive' (webhook_trigger): signature scheme 'sendgrid' needs 'signature.public_key_env' (the "
                                 "environment variable that holds it)"});
  CHECK(load_yaml(head + "      signature: { scheme: basic, user_env: U, password_env: P }\n").errors.empty());
  CHECK(load_yaml(head + "      signature: { scheme: hmac, secret_env: S, signed: '{timestamp}.{bdy}' }\n").errors ==
        std::vector<std::string>{"6:7: node 'receive' (webhook_trigger): 'signature.signed' may hold {body} {timestamp} {method} {url} {id}, "
                                 "found '{timestamp}.{bdy}'"});
  CHECK(load_yaml(head + "      handshake: github\n").errors ==
        std::vector<std::string>{"6:18: node 'receive' (webhook_trigger): 'handshake': expected one of none|slack, found 'github'"});
  CHECK(load_yaml(head + "      idempotency_key: event_id\n").errors ==
        std::vector<std::string>{"6:7: node 'receive' (webhook_trigger): 'idempotency_key' must be a JSONPath or header:NAME, "
                                 "found 'event_id'"});
  // a tolerance that would let now ± tolerance overflow, or make no sense
  for (const char* tolerance : {"0", "-5", "86401", "9223372036854775807"}) {
    INFO(tolerance);
    const auto errors = load_yaml(head + "      signature: { scheme: slack, secret_env: S, tolerance_seconds: " + tolerance + " }\n").errors;
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == "6:7: node 'receive' (webhook_trigger): 'signature.tolerance_seconds' must be between 1 and 86400 (one day), "
                       "found " + std::string(tolerance));
  }
  CHECK(load_yaml(head + "      signature: { scheme: slack, secret_env: S, tolerance_seconds: 86400 }\n").errors.empty());
}
