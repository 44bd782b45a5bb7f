#include "operation_runner.hpp"

#include "runtime_setup.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <cstdlib>

namespace weft::app {

void authorize(Poco::Net::HTTPRequest& request, const Settings& settings) {
  if (settings.token_env.empty()) return;
  if (const char* token = std::getenv(settings.token_env.c_str()); token && *token) request.set("Authorization", std::string("Bearer ") + token);
}

Answer ask_server(const std::string& url, const std::string& method, const std::string& path, const std::string& body, const Settings& settings) {
  const Poco::URI uri(url);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  authorize(request, settings);
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  std::string answer;
  Poco::StreamCopier::copyToString(in, answer);
  return {static_cast<int>(response.getStatus()), answer};
}

std::optional<Answer> run_on_store(const Settings& settings, const std::string& command,
                                   const std::function<Operation(const WorkflowsBySource&)>& make) {
  const auto loaded = load_workflows_or_report(settings, command);
  if (!loaded) return std::nullopt;
  const auto store = open_store_or_report(settings, command, StoreUse::alone);
  if (!store) return std::nullopt;
  EventWriter writer(*store);
  OperationResult result = run_in_transaction(writer, make(loaded->by_source));
  if (result.answer.status < 400) {
    if (result.on_commit) result.on_commit();
    if (result.answer.before_sending) result.answer.before_sending(result.answer);  // an erasure's scrub of the files
  }
  return result.answer;
}

std::string encoded_segment(const std::string& segment) {
  std::string out;
  Poco::URI::encode(segment, "/?#%", out);
  return out;
}

}  // namespace weft::app
