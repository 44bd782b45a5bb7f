#include "weft/workflow/outbox_writer.hpp"

#include "weft/base/uuid.hpp"
#include "weft/identity/profile_view.hpp"
#include "weft/store/event_view.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace weft {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void text(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void raw(Writer& w, const std::string& json) { w.RawValue(json.data(), json.size(), rapidjson::kObjectType); }
std::string done(const rapidjson::StringBuffer& b) { return std::string(b.GetString(), b.GetSize()); }

bool contains(const std::vector<std::string>& ids, const std::string& id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); }

}  // namespace

void OutboxWriter::enqueue(const std::string& destination, const std::string& type, const std::optional<std::string>& profile_id,
                           std::string data, std::int64_t now) {
  store_.outbox().enqueue({.id = "msg_" + new_uuid(now), .destination = destination, .type = type, .profile_id = profile_id,
                           .created_at = now, .data = std::move(data)});
}

std::optional<std::string> data_to_send(Store& store, const OutboxMessage& message) {
  if (message.data != profile_state_when_sent) return message.data;
  if (!message.profile_id) return std::nullopt;
  return load_profile_json(store, *message.profile_id);
}

std::optional<std::string> OutboxWriter::live_id(const std::string& id) {
  auto profile = store_.load_profile(id);
  if (!profile) return std::nullopt;
  return std::move(profile->id);
}

void OutboxWriter::after_event(const EventDocument& event, const EventRecord& stored, const DeliveryRouting& routing,
                               const ProfileChanges& changes, std::int64_t now) {
  if (!event.messages().empty()) {
    std::optional<std::string> default_body;  // made once, for every message that asks for it
    for (const QueuedMessage& m : event.messages()) {
      if (!m.data && !default_body) {
        rapidjson::StringBuffer buffer;
        Writer w(buffer);
        w.StartObject();
        w.Key("event");
        write_event_json(w, stored, false);
        w.Key("profile");
        if (auto profile = stored.profile_id ? load_profile_json(store_, *stored.profile_id) : std::nullopt)
          raw(w, *profile);
        else
          w.Null();
        w.EndObject();
        default_body = done(buffer);
      }
      enqueue(m.destination, m.type, stored.profile_id, m.data ? *m.data : *default_body, now);
    }
  }
  profile_changes(changes, routing, now);
}

void OutboxWriter::profile_changes(const ProfileChanges& changes, const DeliveryRouting& routing, std::int64_t now) {
  if (changes.empty() || routing.subscribers.empty()) return;
  const auto& on_created = routing.subscribed("profile.created");
  const auto& on_updated = routing.subscribed("profile.updated");
  const auto& on_merged = routing.subscribed("profile.merged");
  std::vector<std::string> created;  // still live as themselves
  if (!on_created.empty() || !on_updated.empty())
    for (const std::string& id : changes.created)
      if (live_id(id) == id) created.push_back(id);
  for (const std::string& id : on_created.empty() ? std::vector<std::string>{} : created) {
    const auto view = load_profile_json(store_, id);
    for (const std::string& d : on_created) enqueue(d, "profile.created", id, *view, now);
  }
  for (const MergeRecord& merge : on_merged.empty() ? std::vector<MergeRecord>{} : changes.merged) {
    const auto survivor = live_id(merge.survivor);
    if (!survivor) continue;
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("survivor");
    raw(w, *load_profile_json(store_, *survivor));
    w.Key("merged");
    text(w, merge.merged);
    w.Key("identifier");
    if (merge.identifier)
      write_identifier_json(w, *merge.identifier);
    else
      w.Null();
    w.Key("event_id");
    if (merge.event_id)
      text(w, *merge.event_id);
    else
      w.Null();
    w.EndObject();
    for (const std::string& d : on_merged) enqueue(d, "profile.merged", survivor, done(buffer), now);
  }
  if (on_updated.empty()) return;
  std::vector<std::string> updated;
  for (const std::string& id : changes.updated)
    if (auto live = live_id(id); live && !contains(created, *live) && !contains(updated, *live)) updated.push_back(std::move(*live));
  for (const std::string& id : updated)
    for (const std::string& d : on_updated)
      if (!store_.outbox().has_waiting_update(d, id)) enqueue(d, "profile.updated", id, std::string(profile_state_when_sent), now);
}

void OutboxWriter::split(const std::string& old_id, const std::vector<std::string>& profiles, const DeliveryRouting& routing,
                         std::int64_t now) {
  const auto& on_split = routing.subscribed("profile.split");
  if (on_split.empty()) return;
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("profile");
  text(w, old_id);
  w.Key("profiles");
  w.StartArray();
  for (const std::string& id : profiles) raw(w, load_profile_json(store_, id).value_or("null"));
  w.EndArray();
  w.EndObject();
  for (const std::string& d : on_split) enqueue(d, "profile.split", old_id, done(buffer), now);
}

void OutboxWriter::erased(const std::string& live_id, const Erased& erased, const DeliveryRouting& routing, std::int64_t now) {
  const auto& on_erased = routing.subscribed("profile.erased");
  if (on_erased.empty()) return;
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("profiles");
  w.StartArray();
  text(w, live_id);
  for (const std::string& id : erased.erased_ids)
    if (id != live_id) text(w, id);
  w.EndArray();
  w.Key("identifiers");
  w.StartArray();
  for (const Identifier& id : erased.erased_identifiers) write_identifier_json(w, id);
  w.EndArray();
  w.EndObject();
  for (const std::string& d : on_erased) enqueue(d, "profile.erased", live_id, done(buffer), now);
}

}  // namespace weft
