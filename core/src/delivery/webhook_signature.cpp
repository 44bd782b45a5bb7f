#include "weft/delivery/webhook_signature.hpp"

#include "weft/base/hmac.hpp"

namespace weft {

std::optional<std::string> webhook_signing_key(std::string_view secret) {
  constexpr std::string_view prefix = "whsec_";
  if (secret.substr(0, prefix.size()) != prefix) return std::string(secret);
  auto key = from_base64(secret.substr(prefix.size()));
  if (!key || key->empty()) return std::nullopt;
  return key;
}

std::string sign_webhook(std::string_view key, std::string_view id, std::int64_t timestamp, std::string_view body) {
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  return "v1," + to_base64(hmac_sha256(key, content));
}

}  // namespace weft
