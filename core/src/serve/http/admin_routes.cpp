#include "admin_routes.hpp"

#include "responses.hpp"

#include "weft/base/clock.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace weft::http {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void strings(Writer& w, const std::vector<std::string>& items) {
  w.StartArray();
  for (const auto& item : items) w.String(item.c_str(), static_cast<rapidjson::SizeType>(item.size()));
  w.EndArray();
}

}  // namespace

void reload_route(HttpContext& context, Poco::Net::HTTPServerResponse& response) {
  if (!context.reloader) return send_error(response, 404, "not_found", "this server does not reload");
  const ReloadResult result = context.reloader->reload();
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  if (result.ok) {
    w.Key("sources");
    strings(w, result.sources);
  } else {
    w.Key("error");
    w.String("invalid_workflows");
    w.Key("message");
    const std::string message = std::to_string(result.errors.size()) + (result.errors.size() == 1 ? " error" : " errors") +
                                "; the running workflows are left as they were";
    w.String(message.c_str());
    w.Key("errors");
    strings(w, result.errors);
  }
  w.EndObject();
  send(response, result.ok ? 200 : 422, std::string(b.GetString(), b.GetSize()));
}

std::string last_reload_json(const HttpContext& context) {
  const auto last = context.workflows.last_reload();
  if (!last) return "null";
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("at");
  const std::string at = format_time(last->at);
  w.String(at.c_str());
  w.Key("result");
  w.String(last->ok ? "ok" : "failed");
  w.Key("errors");
  strings(w, last->errors);
  w.EndObject();
  return std::string(b.GetString(), b.GetSize());
}

}  // namespace weft::http
