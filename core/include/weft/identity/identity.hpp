// The identity rules of SPEC 6, on top of the store's primitives: resolving identifiers to
// profiles, writing traits, adding identifiers and merging profiles (survivor, traits,
// history, limits, audit). Every call runs inside the writer's open transaction.
#pragma once

#include "weft/store/store.hpp"
#include "weft/identity/reclaimed_ids.hpp"
#include "weft/identity/traits.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

// SPEC 6's order of profiles: the earlier created_at (to the microsecond), ties to the smaller
// id. The first of two survives their merge; lists of profiles are shown oldest first by it.
inline bool survives(const ProfileRecord& a, const ProfileRecord& b) {
  return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
}

struct IdentifyOptions {
  TraitPolicy traits = TraitPolicy::keep_survivor;
  std::int64_t max_profiles = 10;             // original profiles one profile may stand for
  std::int64_t max_identifiers_of_type = 5;   // e.g. e-mails per profile
};

enum class IdentifyResult {
  added,    // the identifier is new; it now points at the profile
  known,    // it already pointed at the profile
  merged,   // it pointed at another profile; the two are now one
  limited,  // adding it would break a limit; nothing changed
  ignored,    // the identifier is blocked, or removed before this event (SPEC 13): as if missing
  suppressed  // the identifier belonged to an erased person (SPEC 14): the event must not be stored
};

struct Resolved {
  std::optional<std::string> profile;  // the live profile, found or created
  bool ignored = false;                // blocked or removed for this event: as if missing
  bool suppressed = false;             // an erased person's (SPEC 14): the event must not be stored
};

// Counts of what the rules did, for summaries and metrics. Callers roll these back together
// with the store when they roll back an event.
struct IdentityCounters {
  std::int64_t profiles_created = 0;
  std::int64_t merges = 0;
  std::int64_t merges_refused = 0;
  std::int64_t profiles_set_aside = 0;  // live profiles a re-derivation took apart (SPEC 13)
};

// What the rules changed since Identity::clear_changes(), for the messages of profile changes
// (SPEC 17). Ids are as they were at the change; a later merge may have retired them.
struct ProfileChanges {
  std::vector<std::string> created{};
  std::vector<std::string> updated{};  // traits or identifiers changed
  std::vector<MergeRecord> merged{};  // without snapshots
  bool empty() const { return created.empty() && updated.empty() && merged.empty(); }
};

class Identity {
public:
  explicit Identity(Store& store) : store_(store) {}

  // The live profile holding identifier (type, value); created with it when absent and
  // `create` is set. nullopt only when absent and not created. A created profile's created_at
  // is `received_at`, the time the event that creates it was received (SPEC 2), so that
  // running the same events again picks the same survivors.
  // An identifier blocked, or removed after the event was received, resolves to nothing
  // (`ignored`), as if the event did not carry it.
  Resolved resolve(std::string_view type, std::string_view value, bool create, std::int64_t received_at);

  // Sets trait `name` of the live profile `profile_id` stands for. A null value is never
  // written; with `if_missing`, an existing trait is kept. Returns whether the traits changed.
  // The profile's traits are kept in memory across calls for the same profile and written by
  // write_traits(), so that a node setting several traits loads and saves the profile once;
  // resolve() and identify() write them first.
  bool set_trait(std::string_view profile_id, std::string_view name, const rapidjson::Value& value, bool if_missing, std::int64_t now);

  // Writes the traits set_trait() holds, if any changed (the executor calls it after each
  // node); drop_traits() forgets them (the event's changes are being undone).
  void write_traits();
  void drop_traits() { held_.reset(); }

  // Adds identifier `id` to the profile `profile_id` stands for, merging the profile that
  // holds it, if any. On return `profile_id` is the event's live profile (the survivor). An
  // identifier ignored for an event received at `received_at` changes nothing (`ignored`).
  IdentifyResult identify(std::string& profile_id, const Identifier& id, const IdentifyOptions& options, std::string_view event_id,
                          std::int64_t received_at, std::int64_t now);

  // identify() for several identifiers of one type that one event carries (SPEC 4: a path's
  // every node), all or nothing: the limits are checked for the profile all of them would make
  // together (the event's, every holder's and the new identifiers), and `limited` changes
  // nothing. Otherwise each is identified in turn; the result is `merged` if any merged, else
  // `added` if any was added, else `known`, or `ignored` when every one is. One identifier of
  // an erased person suppresses the event (`suppressed`) before anything changes.
  IdentifyResult identify_all(std::string& profile_id, const std::vector<Identifier>& ids, const IdentifyOptions& options,
                              std::string_view event_id, std::int64_t received_at, std::int64_t now);

  // An operator's merge (SPEC 13) of two distinct live profiles, loaded in this transaction,
  // by the rules of SPEC 6 without its limits; recorded with no identifier or event and with
  // `reason`. Returns the survivor's id.
  std::string merge_by_operator(const ProfileRecord& a, const ProfileRecord& b, TraitPolicy traits, const std::string& reason,
                                std::int64_t now);

  // Keeps an erased identifier as a keyed hash only (SPEC 14): events carrying it later are
  // suppressed.
  void suppress(const Identifier& id, std::int64_t at);

  // While set (a re-derivation), profiles created for an identifier take back the id of the
  // set-aside profile created for it (SPEC 13). Null: new ids.
  void reclaim_ids_from(ReclaimedIds* ids) { reclaimed_ = ids; }

  IdentityCounters& counters() { return counters_; }
  const ProfileChanges& changes() const { return changes_; }
  void clear_changes() { changes_ = {}; }
  // How many changes the rules have made to the store so far (never rolled back): a caller
  // compares it before and after an event to know whether the event wrote anything.
  std::int64_t writes() const { return writes_; }

private:
  // Whether an identifier no live profile holds is an erased person's.
  bool suppressed(std::string_view type, std::string_view value);
  // Inserts the identifier, or attaches it when its row exists (holding rules, no profile).
  void add_identifier(std::string_view type, std::string_view value, std::string_view profile_id, bool has_row, std::int64_t at);
  // Merges two live profiles by SPEC 6 (survivor, traits, history, audit record); returns the
  // survivor's id.
  std::string merge_pair(const ProfileRecord& a, const ProfileRecord& b, TraitPolicy traits, MergeRecord record, std::int64_t now);

  // The traits of one profile, as set_trait() left them.
  struct HeldTraits {
    std::string asked_id;  // the id set_trait() was given (the profile itself or an alias)
    std::string live_id;
    rapidjson::Document traits;
    std::optional<std::int64_t> changed_at;  // its new updated_at; unset: nothing to write
  };

  Store& store_;
  IdentityCounters counters_;
  ProfileChanges changes_;
  std::int64_t writes_ = 0;
  std::optional<HeldTraits> held_;
  ReclaimedIds* reclaimed_ = nullptr;
};

}  // namespace weft
