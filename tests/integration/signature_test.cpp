// Signed sources over real HTTP: each scheme accepted when signed right and refused (401) for
// each kind of wrong signature; the Slack handshake; start-up refused without a secret.
#include "weft/delivery/webhook_signature.hpp"
#include "weft/serve/signature.hpp"

#include "server_process.hpp"
#include "test_workflows.hpp"

#include <catch2/catch.hpp>

#include <ctime>

using namespace weft::test;

namespace {

std::string now() { return std::to_string(std::time(nullptr)); }

int post(const ServerProcess& s, const std::string& source, const std::string& body, const Headers& headers) {
  return http(s.port(), "POST", "/collect/" + source, body, "application/json", headers).status;
}

Headers slack_headers(const std::string& secret, const std::string& timestamp, const std::string& body) {
  return {{"X-Slack-Request-Timestamp", timestamp}, {"X-Slack-Signature", "v0=" + weft::hmac_sha256_hex(secret, "v0:" + timestamp + ":" + body)}};
}

}  // namespace

TEST_CASE("signatures: slack") {
  TempDir dir;
  ServerProcess s(dir, test_serve_options(dir));
  const std::string body = R"({"user":"U1"})";
  CHECK(post(s, "slack", body, slack_headers(slack_secret, now(), body)) == 200);
  CHECK(post(s, "slack", body, {}) == 401);                                                    // missing
  CHECK(post(s, "slack", body, slack_headers("wrong secret", now(), body)) == 401);            // wrong
  CHECK(post(s, "slack", body + " ", slack_headers(slack_secret, now(), body)) == 401);        // body changed
  const std::string old = std::to_string(std::time(nullptr) - 600);
  CHECK(post(s, "slack", body, slack_headers(slack_secret, old, body)) == 401);                // replayed, too old
  const auto r = http(s.port(), "POST", "/collect/slack", body, "application/json", slack_headers(slack_secret, old, body));
  CHECK(r.body.find("outside the tolerance of 300 s") != std::string::npos);
}

TEST_CASE("signatures: the Slack url_verification handshake answers the challenge and stores nothing") {
  TempDir dir;
  ServerProcess s(dir, test_serve_options(dir));
  const std::string body = R"({"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"})";
  auto r = http(s.port(), "POST", "/collect/slack", body, "application/json", slack_headers(slack_secret, now(), body));
  CHECK(r.status == 200);
  CHECK(r.body == R"({"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"})");
  // the signature is checked first
  CHECK(http(s.port(), "POST", "/collect/slack", body, "application/json").status == 401);
  CHECK(http(s.port(), "GET", "/metrics").body.find("weft_events_total{source=\"slack\"") == std::string::npos);
}

TEST_CASE("signatures: github") {
  TempDir dir;
  ServerProcess s(dir, test_serve_options(dir));
  CHECK(http(s.port(), "POST", "/collect/github", R"({"zen":"x"})", "application/json",
             {{"X-Hub-Signature-256", "sha256=" + weft::hmac_sha256_hex(github_secret, R"({"zen":"x"})")}})
            .status == 200);
  // a valid signature of another body (GitHub's documented "Hello, World!")
  CHECK(post(s, "github", R"({"zen":"x"})", {{"X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"}}) == 401);
  CHECK(post(s, "github", R"({"zen":"x"})", {{"X-Hub-Signature", "sha1=0000"}}) == 401);
  CHECK(post(s, "github", R"({"zen":"x"})", {{"X-Hub-Signature-256", "sha256=" + weft::hmac_sha256_hex("nope", R"({"zen":"x"})")}}) == 401);
}

