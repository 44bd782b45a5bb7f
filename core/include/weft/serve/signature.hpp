// Webhook signature schemes (SPEC 9, SPEC 18): HMAC-SHA256 over the raw body bytes, compared in
// constant time, with the sender's timestamp checked where the scheme signs one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

struct SignatureScheme {
  // standard_webhooks: webhook-id, webhook-timestamp, webhook-signature (or svix-*), the
  // secret whsec_ + base64 (Clerk, Resend, every sender on Svix).
  enum class Kind { slack, github, stripe, hmac_sha256, standard_webhooks };
  Kind kind;
  std::string secret;               // read from the environment at start-up
  std::string header = "X-Signature";  // hmac-sha256 only
  bool base64 = false;              // hmac-sha256 only: encoding of the digest
  std::string prefix;               // hmac-sha256 only
  std::int64_t tolerance_seconds = 300;
};

// Looks a request header up by name, case-insensitively; nullopt when absent.
using HeaderLookup = std::function<std::optional<std::string>(const std::string& name)>;

// "" when the signature is valid; otherwise what is wrong, for the 401 message (never the
// expected signature or the secret).
std::string verify_signature(const SignatureScheme& scheme, const HeaderLookup& header, std::string_view body, std::int64_t now_seconds);

// Lower-case hex and standard base64 of HMAC-SHA256(key, data); for tests and senders.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
std::string hmac_sha256_base64(std::string_view key, std::string_view data);

}  // namespace weft
