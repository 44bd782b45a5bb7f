#include "weft/serve/http/tls.hpp"

#include <Poco/Net/SSLManager.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>

namespace weft {

struct TlsCertificate::Pair {
  X509* certificate = nullptr;
  STACK_OF(X509)* chain = nullptr;
  EVP_PKEY* key = nullptr;
  ~Pair() {
    X509_free(certificate);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
  }
};

namespace {

std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no PEM data found";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// Opens a PEM file; throws naming it.
BIO* open_pem(const std::filesystem::path& file, const char* what) {
  BIO* bio = BIO_new_file(file.c_str(), "r");
  if (!bio) {
    const int error = errno;
    ERR_clear_error();
    throw std::runtime_error("cannot read the TLS " + std::string(what) + " " + file.string() + ": " + std::strerror(error));
  }
  return bio;
}

std::shared_ptr<const TlsCertificate::Pair> read_pair(const std::filesystem::path& certificate, const std::filesystem::path& key) {
  auto pair = std::make_shared<TlsCertificate::Pair>();
  BIO* bio = open_pem(certificate, "certificate");
  pair->certificate = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  if (!pair->certificate) {
    BIO_free(bio);
    throw std::runtime_error("the TLS certificate " + certificate.string() + " holds no PEM certificate: " + openssl_reason());
  }
  pair->chain = sk_X509_new_null();
  while (X509* next = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) sk_X509_push(pair->chain, next);
  ERR_clear_error();  // the end of the file
  BIO_free(bio);

  bio = open_pem(key, "key");
  pair->key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!pair->key) throw std::runtime_error("the TLS key " + key.string() + " holds no PEM private key (without a passphrase): " + openssl_reason());
  if (X509_check_private_key(pair->certificate, pair->key) != 1) {
    ERR_clear_error();
    throw std::runtime_error("the TLS key " + key.string() + " does not belong to the certificate " + certificate.string());
  }
  return pair;
}

}  // namespace

TlsCertificate::TlsCertificate(std::filesystem::path certificate, std::filesystem::path key)
    : certificate_file_(std::move(certificate)), key_file_(std::move(key)), current_(read_pair(certificate_file_, key_file_)) {}

TlsCertificate::~TlsCertificate() = default;

std::shared_ptr<const TlsCertificate::Pair> TlsCertificate::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

Poco::Net::Context::Ptr TlsCertificate::context() {
  if (context_) return context_;
  Poco::Net::initializeSSL();
  Poco::Net::Context::Params params;
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;  // clients are not asked for certificates
  params.loadDefaultCAs = false;
  // TLS 1.2: Mozilla's "intermediate" profile without its DHE suites, so ECDHE key exchange
  // (forward secrecy) with AEAD ciphers only. TLS 1.3's suites are all AEAD: OpenSSL's default.
  params.cipherList =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
      "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
  context_ = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
  SSL_CTX* ctx = context_->sslContext();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Each handshake takes the pair read last: a reload is seen by the next connection.
  SSL_CTX_set_cert_cb(
      ctx,
      [](SSL* ssl, void* self) -> int {
        const auto pair = static_cast<TlsCertificate*>(self)->current();
        return SSL_use_certificate(ssl, pair->certificate) == 1 && SSL_use_PrivateKey(ssl, pair->key) == 1 &&
                       SSL_set1_chain(ssl, pair->chain) == 1
                   ? 1
                   : 0;
      },
      this);
  return context_;
}

ReloadPart TlsCertificate::reload_part() {
  return [this](std::vector<std::string>& errors) -> std::function<void()> {
    try {
      auto next = read_pair(certificate_file_, key_file_);
      return [this, next] {
        std::lock_guard lock(mutex_);
        current_ = next;
      };
    } catch (const std::exception& e) {
      errors.push_back(e.what());
      return {};
    }
  };
}

}  // namespace weft