TEST_CASE("signatures: stripe, with several v1 and a timestamp") {
  TempDir dir;
  ServerProcess s(dir, test_serve_options(dir));
  const std::string body = R"({"id":"evt_1","type":"customer.created"})";
  const std::string t = now();
  const std::string good = weft::hmac_sha256_hex(stripe_secret, t + "." + body);
  CHECK(post(s, "stripe", body, {{"Stripe-Signature", "t=" + t + ",v1=" + good}}) == 200);
  CHECK(post(s, "stripe", body, {{"Stripe-Signature", "t=" + t + ",v1=" + std::string(64, '0') + ",v1=" + good}}) == 200);
  CHECK(post(s, "stripe", body, {{"Stripe-Signature", "t=" + t + ",v1=" + std::string(64, '0')}}) == 401);
  const std::string old = std::to_string(std::time(nullptr) - 1000);
  CHECK(post(s, "stripe", body, {{"Stripe-Signature", "t=" + old + ",v1=" + weft::hmac_sha256_hex(stripe_secret, old + "." + body)}}) == 401);
  CHECK(post(s, "stripe", body, {}) == 401);
}

TEST_CASE("signatures: hmac-sha256 in Shopify's form (base64 header)") {
  TempDir dir;
  ServerProcess s(dir, test_serve_options(dir));
  const std::string body = R"({"id":820982911946154500,"email":"jon@example.com"})";
  CHECK(post(s, "shop", body, {{"X-Shopify-Hmac-Sha256", weft::hmac_sha256_base64(shop_secret, body)}}) == 200);
  CHECK(post(s, "shop", body, {{"X-Shopify-Hmac-Sha256", weft::hmac_sha256_hex(shop_secret, body)}}) == 401);
  CHECK(post(s, "shop", body, {{"X-Shopify-Hmac-Sha256", weft::hmac_sha256_base64("x", body)}}) == 401);
}

TEST_CASE("signatures: a source whose secret_env is unset refuses to start") {
  TempDir dir;
  auto options = test_serve_options(dir);
  options.env.erase("TEST_STRIPE_SECRET");
  const auto [status, output] = serve_refusal(dir, options);
  CHECK(status == 1);
  CHECK(output.find("source 'stripe': signature.secret_env names TEST_STRIPE_SECRET, which is not set") != std::string::npos);
  CHECK(output.find("listening") == std::string::npos);
}

TEST_CASE("signatures: standard-webhooks (Clerk, Resend, Svix), under either header names, and a secret that is no whsec_") {
  TempDir dir;
  auto options = test_serve_options(dir);
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  dir.write("flows/clerk.yaml", "id: clerk\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                "    with: { signature: { scheme: standard-webhooks, secret_env: TEST_CLERK_SECRET } }\n");
  options.env["TEST_CLERK_SECRET"] = secret;
  const auto signed_headers = [&](const std::string& prefix, const std::string& timestamp, const std::string& body, const std::string& key) {
    return Headers{{prefix + "id", "msg_2"}, {prefix + "timestamp", timestamp},
                   {prefix + "signature", weft::sign_webhook(key, "msg_2", std::stoll(timestamp), body)}};
  };
  const std::string key = *weft::webhook_signing_key(secret);
  {
    ServerProcess s(dir, options);
    const std::string body = R"({"type":"user.created","data":{"id":"user_1"}})";
    CHECK(post(s, "clerk", body, signed_headers("webhook-", now(), body, key)) == 200);
    CHECK(post(s, "clerk", body, signed_headers("svix-", now(), body, key)) == 200);
    CHECK(post(s, "clerk", body + " ", signed_headers("webhook-", now(), body, key)) == 401);       // body changed
    CHECK(post(s, "clerk", body, signed_headers("webhook-", now(), body, "another key")) == 401);  // wrong secret
    const std::string old = std::to_string(std::time(nullptr) - 600);
    CHECK(post(s, "clerk", body, signed_headers("webhook-", old, body, key)) == 401);              // too old
    CHECK(post(s, "clerk", body, {}) == 401);
  }
  options.env["TEST_CLERK_SECRET"] = "whsec_!!";
  const auto [status, output] = serve_refusal(dir, options);
  CHECK(status == 1);
  CHECK(output.find("source 'clerk': signature.secret_env names TEST_CLERK_SECRET, which holds no usable secret") != std::string::npos);
}
