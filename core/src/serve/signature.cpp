#include "weft/serve/signature.hpp"

#include "weft/base/clock.hpp"
#include "weft/base/hmac.hpp"
#include "weft/delivery/webhook_signature.hpp"
#include "weft/event/form.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <utility>
#include <vector>

namespace weft {
namespace {

std::string lower_hex(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// "" when `timestamp` is within tolerance of now: Unix seconds (milliseconds with
// `milliseconds`: HubSpot's) or RFC 3339 in UTC (Zendesk's).
std::string check_timestamp(std::string_view timestamp, std::int64_t now, std::int64_t tolerance, bool milliseconds = false) {
  std::int64_t ts = 0;
  auto [ptr, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (ec == std::errc() && ptr == timestamp.data() + timestamp.size()) {
    if (milliseconds) ts /= 1000;
  } else if (const auto micros = parse_time(timestamp)) {
    ts = *micros / 1000000;
  } else {
    return "the signed timestamp is not a number";
  }
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
  const auto value = header(s.stripe_header);
  if (!value) return "missing " + s.stripe_header + " header";
  std::string_view rest(*value);
  std::string timestamp;
  std::vector<std::string> candidates;
  const std::string timestamp_prefix = s.timestamp_key + "=", signature_prefix = s.signature_key + "=";
  while (!rest.empty()) {
    const std::size_t end = rest.find(s.pair_separator);
    std::string_view item = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.rfind(timestamp_prefix, 0) == 0) timestamp = std::string(item.substr(timestamp_prefix.size()));
    if (item.rfind(signature_prefix, 0) == 0) candidates.emplace_back(lower_hex(item.substr(signature_prefix.size())));
  }
  if (timestamp.empty() || candidates.empty())
    return s.stripe_header + " has no " + timestamp_prefix + " or no " + signature_prefix + " element";
  if (auto problem = check_timestamp(timestamp, now, s.tolerance_seconds); !problem.empty()) return problem;
  std::string signed_payload = timestamp + s.joiner;
  signed_payload.append(body);
  const std::string expected = to_hex(hmac_sha256(s.secret, signed_payload));
  bool any = false;
  for (const auto& candidate : candidates) any |= same_bytes(candidate, expected);  // check all: no early exit
  return any ? "" : "no " + s.signature_key + " signature in " + s.stripe_header + " matches the body";
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

// The URL the sender called: the configured public base URL, then the path and query.
std::string called_url(const SignatureScheme& s, std::string_view target) {
  std::string url = s.public_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url.append(target);
}

// The `signed` template with its placeholders filled in (webhook_trigger vetted it).
std::string signed_text(const SignatureScheme& s, const SignedRequest& request, std::string_view timestamp, std::string_view id) {
  std::string out;
  std::string_view rest(s.signed_template);
  while (!rest.empty()) {
    const std::size_t open = rest.find('{');
    out.append(rest.substr(0, open));
    if (open == std::string_view::npos) break;
    const std::size_t close = rest.find('}', open);
    if (close == std::string_view::npos) {
      out.append(rest.substr(open));
      break;
    }
    const std::string_view name = rest.substr(open + 1, close - open - 1);
    if (name == "body") out.append(request.body);
    if (name == "timestamp") out.append(timestamp);
    if (name == "method") out.append(request.method);
    if (name == "url") out += called_url(s, request.target);
    if (name == "id") out.append(id);
    rest = rest.substr(close + 1);
  }
  return out;
}

std::string verify_general_hmac(const SignatureScheme& s, const HeaderLookup& header, const SignedRequest& request, std::int64_t now) {
  const auto value = header(s.header);
  if (!value) return "missing " + s.header + " header";
  std::string timestamp, id;
  if (!s.timestamp_header.empty()) {
    const auto given = header(s.timestamp_header);
    if (!given) return "missing " + s.timestamp_header + " header";
    if (auto problem = check_timestamp(*given, now, s.tolerance_seconds, s.timestamp_milliseconds); !problem.empty()) return problem;
    timestamp = *given;
  }
  if (!s.id_header.empty()) {
    const auto given = header(s.id_header);
    if (!given) return "missing " + s.id_header + " header";
    id = *given;
  }
  const std::string digest = hmac(s.algorithm, s.secret, signed_text(s, request, timestamp, id));
  std::string_view given(*value);
  if (!s.prefix.empty() && given.rfind(s.prefix, 0) == 0) given.remove_prefix(s.prefix.size());
  const bool same = s.base64 ? same_bytes(given, to_base64(digest)) : same_bytes(lower_hex(given), to_hex(digest));
  return same ? "" : s.header + " does not match the request";
}

// Twilio signs the URL it called followed by each form field's name and value, sorted by name
// (then value).
std::string verify_twilio(const SignatureScheme& s, const HeaderLookup& header, const SignedRequest& request) {
  const auto value = header("X-Twilio-Signature");
  if (!value) return "missing X-Twilio-Signature header";
  std::vector<std::pair<std::string, std::string>> fields;
  for (std::string_view rest = request.body; !rest.empty();) {
    const std::size_t amp = rest.find('&');
    const std::string_view field = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (field.empty()) continue;
    const std::size_t eq = field.find('=');
    std::string name, field_value;
    if (!decode_form_component(field.substr(0, eq), name) ||
        !decode_form_component(eq == std::string_view::npos ? std::string_view() : field.substr(eq + 1), field_value))
      return "the body is not a form Twilio signs (a malformed %-escape)";
    fields.emplace_back(std::move(name), std::move(field_value));
  }
  std::sort(fields.begin(), fields.end());
  std::string data = called_url(s, request.target);
  for (const auto& [name, field_value] : fields) data += name + field_value;
  return same_bytes(*value, to_base64(hmac(HmacAlgorithm::sha1, s.secret, data))) ? "" : "X-Twilio-Signature does not match the request";
}

std::string verify_sendgrid(const SignatureScheme& s, const HeaderLookup& header, std::string_view body, std::int64_t now) {
  const auto signature = header("X-Twilio-Email-Event-Webhook-Signature");
  const auto timestamp = header("X-Twilio-Email-Event-Webhook-Timestamp");
  if (!signature || !timestamp) return "missing X-Twilio-Email-Event-Webhook-Signature or X-Twilio-Email-Event-Webhook-Timestamp header";
  if (auto problem = check_timestamp(*timestamp, now, s.tolerance_seconds); !problem.empty()) return problem;
  const auto der = from_base64(*signature);
  std::string data = *timestamp;
  data.append(body);
  if (!der || !s.public_key || !s.public_key->verifies_sha256(data, *der))
    return "X-Twilio-Email-Event-Webhook-Signature does not match the body";
  return "";
}

std::string verify_basic(const SignatureScheme& s, const HeaderLookup& header) {
  const auto value = header("Authorization");
  if (!value || value->size() < 6 || value->compare(0, 6, "Basic ") != 0) return "missing HTTP Basic credentials (Authorization: Basic ...)";
  const auto credentials = from_base64(std::string_view(*value).substr(6));
  return credentials && same_bytes(*credentials, s.user + ":" + s.password) ? "" : "the HTTP Basic credentials are not the configured ones";
}

}  // namespace

std::string verify_signature(const SignatureScheme& scheme, const HeaderLookup& header, const SignedRequest& request,
                             std::int64_t now_seconds) {
  const std::string_view body = request.body;
  switch (scheme.kind) {
    case SignatureScheme::Kind::slack: return verify_slack(scheme, header, body, now_seconds);
    case SignatureScheme::Kind::github: return verify_github(scheme, header, body);
    case SignatureScheme::Kind::stripe: return verify_stripe(scheme, header, body, now_seconds);
    case SignatureScheme::Kind::hmac_sha256: return verify_hmac(scheme, header, body);
    case SignatureScheme::Kind::standard_webhooks: return verify_standard_webhooks(scheme, header, body, now_seconds);
    case SignatureScheme::Kind::hmac: return verify_general_hmac(scheme, header, request, now_seconds);
    case SignatureScheme::Kind::twilio: return verify_twilio(scheme, header, request);
    case SignatureScheme::Kind::sendgrid: return verify_sendgrid(scheme, header, body, now_seconds);
    case SignatureScheme::Kind::basic: return verify_basic(scheme, header);
  }
  return "unknown signature scheme";
}

std::optional<SignatureScheme> signature_scheme_named(const std::string& name) {
  using Kind = SignatureScheme::Kind;
  SignatureScheme s;
  if (name == "slack") s.kind = Kind::slack;
  else if (name == "github") s.kind = Kind::github;
  else if (name == "stripe") s.kind = Kind::stripe;
  else if (name == "hmac-sha256") s.kind = Kind::hmac_sha256;
  else if (name == "standard-webhooks") s.kind = Kind::standard_webhooks;
  else if (name == "hmac") s.kind = Kind::hmac;
  else if (name == "twilio") s.kind = Kind::twilio;
  else if (name == "sendgrid") s.kind = Kind::sendgrid;
  else if (name == "basic") s.kind = Kind::basic;
  else if (name == "calendly") {
    s.kind = Kind::stripe;  // t=...,v1=... as Stripe signs, under its own header
    s.stripe_header = "Calendly-Webhook-Signature";
  } else if (name == "paddle") {
    s.kind = Kind::stripe;  // ts=...;h1=... over TS:BODY
    s.stripe_header = "Paddle-Signature", s.pair_separator = ';', s.timestamp_key = "ts", s.signature_key = "h1", s.joiner = ':';
  } else if (name == "hubspot-v3") {
    s.kind = Kind::hmac;
    s.header = "X-HubSpot-Signature-v3", s.base64 = true, s.timestamp_header = "X-HubSpot-Request-Timestamp", s.timestamp_milliseconds = true;
    s.signed_template = "{method}{url}{body}{timestamp}";
  } else if (name == "intercom") {
    s.kind = Kind::hmac;
    s.header = "X-Hub-Signature", s.algorithm = HmacAlgorithm::sha1, s.prefix = "sha1=";
  } else if (name == "zendesk") {
    s.kind = Kind::hmac;
    s.header = "X-Zendesk-Webhook-Signature", s.base64 = true, s.timestamp_header = "X-Zendesk-Webhook-Signature-Timestamp";
    s.signed_template = "{timestamp}{body}";
  } else {
    return std::nullopt;
  }
  return s;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) { return to_hex(hmac_sha256(key, data)); }
std::string hmac_sha256_base64(std::string_view key, std::string_view data) { return to_base64(hmac_sha256(key, data)); }

}  // namespace weft
