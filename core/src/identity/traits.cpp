#include "weft/identity/traits.hpp"

#include "weft/event/json.hpp"

#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

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
  // Level by level with an explicit stack, and keys found by hash: linear in the two objects,
  // whatever their width, with no recursion on values that came from payloads.
  constexpr rapidjson::SizeType taken = ~rapidjson::SizeType{0};  // in `index`: added from `from`
  std::vector<std::pair<rapidjson::Value*, const rapidjson::Value*>> pending{{&target, &other}};
  std::unordered_map<std::string_view, rapidjson::SizeType> index;
  std::vector<const rapidjson::Value::Member*> missing;
  std::vector<std::pair<rapidjson::SizeType, const rapidjson::Value*>> nested;
  while (!pending.empty()) {
    auto [into, from] = pending.back();
    pending.pop_back();
    // Read `into` before changing it: adding members moves them (short names live inline).
    index.clear();
    missing.clear();
    nested.clear();
    for (auto it = into->MemberBegin(); it != into->MemberEnd(); ++it)
      index.try_emplace(std::string_view(it->name.GetString(), it->name.GetStringLength()),
                        static_cast<rapidjson::SizeType>(it - into->MemberBegin()));
    for (const auto& member : from->GetObject()) {
      const auto [found, added] = index.try_emplace(std::string_view(member.name.GetString(), member.name.GetStringLength()), taken);
      if (added)
        missing.push_back(&member);  // a name given twice in `from` is added once
      else if (found->second != taken && (into->MemberBegin() + found->second)->value.IsObject() && member.value.IsObject())
        nested.emplace_back(found->second, &member.value);
    }
    for (const auto* member : missing)
      into->AddMember(rapidjson::Value(member->name, allocator), rapidjson::Value(member->value, allocator), allocator);
    // `into` is final now, so pointers to its members stay valid.
    for (const auto& [at, value] : nested) pending.emplace_back(&(into->MemberBegin() + at)->value, value);
  }
}

bool same_value(const rapidjson::Value& a, const rapidjson::Value& b) {
  // RapidJSON's operator== looks up every member of one object in the other (quadratic in
  // width) and recurses: containers are compared as their serialised text instead. Objects
  // with the same members in another order then count as different, which costs at most a
  // write that was not needed.
  const bool container = a.IsObject() || a.IsArray();
  if (container != (b.IsObject() || b.IsArray())) return false;
  return container ? to_json(a) == to_json(b) : a == b;
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
