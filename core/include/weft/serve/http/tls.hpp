// The certificate an https:// listener serves (SPEC 16): PEM files read and checked (the key
// matches the certificate; the chain follows the certificate in its file), given to each TLS
// handshake from what was read last, so that a reload's new certificate is seen by every new
// connection while open ones keep theirs. TLS 1.2 and 1.3 only.
#pragma once

#include "weft/serve/reload.hpp"

#include <Poco/Net/Context.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace weft {

class TlsCertificate {
public:
  // Reads both files; throws std::runtime_error naming the file and the reason.
  TlsCertificate(std::filesystem::path certificate, std::filesystem::path key);
  ~TlsCertificate();
  TlsCertificate(const TlsCertificate&) = delete;
  TlsCertificate& operator=(const TlsCertificate&) = delete;

  // A server context for Poco's SecureServerSocket whose handshakes take this certificate.
  Poco::Net::Context::Ptr context();

  // For the Reloader: reads the files again; on success the new pair is used from then on.
  ReloadPart reload_part();

  struct Pair;  // the parsed certificate, chain and key (OpenSSL objects)

private:
  std::shared_ptr<const Pair> current() const;

  std::filesystem::path certificate_file_;
  std::filesystem::path key_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Pair> current_;
  Poco::Net::Context::Ptr context_;
};

}  // namespace weft
