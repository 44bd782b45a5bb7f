// The string values of events that belong to no profile, as keys of an index (SPEC 14): an
// erasure finds the unattributed events that hold one of the person's identifier values
// without reading every unattributed payload on the writer's thread.
//
// A payload string and an identifier value are compared in their normal forms: trimmed and
// lower-cased, and for a string written as an international phone number ('+' and digits,
// with spaces, dots, dashes or brackets between) also '+' and its digits, as E.164. A key is
// the first 8 bytes of HMAC-SHA256 under the store's secret, so the index holds no value that
// can be read back or confirmed without the store's key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weft::payload_values {

// The normal forms of one string (one or two).
std::vector<std::string> forms(std::string_view text);

// The keys of one identifier value's forms.
std::vector<std::int64_t> keys_of_value(std::string_view value, const std::string& secret);

// The keys of every string in a payload (JSON text), without repeats. Strings longer than
// any identifier can be (max_length) are not kept. Invalid JSON gives none.
std::vector<std::int64_t> keys_of_payload(std::string_view payload_json, const std::string& secret);

// Whether the payload holds a string equal, in its normal forms, to one of `values`: the exact
// check behind an index hit (a key can collide).
bool holds_any(std::string_view payload_json, const std::vector<std::string>& values);

inline constexpr std::size_t max_length = 512;

// Keys as a PostgreSQL array literal ("{1,-2,3}").
std::string array_literal(const std::vector<std::int64_t>& keys);

// An operation's `profiles` (a JSON array of ids) with each of `ids` written as "erased".
std::string erased_ids_in(std::string profiles_json, const std::vector<std::string>& ids);

}  // namespace weft::payload_values
