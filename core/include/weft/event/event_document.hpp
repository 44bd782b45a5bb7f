// The event document nodes read and write (SPEC 4):
// {"id","source","type","received_at","profile_id","payload","properties","headers"}.
// Parsed once, then read and written in place by JSONPath.
#pragma once

#include "weft/event/jsonpath.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

// A message a `deliver` node asked for (SPEC 17), written to the outbox only if the event is
// stored.
struct QueuedMessage {
  std::string destination;
  std::string type;
  std::optional<std::string> data{};  // JSON; none: the default body, {"event", "profile"}
};

class EventWriteError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class EventDocument {
public:
  EventDocument();
  EventDocument(const EventDocument&) = delete;
  EventDocument& operator=(const EventDocument&) = delete;

  // Makes this a deep copy of `other` (to run an event again from a saved state).
  void copy_from(const EventDocument& other);

  const rapidjson::Value& root() const { return doc_; }
  rapidjson::MemoryPoolAllocator<>& allocator() { return doc_.GetAllocator(); }

  // A top-level member such as "id", "source" or "type"; empty when it is not a string.
  std::string_view string(std::string_view member) const;
  void set_string(std::string_view member, std::string_view value);

  rapidjson::Value& payload() { return doc_["payload"]; }
  rapidjson::Value& properties() { return doc_["properties"]; }
  rapidjson::Value& headers() { return doc_["headers"]; }
  // Sets request header `name` (stored lower-case, as nodes read it); a later one replaces it.
  void set_header(std::string_view name, std::string_view value);

  // When the event arrived, in microseconds; also written as RFC 3339 to $.received_at.
  void set_received_at(std::int64_t micros);
  std::int64_t received_at() const { return received_at_; }

  // The key a trigger gave this delivery for deduplication within its source, if any.
  const std::optional<std::string>& idempotency_key() const { return idempotency_key_; }
  void set_idempotency_key(std::string key) { idempotency_key_ = std::move(key); }

  const rapidjson::Value* select(const JsonPath& path) const { return path.select(doc_); }

  // The messages this run of the workflow asked for, in order.
  std::vector<QueuedMessage>& messages() { return messages_; }
  const std::vector<QueuedMessage>& messages() const { return messages_; }

  // Sets `value` at `path`, creating missing objects along the way. Nodes may write under
  // $.properties and $.payload, and a string to $.type; anything else, or a path blocked by a
  // non-object (or an absent array element), throws EventWriteError.
  void write(const JsonPath& path, rapidjson::Value&& value);

private:
  // Small chunks keep thousands of queued events cheap (RapidJSON's default first chunk is
  // 64 KiB); a larger payload takes more chunks. 1 KiB rather than 4 KiB: weft ingest of
  // 1,000,000 bench events peaked at 282 instead of 378 MiB, at the same speed, and so did
  // weft serve (15,388 / 16,052 req/s).
  rapidjson::MemoryPoolAllocator<> pool_{1024};
  rapidjson::Document doc_{&pool_};
  std::int64_t received_at_ = 0;
  std::optional<std::string> idempotency_key_;
  std::vector<QueuedMessage> messages_;
};

}  // namespace weft
