// A profile as SPEC 2 shows it: {"id","created_at","updated_at","traits","identifiers",
// "aliases","event_count"}; used for merge snapshots and the API.
#pragma once

#include "weft/store/store.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <vector>

namespace weft {

// {"type","value"}, as every answer shows an identifier.
void write_identifier_json(rapidjson::Writer<rapidjson::StringBuffer>& w, const Identifier& id);

std::string profile_json(const ProfileRecord& profile, const std::vector<Identifier>& identifiers, const std::vector<std::string>& aliases,
                         std::int64_t event_count);

// The same for a live profile, reading its identifiers, aliases and event count.
std::string profile_json(Store& store, const ProfileRecord& profile);

// Reads everything of the live profile `id` stands for; nullopt when unknown.
std::optional<std::string> load_profile_json(Store& store, std::string_view id);

}  // namespace weft
