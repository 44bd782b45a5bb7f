#include "weft/traits.hpp"

#include "weft/json.hpp"

namespace weft {
namespace {

// Traits are written only by weft, but a store edited by hand must not crash a merge.
rapidjson::Value parse_object(const std::string& text, rapidjson::MemoryPoolAllocator<>& allocator) {
  rapidjson::Value value;
  if (!parse_json(text, value, allocator, 128).ok || !value.IsObject()) value.SetObject();
  return value;
}

}  // namespace

void add_missing_keys(rapidjson::Value& target, const rapidjson::Value& other, rapidjson::MemoryPoolAllocator<>& allocator) {
  for (const auto& member : other.GetObject()) {
    auto it = target.FindMember(member.name);
    if (it == target.MemberEnd())
      target.AddMember(rapidjson::Value(member.name, allocator), rapidjson::Value(member.value, allocator), allocator);
    else if (it->value.IsObject() && member.value.IsObject())
      add_missing_keys(it->value, member.value, allocator);
  }
}

std::string merge_traits(const TraitSide& survivor, const TraitSide& merged, TraitPolicy policy) {
  rapidjson::Document scratch;
  auto& allocator = scratch.GetAllocator();
  // The side whose values win starts; the other only fills in what it lacks. Under
  // most_recent a tie in updated_at goes to the survivor.
  const bool survivor_wins = policy == TraitPolicy::keep_survivor || survivor.updated_at >= merged.updated_at;
  rapidjson::Value result = parse_object(survivor_wins ? survivor.traits : merged.traits, allocator);
  const rapidjson::Value other = parse_object(survivor_wins ? merged.traits : survivor.traits, allocator);
  add_missing_keys(result, other, allocator);
  return to_json(result);
}

}  // namespace weft
