#include "weft/identity/profile_view.hpp"

#include "weft/base/clock.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace weft {

void write_identifier_json(rapidjson::Writer<rapidjson::StringBuffer>& w, const Identifier& id) {
  w.StartObject();
  w.Key("type");
  w.String(id.type.data(), static_cast<rapidjson::SizeType>(id.type.size()));
  w.Key("value");
  w.String(id.value.data(), static_cast<rapidjson::SizeType>(id.value.size()));
  w.EndObject();
}

std::string profile_json(const ProfileRecord& profile, const std::vector<Identifier>& identifiers, const std::vector<std::string>& aliases,
                         std::int64_t event_count) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  const auto string = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  w.Key("id");
  string(profile.id);
  w.Key("created_at");
  string(format_time(profile.created_at));
  w.Key("updated_at");
  string(format_time(profile.updated_at));
  w.Key("traits");
  w.RawValue(profile.traits.data(), profile.traits.size(), rapidjson::kObjectType);
  w.Key("identifiers");
  w.StartArray();
  for (const Identifier& i : identifiers) write_identifier_json(w, i);
  w.EndArray();
  w.Key("aliases");
  w.StartArray();
  for (const std::string& a : aliases) string(a);
  w.EndArray();
  w.Key("event_count");
  w.Int64(event_count);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string profile_json(Store& store, const ProfileRecord& profile) {
  return profile_json(profile, store.identifiers(profile.id), store.aliases(profile.id), store.count_events(profile.id));
}

std::optional<std::string> load_profile_json(Store& store, std::string_view id) {
  const auto profile = store.load_profile(id);
  if (!profile) return std::nullopt;
  return profile_json(store, *profile);
}

}  // namespace weft
