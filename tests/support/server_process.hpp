// A real `weft serve` in a child process, on an ephemeral loopback port, and a small HTTP
// client to talk to it. Tests drive it exactly as a webhook sender or an API user would.
#pragma once

#include "temp_dir.hpp"

#include <Poco/Process.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace weft::test {

struct ServeOptions {
  std::string workflows;                     // default: the example workflows
  std::vector<std::string> plugin_dirs;      // default: the built plugins
  std::string extra_config;                  // more weft.yaml lines (limits, api)
  std::string store = "sqlite:weft.db";      // the store location
  std::map<std::string, std::string> env;    // added to the child's environment
  std::string listen = "127.0.0.1:0";        // the listen: value, as YAML (the first must be plain HTTP)
};

class ServerProcess {
public:
  // Starts weft serve with its config and store in `dir`; waits until it listens. Throws with
  // the server's output when it does not start.
  ServerProcess(const TempDir& dir, ServeOptions options = {});
  ~ServerProcess();  // SIGTERM, then waits

  std::uint16_t port() const { return port_; }
  // The port of another address it printed, by its URL's start ("https://127.0.0.1:"); 0 if none.
  std::uint16_t port_of(const std::string& url_start);
  void signal(int signal);
  int wait();  // exit status; -1 when it had to be killed after 60 s
  std::string output();

private:
  std::unique_ptr<Poco::ProcessHandle> process_;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;
  bool closed_ = false;
  bool exited_ = false;
  int exit_code_ = 0;
  std::uint16_t port_ = 0;
};

// Runs weft serve expecting it to refuse to start; returns its exit status and output.
std::pair<int, std::string> serve_refusal(const TempDir& dir, ServeOptions options);

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-case
};

using Headers = std::vector<std::pair<std::string, std::string>>;

HttpResponse http(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body = "",
                  const std::string& content_type = "application/json", const Headers& headers = {});

// A JSON member of a response body as text ("" when absent); for short checks.
std::string json_member(const std::string& json, const std::string& path);

}  // namespace weft::test
