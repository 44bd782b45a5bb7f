// SPEC 8's profile listing and `q` search over a store: the cursor, and the choice between the
// two ways a store can find the matching profiles.
#pragma once

#include "weft/store/store.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

// The listing's cursor: "<updated_at>.<id>" (the place of the last profile of a page).
std::string place_cursor(const ProfilePlace& place);
std::optional<ProfilePlace> parse_place_cursor(std::string_view cursor);

// The live profiles that match `query` (2 to 200 characters; search_terms.hpp), most recently
// updated first, after `after`, at most `limit`. A query with few matching terms is answered from
// the terms; one with many (a common prefix) by testing the most recent profiles, which then
// soon gives `limit` of them. Either way the work is bounded by the terms or the profiles passed
// over, never by a sort of every match of a common prefix.
struct SearchThresholds {
  // Below this many matching terms, sorting their profiles is cheap (~2 µs a term on SQLite);
  // above it, a match is common enough among recent profiles (1 in 250 of a million).
  std::int64_t few_terms = 4000;
  // How many recent profiles a search tests (~4 µs each) before the terms answer after all.
  std::int64_t most_tested = 5000;
};

std::vector<ProfilePlace> search_profiles(Store& store, std::string_view query, const std::optional<ProfilePlace>& after,
                                          std::int64_t limit, const SearchThresholds& thresholds = {});

}  // namespace weft
