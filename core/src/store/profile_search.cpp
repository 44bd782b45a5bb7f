#include "weft/store/profile_search.hpp"

#include "weft/store/search_terms.hpp"

#include <charconv>
#include <unordered_set>

namespace weft {

std::string place_cursor(const ProfilePlace& place) { return std::to_string(place.updated_at) + "." + place.id; }

std::optional<ProfilePlace> parse_place_cursor(std::string_view cursor) {
  const std::size_t dot = cursor.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == cursor.size()) return std::nullopt;
  ProfilePlace place;
  const auto [end, error] = std::from_chars(cursor.data(), cursor.data() + dot, place.updated_at);
  if (error != std::errc() || end != cursor.data() + dot) return std::nullopt;
  place.id = std::string(cursor.substr(dot + 1));
  return place;
}

namespace {

// Down the listing from `after`, the profiles whose id is in `ids`, until `limit` of them or the
// end of the listing; nullopt past `most_walked` profiles.
std::optional<std::vector<ProfilePlace>> walk_listing(Store& store, const std::vector<std::string>& ids,
                                                      std::optional<ProfilePlace> after, std::int64_t limit, std::int64_t most_walked) {
  const std::unordered_set<std::string_view> wanted(ids.begin(), ids.end());
  constexpr std::int64_t page = 1000;
  std::vector<ProfilePlace> found;
  for (std::int64_t walked = 0; walked < most_walked; walked += page) {
    auto places = store.recent_profiles(after, page);
    for (const ProfilePlace& p : places)
      if (wanted.contains(p.id)) {
        found.push_back(p);
        if (static_cast<std::int64_t>(found.size()) == limit) return found;
      }
    if (static_cast<std::int64_t>(places.size()) < page) return found;
    after = places.back();
  }
  return std::nullopt;
}

}  // namespace

std::vector<ProfilePlace> search_profiles(Store& store, std::string_view query, const std::optional<ProfilePlace>& after,
                                          std::int64_t limit, const SearchThresholds& thresholds) {
  const auto [low, high] = search_terms::prefix_range(search_terms::fold(query));
  const TermRange range{low, high};
  if (store.count_search_terms(range, thresholds.few_terms) < thresholds.few_terms) return store.search_by_terms(range, after, limit);
  auto found = store.search_by_recency(range, after, limit, thresholds.first_tested);
  if (static_cast<std::int64_t>(found.size()) < limit && static_cast<std::int64_t>(found.size()) * 20 >= thresholds.first_tested)
    found = store.search_by_recency(range, after, limit, thresholds.most_tested);
  if (static_cast<std::int64_t>(found.size()) == limit) return found;
  if (const auto ids = store.search_profile_ids(range, thresholds.most_ids)) {
    const auto walked = walk_listing(store, *ids, after, limit, static_cast<std::int64_t>(ids->size()) * thresholds.walked_per_id);
    if (walked) return *walked;
  }
  // The listing or the walks ran out: the terms give the whole answer.
  return store.search_by_terms(range, after, limit);
}

}  // namespace weft
