// HMAC-SHA256 and the encodings signatures and keys travel in (hex, standard base64), on
// OpenSSL: what inbound signature checks, outbound signing and the store's keys share.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace weft {

// The 32 raw bytes of HMAC-SHA256(key, data).
std::string hmac_sha256(std::string_view key, std::string_view data);

// The raw bytes of an HMAC with the senders' hash functions (SPEC 18's `algorithm`).
enum class HmacAlgorithm { sha1, sha256, sha512 };
std::string hmac(HmacAlgorithm algorithm, std::string_view key, std::string_view data);

std::string to_hex(std::string_view bytes);  // lower-case
// The bytes of hex `text` (either case); nullopt when it is not an even run of hex digits.
std::optional<std::string> from_hex(std::string_view text);
std::string to_base64(std::string_view bytes);  // standard alphabet, padded
// The bytes of standard, padded base64 `text`; nullopt when it is not that.
std::optional<std::string> from_base64(std::string_view text);

// Whether `a` and `b` are equal, in time that depends on their length only.
bool same_bytes(std::string_view a, std::string_view b);

}  // namespace weft
