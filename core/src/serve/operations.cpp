#include "weft/serve/operations.hpp"

#include "weft/base/clock.hpp"
#include "weft/event/json.hpp"
#include "weft/base/uuid.hpp"
#include "weft/identity/profile_view.hpp"

#include <Poco/Logger.h>

#include <memory>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace weft {
namespace {

using Writer = JsonWriter;

void text(Writer& w, std::string_view s) { write_text(w, s); }

Answer refusal(int status, std::string_view code, std::string_view message) { return {status, error_body(code, message)}; }

// An operations-log record of `kind` now, with the result `result` writes.
OperationRecord record_of(std::string kind, std::string profiles, std::optional<std::string> reason, const std::function<void(Writer&)>& result) {
  const std::int64_t now = now_micros();
  return {0, new_uuid(now), now, std::move(kind), std::move(profiles), std::move(reason), json_of(result)};
}

}  // namespace

Operation operator_merge(MergeRequest request, Metrics& metrics, std::shared_ptr<const DeliveryRouting> routing) {
  return [request = std::move(request), &metrics, routing = std::move(routing)](EventWriter& writer) -> OperationResult {
    Store& store = writer.store();
    const auto first = store.load_profile(request.profile);
    if (!first) return {refusal(404, "not_found", "no profile '" + request.profile + "'"), {}};
    const auto second = store.load_profile(request.other);
    if (!second) return {refusal(404, "not_found", "no profile '" + request.other + "'"), {}};
    if (first->id == second->id)
      return {refusal(409, "conflict", "'" + request.profile + "' and '" + request.other + "' are already one profile, " + first->id), {}};
    writer.identity().clear_changes();
    const std::int64_t now = now_micros();
    const std::string survivor = writer.identity().merge_by_operator(*first, *second, request.traits, request.reason, now);
    if (routing) writer.outbox().profile_changes(writer.identity().changes(), *routing, now);
    const std::string merged = survivor == first->id ? second->id : first->id;
    const std::string profiles = json_of([&](Writer& w) {
      w.StartArray();
      text(w, first->id);
      text(w, second->id);
      w.EndArray();
    });
    store.insert_operation(record_of("merge", profiles, request.reason, [&](Writer& w) {
      w.StartObject();
      w.Key("survivor");
      text(w, survivor);
      w.Key("merged");
      text(w, merged);
      w.EndObject();
    }));
    return {{200, *load_profile_json(store, survivor)}, [&metrics] { metrics.operations("merge").Increment(); }};
  };
}

namespace {

void write_ids(Writer& w, const std::vector<std::string>& ids) {
  w.StartArray();
  for (const std::string& id : ids) text(w, id);
  w.EndArray();
}

// Re-derives `live_id` and records the operation; the answer lists the profiles it became.
OperationResult rederive_and_record(EventWriter& writer, const WorkflowsBySource& workflows, const std::string& live_id,
                                    const std::string& kind, const std::optional<std::string>& identifier_type, Metrics& metrics) {
  Store& store = writer.store();
  const Rederivation done = rederive(writer, workflow_of(workflows), live_id);
  // what the destinations hear: the profile's new state, or the profiles it became
  if (!workflows.empty() && workflows.begin()->second->routing) {
    const DeliveryRouting& routing = *workflows.begin()->second->routing;
    if (done.after.size() > 1)
      writer.outbox().split(live_id, done.after, routing, now_micros());
    else if (done.after.size() == 1)
      writer.outbox().profile_changes({.updated = done.after}, routing, now_micros());
  }
  store.insert_operation(record_of(kind, json_of([&](Writer& w) { write_ids(w, done.before); }), std::nullopt, [&](Writer& w) {
    w.StartObject();
    if (identifier_type) {
      w.Key("type");  // the type only: the log keeps no personal data
      text(w, *identifier_type);
    }
    w.Key("profiles");
    write_ids(w, done.after);
    w.Key("events");
    w.Int64(done.events);
    w.Key("failed");
    w.Int64(done.failed);
    w.EndObject();
  }));
  std::string answer = "{\"profiles\":[";
  for (std::size_t i = 0; i < done.after.size(); ++i) {
    if (i) answer += ',';
    answer += load_profile_json(store, done.after[i]).value_or("null");
  }
  answer += "]}";
  return {{200, std::move(answer)}, [&metrics, kind] { metrics.operations(kind).Increment(); }};
}

}  // namespace

