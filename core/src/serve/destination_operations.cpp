#include "weft/serve/destination_operations.hpp"

#include "weft/base/clock.hpp"
#include "weft/event/json.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace weft {
namespace {

using Writer = JsonWriter;

void text(Writer& w, std::string_view s) { write_text(w, s); }

void write_attempt(Writer& w, const MessageAttempt& a) {
  w.StartObject();
  w.Key("at");
  text(w, format_time(a.at));
  w.Key("status");
  if (a.http_status)
    w.Int(*a.http_status);
  else
    w.Null();
  w.Key("error");
  if (a.error)
    text(w, *a.error);
  else
    w.Null();
  w.Key("ms");
  w.Int64(a.ms);
  w.Key("response");
  text(w, a.response);
  w.EndObject();
}

OperationResult not_found(const std::string& what) { return {{404, error_body("not_found", what)}, {}}; }

}  // namespace

std::string destinations_json(Store& store, const std::map<std::string, Destination>& destinations, std::int64_t now) {
  return json_of([&](Writer& w) {
    w.StartObject();
    w.Key("destinations");
    w.StartArray();
    for (const auto& [id, destination] : destinations) {
      const DestinationCounts counts = store.outbox().counts(id);
      const DestinationRecord record = store.outbox().destination(id);
      w.StartObject();
      w.Key("id");
      text(w, id);
      w.Key("url");
      text(w, destination.url);
      w.Key("state");
      text(w, record.disabled_at ? "disabled" : "enabled");
      w.Key("pending");
      w.Int64(counts.pending);
      w.Key("failed");
      w.Int64(counts.failed);
      w.Key("delivered");
      w.Int64(counts.delivered);
      w.Key("oldest_pending_age_s");
      if (counts.oldest_pending_at)
        w.Int64((now - *counts.oldest_pending_at) / 1'000'000);
      else
        w.Null();
      w.Key("last_error");
      if (record.last_error_at) {
        w.StartObject();
        w.Key("at");
        text(w, format_time(*record.last_error_at));
        w.Key("message");
        text(w, record.last_error.value_or(""));
        w.EndObject();
      } else {
        w.Null();
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

std::string destination_messages_json(Store& store, const std::string& destination, const std::string& status, std::int64_t after_seq,
                                      std::int64_t limit) {
  // one more than asked for tells whether there is a next page
  const auto messages = store.outbox().messages(destination, status, after_seq, limit + 1);
  const bool more = static_cast<std::int64_t>(messages.size()) > limit;
  return json_of([&](Writer& w) {
    w.StartObject();
    w.Key("messages");
    w.StartArray();
    for (std::size_t i = 0; i < messages.size() && static_cast<std::int64_t>(i) < limit; ++i) {
      const OutboxMessage& m = messages[i];
      w.StartObject();
      w.Key("id");
      text(w, m.id);
      w.Key("type");
      text(w, m.type);
      w.Key("profile_id");
      if (m.profile_id)
        text(w, *m.profile_id);
      else
        w.Null();
      w.Key("status");
      text(w, m.status);
      w.Key("created_at");
      text(w, format_time(m.created_at));
      w.Key("attempts");
      w.StartArray();
      for (const MessageAttempt& a : store.outbox().attempts(m.seq)) write_attempt(w, a);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.Key("next");
    if (more)
      text(w, std::to_string(messages[static_cast<std::size_t>(limit) - 1].seq));  // a cursor, written as the events' and operations' are
    else
      w.Null();
    w.EndObject();
  });
}

Operation retry_message(std::string destination, std::string message_id) {
  return [destination = std::move(destination), message_id = std::move(message_id)](EventWriter& writer) -> OperationResult {
    if (!writer.store().outbox().retry(destination, message_id, now_micros()))
      return not_found("destination '" + destination + "' has no message '" + message_id + "'");
    return {{200, R"({"retried":1})"}, {}};
  };
}

Operation retry_failed_messages(std::string destination) {
  return [destination = std::move(destination)](EventWriter& writer) -> OperationResult {
    const std::int64_t n = writer.store().outbox().retry_failed(destination, now_micros());
    return {{200, R"({"retried":)" + std::to_string(n) + "}"}, {}};
  };
}

Operation set_destination_state(std::string destination, bool enabled) {
  return [destination = std::move(destination), enabled](EventWriter& writer) -> OperationResult {
    Outbox& outbox = writer.store().outbox();
    DestinationRecord record = outbox.destination(destination);
    if (enabled) {
      record.disabled_at.reset();
      record.disabled_reason.reset();
      record.failing_since.reset();  // disable_after counts again from the next failure
    } else if (!record.disabled_at) {
      record.disabled_at = now_micros();
      record.disabled_reason = "disabled by an operator";
    }
    outbox.save_destination(destination, record);
    return {{200, json_of([&](Writer& w) {
               w.StartObject();
               w.Key("id");
               text(w, destination);
               w.Key("state");
               text(w, enabled ? "enabled" : "disabled");
               w.EndObject();
             })},
            {}};
  };
}

}  // namespace weft
