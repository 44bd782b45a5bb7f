// Standard Webhooks signatures (SPEC 17), the scheme weft signs its deliveries with:
// `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

// The HMAC key of a secret as the specification defines it: "whsec_" + base64 is the decoded
// bytes; any other secret is its own bytes. nullopt for "whsec_" followed by no valid base64.
std::optional<std::string> webhook_signing_key(std::string_view secret);

// The header value "v1,<base64>" for message `id` sent at `timestamp` (Unix seconds).
std::string sign_webhook(std::string_view key, std::string_view id, std::int64_t timestamp, std::string_view body);

}  // namespace weft
