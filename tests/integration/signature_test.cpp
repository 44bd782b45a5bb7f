// Signed sources over real HTTP: each scheme accepted when signed right and refused (401) for
// each kind of wrong signature; the Slack handshake; start-up refused without a secret.
#include "weft/delivery/webhook_signature.hpp"
#include "weft/base/hmac.hpp"
#include "weft/serve/signature.hpp"

#include "server_process.hpp"
#include "test_workflows.hpp"

#include <catch2/catch.hpp>

#include <ctime>

#include <openssl/evp.h>
#include <openssl/x509.h>

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

namespace {

// A P-256 key pair made for the test, as SendGrid's: the public key in base64 DER, and a
// signer of SHA-256 over the data (DER signature, base64).
struct EcdsaKey {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ~EcdsaKey() { EVP_PKEY_free(key); }
  std::string public_der_base64() const {
    unsigned char* der = nullptr;
    const int size = i2d_PUBKEY(key, &der);
    std::string out = weft::to_base64({reinterpret_cast<const char*>(der), static_cast<std::size_t>(size)});
    OPENSSL_free(der);
    return out;
  }
  std::string sign_base64(const std::string& data) const {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    std::size_t size = 0;
    REQUIRE(EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key) == 1);
    REQUIRE(EVP_DigestSign(context, nullptr, &size, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1);
    std::string signature(size, '\0');
    REQUIRE(EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &size, reinterpret_cast<const unsigned char*>(data.data()),
                           data.size()) == 1);
    EVP_MD_CTX_free(context);
    signature.resize(size);
    return weft::to_base64(signature);
  }
};

}  // namespace

TEST_CASE("signatures: sendgrid batches signed with ECDSA, twilio forms signed with the public URL, and basic credentials") {
  TempDir dir;
  auto options = test_serve_options(dir, "public_url: https://hooks.example.com/\n");
  dir.write("flows/sendgrid.yaml", "id: sendgrid\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                   "    with:\n      split: '$.payload.value[*]'\n      idempotency_key: $.payload.sg_event_id\n"
                                   "      signature: { scheme: sendgrid, public_key_env: TEST_SENDGRID_KEY }\n");
  dir.write("flows/sms.yaml", "id: sms\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                              "    with: { signature: { scheme: twilio, secret_env: TEST_TWILIO_TOKEN } }\n");
  dir.write("flows/postmark.yaml", "id: postmark\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                   "    with: { signature: { scheme: basic, user_env: TEST_PM_USER, password_env: TEST_PM_PASSWORD } }\n");
  const EcdsaKey key, other;
  options.env["TEST_SENDGRID_KEY"] = key.public_der_base64();
  options.env["TEST_TWILIO_TOKEN"] = "12345";
  options.env["TEST_PM_USER"] = "postmark";
  options.env["TEST_PM_PASSWORD"] = "s3cret";
  {
    ServerProcess s(dir, options);
    const std::string batch = R"([{"email":"a@example.com","event":"open","sg_event_id":"e1"},{"email":"b@example.com","event":"click","sg_event_id":"e2"}])";
    const auto sendgrid = [&](const EcdsaKey& signer, const std::string& timestamp, const std::string& body) {
      return http(s.port(), "POST", "/collect/sendgrid", body, "application/json",
                  {{"X-Twilio-Email-Event-Webhook-Signature", signer.sign_base64(timestamp + batch)},
                   {"X-Twilio-Email-Event-Webhook-Timestamp", timestamp}});
    };
    const auto accepted = sendgrid(key, now(), batch);
    CHECK(accepted.status == 200);
    CHECK(json_member(accepted.body, "$.events[1].status") == "processed");
    CHECK(sendgrid(key, now(), batch + " ").status == 401);                                       // body changed
    CHECK(sendgrid(other, now(), batch).status == 401);                                           // another key
    CHECK(sendgrid(key, std::to_string(std::time(nullptr) - 600), batch).status == 401);          // too old
    CHECK(json_member(sendgrid(other, now(), batch).body, "$.error") == "bad_signature");

    // Twilio signs https://hooks.example.com/collect/sms and the sorted fields
    const std::string form = "MessageSid=SM1&From=%2B14158675309&To=%2B18005551212&Body=Hello+there";
    const std::string fields = "Body" "Hello there" "From" "+14158675309" "MessageSid" "SM1" "To" "+18005551212";
    const auto twilio = [&](const std::string& token, const std::string& url) {
      const std::string signature = weft::to_base64(weft::hmac(weft::HmacAlgorithm::sha1, token, url + fields));
      return http(s.port(), "POST", "/collect/sms", form, "application/x-www-form-urlencoded", {{"X-Twilio-Signature", signature}}).status;
    };
    CHECK(twilio("12345", "https://hooks.example.com/collect/sms") == 200);
    CHECK(twilio("54321", "https://hooks.example.com/collect/sms") == 401);
    CHECK(twilio("12345", "http://127.0.0.1/collect/sms") == 401);  // not the URL the sender was given

    const auto postmark = [&](const std::string& credentials) {
      return post(s, "postmark", R"({"RecordType":"Delivery"})", {{"Authorization", "Basic " + weft::to_base64(credentials)}});
    };
    CHECK(postmark("postmark:s3cret") == 200);
    CHECK(postmark("postmark:s3cret ") == 401);
    CHECK(post(s, "postmark", R"({"RecordType":"Delivery"})", {}) == 401);
  }
  auto without_url = test_serve_options(dir);
  without_url.env = options.env;
  const auto [status, output] = serve_refusal(dir, without_url);
  CHECK(status == 1);
  CHECK(output.find("source 'sms': signature.scheme 'twilio' signs the URL the sender called: set public_url") != std::string::npos);
}