Operation remove_identifier(std::string profile, Identifier identifier, bool block, WorkflowsBySource workflows, Metrics& metrics) {
  return [profile = std::move(profile), identifier = std::move(identifier), block, workflows = std::move(workflows),
          &metrics](EventWriter& writer) -> OperationResult {
    Store& store = writer.store();
    const auto live = store.load_profile(profile);
    if (!live) return {refusal(404, "not_found", "no profile '" + profile + "'"), {}};
    const auto state = store.identifier_state(identifier.type, identifier.value);
    if (!state || state->profile_id != live->id)
      return {refusal(404, "not_found", "profile " + live->id + " does not hold identifier " + identifier.type + ":" + identifier.value), {}};
    const std::int64_t now = now_micros();
    store.detach_identifier(identifier.type, identifier.value, now, block ? std::optional<std::int64_t>(now) : std::nullopt);
    return rederive_and_record(writer, workflows, live->id, block ? "block" : "remove_identifier", identifier.type, metrics);
  };
}

Operation rederive_profile(std::string profile, WorkflowsBySource workflows, Metrics& metrics) {
  return [profile = std::move(profile), workflows = std::move(workflows), &metrics](EventWriter& writer) -> OperationResult {
    const auto live = writer.store().load_profile(profile);
    if (!live) return {refusal(404, "not_found", "no profile '" + profile + "'"), {}};
    return rederive_and_record(writer, workflows, live->id, "rederive", std::nullopt, metrics);
  };
}

Operation erase_person(std::string target, bool suppress, Metrics& metrics, std::shared_ptr<const DeliveryRouting> routing,
                       ErasureSettled settled) {
  return [target = std::move(target), suppress, &metrics, routing = std::move(routing),
          settled = std::move(settled)](EventWriter& writer) -> OperationResult {
    Store& store = writer.store();
    std::optional<ProfileRecord> live;
    if (const auto identifier = parse_identifier(target)) {
      if (const auto holder = store.find_identifier(identifier->type, identifier->value)) live = store.load_profile(*holder);
    } else {
      live = store.load_profile(target);  // an id or alias (they hold no ':')
    }
    if (!live) return {refusal(404, "not_found", "no profile answers for '" + target + "'"), {}};
    writer.identity().write_traits();
    const Erased erased = store.erase_profile(live->id);
    const std::int64_t now = now_micros();
    if (suppress)
      for (const Identifier& id : erased.erased_identifiers) writer.identity().suppress(id, now);
    if (routing) writer.outbox().erased(live->id, erased, *routing, now);  // after the person's messages went
    ++writer.identity().counters().profiles_set_aside;
    const auto counts = [&](Writer& w) {
      w.Key("profiles");
      w.Int64(erased.profiles);
      w.Key("identifiers");
      w.Int64(erased.identifiers);
      w.Key("events");
      w.Int64(erased.events);
      w.Key("merges");
      w.Int64(erased.merges);
      w.Key("unattributed_events");
      w.Int64(erased.unattributed_events);
      w.Key("messages");
      w.Int64(erased.messages);
    };
    // the log names no erased id: counts only, and whether the files were scrubbed yet
    const OperationRecord record = record_of("erase", "[]", std::nullopt, [&](Writer& w) {
      w.StartObject();
      counts(w);
      w.Key("suppressed");
      w.Bool(suppress);
      w.Key("complete");
      w.Bool(!store.erasures_need_scrub());
      w.EndObject();
    });
    store.insert_operation(record);
    const std::string answer = json_of([&](Writer& w) {
      w.StartObject();
      w.Key("erased");
      w.StartObject();
      counts(w);
      w.EndObject();
      w.EndObject();
    });
    // The scrub is asked for on the committer's thread once the erasure is durable, and waited
    // for on the requester's, before the answer, while the committer goes on.
    auto scrub = std::make_shared<std::function<void()>>();
    const auto wait_for_scrub = [scrub, settled, &store, id = record.id](Answer& answer) {
      if (!*scrub) return;
      bool scrubbed = true;
      try {
        (*scrub)();
      } catch (const StoreError& e) {
        scrubbed = false;
        Poco::Logger::get("weft.store").error(std::string("erasure committed, but its bytes are still in the store's log: ") + e.what());
      }
      if (settled) {
        settled(id, scrubbed);
      } else if (scrubbed) {  // no server: marked here, in a transaction of its own
        store.begin();
        store.mark_erasure_complete(id);
        store.commit();
      }
      if (!scrubbed)
        answer = {503, error_body("erasure_incomplete",
                                  "the erasure is committed, but its bytes are still in the store's log (a long reader or writer beside "
                                  "the server holds it); weft retries until they are gone: GET /erasures shows when it is complete")};
    };
    return {{200, answer, wait_for_scrub}, [&store, &metrics, scrub] {
              metrics.operations("erase").Increment();
              *scrub = store.scrub_after_erasure();
            }};
  };
}

