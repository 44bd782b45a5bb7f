// `weft profiles merge ID OTHER [--reason R] [--url http://HOST:PORT]`: the command-line twin of
// POST /profiles/{id}/merge (SPEC 13). Without --url it runs the same operation on the
// configured store, which no server may be writing to; with --url it asks that server.
#include "weft/serve/operations.hpp"
#include "runtime_setup.hpp"
#include "weft_app.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <iostream>

namespace weft::app {
namespace {

std::string merge_body(const std::string& other, const std::string& reason) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("profile");
  w.String(other.c_str(), static_cast<rapidjson::SizeType>(other.size()));
  w.Key("reason");
  w.String(reason.c_str(), static_cast<rapidjson::SizeType>(reason.size()));
  w.EndObject();
  return buffer.GetString();
}

// POSTs `body` to `path` of the server at `url`, with the API token of api.token_env if set.
Answer post(const std::string& url, const std::string& path, const std::string& body, const Settings& settings) {
  const Poco::URI uri(url);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  if (!settings.token_env.empty())
    if (const char* token = std::getenv(settings.token_env.c_str()); token && *token) request.set("Authorization", std::string("Bearer ") + token);
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  std::string answer;
  Poco::StreamCopier::copyToString(in, answer);
  return {static_cast<int>(response.getStatus()), answer};
}

// Runs `operation` on the configured store; nullopt when the store does not open (reported).
std::optional<Answer> run_on_store(const Settings& settings, const Operation& operation) {
  const auto store = open_store_or_report(settings, "profiles");
  if (!store) return std::nullopt;
  EventWriter writer(*store);
  return run_in_transaction(writer, operation).answer;
}

}  // namespace

int profiles_command(const Invocation& invocation) {
  const auto& args = invocation.args;
  if (args.size() != 3 || args[0] != "merge") {
    std::cerr << "weft profiles: expected `weft profiles merge ID OTHER [--reason TEXT] [--url http://HOST:PORT]` "
                 "(run `weft profiles --help`)\n";
    return exit_usage;
  }
  const std::string reason = invocation.reason.value_or("");
  std::optional<Answer> answer;
  try {
    if (invocation.url) {
      std::string id;
      Poco::URI::encode(args[1], "/?#%", id);
      answer = post(*invocation.url, "/profiles/" + id + "/merge", merge_body(args[2], reason), invocation.settings);
    } else {
      Metrics unused;  // counted by a serving process only
      answer = run_on_store(invocation.settings, operator_merge({args[1], args[2], TraitPolicy::keep_survivor, reason}, unused));
    }
  } catch (const Poco::Exception& e) {
    std::cerr << "weft profiles: cannot reach " << *invocation.url << ": " << e.displayText() << "\n";
    return exit_invalid;
  } catch (const StoreError& e) {
    std::cerr << "weft profiles: the store failed: " << e.what() << "\n";
    return exit_invalid;
  }
  if (!answer) return exit_invalid;
  (answer->status == 200 ? std::cout : std::cerr) << answer->body << "\n";
  return answer->status == 200 ? exit_ok : exit_invalid;
}

}  // namespace weft::app
