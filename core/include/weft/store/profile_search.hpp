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
// updated first, after `after`, at most `limit`. The work is bounded by the matches or by the
// listing passed over, never a sort of every match of a common prefix, and it reads few random
// pages: under a write load a reader's page cache starts empty at every query (SQLite drops it
// when the log changed), so each random page read is a read from the file or the log.
// - Few matching terms: their profiles are sorted (one random page a match).
// - Otherwise the most recent profiles are tested one by one (two random pages each), a few
//   first, more when those show the prefix common among them: then a page comes soon.
// - Otherwise the matching ids are read from the terms (a few pages per thousand) and the
//   listing is walked against them in memory (a page per ~100 profiles), as long as that is
//   cheaper than the sort.
struct SearchThresholds {
  // Below this many matching terms, sorting their profiles is cheaper than any walk.
  std::int64_t few_terms = 4000;
  // How many recent profiles are tested one by one first; and in all, when 1 in 20 of those
  // matched (a page of 50 comes within ~1,000 of them).
  std::int64_t first_tested = 200;
  std::int64_t most_tested = 2000;
  // The most matching ids read for the walk in memory (~0.2 µs each); more, and the terms answer.
  std::int64_t most_ids = 100000;
  // The walk in memory passes over at most this many profiles per matching id before the terms
  // answer after all (a profile passed costs ~1/10 of a match sorted).
  std::int64_t walked_per_id = 5;
};

std::vector<ProfilePlace> search_profiles(Store& store, std::string_view query, const std::optional<ProfilePlace>& after,
                                          std::int64_t limit, const SearchThresholds& thresholds = {});

}  // namespace weft
