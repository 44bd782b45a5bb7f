// Writes the messages of SPEC 17 into the store's outbox, inside the writer's transaction: those
// an event's `deliver` nodes asked for and those of the profile changes it made, once the event
// is stored; those of an operator's change or an erasure in the operation's transaction.
#pragma once

#include "weft/event/event_document.hpp"
#include "weft/identity/identity.hpp"
#include "weft/store/store.hpp"
#include "weft/workflow/delivery_routing.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

// The data of a message whose body is the profile's state when it is sent (profile.updated).
inline constexpr std::string_view profile_state_when_sent = "";

// What a message sends as its data: its own, or the profile's state now (profile_state_when_sent;
// nullopt when the profile is gone: erased, or split into others, before the message went).
std::optional<std::string> data_to_send(Store& store, const OutboxMessage& message);

class OutboxWriter {
public:
  explicit OutboxWriter(Store& store) : store_(store) {}

  // The stored event `stored` (its row as written) with its document `event`.
  void after_event(const EventDocument& event, const EventRecord& stored, const DeliveryRouting& routing, const ProfileChanges& changes,
                   std::int64_t now);

  // profile.created, profile.merged and profile.updated for what the rules changed, to the
  // destinations that subscribe to them. created and merged carry the profiles as they are now;
  // profile.updated carries the profile as it is when the message is sent
  // (profile_state_when_sent), and a profile that has one waiting untouched gets no other: a
  // busy profile sends its latest state, not every step, and no view is made per event.
  void profile_changes(const ProfileChanges& changes, const DeliveryRouting& routing, std::int64_t now);

  // profile.split: a re-derivation made `profiles` (live ids, oldest first) of `old_id`.
  void split(const std::string& old_id, const std::vector<std::string>& profiles, const DeliveryRouting& routing, std::int64_t now);

  // profile.erased: the erased person's ids and identifiers, so that receivers erase them too.
  void erased(const std::string& live_id, const Erased& erased, const DeliveryRouting& routing, std::int64_t now);

private:
  void enqueue(const std::string& destination, const std::string& type, const std::optional<std::string>& profile_id, std::string data,
               std::int64_t now);
  std::optional<std::string> live_id(const std::string& id);

  Store& store_;
};

}  // namespace weft
