// A secret made from the operating system's randomness (OpenSSL RAND_bytes), as hex: the
// stores' suppression key (SPEC 14).
#pragma once

#include <cstddef>
#include <string>

namespace weft {

// `bytes` random bytes as 2 * `bytes` hex digits; throws StoreError when no randomness is had.
std::string random_hex(std::size_t bytes);

}  // namespace weft
