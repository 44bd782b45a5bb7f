// A stored event as the API shows it (SPEC 8): {"id","source","type","received_at",
// "profile_id","status","payload","properties"[,"error"][,"trace"]}; used by the API and by the
// default body of a `deliver` node's message (SPEC 17).
#pragma once

#include "weft/store/store.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

namespace weft {

void write_event_json(rapidjson::Writer<rapidjson::StringBuffer>& w, const EventRecord& e, bool with_trace);
std::string event_json(const EventRecord& e, bool with_trace);

}  // namespace weft
