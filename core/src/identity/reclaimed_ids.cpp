#include "weft/identity/reclaimed_ids.hpp"

#include "weft/identity/identity.hpp"

#include <algorithm>

namespace weft {

std::string ReclaimedIds::key(std::string_view type, std::string_view value) {
  std::string k;
  k.reserve(type.size() + 1 + value.size());
  k.append(type).push_back('\0');  // a type never holds NUL (the registry's name rule)
  k.append(value);
  return k;
}

void ReclaimedIds::add(const ProfileRecord& set_aside) {
  ProfileRecord kept{set_aside.id, set_aside.created_at, set_aside.updated_at, "{}", set_aside.created_for};
  if (kept.created_for) by_identifier_[key(kept.created_for->type, kept.created_for->value)].push_back(entries_.size());
  entries_.push_back({std::move(kept), false});
}

std::optional<std::string> ReclaimedIds::take(std::string_view type, std::string_view value, std::int64_t created_at) {
  const auto it = by_identifier_.find(key(type, value));
  if (it == by_identifier_.end()) return std::nullopt;
  Entry* chosen = nullptr;
  for (const std::size_t index : it->second) {
    Entry& entry = entries_[index];
    if (!free(entry)) continue;
    if (entry.profile.created_at == created_at) {
      chosen = &entry;
      break;
    }
    if (!chosen || entry.profile.created_at < chosen->profile.created_at) chosen = &entry;
  }
  if (!chosen) return std::nullopt;
  chosen->taken = true;
  return chosen->profile.id;
}

bool ReclaimedIds::free(const Entry& entry) const { return !entry.taken || !store_.load_profile(entry.profile.id); }

std::vector<ProfileRecord> ReclaimedIds::untaken() const {
  std::vector<ProfileRecord> out;
  for (const Entry& entry : entries_)
    if (free(entry)) out.push_back(entry.profile);
  std::sort(out.begin(), out.end(), survives);
  return out;
}

}  // namespace weft
