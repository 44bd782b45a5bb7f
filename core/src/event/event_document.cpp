#include "weft/event/event_document.hpp"

#include "weft/base/clock.hpp"
#include "weft/event/json.hpp"

#include <algorithm>

namespace weft {
namespace {

rapidjson::Value string_value(std::string_view text, rapidjson::MemoryPoolAllocator<>& allocator) {
  return rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator);
}

}  // namespace

EventDocument::EventDocument() {
  auto& a = doc_.GetAllocator();
  doc_.SetObject();
  doc_.AddMember("id", "", a);
  doc_.AddMember("source", "", a);
  doc_.AddMember("type", "webhook", a);
  doc_.AddMember("received_at", "", a);
  doc_.AddMember("profile_id", rapidjson::Value(), a);
  doc_.AddMember("payload", rapidjson::Value(rapidjson::kObjectType), a);
  doc_.AddMember("properties", rapidjson::Value(rapidjson::kObjectType), a);
  doc_.AddMember("headers", rapidjson::Value(rapidjson::kObjectType), a);
}

std::string_view EventDocument::string(std::string_view member) const {
  auto it = find_member(doc_, member);
  if (it == doc_.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

void EventDocument::set_string(std::string_view member, std::string_view value) {
  auto it = find_member(doc_, member);
  if (it == doc_.MemberEnd())
    doc_.AddMember(string_value(member, allocator()), string_value(value, allocator()), allocator());
  else
    it->value = string_value(value, allocator());
}

void EventDocument::set_header(std::string_view name, std::string_view value) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
  rapidjson::Value& all = headers();
  auto it = find_member(all, lower);
  if (it == all.MemberEnd())
    all.AddMember(string_value(lower, allocator()), string_value(value, allocator()), allocator());
  else
    it->value = string_value(value, allocator());
}

void EventDocument::copy_from(const EventDocument& other) {
  doc_.CopyFrom(other.doc_, doc_.GetAllocator());
  received_at_ = other.received_at_;
  idempotency_key_ = other.idempotency_key_;
  messages_ = other.messages_;
}

void EventDocument::set_received_at(std::int64_t micros) {
  received_at_ = micros;
  set_string("received_at", format_time(micros));
}

void EventDocument::write(const JsonPath& path, rapidjson::Value&& value) {
  if (!path.singular())
    throw EventWriteError("cannot write " + path.text() + ": nodes write to one place, a path of names and indexes only");
  const auto& segments = path.segments();
  if (segments.empty() || segments[0].kind != PathSegment::Kind::name)
    throw EventWriteError("cannot write " + path.text() + ": nodes write under $.properties, $.payload or to $.type");
  const std::string& top = segments[0].name;
  if (top == "type") {
    if (segments.size() != 1 || !value.IsString())
      throw EventWriteError("cannot write " + path.text() + ": $.type takes a string");
    doc_["type"] = std::move(value);
    return;
  }
  if (top != "properties" && top != "payload")
    throw EventWriteError("cannot write " + path.text() + ": nodes write under $.properties, $.payload or to $.type");
  if (segments.size() == 1 && !value.IsObject())
    throw EventWriteError("cannot write " + path.text() + ": it must stay an object");

  rapidjson::Value* current = &doc_[top.c_str()];
  for (std::size_t i = 1; i < segments.size(); ++i) {
    const PathSegment& segment = segments[i];
    if (segment.kind == PathSegment::Kind::name) {
      if (!current->IsObject())
        throw EventWriteError("cannot write " + path.text() + ": the value before '" + segment.name + "' is not an object");
      auto it = find_member(*current, segment.name);
      if (it == current->MemberEnd()) {
        current->AddMember(string_value(segment.name, allocator()), rapidjson::Value(rapidjson::kObjectType), allocator());
        current = &(current->MemberEnd() - 1)->value;
      } else {
        current = &it->value;
      }
    } else {
      if (!current->IsArray())
        throw EventWriteError("cannot write " + path.text() + ": an index needs an array");
      const auto size = static_cast<std::int64_t>(current->Size());
      const std::int64_t index = segment.index < 0 ? size + segment.index : segment.index;
      if (index < 0 || index >= size)
        throw EventWriteError("cannot write " + path.text() + ": index " + std::to_string(segment.index) + " is outside the array");
      current = &(*current)[static_cast<rapidjson::SizeType>(index)];
    }
  }
  *current = std::move(value);
}

}  // namespace weft
