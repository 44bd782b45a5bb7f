// SPEC 8's listing, search and export on the SQLite store's connection, and the trait terms
// the search reads (search_terms.hpp), kept in the writer's transactions.
#pragma once

#include "weft/store/sqlite/sqlite.hpp"
#include "weft/store/store.hpp"

namespace weft {

class SqliteProfileSearch {
public:
  explicit SqliteProfileSearch(SqliteDb& db);

  // After a profile's traits were written: its trait_terms become the terms of `traits`
  // (rows that stay are not written again).
  void keep_trait_terms(std::string_view profile_id, std::string_view traits);
  // A profile that is no longer live (merged): its terms go.
  void drop_trait_terms(std::string_view profile_id);

  std::vector<ProfilePlace> recent(const std::optional<ProfilePlace>& after, std::int64_t limit);
  std::int64_t count_terms(const TermRange& range, std::int64_t cap);
  std::vector<ProfilePlace> by_terms(const TermRange& range, const std::optional<ProfilePlace>& after, std::int64_t limit);
  std::vector<ProfilePlace> by_recency(const TermRange& range, const std::optional<ProfilePlace>& after, std::int64_t limit,
                                       std::int64_t scan);
  std::optional<std::vector<std::string>> profile_ids(const TermRange& range, std::int64_t cap);

private:
  SqliteStatement& bind_after(SqliteStatement& s, int first, const std::optional<ProfilePlace>& after);
  static std::vector<ProfilePlace> places(SqliteStatement& s);
  // The identifier keys to read for the range (identifier_key_ranges.hpp), as JSON.
  std::string key_ranges(const TermRange& range);

  SqliteStatement drop_stale_terms_, add_terms_, drop_terms_, recent_, next_type_, any_key_, count_identifier_terms_,
      count_trait_terms_, by_terms_, by_recency_, profile_ids_;
};

}  // namespace weft
