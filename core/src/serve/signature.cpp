#include "weft/serve/signature.hpp"

#include "weft/base/hmac.hpp"
#include "weft/delivery/webhook_signature.hpp"

#include <charconv>
#include <cstdlib>
#include <vector>

namespace weft {
namespace {

std::string lower_hex(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// "" when `timestamp` is an integer within tolerance of now.
std::string check_timestamp(std::string_view timestamp, std::int64_t now, std::int64_t tolerance) {
  std::int64_t ts = 0;
  auto [ptr, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (ec != std::errc() || ptr != timestamp.data() + timestamp.size()) return "the signed timestamp is not a number";
  // A hostile timestamp may be any int64: the difference is computed with an overflow check.
  std::int64_t age = 0;
  if (__builtin_sub_overflow(now, ts, &age)) return "the signed timestamp is too far from now";
  if (age > tolerance || age < -tolerance)
    return "the signed timestamp is " + std::to_string(age) + " s from now, outside the tolerance of " + std::to_string(tolerance) + " s";
  return "";
}

std::string verify_slack(const SignatureScheme& s, const HeaderLookup& header, std::string_view body, std::int64_t now) {
  const auto signature = header("X-Slack-Signature");
  const auto timestamp = header("X-Slack-Request-Timestamp");
  if (!signature || !timestamp) return "missing X-Slack-Signature or X-Slack-Request-Timestamp header";
  if (auto problem = check_timestamp(*timestamp, now, s.tolerance_seconds); !problem.empty()) return problem;
  std::string base = "v0:" + *timestamp + ":";
  base.append(body);
  return same_bytes(lower_hex(*signature), "v0=" + to_hex(hmac_sha256(s.secret, base))) ? "" : "X-Slack-Signature does not match the body";
}

std::string verify_github(const SignatureScheme& s, const HeaderLookup& header, std::string_view body) {
  const auto signature = header("X-Hub-Signature-256");
  if (!signature) return "missing X-Hub-Signature-256 header";
  return same_bytes(lower_hex(*signature), "sha256=" + to_hex(hmac_sha256(s.secret, body))) ? "" : "X-Hub-Signature-256 does not match the body";
}

std::string verify_stripe(const SignatureScheme& s, const HeaderLookup& header, std::string_view body, std::int64_t now) {
  const auto value = header("Stripe-Signature");
  if (!value) return "missing Stripe-Signature header";
  std::string_view rest(*value);
  std::string timestamp;
  std::vector<std::string> candidates;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.rfind("t=", 0) == 0) timestamp = std::string(item.substr(2));
    if (item.rfind("v1=", 0) == 0) candidates.emplace_back(lower_hex(item.substr(3)));
  }
  if (timestamp.empty() || candidates.empty()) return "Stripe-Signature has no t= or no v1= element";
  if (auto problem = check_timestamp(timestamp, now, s.tolerance_seconds); !problem.empty()) return problem;
  std::string signed_payload = timestamp + ".";
  signed_payload.append(body);
  const std::string expected = to_hex(hmac_sha256(s.secret, signed_payload));
  bool any = false;
  for (const auto& candidate : candidates) any |= same_bytes(candidate, expected);  // check all: no early exit
  return any ? "" : "no v1 signature in Stripe-Signature matches the body";
}

std::string verify_hmac(const SignatureScheme& s, const HeaderLookup& header, std::string_view body) {
  const auto value = header(s.header);
  if (!value) return "missing " + s.header + " header";
  std::string_view given(*value);
  const std::string digest = hmac_sha256(s.secret, body);
  if (s.base64) {
    if (!s.prefix.empty() && given.rfind(s.prefix, 0) == 0) given.remove_prefix(s.prefix.size());
    return same_bytes(given, to_base64(digest)) ? "" : s.header + " does not match the body";
  }
  // hex: the configured prefix, or none, or "sha256=" (common enough to always accept)
  for (std::string_view prefix : {std::string_view(s.prefix), std::string_view("sha256=")})
    if (!prefix.empty() && given.rfind(prefix, 0) == 0) {
      given.remove_prefix(prefix.size());
      break;
    }
  return same_bytes(lower_hex(given), to_hex(digest)) ? "" : s.header + " does not match the body";
}

// The Standard Webhooks headers under their own names, or under Svix's older ones.
std::optional<std::string> standard_header(const HeaderLookup& header, const std::string& name) {
  if (auto value = header("webhook-" + name)) return value;
  return header("svix-" + name);
}

std::string verify_standard_webhooks(const SignatureScheme& s, const HeaderLookup& header, std::string_view body, std::int64_t now) {
  const auto id = standard_header(header, "id");
  const auto timestamp = standard_header(header, "timestamp");
  const auto signatures = standard_header(header, "signature");
  if (!id || !timestamp || !signatures) return "missing webhook-id, webhook-timestamp or webhook-signature header";
  if (auto problem = check_timestamp(*timestamp, now, s.tolerance_seconds); !problem.empty()) return problem;
  const auto key = webhook_signing_key(s.secret);
  if (!key) return "the secret is not usable (whsec_ must be followed by base64)";
  std::int64_t ts = 0;
  std::from_chars(timestamp->data(), timestamp->data() + timestamp->size(), ts);  // checked above
  const std::string expected = sign_webhook(*key, *id, ts, body);
  bool any = false;
  std::string_view rest(*signatures);
  while (!rest.empty()) {  // space-separated: one per active secret, of any version
    const std::size_t space = rest.find(' ');
    const std::string_view candidate = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (candidate.rfind("v1,", 0) == 0) any |= same_bytes(candidate, expected);  // check all: no early exit
  }
  return any ? "" : "no v1 signature in webhook-signature matches the body";
}

}  // namespace

std::string verify_signature(const SignatureScheme& scheme, const HeaderLookup& header, std::string_view body, std::int64_t now_seconds) {
  switch (scheme.kind) {
    case SignatureScheme::Kind::slack: return verify_slack(scheme, header, body, now_seconds);
    case SignatureScheme::Kind::github: return verify_github(scheme, header, body);
    case SignatureScheme::Kind::stripe: return verify_stripe(scheme, header, body, now_seconds);
    case SignatureScheme::Kind::hmac_sha256: return verify_hmac(scheme, header, body);
    case SignatureScheme::Kind::standard_webhooks: return verify_standard_webhooks(scheme, header, body, now_seconds);
  }
  return "unknown signature scheme";
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) { return to_hex(hmac_sha256(key, data)); }
std::string hmac_sha256_base64(std::string_view key, std::string_view data) { return to_base64(hmac_sha256(key, data)); }

}  // namespace weft
