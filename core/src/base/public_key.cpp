#include "weft/base/public_key.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace weft {

struct PublicKey::Key {
  explicit Key(EVP_PKEY* key) : pkey(key) {}
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { EVP_PKEY_free(pkey); }
  EVP_PKEY* pkey;
};

std::optional<PublicKey> PublicKey::from_der(std::string_view der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &bytes, static_cast<long>(der.size()));
  if (!pkey) return std::nullopt;
  return PublicKey(std::make_shared<Key>(pkey));
}

bool PublicKey::verifies_sha256(std::string_view data, std::string_view signature) const {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  if (!context) return false;
  const bool valid = EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
                     EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                      reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(context);
  return valid;
}

}  // namespace weft
