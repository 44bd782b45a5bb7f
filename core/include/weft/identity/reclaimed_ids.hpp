// The ids of the profiles a re-derivation set aside (SPEC 13), by the identifier each was
// created for: a profile created again for that identifier takes its old id back, so that
// every id that answered keeps answering with the profile that is now that person.
#pragma once

#include "weft/store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace weft {

class ReclaimedIds {
public:
  // `store` tells whether a taken id still has its row: an event that created the profile
  // may have been rolled back since (it failed, or was dropped), and the id is free again.
  explicit ReclaimedIds(Store& store) : store_(store) {}

  // Keeps the row's id, created_at and created_for (its traits are not needed).
  void add(const ProfileRecord& set_aside);

  // The old id for a profile being created for (type, value) by an event received at
  // `created_at`: of the old profiles created for that identifier and not yet taken, the one
  // created at that time, else the earliest. Nullopt: a new id.
  std::optional<std::string> take(std::string_view type, std::string_view value, std::int64_t created_at);

  // The old profiles whose ids no re-created profile took, oldest first.
  std::vector<ProfileRecord> untaken() const;

private:
  struct Entry {
    ProfileRecord profile;
    bool taken = false;
  };
  static std::string key(std::string_view type, std::string_view value);
  bool free(const Entry& entry) const;

  Store& store_;
  std::vector<Entry> entries_;  // in the order added
  std::unordered_map<std::string, std::vector<std::size_t>> by_identifier_;
};

}  // namespace weft
