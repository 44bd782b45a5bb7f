#include "store/random_key.hpp"

#include "weft/store/store.hpp"

#include <openssl/rand.h>

#include <vector>

namespace weft {

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) throw StoreError("no randomness for the store's key (RAND_bytes failed)");
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes * 2);
  for (const unsigned char b : raw) {
    hex.push_back(digits[b >> 4]);
    hex.push_back(digits[b & 15]);
  }
  return hex;
}

}  // namespace weft
