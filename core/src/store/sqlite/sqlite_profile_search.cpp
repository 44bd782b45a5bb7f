#include "sqlite_profile_search.hpp"

#include "weft/store/search_terms.hpp"

#include <limits>

namespace weft {
namespace {

// The live profiles after the place (?N, ?N+1), as the partial index profiles_recent holds them.
std::string live_after(int first, const std::string& t = "") {
  return t + "merged_into IS NULL AND " + t + "redirected_at IS NULL AND (" + t + "updated_at, " + t + "id) < (?" + std::to_string(first) + ", ?" +
         std::to_string(first + 1) + ")";
}

}  // namespace

SqliteProfileSearch::SqliteProfileSearch(SqliteDb& db)
    : drop_stale_terms_(db.prepare("DELETE FROM trait_terms WHERE profile_id = ?1 AND term NOT IN (SELECT value FROM json_each(?2))")),
      add_terms_(db.prepare("INSERT OR IGNORE INTO trait_terms (profile_id, term) SELECT ?1, value FROM json_each(?2)")),
      drop_terms_(db.prepare("DELETE FROM trait_terms WHERE profile_id = ?1")),
      recent_(db.prepare("SELECT id, updated_at FROM profiles WHERE " + live_after(1) + " ORDER BY updated_at DESC, id DESC LIMIT ?3")),
      count_identifier_terms_(db.prepare("SELECT count(*) FROM (SELECT 1 FROM identifiers WHERE search >= ?1 AND search < ?2 "
                                         "AND profile_id IS NOT NULL LIMIT ?3)")),
      count_trait_terms_(db.prepare("SELECT count(*) FROM (SELECT 1 FROM trait_terms WHERE term >= ?1 AND term < ?2 LIMIT ?3)")),
      // From the matching terms to their profiles (CROSS JOIN keeps that order), then sorted.
      by_terms_(db.prepare("SELECT p.id, p.updated_at FROM (SELECT profile_id AS id FROM identifiers WHERE search >= ?1 AND search < ?2 "
                           "AND profile_id IS NOT NULL UNION SELECT profile_id FROM trait_terms WHERE term >= ?1 AND term < ?2) m "
                           "CROSS JOIN profiles p ON p.id = m.id WHERE " + live_after(3, "p.") +
                           " ORDER BY p.updated_at DESC, p.id DESC LIMIT ?5")),
      // Down the listing, each profile tested against its own identifiers and terms as it comes:
      // no ORDER BY outside, which would test all `scan` of them before the first row.
      by_recency_(db.prepare("SELECT id, updated_at FROM (SELECT id, updated_at FROM profiles WHERE " + live_after(3) +
                             " ORDER BY updated_at DESC, id DESC LIMIT ?6) p WHERE "
                             "EXISTS (SELECT 1 FROM identifiers i WHERE i.profile_id = p.id AND i.search >= ?1 AND i.search < ?2) OR "
                             "EXISTS (SELECT 1 FROM trait_terms t WHERE t.profile_id = p.id AND t.term >= ?1 AND t.term < ?2) "
                             "LIMIT ?5")) {}

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

std::int64_t SqliteProfileSearch::count_terms(const TermRange& range, std::int64_t cap) {
  std::int64_t n = 0;
  for (SqliteStatement* s : {&count_identifier_terms_, &count_trait_terms_}) {
    s->bind(1, range.low).bind(2, range.high).bind(3, cap);
    n += single_integer(*s);
  }
  return n;
}

std::vector<ProfilePlace> SqliteProfileSearch::by_terms(const TermRange& range, const std::optional<ProfilePlace>& after,
                                                        std::int64_t limit) {
  bind_after(by_terms_.bind(1, range.low).bind(2, range.high), 3, after).bind(5, limit);
  return places(by_terms_);
}

std::vector<ProfilePlace> SqliteProfileSearch::by_recency(const TermRange& range, const std::optional<ProfilePlace>& after,
                                                          std::int64_t limit, std::int64_t scan) {
  bind_after(by_recency_.bind(1, range.low).bind(2, range.high), 3, after).bind(5, limit).bind(6, scan);
  return places(by_recency_);
}

}  // namespace weft
