#include "collect_handler.hpp"

#include "responses.hpp"

#include "weft/base/clock.hpp"
#include "weft/workflow/event_writer.hpp"
#include "weft/workflow/split_request.hpp"
#include "weft/event/form.hpp"
#include "weft/event/json.hpp"
#include "weft/event/utf8.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <istream>

namespace weft::http {
namespace {

enum class BodyKind { json, form, unsupported };

// The media type without parameters, lower-case: "application/json; charset=utf-8" is JSON.
BodyKind body_kind(const std::string& content_type) {
  std::string media = content_type.substr(0, content_type.find(';'));
  media.erase(std::remove_if(media.begin(), media.end(), [](char c) { return c == ' ' || c == '\t'; }), media.end());
  std::transform(media.begin(), media.end(), media.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
  if (media == "application/json" || (media.rfind("application/", 0) == 0 && media.size() > 5 && media.ends_with("+json")))
    return BodyKind::json;
  if (media == "application/x-www-form-urlencoded") return BodyKind::form;
  return BodyKind::unsupported;
}

std::string challenge_answer(const rapidjson::Value& challenge) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("challenge");
  challenge.Accept(w);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

// An event of the request (or of its batch): stamped, then its trigger run (here, off the
// committer's thread); the path's type wins over event_type.
// A Standard Webhooks sender's `webhook-id` is the idempotency key unless the workflow names
// another (SPEC 18); the item's index follows it in a batch. `item`: its index, or -1.
TriggeredEvent CollectHandler::trigger(const Source& source, std::unique_ptr<EventDocument> event, int item) const {
  stamp_event(*event, source_);
  RunResult run = run_trigger(*source.workflow, *event);
  if (path_type_) event->set_string("type", *path_type_);
  if (source.signature && source.signature->kind == SignatureScheme::Kind::standard_webhooks && !event->idempotency_key()) {
    const rapidjson::Value& headers = event->headers();
    for (const char* name : {"webhook-id", "svix-id"})
      if (const auto id = headers.FindMember(name); id != headers.MemberEnd() && id->value.IsString()) {
        std::string key(id->value.GetString(), id->value.GetStringLength());
        event->set_idempotency_key(item < 0 ? key : key + "#" + std::to_string(item));
        break;
      }
  }
  return {std::move(event), std::move(run)};
}

void CollectHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  // SPEC 7: when several errors apply, the first of 404, 405, 415, 413, 401, 400 wins.
  const auto live = context_.workflows.current();  // this request's set, kept for it even across a reload
  const auto found = live->sources.find(source_);
  if (found == live->sources.end()) {
    response.setKeepAlive(false);  // the body is not read
    return send_error(response, 404, "unknown_source", "no workflow defines source '" + source_ + "'");
  }
  const Source& source = found->second;
  if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_POST) {
    response.set("Allow", "POST");
    response.setKeepAlive(false);
    return send_error(response, 405, "method_not_allowed", "webhooks are sent with POST, not " + request.getMethod());
  }
  const BodyKind kind = body_kind(request.getContentType());
  if (kind == BodyKind::unsupported) {
    response.setKeepAlive(false);
    return send_error(response, 415, "unsupported_media_type",
                      "expected Content-Type application/json or application/x-www-form-urlencoded, got '" + request.getContentType() + "'");
  }
  const std::size_t limit = context_.limits.max_body_bytes;
  const std::string too_large = "the body is larger than max_body_bytes (" + std::to_string(limit) + " bytes)";
  if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(limit)) {
    response.setKeepAlive(false);
    return send_error(response, 413, "too_large", too_large);
  }
  const std::string body = read_body(request.stream(), limit);
  if (body.size() > limit) {
    response.setKeepAlive(false);
    return send_error(response, 413, "too_large", too_large);
  }
  if (source.signature) {
    const auto header = [&](const std::string& name) -> std::optional<std::string> {
      if (!request.has(name)) return std::nullopt;
      return request.get(name);
    };
    const std::string problem = verify_signature(*source.signature, header, {request.getMethod(), request.getURI(), body}, now_micros() / 1000000);
    if (!problem.empty()) return send_error(response, 401, "bad_signature", problem);
  }

  auto event = std::make_unique<EventDocument>();
  if (kind == BodyKind::json) {
    const JsonParseResult parsed = parse_json_payload(body, *event, context_.limits.max_json_depth);
    if (!parsed.ok) return send_error(response, 400, "invalid_body", "the body is not valid JSON: " + parsed.message);
  } else {
    const std::string problem = parse_form(body, event->payload(), event->allocator());
    if (!problem.empty()) return send_error(response, 400, "invalid_body", "the body is not a valid form: " + problem);
  }
  if (source.slack_handshake) {
    const rapidjson::Value& payload = event->payload();
    auto type = payload.FindMember("type");
    auto challenge = payload.FindMember("challenge");
    if (type != payload.MemberEnd() && type->value == "url_verification" && challenge != payload.MemberEnd())
      return send(response, 200, challenge_answer(challenge->value));
  }

  for (const auto& [name, value] : request) {
    // Nodes may copy headers into what is stored, which must stay valid JSON text.
    if (valid_utf8(name) && valid_utf8(value)) event->set_header(name, value);
  }
  IngestJob job{source.workflow, {}, false, {}, {}, body.size()};
  if (const auto& split = source.workflow->split) {
    SplitRequest batch = split_request(*split, *event, context_.limits.max_items);
    if (!batch.problem.empty()) return send_error(response, 400, "invalid_body", "split: " + batch.problem);
    if (batch.selected > context_.limits.max_items)
      return send_error(response, 413, "too_many_items",
                        "split selected " + std::to_string(batch.selected) + " items, more than limits.max_items (" +
                            std::to_string(context_.limits.max_items) + "); nothing was stored");
    if (batch.items.empty()) return send(response, 200, R"({"events":[]})");
    job.split = true;
    for (std::size_t i = 0; i < batch.items.size(); ++i) job.events.push_back(trigger(source, std::move(batch.items[i]), static_cast<int>(i)));
  } else {
    job.events.push_back(trigger(source, std::move(event), -1));
  }

  if (context_.stopping) {
    response.setKeepAlive(false);
    return send_error(response, 503, "unavailable", "weft is shutting down; retry shortly");
  }
  auto answer = context_.committer->submit(std::move(job));
  if (!answer) {
    response.set("Retry-After", "1");
    return send_error(response, 429, "overloaded", "the ingest queue is full (limits.queue, limits.queue_bytes); retry after a second");
  }
  const Answer result = answer->get();
  send(response, result.status, result.body);
}

}  // namespace weft::http
