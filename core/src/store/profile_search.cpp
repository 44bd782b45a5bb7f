#include "weft/store/profile_search.hpp"

#include "weft/store/search_terms.hpp"

#include <charconv>

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

std::vector<ProfilePlace> search_profiles(Store& store, std::string_view query, const std::optional<ProfilePlace>& after,
                                          std::int64_t limit, const SearchThresholds& thresholds) {
  const auto [low, high] = search_terms::prefix_range(search_terms::fold(query));
  const TermRange range{low, high};
  if (store.count_search_terms(range, thresholds.few_terms) < thresholds.few_terms) return store.search_by_terms(range, after, limit);
  auto found = store.search_by_recency(range, after, limit, thresholds.most_tested);
  // Fewer than asked: the list or the test ran out; the terms give the whole answer.
  if (static_cast<std::int64_t>(found.size()) < limit) found = store.search_by_terms(range, after, limit);
  return found;
}

}  // namespace weft
