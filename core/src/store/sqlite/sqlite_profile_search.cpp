#include "sqlite_profile_search.hpp"

#include "weft/store/search_terms.hpp"
#include "weft/store/sqlite/identifier_key_ranges.hpp"

#include <limits>

namespace weft {
namespace {

// The live profiles after the place (?N, ?N+1), as the partial index profiles_recent holds them.
std::string live_after(int first, const std::string& t = "") {
  return t + "merged_into IS NULL AND " + t + "redirected_at IS NULL AND (" + t + "updated_at, " + t + "id) < (?" + std::to_string(first) + ", ?" +
         std::to_string(first + 1) + ")";
}

// The live profiles holding an identifier whose term lies in [?1, ?2): the values the partial
// index identifiers_search keeps (their term is not their ASCII lower case), and the others
// through their key, in the ranges of the JSON array ?N (identifier_key_ranges.hpp), each
// tested against the whole prefix. No identifier is in both.
std::string identifiers_matching(int ranges) {
  const std::string r = "r.value ->> ";
  return "SELECT profile_id FROM identifiers WHERE search >= ?1 AND search < ?2 AND profile_id IS NOT NULL AND search <> lower(value) "
         "UNION ALL SELECT i.profile_id FROM json_each(?" + std::to_string(ranges) + ") r CROSS JOIN identifiers i ON i.type = " + r +
         "0 AND i.value >= " + r + "1 AND i.value < " + r + "2 WHERE i.profile_id IS NOT NULL AND i.search = lower(i.value) "
         "AND i.search >= ?1 AND i.search < ?2";
}

}  // namespace

SqliteProfileSearch::SqliteProfileSearch(SqliteDb& db)
    : drop_stale_terms_(db.prepare("DELETE FROM trait_terms WHERE profile_id = ?1 AND term NOT IN (SELECT value FROM json_each(?2))")),
      add_terms_(db.prepare("INSERT OR IGNORE INTO trait_terms (profile_id, term) SELECT ?1, value FROM json_each(?2)")),
      drop_terms_(db.prepare("DELETE FROM trait_terms WHERE profile_id = ?1")),
      recent_(db.prepare("SELECT id, updated_at FROM profiles WHERE " + live_after(1) + " ORDER BY updated_at DESC, id DESC LIMIT ?3")),
      next_type_(db.prepare("SELECT type FROM identifiers WHERE type > ?1 ORDER BY type LIMIT 1")),
      any_key_(db.prepare("SELECT 1 FROM identifiers WHERE type = ?1 AND value >= ?2 AND value < ?3 LIMIT 1")),
      count_identifier_terms_(db.prepare("SELECT count(*) FROM (" + identifiers_matching(4) + " LIMIT ?3)")),
      count_trait_terms_(db.prepare("SELECT count(*) FROM (SELECT 1 FROM trait_terms WHERE term >= ?1 AND term < ?2 LIMIT ?3)")),
      // From the matching terms to their profiles (CROSS JOIN keeps that order), then sorted.
      by_terms_(db.prepare("SELECT p.id, p.updated_at FROM (SELECT profile_id AS id FROM (" + identifiers_matching(6) +
                           ") UNION SELECT profile_id FROM trait_terms WHERE term >= ?1 AND term < ?2) m "
                           "CROSS JOIN profiles p ON p.id = m.id WHERE " + live_after(3, "p.") +
                           " ORDER BY p.updated_at DESC, p.id DESC LIMIT ?5")),
      // Down the listing, each profile tested against its own identifiers and terms as it comes:
      // no ORDER BY outside, which would test all `scan` of them before the first row.
      by_recency_(db.prepare("SELECT id, updated_at FROM (SELECT id, updated_at FROM profiles WHERE " + live_after(3) +
                             " ORDER BY updated_at DESC, id DESC LIMIT ?6) p WHERE "
                             "EXISTS (SELECT 1 FROM identifiers i WHERE i.profile_id = p.id AND i.search >= ?1 AND i.search < ?2) OR "
                             "EXISTS (SELECT 1 FROM trait_terms t WHERE t.profile_id = p.id AND t.term >= ?1 AND t.term < ?2) "
                             "LIMIT ?5")),
      profile_ids_(db.prepare("SELECT profile_id FROM (" + identifiers_matching(4) +
                              ") UNION SELECT profile_id FROM trait_terms WHERE term >= ?1 AND term < ?2 LIMIT ?3")) {}

void SqliteProfileSearch::keep_trait_terms(std::string_view profile_id, std::string_view traits) {
  const std::string terms = search_terms::json_array(search_terms::of_traits(traits));
  run(drop_stale_terms_.bind_id(1, profile_id).bind(2, terms));
  if (terms != "[]") run(add_terms_.bind_id(1, profile_id).bind(2, terms));
}

void SqliteProfileSearch::drop_trait_terms(std::string_view profile_id) { run(drop_terms_.bind_id(1, profile_id)); }

SqliteStatement& SqliteProfileSearch::bind_after(SqliteStatement& s, int first, const std::optional<ProfilePlace>& after) {
  if (after) return s.bind(first, after->updated_at).bind_id(first + 1, after->id);
  // Before every place: any id sorts below a larger time.
  return s.bind(first, std::numeric_limits<std::int64_t>::max()).bind(first + 1, "");
}

std::vector<ProfilePlace> SqliteProfileSearch::places(SqliteStatement& s) {
  std::vector<ProfilePlace> out;
  while (s.step()) out.push_back({s.integer(1), s.id(0)});
  s.reset();
  return out;
}

std::vector<ProfilePlace> SqliteProfileSearch::recent(const std::optional<ProfilePlace>& after, std::int64_t limit) {
  bind_after(recent_, 1, after).bind(3, limit);
  return places(recent_);
}

std::string SqliteProfileSearch::key_ranges(const TermRange& range) {
  std::vector<std::string> types;
  for (std::string last;; next_type_.reset()) {
    if (!next_type_.bind(1, last).step()) break;
    last = next_type_.text(0);
    types.push_back(last);
  }
  next_type_.reset();
  const auto exists = [&](std::string_view type, std::string_view low, std::string_view high) {
    const bool found = any_key_.bind(1, type).bind(2, low).bind(3, high).step();
    any_key_.reset();
    return found;
  };
  const std::string_view tail = std::string_view(range.high).substr(range.low.size());
  return identifier_key_ranges::json_array(identifier_key_ranges::of(types, range.low, tail, exists));
}

std::int64_t SqliteProfileSearch::count_terms(const TermRange& range, std::int64_t cap) {
  count_identifier_terms_.bind(1, range.low).bind(2, range.high).bind(3, cap).bind(4, key_ranges(range));
  count_trait_terms_.bind(1, range.low).bind(2, range.high).bind(3, cap);
  return single_integer(count_identifier_terms_) + single_integer(count_trait_terms_);
}

std::vector<ProfilePlace> SqliteProfileSearch::by_terms(const TermRange& range, const std::optional<ProfilePlace>& after,
                                                        std::int64_t limit) {
  bind_after(by_terms_.bind(1, range.low).bind(2, range.high), 3, after).bind(5, limit).bind(6, key_ranges(range));
  return places(by_terms_);
}

std::vector<ProfilePlace> SqliteProfileSearch::by_recency(const TermRange& range, const std::optional<ProfilePlace>& after,
                                                          std::int64_t limit, std::int64_t scan) {
  bind_after(by_recency_.bind(1, range.low).bind(2, range.high), 3, after).bind(5, limit).bind(6, scan);
  return places(by_recency_);
}

std::optional<std::vector<std::string>> SqliteProfileSearch::profile_ids(const TermRange& range, std::int64_t cap) {
  profile_ids_.bind(1, range.low).bind(2, range.high).bind(3, cap + 1).bind(4, key_ranges(range));
  std::vector<std::string> ids;
  while (profile_ids_.step()) ids.push_back(profile_ids_.id(0));
  profile_ids_.reset();
  if (static_cast<std::int64_t>(ids.size()) > cap) return std::nullopt;
  return ids;
}

}  // namespace weft
