#include "weft/identity/identity.hpp"

#include "weft/base/hmac.hpp"
#include "weft/event/json.hpp"
#include "weft/identity/profile_view.hpp"
#include "weft/base/uuid.hpp"

#include <algorithm>

namespace weft {
namespace {

// HMAC-SHA256 of the identifier under the store's suppression key, as hex. The NUL between type
// and value keeps ("a:b", "c") and ("a", "b:c") apart.
std::string suppression_hash(const std::string& key, std::string_view type, std::string_view value) {
  std::string message;
  message.reserve(type.size() + 1 + value.size());
  message.append(type).push_back('\0');
  message.append(value);
  return to_hex(hmac_sha256(key, message));
}

}  // namespace

bool Identity::suppressed(std::string_view type, std::string_view value) {
  return store_.is_suppressed(suppression_hash(store_.suppression_key(), type, value));
}

void Identity::suppress(const Identifier& id, std::int64_t at) {
  store_.insert_suppressed(suppression_hash(store_.suppression_key(), id.type, id.value), at);
}

Resolved Identity::resolve(std::string_view type, std::string_view value, bool create, std::int64_t received_at) {
  write_traits();
  const auto state = store_.identifier_state(type, value);
  if (state && state->ignored_for(received_at)) return {std::nullopt, true};
  if (state && state->profile_id) return {state->profile_id};
  if (suppressed(type, value)) return {std::nullopt, false, true};
  if (!create) return {};
  ProfileRecord profile;
  std::optional<std::string> old_id = reclaimed_ ? reclaimed_->take(type, value, received_at) : std::nullopt;
  profile.id = old_id ? std::move(*old_id) : new_uuid(received_at);
  profile.created_at = received_at;
  profile.updated_at = received_at;
  profile.created_for = Identifier{std::string(type), std::string(value)};
  ++writes_;
  store_.insert_profile(profile);
  add_identifier(type, value, profile.id, state.has_value(), received_at);
  ++counters_.profiles_created;
  changes_.created.push_back(profile.id);
  return {profile.id};
}

void Identity::add_identifier(std::string_view type, std::string_view value, std::string_view profile_id, bool has_row, std::int64_t at) {
  if (has_row)
    store_.attach_identifier(type, value, profile_id, at);  // its row holds an operator's rules
  else
    store_.insert_identifier(type, value, profile_id, at);
}

bool Identity::set_trait(std::string_view profile_id, std::string_view name, const rapidjson::Value& value, bool if_missing,
                         std::int64_t now) {
  if (value.IsNull()) return false;
  if (!held_ || held_->asked_id != profile_id) {
    write_traits();
    const auto profile = store_.load_profile(profile_id);
    if (!profile) throw StoreError("profile " + std::string(profile_id) + " does not exist");
    held_.emplace();
    held_->asked_id = std::string(profile_id);
    held_->live_id = profile->id;
    rapidjson::Document& traits = held_->traits;
    if (!parse_json(profile->traits, traits, traits.GetAllocator(), 128).ok || !traits.IsObject()) traits.SetObject();
  }
  rapidjson::Document& traits = held_->traits;
  const rapidjson::Value key(rapidjson::StringRef(name.data(), name.size()));
  auto it = traits.FindMember(key);
  if (it != traits.MemberEnd()) {
    if (if_missing || same_value(it->value, value)) return false;
    it->value.CopyFrom(value, traits.GetAllocator());
  } else {
    traits.AddMember(rapidjson::Value(name.data(), static_cast<rapidjson::SizeType>(name.size()), traits.GetAllocator()),
                     rapidjson::Value(value, traits.GetAllocator()), traits.GetAllocator());
  }
  ++writes_;
  held_->changed_at = now;
  return true;
}

void Identity::write_traits() {
  if (!held_) return;
  HeldTraits held = std::move(*held_);
  held_.reset();
  if (!held.changed_at) return;
  store_.save_traits(held.live_id, to_json(held.traits), *held.changed_at);
  changes_.updated.push_back(std::move(held.live_id));
}

IdentifyResult Identity::identify(std::string& profile_id, const Identifier& id, const IdentifyOptions& options, std::string_view event_id,
                                  std::int64_t received_at, std::int64_t now) {
  write_traits();
  const auto state = store_.identifier_state(id.type, id.value);
  if (state && state->ignored_for(received_at)) return IdentifyResult::ignored;
  const auto holder = state ? state->profile_id : std::nullopt;
  // The usual case, an identifier the profile already holds, needs no more: identifiers are
  // held by live profiles only, so `profile_id` is the live one.
  if (holder && *holder == profile_id) return IdentifyResult::known;

  const auto own = store_.load_profile(profile_id);
  if (!own) throw StoreError("profile " + profile_id + " does not exist");
  profile_id = own->id;
  if (!holder && suppressed(id.type, id.value)) return IdentifyResult::suppressed;
  if (!holder) {
    if (store_.count_identifiers(own->id, id.type) + 1 > options.max_identifiers_of_type) {
      ++counters_.merges_refused;
      return IdentifyResult::limited;
    }
    ++writes_;
    add_identifier(id.type, id.value, own->id, state.has_value(), now);
    store_.touch_profile(own->id, now);
    changes_.updated.push_back(own->id);
    return IdentifyResult::added;
  }
  if (*holder == own->id) return IdentifyResult::known;

  const auto other = store_.load_profile(*holder);
  if (!other) throw StoreError("identifier " + id.type + ":" + id.value + " points at a missing profile " + *holder);
  const std::int64_t profiles = 2 + store_.count_aliases(own->id) + store_.count_aliases(other->id);
  const std::int64_t of_type = store_.count_identifiers(own->id, id.type) + store_.count_identifiers(other->id, id.type);
  if (profiles > options.max_profiles || of_type > options.max_identifiers_of_type) {
    ++counters_.merges_refused;
    return IdentifyResult::limited;
  }

  MergeRecord record;
  record.identifier = id;
  record.event_id = std::string(event_id);
  profile_id = merge_pair(*own, *other, options.traits, std::move(record), now);
  return IdentifyResult::merged;
}

IdentifyResult Identity::identify_all(std::string& profile_id, const std::vector<Identifier>& ids, const IdentifyOptions& options,
                                      std::string_view event_id, std::int64_t received_at, std::int64_t now) {
  if (ids.size() == 1) return identify(profile_id, ids[0], options, event_id, received_at, now);
  if (ids.empty()) return IdentifyResult::ignored;
  write_traits();
  const auto own = store_.load_profile(profile_id);
  if (!own) throw StoreError("profile " + profile_id + " does not exist");
  // What the one profile would hold: every distinct holder, and the identifiers nobody holds.
  std::vector<std::string> holders;
  std::int64_t unheld = 0;
  for (const Identifier& id : ids) {
    const auto state = store_.identifier_state(id.type, id.value);
    if (state && state->ignored_for(received_at)) continue;
    const auto holder = state ? state->profile_id : std::nullopt;
    if (!holder && suppressed(id.type, id.value)) return IdentifyResult::suppressed;
    if (!holder)
      ++unheld;
    else if (*holder != own->id && std::find(holders.begin(), holders.end(), *holder) == holders.end())
      holders.push_back(*holder);
  }
  const std::string& type = ids.front().type;  // one node's identifiers: one type
  std::int64_t profiles = 1 + store_.count_aliases(own->id);
  std::int64_t of_type = unheld + store_.count_identifiers(own->id, type);
  for (const std::string& holder : holders) {
    profiles += 1 + store_.count_aliases(holder);
    of_type += store_.count_identifiers(holder, type);
  }
  if ((!holders.empty() && profiles > options.max_profiles) || of_type > options.max_identifiers_of_type) {
    ++counters_.merges_refused;
    return IdentifyResult::limited;
  }
  // Within these limits no single step is refused: each sees a part of the whole.
  bool merged = false, added = false, known = false;
  for (const Identifier& id : ids) {
    const IdentifyResult result = identify(profile_id, id, options, event_id, received_at, now);
    merged = merged || result == IdentifyResult::merged;
    added = added || result == IdentifyResult::added;
    known = known || result == IdentifyResult::known;
  }
  if (merged) return IdentifyResult::merged;
  if (added) return IdentifyResult::added;
  return known ? IdentifyResult::known : IdentifyResult::ignored;
}

std::string Identity::merge_by_operator(const ProfileRecord& a, const ProfileRecord& b, TraitPolicy traits, const std::string& reason,
                                        std::int64_t now) {
  write_traits();
  MergeRecord record;
  record.reason = reason;
  record.traits_policy = traits == TraitPolicy::most_recent ? "most_recent" : "keep_survivor";
  return merge_pair(a, b, traits, std::move(record), now);
}

std::string Identity::merge_pair(const ProfileRecord& a, const ProfileRecord& b, TraitPolicy policy, MergeRecord record, std::int64_t now) {
  const bool a_survives = survives(a, b);
  const ProfileRecord& survivor = a_survives ? a : b;
  const ProfileRecord& merged = a_survives ? b : a;
  record.survivor = survivor.id;
  record.merged = merged.id;
  record.at = now;
  record.merged_snapshot = profile_json(store_, merged);
  const std::string traits = merge_traits({survivor.traits, survivor.updated_at}, {merged.traits, merged.updated_at}, policy);
  ++writes_;
  store_.merge_profiles(survivor.id, merged.id, traits, now);
  store_.insert_merge(record);
  ++counters_.merges;
  record.merged_snapshot.clear();
  changes_.merged.push_back(std::move(record));
  changes_.updated.push_back(survivor.id);
  return survivor.id;
}

}  // namespace weft