OperationRecord rebuild_record(const Rederivation& done) {
  return record_of("rebuild", "[]", std::nullopt, [&](Writer& w) {
    w.StartObject();
    w.Key("events");
    w.Int64(done.events);
    w.Key("failed");
    w.Int64(done.failed);
    w.Key("profiles_before");
    w.Int64(static_cast<std::int64_t>(done.before.size()));
    w.Key("profiles_after");
    w.Int64(static_cast<std::int64_t>(done.after.size()));
    w.EndObject();
  });
}

std::string erasures_json(Store& store, std::int64_t limit) {
  return json_of([&](Writer& w) {
    w.StartObject();
    w.Key("erasures");
    w.StartArray();
    for (const OperationRecord& o : store.operations(0, limit, "erase")) {
      rapidjson::Document result;
      result.Parse(o.result.c_str());
      w.StartObject();
      w.Key("operation");
      text(w, o.id);
      w.Key("at");
      text(w, format_time(o.at));
      for (const char* count : {"profiles", "identifiers", "events", "merges", "unattributed_events"}) {
        w.Key(count);
        w.Int64(result.IsObject() && result.HasMember(count) && result[count].IsInt64() ? result[count].GetInt64() : 0);
      }
      w.Key("complete");  // erasures recorded before it was kept were complete when answered
      w.Bool(!(result.IsObject() && result.HasMember("complete") && result["complete"].IsFalse()));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

Operation unblock_identifier(Identifier identifier, Metrics& metrics) {
  return [identifier = std::move(identifier), &metrics](EventWriter& writer) -> OperationResult {
    Store& store = writer.store();
    if (!store.unblock_identifier(identifier.type, identifier.value))
      return {refusal(404, "not_found", "identifier " + identifier.type + ":" + identifier.value + " is not blocked"), {}};
    store.insert_operation(record_of("unblock", "[]", std::nullopt, [&](Writer& w) {
      w.StartObject();
      w.Key("type");  // the type only: the log keeps no personal data
      text(w, identifier.type);
      w.EndObject();
    }));
    const std::string answer = json_of([&](Writer& w) {
      w.StartObject();
      w.Key("unblocked");
      write_identifier_json(w, identifier);
      w.EndObject();
    });
    return {{200, answer}, [&metrics] { metrics.operations("unblock").Increment(); }};
  };
}

std::string blocked_json(Store& store) {
  return json_of([&](Writer& w) {
    w.StartObject();
    w.Key("blocked");
    w.StartArray();
    for (const BlockedIdentifier& b : store.blocked_identifiers()) {
      w.StartObject();
      w.Key("type");
      text(w, b.identifier.type);
      w.Key("value");
      text(w, b.identifier.value);
      w.Key("at");
      text(w, format_time(b.at));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

std::string operations_json(Store& store, std::int64_t before_seq, std::int64_t limit) {
  std::vector<OperationRecord> page = store.operations(before_seq, limit + 1);
  const bool more = static_cast<std::int64_t>(page.size()) > limit;
  if (more) page.pop_back();
  return json_of([&](Writer& w) {
    w.StartObject();
    w.Key("operations");
    w.StartArray();
    for (const OperationRecord& o : page) {
      w.StartObject();
      w.Key("id");
      text(w, o.id);
      w.Key("at");
      text(w, format_time(o.at));
      w.Key("kind");
      text(w, o.kind);
      w.Key("profiles");
      w.RawValue(o.profiles.data(), o.profiles.size(), rapidjson::kArrayType);
      w.Key("reason");
      if (o.reason)
        text(w, *o.reason);
      else
        w.Null();
      w.Key("result");
      w.RawValue(o.result.data(), o.result.size(), rapidjson::kObjectType);
      w.EndObject();
    }
    w.EndArray();
    w.Key("next");
    if (more)
      text(w, std::to_string(page.back().seq));
    else
      w.Null();
    w.EndObject();
  });
}

}  // namespace weft
