#include "operation_routes.hpp"

#include "responses.hpp"

#include "weft/event/json.hpp"
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
  const Answer a = answer->get();
  send(response, a.status, a.body);
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
  run(context, response, operator_merge(std::move(merge), *context.metrics));
}

void unblock_route(HttpContext& context, Poco::Net::HTTPServerResponse& response, const std::string& identifier) {
  const std::size_t colon = identifier.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == identifier.size())
    return send_error(response, 400, "bad_request", "expected DELETE /blocked/TYPE:VALUE, e.g. /blocked/email:info@example.com");
  run(context, response, unblock_identifier({identifier.substr(0, colon), identifier.substr(colon + 1)}, *context.metrics));
}

}  // namespace weft::http
