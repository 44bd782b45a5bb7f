#include "server_process.hpp"

#include "weft/event/json.hpp"
#include "weft/event/jsonpath.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <csignal>
#include <fstream>
#include <stdexcept>

namespace weft::test {
namespace {

std::string write_config(const TempDir& dir, const ServeOptions& options) {
  std::string plugin_dirs;
  for (const auto& d : options.plugin_dirs.empty() ? std::vector<std::string>{WEFT_PLUGIN_DIR} : options.plugin_dirs)
    plugin_dirs += (plugin_dirs.empty() ? "" : ", ") + d;
  const std::string workflows = options.workflows.empty() ? std::string(WEFT_SOURCE_DIR) + "/workflows" : options.workflows;
  return dir.write("weft.yaml", "listen: " + options.listen + "\nstore: " + options.store + "\nworkflows: " + workflows + "\nplugin_dirs: [" + plugin_dirs +
                                    "]\n" + options.extra_config)
      .string();
}

}  // namespace

ServerProcess::ServerProcess(const TempDir& dir, ServeOptions options) {
  const std::string config = write_config(dir, options);
  Poco::Pipe out;
  Poco::Process::Env env(options.env.begin(), options.env.end());
  process_ = std::make_unique<Poco::ProcessHandle>(
      Poco::Process::launch(WEFT_BINARY, {"serve", "--config", config}, dir.path().string(), nullptr, &out, &out, env));
  reader_ = std::thread([this, out]() mutable {
    Poco::PipeInputStream in(out);
    std::string line;
    while (std::getline(in, line)) {
      std::lock_guard lock(mutex_);
      output_ += line + "\n";
      changed_.notify_all();
    }
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  });
  std::unique_lock lock(mutex_);
  // The port of "listening on http://127.0.0.1:PORT", once the server printed it; 0 before.
  const auto listening_port = [&]() -> int {
    constexpr std::string_view marker = "listening on http://127.0.0.1:";
    const std::size_t at = output_.find(marker);
    if (at == std::string::npos) return 0;
    const std::size_t digits = at + marker.size();
    const std::size_t end = output_.find_first_not_of("0123456789", digits);
    if (end == std::string::npos || end == digits) return 0;  // not all of it printed yet
    return std::stoi(output_.substr(digits, end - digits));
  };
  // Generous: a sanitizer build starts slowly. Only a broken server ever waits this long.
  changed_.wait_for(lock, std::chrono::seconds(60), [&] { return closed_ || listening_port() != 0; });
  const int port = listening_port();
  if (port == 0) {
    const std::string text = output_;
    lock.unlock();
    signal(SIGKILL);
    wait();
    throw std::runtime_error("weft serve did not start:\n" + text);
  }
  port_ = static_cast<std::uint16_t>(port);
}

ServerProcess::~ServerProcess() {
  if (!exited_) {
    signal(SIGTERM);
    wait();
  }
}

void ServerProcess::signal(int signal) { ::kill(process_->id(), signal); }

int ServerProcess::wait() {
  if (!exited_) {
    // Bounded: a server that does not exit within 60 s of being asked is killed, and the
    // caller sees -1 instead of a hung test run.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    int code = process_->tryWait();
    while (code == -1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      code = process_->tryWait();
    }
    if (code == -1) {
      signal(SIGKILL);
      process_->wait();
    }
    exit_code_ = code;
    exited_ = true;
    if (reader_.joinable()) reader_.join();
  }
  return exit_code_;
}

std::string ServerProcess::output() {
  std::lock_guard lock(mutex_);
  return output_;
}

std::uint16_t ServerProcess::port_of(const std::string& url_start) {
  const std::string text = output();
  const std::size_t at = text.find(url_start);
  if (at == std::string::npos) return 0;
  const std::size_t digits = at + url_start.size();
  const std::size_t end = text.find_first_not_of("0123456789", digits);
  return end == digits ? 0 : static_cast<std::uint16_t>(std::stoi(text.substr(digits, end - digits)));
}

std::pair<int, std::string> serve_refusal(const TempDir& dir, ServeOptions options) {
  const std::string config = write_config(dir, options);
  Poco::Pipe out;
  Poco::Process::Env env(options.env.begin(), options.env.end());
  Poco::ProcessHandle handle = Poco::Process::launch(WEFT_BINARY, {"serve", "--config", config}, dir.path().string(), nullptr, &out, &out, env);
  // A server that starts after all (the refusal broken) is stopped after 30 s, so that the test
  // fails instead of hanging.
  std::mutex mutex;
  std::condition_variable done;
  bool exited = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (!done.wait_for(lock, std::chrono::seconds(30), [&] { return exited; })) Poco::Process::requestTermination(handle.id());
  });
  Poco::PipeInputStream in(out);
  std::string text;
  Poco::StreamCopier::copyToString(in, text);
  const int code = handle.wait();
  {
    std::lock_guard lock(mutex);
    exited = true;
  }
  done.notify_one();
  watchdog.join();
  return {code, text};
}

HttpResponse http(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body,
                  const std::string& content_type, const Headers& headers) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(120, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (method != "GET" || !body.empty()) {
    if (!content_type.empty()) request.setContentType(content_type);
    request.setContentLength64(static_cast<Poco::UInt64>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpResponse result;
  result.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, result.body);
  for (const auto& [name, value] : response) result.headers[Poco::toLower(name)] = value;
  return result;
}

std::string json_member(const std::string& json, const std::string& path) {
  rapidjson::Document doc;
  rapidjson::Value root;
  if (!parse_json(json, root, doc.GetAllocator(), 128).ok) return "<not JSON: " + json + ">";
  const rapidjson::Value* v = JsonPath::parse(path).select(root);
  if (!v) return "";
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  return to_json(*v);
}

}  // namespace weft::test
