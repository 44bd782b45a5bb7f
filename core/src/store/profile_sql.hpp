// The SQL both stores share for which profile a row answers for (SPEC 6 merges, SPEC 13
// redirects), with the backend's spelling of the query's parameter (`?1` or `$1`).
#pragma once

#include <string>
#include <string_view>

namespace weft::profile_sql {

// The live profile the row `p` answers for: its survivor; for a redirected row the holder of the
// identifier it was created for, while one holds it; else itself.
inline std::string answers_for(std::string_view p) {
  const std::string r(p);
  return "coalesce(" + r + ".merged_into, CASE WHEN " + r + ".redirected_at IS NOT NULL THEN (SELECT i.profile_id FROM identifiers i " +
         "WHERE i.type = " + r + ".created_for_type AND i.value = " + r + ".created_for_value) END, " + r + ".id)";
}

// The rows, other than the live profile `param` itself, that answer for it: merged and redirected.
inline std::string answering_for(std::string_view param) {
  const std::string q(param);
  return "(merged_into = " + q + " OR (redirected_at IS NOT NULL AND (created_for_type, created_for_value) IN " +
         "(SELECT type, value FROM identifiers WHERE profile_id = " + q + ")))";
}

inline std::string load_profile(std::string_view param) {
  return "SELECT id, created_at, updated_at, traits, created_for_type, created_for_value FROM profiles WHERE id = (SELECT " +
         answers_for("p") + " FROM profiles p WHERE p.id = " + std::string(param) + ")";
}

inline std::string aliases(std::string_view param) {
  return "SELECT id FROM profiles WHERE " + answering_for(param) + " ORDER BY coalesce(merged_at, redirected_at), id";
}

// A re-derivation's scope: the live profile `param` and the rows answering for it.
inline std::string in_scope(std::string_view param) { return "(id = " + std::string(param) + " OR " + answering_for(param) + ")"; }

inline std::string profile_rows(std::string_view param) {
  return "SELECT id, created_at, updated_at, '{}', created_for_type, created_for_value, CAST(" + std::string(param) + " AS TEXT), redirected_at IS NOT NULL FROM profiles WHERE " +
         in_scope(param) + " ORDER BY created_at, id";
}

inline std::string all_profile_rows() {
  return "SELECT id, created_at, updated_at, '{}', created_for_type, created_for_value, " + answers_for("p") +
         ", redirected_at IS NOT NULL FROM profiles p ORDER BY created_at, id";
}

inline constexpr const char* count_live = "SELECT count(*) FROM profiles WHERE merged_into IS NULL AND redirected_at IS NULL";

}  // namespace weft::profile_sql
