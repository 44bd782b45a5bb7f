#include "ui_handler.hpp"

#include "responses.hpp"

#include <Poco/Net/HTTPServerRequest.h>

#include <cctype>
#include <fstream>
#include <sstream>

namespace weft::http {
namespace {

// Only plain file names directly in the folder: no '/', no "..", no hidden files.
bool safe_name(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;
  for (const char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) return false;
  return true;
}

std::string content_type(const std::string& name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  if (name.ends_with(".png")) return "image/png";
  if (name.ends_with(".json") || name.ends_with(".map")) return "application/json";
  return "application/octet-stream";
}

}  // namespace

void UiHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_GET && request.getMethod() != Poco::Net::HTTPRequest::HTTP_HEAD) {
    response.set("Allow", "GET");
    return send_error(response, 405, "method_not_allowed", "the console's files are read with GET");
  }
  const std::string& uri = request.getURI();
  const std::string path = uri.substr(0, uri.find('?'));
  if (path == "/ui") {
    response.set("Location", "/ui/");
    return send(response, 308, "");
  }
  std::string name = path.substr(4);  // after "/ui/"
  if (name.empty()) name = "index.html";
  if (!safe_name(name)) return send_error(response, 404, "not_found", "no console file '" + name + "'");
  if (context_.ui_dir.empty())
    return send_error(response, 404, "not_found", "the web console was not built with this weft (it needs Node.js and npm at build time)");
  std::ifstream file(context_.ui_dir / name, std::ios::binary);
  if (!file) return send_error(response, 404, "not_found", "no console file '" + name + "'");
  std::ostringstream body;
  body << file.rdbuf();
  // Everything the page needs comes from this server; nothing from elsewhere may run.
  response.set("Content-Security-Policy",
               "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Cache-Control", "no-cache");
  send(response, 200, body.str(), content_type(name));
}

}  // namespace weft::http
