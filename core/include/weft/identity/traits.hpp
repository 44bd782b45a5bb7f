// How traits combine when profiles merge (SPEC 6). Nested objects merge key by key; nothing
// is summed or turned into a list.
#pragma once

#include <rapidjson/document.h>

#include <string>

namespace weft {

enum class TraitPolicy {
  keep_survivor,  // the survivor's value wins; keys only the other has are added
  most_recent     // the value of the profile updated last wins, key by key
};

// Adds to `target` every key of `other` that `target` lacks; where both hold objects, the same
// one level down. Linear in the size of both; no recursion.
void add_missing_keys(rapidjson::Value& target, const rapidjson::Value& other, rapidjson::MemoryPoolAllocator<>& allocator);

// Whether two trait values are equal, in time linear in their size.
bool same_value(const rapidjson::Value& a, const rapidjson::Value& b);

struct TraitSide {
  const std::string& traits;  // a JSON object
  std::int64_t updated_at;
};

// The survivor's traits after absorbing `merged`'s, as JSON.
std::string merge_traits(const TraitSide& survivor, const TraitSide& merged, TraitPolicy policy);

}  // namespace weft
