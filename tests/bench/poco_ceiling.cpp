// The ceiling for `weft serve`: a bare Poco::Net::HTTPServer with weft's server settings that
// reads each body and answers 200 with a small JSON body. Prints the port it listens on.
#include "weft/serve/http/http_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <csignal>
#include <iostream>
#include <istream>

namespace {

class Answer200 : public Poco::Net::HTTPRequestHandler {
public:
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    std::string body;
    char buffer[16384];
    std::istream& in = request.stream();
    while (in.read(buffer, sizeof buffer).gcount() > 0) body.append(buffer, static_cast<std::size_t>(in.gcount()));
    static const std::string answer = R"({"event_id":null,"profile_id":null,"status":"ok"})";
    response.setContentType("application/json");
    response.setContentLength64(answer.size());
    response.send() << answer;
  }
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Answer200; }
};

}  // namespace

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const std::string listen = argc > 1 ? argv[1] : "127.0.0.1:0";
  Poco::Net::ServerSocket socket{Poco::Net::SocketAddress(listen), 256};
  Poco::ThreadPool threads(weft::http_min_threads, weft::http_max_threads, 60);
  Poco::Net::HTTPServer server(new Factory, threads, socket, weft::http_server_params());
  server.start();
  std::cout << "ceiling listening on http://127.0.0.1:" << socket.address().port() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  server.stopAll(true);
  return 0;
}
