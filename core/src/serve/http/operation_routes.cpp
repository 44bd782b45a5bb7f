#include "operation_routes.hpp"

#include "responses.hpp"

#include "weft/event/json.hpp"
#include "weft/serve/destination_operations.hpp"
#include "weft/serve/dispatcher.hpp"
#include "weft/serve/operations.hpp"

namespace weft::http {
namespace {

constexpr std::size_t max_operation_body = 65536;

// A string member of `body`, if present; throws a message naming the member when it has
// another type.
std::optional<std::string> string_member(const rapidjson::Value& body, std::string_view name) {
  const auto it = find_member(body, name);
  if (it == body.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsString()) throw std::invalid_argument("'" + std::string(name) + "' must be a string");
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// Queues `operation` and answers with its outcome (429 when the queue is full).
void run(HttpContext& context, Poco::Net::HTTPServerResponse& response, Operation operation) {
  auto answer = context.committer->submit_operation(std::move(operation));
  if (!answer) {
    response.set("Retry-After", "1");
    return send_error(response, 429, "overloaded", "the ingest queue is full; retry shortly");
  }
  Answer a = answer->get();
  if (a.before_sending) a.before_sending(a);
  send(response, a.status, a.body);
}

// The workflows an operation re-derives with: the server's current ones.
WorkflowsBySource workflows_of(const HttpContext& context) {
  WorkflowsBySource workflows;
  for (const auto& [id, source] : context.workflows.current()->sources) workflows.emplace(id, source.workflow);
  return workflows;
}

}  // namespace

void merge_profiles_route(HttpContext& context, Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                          const std::string& profile_id) {
  const std::string text = read_body(request.stream(), max_operation_body);
  if (text.size() > max_operation_body) return send_error(response, 413, "too_large", "an operation's body is at most 64 KiB");
  rapidjson::Document doc;
  rapidjson::Value body;
  const JsonParseResult parsed = parse_json(text, body, doc.GetAllocator(), 8);
  if (!parsed.ok || !body.IsObject())
    return send_error(response, 400, "bad_request",
                      R"(expected a JSON object {"profile": "<the other profile's id>", "reason": "..."}: )" +
                          (parsed.ok ? std::string("the body is not an object") : parsed.message));
  MergeRequest merge;
  merge.profile = profile_id;
  try {
    const auto other = string_member(body, "profile");
    if (!other || other->empty()) return send_error(response, 400, "bad_request", "'profile' (the other profile's id) is required");
    merge.other = *other;
    merge.reason = string_member(body, "reason").value_or("");
    const std::string traits = string_member(body, "traits").value_or("keep_survivor");
    if (traits != "keep_survivor" && traits != "most_recent")
      return send_error(response, 400, "bad_request", "'traits' must be keep_survivor or most_recent, got '" + traits + "'");
    merge.traits = traits == "most_recent" ? TraitPolicy::most_recent : TraitPolicy::keep_survivor;
  } catch (const std::invalid_argument& e) {
    return send_error(response, 400, "bad_request", e.what());
  }
  run(context, response, operator_merge(std::move(merge), *context.metrics, context.workflows.current()->routing));
}

void unblock_route(HttpContext& context, Poco::Net::HTTPServerResponse& response, const std::string& identifier) {
  auto parsed = parse_identifier(identifier);
  if (!parsed) return send_error(response, 400, "bad_request", "expected DELETE /blocked/TYPE:VALUE, e.g. /blocked/email:info@example.com");
  run(context, response, unblock_identifier(std::move(*parsed), *context.metrics));
}

void rederive_route(HttpContext& context, Poco::Net::HTTPServerResponse& response, const std::string& profile_id) {
  run(context, response, rederive_profile(profile_id, workflows_of(context), *context.metrics));
}

void erase_route(HttpContext& context, Poco::Net::HTTPServerResponse& response, const std::string& profile_id,
                 const Poco::URI::QueryParameters& query) {
  bool suppress = true;
  for (const auto& [name, value] : query) {
    if (name != "suppress") return send_error(response, 400, "bad_request", "unknown parameter '" + name + "'; the one parameter is suppress=true|false");
    if (value != "true" && value != "false") return send_error(response, 400, "bad_request", "'suppress' must be true or false, got '" + value + "'");
    suppress = value == "true";
  }
  ErasureSettled settled;
  if (context.erasures) settled = [erasures = context.erasures](const std::string& id, bool scrubbed) { erasures->settled(id, scrubbed); };
  run(context, response, erase_person(profile_id, suppress, *context.metrics, context.workflows.current()->routing, std::move(settled)));
}

void remove_identifier_route(HttpContext& context, Poco::Net::HTTPServerResponse& response, const std::string& profile_id,
                             const std::string& identifier, const Poco::URI::QueryParameters& query) {
  auto parsed = parse_identifier(identifier);
  if (!parsed)
    return send_error(response, 400, "bad_request",
                      "expected DELETE /profiles/ID/identifiers/TYPE:VALUE, e.g. /profiles/ID/identifiers/email:info@example.com");
  bool block = false;
  for (const auto& [name, value] : query) {
    if (name != "block") return send_error(response, 400, "bad_request", "unknown parameter '" + name + "'; the one parameter is block=true|false");
    if (value != "true" && value != "false") return send_error(response, 400, "bad_request", "'block' must be true or false, got '" + value + "'");
    block = value == "true";
  }
  run(context, response, remove_identifier(profile_id, std::move(*parsed), block, workflows_of(context), *context.metrics));
}

void destination_action_route(HttpContext& context, Poco::Net::HTTPServerResponse& response, const std::vector<std::string>& parts) {
  const std::string& id = parts[1];
  if (!context.workflows.current()->destinations.count(id)) return send_error(response, 404, "not_found", "no destination '" + id + "'");
  if (parts.size() == 5)
    run(context, response, retry_message(id, parts[3]));
  else if (parts[2] == "retry-failed")
    run(context, response, retry_failed_messages(id));
  else
    run(context, response, set_destination_state(id, parts[2] == "enable"));
  if (context.dispatcher) context.dispatcher->wake();
}

}  // namespace weft::http
