// What holds of every store, as queries that count the rows breaking it: `weft check` runs
// them on SQLite and PostgreSQL alike (besides SQLite's own integrity_check).
#pragma once

namespace weft::store_invariants {

struct Invariant {
  const char* broken;     // what the rows are, for a person
  const char* count_sql;  // how many rows break it
};

// identifiers.profile_id: a live profile, or NULL for a row that holds only an operator's
// rules; profiles.merged_into: the live survivor (chains flattened).
inline constexpr Invariant all[] = {
    {"identifiers held by a profile that is not live (merged away or redirected)",
     "SELECT count(*) FROM identifiers i JOIN profiles p ON p.id = i.profile_id "
     "WHERE p.merged_into IS NOT NULL OR p.redirected_at IS NOT NULL"},
    {"identifiers held by a profile that does not exist",
     "SELECT count(*) FROM identifiers i WHERE i.profile_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = i.profile_id)"},
    {"merged profiles whose survivor is not live", "SELECT count(*) FROM profiles p JOIN profiles s ON s.id = p.merged_into WHERE s.merged_into IS NOT NULL"},
    {"merged profiles whose survivor does not exist",
     "SELECT count(*) FROM profiles p WHERE p.merged_into IS NOT NULL AND NOT EXISTS (SELECT 1 FROM profiles s WHERE s.id = p.merged_into)"},
    // The search (SPEC 8, search_terms.hpp): every identifier has its term; trait terms belong
    // to live profiles only.
    {"identifiers without their search term", "SELECT count(*) FROM identifiers WHERE search IS NULL"},
    {"search terms of profiles that are not live or do not exist",
     "SELECT count(*) FROM trait_terms t WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = t.profile_id "
     "AND p.merged_into IS NULL AND p.redirected_at IS NULL)"},
};

}  // namespace weft::store_invariants
