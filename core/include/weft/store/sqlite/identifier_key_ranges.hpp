// How the SQLite store finds identifiers by a search prefix (SPEC 8) through the table's own key
// (type, value) instead of an index entry per identifier (a random page written per new
// identifier: ~5 % of the writer's time under the Slack load).
//
// A value's search term is search_terms::fold(value). For every value whose term equals its
// ASCII lower case (SQLite's lower(): all values but those with non-ASCII capitals and those
// over 200 characters, which the partial index identifiers_search keeps), the term starts with
// a folded prefix P exactly when the value's bytes start with one of P's ASCII case variants.
// So a query seeks the key of each variant that exists, letter by letter: a variant that no key
// starts with is dropped at once, so the seeks grow with the keys that match, not with 2^letters.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::identifier_key_ranges {

// Keys of one type whose value lies in [low, high).
struct KeyRange {
  std::string type;
  std::string low;
  std::string high;
};

// Whether a key of `type` has its value in [low, high).
using KeyExists = std::function<bool(std::string_view type, std::string_view low, std::string_view high)>;

// More variants than this are not followed: the ranges then stop at the letter before (a
// shorter prefix, so more rows to test, never a wrong answer: the statement that reads the
// ranges tests lower(value) against the whole prefix).
inline constexpr std::size_t max_variants = 64;

// The ranges of keys, of every type in `types`, whose values start with an ASCII case variant of
// `folded_prefix` (search_terms::fold of a query). `high_tail` ends every range: the terms'
// own bound (search_terms::prefix_range), so that a range holds what the prefix's term range would.
std::vector<KeyRange> of(const std::vector<std::string>& types, std::string_view folded_prefix, std::string_view high_tail,
                         const KeyExists& exists);

// As a JSON array of [type, low, high] arrays, for json_each in a statement.
std::string json_array(const std::vector<KeyRange>& ranges);

}  // namespace weft::identifier_key_ranges
