// Webhook signature schemes (SPEC 9, SPEC 18): each verified over the raw body bytes and
// compared in constant time, with the sender's timestamp checked where the scheme signs one.
#pragma once

#include "weft/base/hmac.hpp"
#include "weft/base/public_key.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

struct SignatureScheme {
  // slack, github, stripe, hmac_sha256: SPEC 9. standard_webhooks: webhook-id, -timestamp,
  // -signature (or svix-*), the secret whsec_ + base64 (Clerk, Resend, every sender on Svix).
  // stripe also reads Calendly's and Paddle's headers (`stripe_header` and its pair syntax). hmac: the general form (`signed`
  // template, `algorithm`, `timestamp_header`), which the presets hubspot-v3, intercom and
  // zendesk fill in. twilio: base64 HMAC-SHA1 of the public URL and the sorted form fields.
  // sendgrid: ECDSA P-256 over the timestamp and body. basic: HTTP Basic credentials.
  enum class Kind { slack, github, stripe, hmac_sha256, standard_webhooks, hmac, twilio, sendgrid, basic };
  Kind kind;
  std::string secret;                  // read from the environment at start-up
  std::string header = "X-Signature";  // hmac_sha256, hmac
  // stripe: one header of timestamp and signatures, `t=TS,v1=HEX[,v1=HEX]` over `TS.BODY`;
  // Calendly's is Calendly-Webhook-Signature, Paddle's Paddle-Signature: ts=TS;h1=HEX over TS:BODY.
  std::string stripe_header = "Stripe-Signature";
  char pair_separator = ',';
  std::string timestamp_key = "t";
  std::string signature_key = "v1";
  char joiner = '.';
  bool base64 = false;                 // hmac_sha256, hmac: the digest's encoding
  std::string prefix;                  // hmac_sha256, hmac: text before the digest
  std::int64_t tolerance_seconds = 300;
  // hmac:
  HmacAlgorithm algorithm = HmacAlgorithm::sha256;
  std::string timestamp_header;           // Unix seconds or RFC 3339 in UTC; empty: none
  bool timestamp_milliseconds = false;    // Unix milliseconds instead (HubSpot)
  std::string id_header;                  // what {id} is; empty: none
  std::string signed_template = "{body}";  // from {body} {timestamp} {method} {url} {id}
  std::string public_url;                 // hmac with {url}, twilio: the base URL senders call
  // sendgrid:
  std::optional<PublicKey> public_key;
  // basic:
  std::string user;
  std::string password;
};

// Looks a request header up by name, case-insensitively; nullopt when absent.
using HeaderLookup = std::function<std::optional<std::string>(const std::string& name)>;

// What of the request a scheme may sign besides its headers.
struct SignedRequest {
  std::string_view method = "POST";
  std::string_view target;  // the path and query as requested
  std::string_view body;
};

// "" when the signature is valid; otherwise what is wrong, for the 401 message (never the
// expected signature or the secret).
std::string verify_signature(const SignatureScheme& scheme, const HeaderLookup& header, const SignedRequest& request,
                             std::int64_t now_seconds);
inline std::string verify_signature(const SignatureScheme& scheme, const HeaderLookup& header, std::string_view body,
                                    std::int64_t now_seconds) {
  return verify_signature(scheme, header, SignedRequest{"POST", "/", body}, now_seconds);
}

// A scheme by its name in `signature.scheme`, with what its preset fixes (hubspot-v3, intercom,
// zendesk, calendly: SPEC 18); nullopt for a name weft does not know.
std::optional<SignatureScheme> signature_scheme_named(const std::string& name);

// Lower-case hex and standard base64 of HMAC-SHA256(key, data); for tests and senders.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
std::string hmac_sha256_base64(std::string_view key, std::string_view data);

}  // namespace weft
