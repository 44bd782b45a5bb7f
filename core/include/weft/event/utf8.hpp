// UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF): validation, and one
// character decoded or encoded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace weft {

bool valid_utf8(std::string_view text);

// The character that starts at byte `at` of `text` (at < size): its code point and length, or,
// for a byte that starts no valid sequence (overlong, surrogate, cut short), that byte alone
// with `valid` false.
struct Utf8Character {
  char32_t code = 0;
  std::size_t length = 1;
  bool valid = false;
};
Utf8Character decode_utf8(std::string_view text, std::size_t at);

// Appends the UTF-8 bytes of code point `code` (at most U+10FFFF).
void append_utf8(std::string& out, char32_t code);

}  // namespace weft
