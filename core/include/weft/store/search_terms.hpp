// What `GET /profiles?q=` (SPEC 8) matches, as both stores index it: the terms of a profile and
// the range of terms a query's prefix selects.
//
// A term is text folded for comparison without regard to case (Unicode lower case, C.UTF-8) and
// cut to its first max_chars characters, since no query is longer. An identifier value is one
// term (identifiers.search). A profile's traits give, for every string value in them, the whole
// string and each of its words (runs of letters and digits) of two characters or more but the
// one the string starts with (the whole string's term starts with it, so it matches the same
// queries), at most max_trait_terms per profile, in document order (trait_terms). A query matches a term that
// starts with it: terms compare as bytes, and the terms that start with P are those in
// [P, P + "\xF4\x8F\xBF\xBF"), the largest UTF-8 character.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::search_terms {

inline constexpr std::size_t max_chars = 200;
inline constexpr std::size_t min_query_chars = 2;
inline constexpr std::size_t max_trait_terms = 256;

// `text` folded and cut to max_chars characters. Bytes that are not UTF-8 are kept as they are.
std::string fold(std::string_view text);

// The number of characters of UTF-8 text (a byte that is not UTF-8 counts as one).
std::size_t characters(std::string_view text);

// The terms of a profile's traits (a JSON object), without repeats; none for text that is not JSON.
std::vector<std::string> of_traits(std::string_view traits_json);

// Terms as a JSON array of strings, as the stores' statements take them (json_each and
// json_array_elements_text).
std::string json_array(const std::vector<std::string>& terms);

// [low, high): the terms that start with the folded prefix.
std::pair<std::string, std::string> prefix_range(std::string_view folded_prefix);

}  // namespace weft::search_terms
