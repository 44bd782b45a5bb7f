// SPEC 8's listing and search on the PostgreSQL store's connection, and the trait terms the
// search reads (search_terms.hpp), queued in the writer's transactions.
#pragma once

#include "weft/store/store.hpp"

namespace weft {
namespace pg {
class Connection;
}

class PostgresProfileSearch {
public:
  // Prepares its statements on `connection` (before its prepare_done()).
  explicit PostgresProfileSearch(pg::Connection& connection);

  // After a profile's traits were written: its trait_terms become the terms of `traits`.
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
  pg::Connection& c_;
};

}  // namespace weft
