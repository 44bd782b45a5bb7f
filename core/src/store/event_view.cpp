#include "weft/store/event_view.hpp"

#include "weft/base/clock.hpp"

namespace weft {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void text(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

}  // namespace

void write_event_json(Writer& w, const EventRecord& e, bool with_trace) {
  w.StartObject();
  w.Key("id");
  text(w, e.id);
  w.Key("source");
  text(w, e.source);
  w.Key("type");
  text(w, e.type);
  w.Key("received_at");
  text(w, format_time(e.received_at));
  w.Key("profile_id");
  if (e.profile_id)
    text(w, *e.profile_id);
  else
    w.Null();
  w.Key("status");
  text(w, e.status);
  w.Key("payload");
  w.RawValue(e.payload.data(), e.payload.size(), rapidjson::kObjectType);
  w.Key("properties");
  w.RawValue(e.properties.data(), e.properties.size(), rapidjson::kObjectType);
  if (e.error) {
    w.Key("error");
    text(w, *e.error);
  }
  if (with_trace) {
    w.Key("trace");
    w.RawValue(e.trace.data(), e.trace.size(), rapidjson::kArrayType);
  }
  w.EndObject();
}

std::string event_json(const EventRecord& e, bool with_trace) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  write_event_json(w, e, with_trace);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace weft
