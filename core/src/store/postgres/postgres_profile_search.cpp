#include "postgres_profile_search.hpp"

#include "postgres_connection.hpp"
#include "weft/store/search_terms.hpp"

#include <limits>

namespace weft {
namespace {

// The live profiles after the place ($N, $N+1), as the partial index profiles_recent holds them.
std::string live_after(int first, const std::string& t = "") {
  return t + "merged_into IS NULL AND " + t + "redirected_at IS NULL AND (" + t + "updated_at, " + t + "id) < ($" + std::to_string(first) + "::bigint, $" +
         std::to_string(first + 1) + "::text)";
}

std::int64_t after_time(const std::optional<ProfilePlace>& after) {
  return after ? after->updated_at : std::numeric_limits<std::int64_t>::max();
}
std::string after_id(const std::optional<ProfilePlace>& after) { return after ? after->id : std::string(); }

std::vector<ProfilePlace> places(const pg::Result& r) {
  std::vector<ProfilePlace> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.integer(i, 1), r.text(i, 0)});
  return out;
}

}  // namespace

PostgresProfileSearch::PostgresProfileSearch(pg::Connection& c) : c_(c) {
  c.prepare("drop_stale_terms", "DELETE FROM trait_terms WHERE profile_id = $1 AND term NOT IN (SELECT json_array_elements_text($2::json))");
  c.prepare("add_terms", "INSERT INTO trait_terms (profile_id, term) SELECT $1, json_array_elements_text($2::json) ON CONFLICT DO NOTHING");
  c.prepare("drop_terms", "DELETE FROM trait_terms WHERE profile_id = $1");
  c.prepare("recent_profiles", "SELECT id, updated_at FROM profiles WHERE " + live_after(1) + " ORDER BY updated_at DESC, id DESC LIMIT $3");
  c.prepare("count_search_terms",
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM identifiers WHERE search >= $1 AND search < $2 AND profile_id IS NOT NULL LIMIT $3) i)"
            " + (SELECT count(*) FROM (SELECT 1 FROM trait_terms WHERE term >= $1 AND term < $2 LIMIT $3) t)");
  c.prepare("search_by_terms",
            "SELECT p.id, p.updated_at FROM profiles p WHERE p.id IN (SELECT profile_id FROM identifiers WHERE search >= $1 AND search < $2 "
            "AND profile_id IS NOT NULL UNION SELECT profile_id FROM trait_terms WHERE term >= $1 AND term < $2) AND " + live_after(3, "p.") +
                " ORDER BY p.updated_at DESC, p.id DESC LIMIT $5");
  // Down the listing, each profile tested as it comes (no ORDER BY outside: that would test
  // all `scan` of them first); the subquery's order is kept.
  c.prepare("search_by_recency",
            "SELECT id, updated_at FROM (SELECT id, updated_at FROM profiles WHERE " + live_after(3) +
                " ORDER BY updated_at DESC, id DESC LIMIT $6) p WHERE "
                "EXISTS (SELECT 1 FROM identifiers i WHERE i.profile_id = p.id AND i.search >= $1 AND i.search < $2) OR "
                "EXISTS (SELECT 1 FROM trait_terms t WHERE t.profile_id = p.id AND t.term >= $1 AND t.term < $2) "
                "LIMIT $5");
  c.prepare("search_profile_ids", "SELECT profile_id FROM identifiers WHERE search >= $1 AND search < $2 AND profile_id IS NOT NULL "
                                  "UNION SELECT profile_id FROM trait_terms WHERE term >= $1 AND term < $2 LIMIT $3");
}

void PostgresProfileSearch::keep_trait_terms(std::string_view profile_id, std::string_view traits) {
  const std::string terms = search_terms::json_array(search_terms::of_traits(traits));
  c_.queue("drop_stale_terms", {profile_id, terms});
  if (terms != "[]") c_.queue("add_terms", {profile_id, terms});
}

void PostgresProfileSearch::drop_trait_terms(std::string_view profile_id) { c_.queue("drop_terms", {profile_id}); }

std::vector<ProfilePlace> PostgresProfileSearch::recent(const std::optional<ProfilePlace>& after, std::int64_t limit) {
  return places(c_.run("recent_profiles", {after_time(after), after_id(after), limit}));
}

std::int64_t PostgresProfileSearch::count_terms(const TermRange& range, std::int64_t cap) {
  return c_.integer("count_search_terms", {range.low, range.high, cap});
}

std::vector<ProfilePlace> PostgresProfileSearch::by_terms(const TermRange& range, const std::optional<ProfilePlace>& after,
                                                          std::int64_t limit) {
  return places(c_.run("search_by_terms", {range.low, range.high, after_time(after), after_id(after), limit}));
}

std::vector<ProfilePlace> PostgresProfileSearch::by_recency(const TermRange& range, const std::optional<ProfilePlace>& after,
                                                            std::int64_t limit, std::int64_t scan) {
  return places(c_.run("search_by_recency", {range.low, range.high, after_time(after), after_id(after), limit, scan}));
}

std::optional<std::vector<std::string>> PostgresProfileSearch::profile_ids(const TermRange& range, std::int64_t cap) {
  const pg::Result r = c_.run("search_profile_ids", {range.low, range.high, cap + 1});
  if (r.rows() > cap) return std::nullopt;
  std::vector<std::string> ids;
  for (int i = 0; i < r.rows(); ++i) ids.push_back(r.text(i, 0));
  return ids;
}

}  // namespace weft
