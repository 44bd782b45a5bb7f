#include "api_handler.hpp"

#include "admin_routes.hpp"
#include "export_routes.hpp"
#include "operation_routes.hpp"
#include "responses.hpp"

#include "weft/serve/http/loggable_path.hpp"

#include "weft/base/clock.hpp"
#include "weft/identity/profile_view.hpp"
#include "weft/store/event_view.hpp"
#include "weft/store/profile_search.hpp"
#include "weft/store/search_terms.hpp"
#include "weft/serve/destination_operations.hpp"
#include "weft/serve/operations.hpp"
#include "weft/base/text.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <openssl/crypto.h>

namespace weft::http {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

struct BadRequest {
  std::string message;
};

void text(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void raw_object(Writer& w, const std::string& json, rapidjson::Type type) { w.RawValue(json.data(), json.size(), type); }
void optional_text(Writer& w, const std::optional<std::string>& s) {
  if (s)
    text(w, *s);
  else
    w.Null();
}

std::string done(const rapidjson::StringBuffer& b) { return std::string(b.GetString(), b.GetSize()); }

std::int64_t integer_parameter(const std::string& value, const char* name, std::int64_t min, std::int64_t max) {
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() || n < min || n > max)
    throw BadRequest{std::string("'") + name + "' must be an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                     ", got '" + value + "'"};
  return n;
}

// ?limit= (1..1000, default 50) and ?after= (a cursor; 0: from the start) of a paged list.
std::pair<std::int64_t, std::int64_t> page_request(const std::optional<std::string>& limit, const std::optional<std::string>& after) {
  return {limit ? integer_parameter(*limit, "limit", 1, 1000) : 50,
          after ? integer_parameter(*after, "after", 1, std::numeric_limits<std::int64_t>::max()) : 0};
}

class Api {
public:
  Api(HttpContext& context, Poco::Net::HTTPServerResponse& response) : context_(context), response_(response) {}

  void route(const std::vector<std::string>& parts, const Poco::URI::QueryParameters& query) {
    const auto param = [&](const char* name) -> std::optional<std::string> {
      for (const auto& [k, v] : query)
        if (k == name) return v;
      return std::nullopt;
    };
    if (parts.size() == 1 && parts[0] == "profiles" && param("identifier")) return profiles_by_identifier(*param("identifier"));
    if (parts.size() == 1 && parts[0] == "profiles") return profiles(param("q"), param("limit"), param("after"));
    if (parts.size() == 2 && parts[0] == "profiles") return profile(parts[1]);
    if (parts.size() == 3 && parts[0] == "profiles" && parts[2] == "events")
      return profile_events(parts[1], param("limit"), param("after"), param("order"));
    if (parts.size() == 3 && parts[0] == "profiles" && parts[2] == "merges") return profile_merges(parts[1]);
    if (parts.size() == 1 && parts[0] == "events") return failed_events(param("status"), param("source"), param("limit"), param("after"));
    if (parts.size() == 2 && parts[0] == "events") return event(parts[1]);
    if (parts.size() == 1 && parts[0] == "sources") return sources();
    if (parts.size() == 1 && parts[0] == "plugins") return plugins();
    if (parts.size() == 1 && parts[0] == "stats" && context_.history) return send(response_, 200, context_.history->json());
    if (parts.size() == 1 && parts[0] == "operations") return operations(param("limit"), param("after"));
    if (parts.size() == 1 && parts[0] == "blocked") return send(response_, 200, blocked_json(*context_.readers->acquire()));
    if (parts.size() == 1 && parts[0] == "erasures") return send(response_, 200, erasures_json(*context_.readers->acquire(), 1000));
    if (parts.size() == 1 && parts[0] == "destinations")
      return send(response_, 200, destinations_json(*context_.readers->acquire(), context_.workflows.current()->destinations, now_micros()));
    if (parts.size() == 3 && parts[0] == "destinations" && parts[2] == "messages")
      return destination_messages(parts[1], param("status"), param("limit"), param("after"));
    send_error(response_, 404, "not_found", "no such route; see SPEC 8 or docs/operations.md for the API");
  }

  // POST /events/{id}/replay: runs a dead letter again through its source's workflow, in the
  // committer (the one writer), and answers with the outcome.
  void replay(const std::string& id) {
    std::optional<EventRecord> stored;
    {
      auto store = context_.readers->acquire();
      stored = store->load_event(id);
    }
    if (!stored) return not_found("event", id);
    const auto live = context_.workflows.current();
    const auto source = live->sources.find(stored->source);
    if (source == live->sources.end())
      return send_error(response_, 409, "conflict", "source '" + stored->source + "' has no workflow now; the event is left as it is");
    auto answer = context_.committer->submit_replay(source->second.workflow, id);
    if (!answer) {
      response_.set("Retry-After", "1");
      return send_error(response_, 429, "overloaded", "the ingest queue is full; retry shortly");
    }
    const Answer a = answer->get();
    send(response_, a.status, a.body);
  }

private:
  void destination_messages(const std::string& id, const std::optional<std::string>& status, const std::optional<std::string>& limit,
                            const std::optional<std::string>& after) {
    if (!context_.workflows.current()->destinations.count(id)) return not_found("destination", id);
    if (status && *status != "pending" && *status != "failed" && *status != "delivered")
      throw BadRequest{"'status' must be pending, failed or delivered, got '" + *status + "'"};
    const auto [count, cursor] = page_request(limit, after);
    send(response_, 200, destination_messages_json(*context_.readers->acquire(), id, status.value_or(""), cursor, count));
  }

  void profiles_by_identifier(const std::string& identifier) {
    const auto parsed = parse_identifier(identifier);
    if (!parsed) throw BadRequest{"identifier must be TYPE:VALUE, e.g. email:jane@example.com, got '" + identifier + "'"};
    auto store = context_.readers->acquire();
    rapidjson::StringBuffer b;
    Writer w(b);
    w.StartObject();
    w.Key("profiles");
    w.StartArray();
    if (auto id = store->find_identifier(parsed->type, parsed->value))
      if (auto json = load_profile_json(*store, *id)) raw_object(w, *json, rapidjson::kObjectType);
    w.EndArray();
    w.EndObject();
    send(response_, 200, done(b));
  }

  // GET /profiles (SPEC 8): the live profiles, most recently updated first; with ?q= those that
  // match it. One snapshot for the page: its profiles as they were when it was listed.
  void profiles(const std::optional<std::string>& query, const std::optional<std::string>& limit_text,
                const std::optional<std::string>& after_text) {
    const std::int64_t limit = limit_text ? integer_parameter(*limit_text, "limit", 1, 1000) : 50;
    std::optional<ProfilePlace> after;
    if (after_text && !(after = parse_place_cursor(*after_text)))
      throw BadRequest{"'after' must be the \"next\" of the page before, got '" + *after_text + "'"};
    if (query) {
      const std::size_t chars = search_terms::characters(*query);
      if (chars < search_terms::min_query_chars || chars > search_terms::max_chars)
        throw BadRequest{"'q' must be 2 to 200 characters, got " + std::to_string(chars)};
    }
    auto store = context_.readers->acquire();
    const ReadSnapshot snapshot(*store);
    auto places = query ? search_profiles(*store, *query, after, limit + 1) : store->recent_profiles(after, limit + 1);
    const bool more = static_cast<std::int64_t>(places.size()) > limit;
    if (more) places.resize(static_cast<std::size_t>(limit));
    rapidjson::StringBuffer b;
    Writer w(b);
    w.StartObject();
    w.Key("profiles");
    w.StartArray();
    for (const ProfilePlace& place : places)
      if (auto json = load_profile_json(*store, place.id)) raw_object(w, *json, rapidjson::kObjectType);
    w.EndArray();
    w.Key("next");
    if (more)
      text(w, place_cursor(places.back()));
    else
      w.Null();
    w.EndObject();
    send(response_, 200, done(b));
  }

  void profile(const std::string& id) {
    auto store = context_.readers->acquire();
    auto json = load_profile_json(*store, id);
    if (!json) return not_found("profile", id);
    send(response_, 200, *json);
  }

  void profile_events(const std::string& id, const std::optional<std::string>& limit_text, const std::optional<std::string>& after,
                      const std::optional<std::string>& order) {
    const auto [limit, cursor] = page_request(limit_text, after);
    if (order && *order != "asc" && *order != "desc") throw BadRequest{"'order' must be asc or desc, got '" + *order + "'"};
    const bool descending = order && *order == "desc";
    auto store = context_.readers->acquire();
    const auto profile = store->load_profile(id);
    if (!profile) return not_found("profile", id);
    send_page(store->profile_events(profile->id, cursor, limit + 1, descending), limit, false);
  }

  void profile_merges(const std::string& id) {
    auto store = context_.readers->acquire();
    const auto profile = store->load_profile(id);
    if (!profile) return not_found("profile", id);
    rapidjson::StringBuffer b;
    Writer w(b);
    w.StartObject();
    w.Key("merges");
    w.StartArray();
    for (const MergeRecord& m : store->merges(profile->id)) {
      w.StartObject();
      w.Key("survivor");
      text(w, m.survivor);
      w.Key("merged");
      text(w, m.merged);
      w.Key("identifier");
      if (m.identifier) {
        w.StartObject();
        w.Key("type");
        text(w, m.identifier->type);
        w.Key("value");
        text(w, m.identifier->value);
        w.EndObject();
      } else {
        w.Null();  // an operator's merge
      }
      w.Key("event_id");
      optional_text(w, m.event_id);
      w.Key("at");
      text(w, format_time(m.at));
      w.Key("reason");
      optional_text(w, m.reason);
      w.Key("merged_snapshot");
      raw_object(w, m.merged_snapshot, rapidjson::kObjectType);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    send(response_, 200, done(b));
  }

  void event(const std::string& id) {
    auto store = context_.readers->acquire();
    const auto e = store->load_event(id);
    if (!e) return not_found("event", id);
    rapidjson::StringBuffer b;
    Writer w(b);
    write_event_json(w, *e, true);
    send(response_, 200, done(b));
  }

  // The dead letters: failed events, oldest first, of one source or all.
  void failed_events(const std::optional<std::string>& status, const std::optional<std::string>& source,
                     const std::optional<std::string>& limit_text, const std::optional<std::string>& after) {
    if (status != "failed") throw BadRequest{"events are listed by status: expected ?status=failed (the dead letters)"};
    if (source && !context_.workflows.current()->sources.count(*source)) throw BadRequest{"unknown source '" + *source + "'"};
    const auto [limit, cursor] = page_request(limit_text, after);
    auto store = context_.readers->acquire();
    send_page(store->failed_events(source.value_or(""), cursor, limit + 1), limit, true);
  }

  // GET /operations: what operators did, newest first; ?after= is the "next" of the page before.
  void operations(const std::optional<std::string>& limit_text, const std::optional<std::string>& after) {
    const auto [limit, cursor] = page_request(limit_text, after);
    auto store = context_.readers->acquire();
    send(response_, 200, operations_json(*store, cursor, limit));
  }

  void sources() {
    rapidjson::StringBuffer b;
    Writer w(b);
    w.StartObject();
    w.Key("sources");
    w.StartArray();
    const auto live = context_.workflows.current();
    for (const auto& [id, source] : live->sources) {
      const Workflow& wf = *source.workflow;
      w.StartObject();
      w.Key("id");
      text(w, id);
      w.Key("name");
      text(w, wf.name);
      w.Key("file");
      text(w, wf.file);
      w.Key("signed");
      w.Bool(source.signature.has_value());
      w.Key("nodes");
      w.StartArray();
      for (const WorkflowNode& node : wf.nodes) {
        w.StartObject();
        w.Key("id");
        text(w, node.id);
        w.Key("plugin");
        text(w, node.plugin().name);
        w.Key("routes");
        w.StartObject();
        for (std::size_t port = 0; port < node.routes.size(); ++port) {
          const Route& r = node.routes[port];
          text(w, node.port_name(port));
          switch (r.kind) {
            case Route::Kind::next: text(w, "next"); break;
            case Route::Kind::node: text(w, wf.nodes[r.target].id); break;
            case Route::Kind::stop: text(w, "stop"); break;
            case Route::Kind::drop: text(w, "drop"); break;
            case Route::Kind::reject: text(w, "reject"); break;
            case Route::Kind::fail: text(w, "fail"); break;
          }
        }
        w.EndObject();
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.Key("last_reload");
    const std::string last = last_reload_json(context_);
    w.RawValue(last.c_str(), last.size(), rapidjson::kObjectType);
    w.EndObject();
    send(response_, 200, done(b));
  }

  void plugins() {
    rapidjson::StringBuffer b;
    Writer w(b);
    w.StartObject();
    w.Key("plugins");
    w.StartArray();
    const auto live = context_.workflows.current();
    for (const auto& [name, plugin] : live->plugins->plugins()) {
      w.StartObject();
      w.Key("name");
      text(w, name);
      w.Key("version");
      text(w, plugin->version);
      w.Key("kind");
      text(w, plugin->is_trigger() ? "trigger" : "node");
      w.Key("description");
      text(w, plugin->description);
      w.Key("ports");
      w.StartArray();
      for (const auto& port : plugin->ports) text(w, port);
      text(w, "error");
      w.EndArray();
      w.Key("fields");
      w.StartArray();
      for (const FieldSpec& f : plugin->fields) text(w, f.name);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    send(response_, 200, done(b));
  }

  // {"events":[...],"next":CURSOR|null} from at most limit + 1 rows: the extra one only tells
  // that there are more.
  void send_page(std::vector<EventRecord> events, std::int64_t limit, bool with_trace) {
    const bool more = static_cast<std::int64_t>(events.size()) > limit;
    if (more) events.pop_back();
    rapidjson::StringBuffer b;
    Writer w(b);
    w.StartObject();
    w.Key("events");
    w.StartArray();
    for (const auto& e : events) write_event_json(w, e, with_trace);
    w.EndArray();
    w.Key("next");
    if (more)
      text(w, std::to_string(events.back().seq));
    else
      w.Null();
    w.EndObject();
    send(response_, 200, done(b));
  }

  void not_found(const char* what, const std::string& id) { send_error(response_, 404, "not_found", std::string("no ") + what + " '" + id + "'"); }

  HttpContext& context_;
  Poco::Net::HTTPServerResponse& response_;
};

// `Authorization: Bearer <token>`; the scheme in any case (RFC 7235), the token compared in
// constant time.
bool token_matches(std::string_view header, const std::string& token) {
  constexpr std::string_view scheme = "bearer ";
  if (header.size() != scheme.size() + token.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    const char c = header[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != scheme[i]) return false;
  }
  return CRYPTO_memcmp(header.data() + scheme.size(), token.data(), token.size()) == 0;
}

// parts[first], parts[first + 1], ... joined by '/'.
std::string joined_from(const std::vector<std::string>& parts, std::size_t first) {
  std::string out;
  for (std::size_t i = first; i < parts.size(); ++i) out += (i == first ? "" : "/") + parts[i];
  return out;
}

}  // namespace

void ApiHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  Poco::URI uri;
  try {
    uri = Poco::URI(request.getURI());
  } catch (const Poco::Exception& e) {
    return send_error(response, 400, "bad_request", "malformed URI: " + e.displayText());
  }
  const std::string path = uri.getPath();
  const auto parts = split(path, '/');
  const bool replay = parts.size() == 3 && parts[0] == "events" && parts[2] == "replay";
  const bool merge = parts.size() == 3 && parts[0] == "profiles" && parts[2] == "merge";
  const bool unblock = parts.size() == 2 && parts[0] == "blocked";
  const bool rederive = parts.size() == 3 && parts[0] == "profiles" && parts[2] == "rederive";
  const bool reload = parts.size() == 2 && parts[0] == "admin" && parts[1] == "reload";
  // POST /destinations/{id}/{retry-failed|enable|disable}, /destinations/{id}/messages/{mid}/retry
  const bool destination_action =
      parts.size() >= 3 && parts[0] == "destinations" &&
      ((parts.size() == 3 && (parts[2] == "retry-failed" || parts[2] == "enable" || parts[2] == "disable")) ||
       (parts.size() == 5 && parts[2] == "messages" && parts[4] == "retry"));
  // DELETE /profiles/{id}/identifiers/{type}:{value}; a value may hold '/' (decoded from %2F).
  const bool remove = parts.size() >= 4 && parts[0] == "profiles" && parts[2] == "identifiers";
  // DELETE /profiles/{id} erases; the same path answers GET with the profile
  const bool erase = parts.size() == 2 && parts[0] == "profiles" && request.getMethod() == Poco::Net::HTTPRequest::HTTP_DELETE;
  // The one method each route answers: the writes are POST, removals DELETE, reads GET.
  const std::string allowed = replay || merge || rederive || reload || destination_action ? Poco::Net::HTTPRequest::HTTP_POST
                              : unblock || remove || erase ? Poco::Net::HTTPRequest::HTTP_DELETE
                                                          : Poco::Net::HTTPRequest::HTTP_GET;
  const std::string& method = request.getMethod();
  if (method != allowed && !(allowed == Poco::Net::HTTPRequest::HTTP_GET && method == Poco::Net::HTTPRequest::HTTP_HEAD)) {
    response.set("Allow", parts.size() == 2 && parts[0] == "profiles" ? "GET, DELETE" : allowed);
    return send_error(response, 405, "method_not_allowed", "this route is asked for with " + allowed);
  }
  if (path == "/healthz") return send(response, 200, R"({"status":"ok"})");
  if (path == "/metrics") return send(response, 200, context_.metrics->render(), "text/plain; version=0.0.4; charset=utf-8");
  if (context_.api_token && !token_matches(request.get("Authorization", ""), *context_.api_token))
    return send_error(response, 401, "unauthorized", "this API needs the header Authorization: Bearer <token> (api.token_env)");
  try {
    Api api(context_, response);
    if (replay)
      api.replay(parts[1]);
    else if (merge)
      merge_profiles_route(context_, request, response, parts[1]);
    else if (unblock)
      unblock_route(context_, response, parts[1]);
    else if (rederive)
      rederive_route(context_, response, parts[1]);
    else if (reload)
      reload_route(context_, response);
    else if (remove)
      remove_identifier_route(context_, response, parts[1], joined_from(parts, 3), uri.getQueryParameters());
    else if (erase)
      erase_route(context_, response, parts[1], uri.getQueryParameters());
    else if (destination_action)
      destination_action_route(context_, response, parts);
    else if (parts.size() == 2 && parts[0] == "export")
      export_route(context_, request, response, parts[1], uri.getQueryParameters());
    else
      api.route(parts, uri.getQueryParameters());
  } catch (const BadRequest& e) {
    send_error(response, 400, "bad_request", e.message);
  } catch (const StoreError& e) {
    Poco::Logger::get("weft.store").error(request.getMethod() + " " + loggable_path(request.getURI()) + ": " + e.what());
    send_error(response, 503, "unavailable", "the store is unavailable; retry later");
  }
}

}  // namespace weft::http
