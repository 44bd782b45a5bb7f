// Signature headers: the input is split into a header value and a body at the first newline
// and checked with every scheme; malformed headers must be refused, never crash.
#include "weft/serve/signature.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string header = input.substr(0, newline);
  const std::string body = newline == std::string::npos ? "" : input.substr(newline + 1);
  const auto lookup = [&](const std::string&) -> std::optional<std::string> { return header; };
  for (auto kind : {weft::SignatureScheme::Kind::slack, weft::SignatureScheme::Kind::github, weft::SignatureScheme::Kind::stripe,
                    weft::SignatureScheme::Kind::hmac_sha256}) {
    weft::SignatureScheme scheme;
    scheme.kind = kind;
    scheme.secret = "fuzz-secret";
    for (bool base64 : {false, true}) {
      scheme.base64 = base64;
      scheme.prefix = base64 ? "sha256=" : "";
      weft::verify_signature(scheme, lookup, body, 1700000000);
    }
  }
  return 0;
}
