// A public key that verifies signatures (SPEC 18: SendGrid signs its Event Webhook with ECDSA
// P-256 over SHA-256), on OpenSSL.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

namespace weft {

class PublicKey {
public:
  // From its DER SubjectPublicKeyInfo (what senders publish, base64-decoded); nullopt when it
  // is not one OpenSSL reads.
  static std::optional<PublicKey> from_der(std::string_view der);

  // Whether `signature` (DER, as ECDSA signatures travel) signs SHA-256 of `data`.
  bool verifies_sha256(std::string_view data, std::string_view signature) const;

private:
  struct Key;
  explicit PublicKey(std::shared_ptr<Key> key) : key_(std::move(key)) {}
  std::shared_ptr<Key> key_;
};

}  // namespace weft
