// A webhook receiver on loopback (Poco's HTTP server in the test's process) that answers from a
// script, in order (200 when the script is spent), and records every request it was sent.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace weft::test {

struct Answer {
  int status = 200;
  std::string body{};
  std::vector<std::pair<std::string, std::string>> headers{};
  std::chrono::milliseconds delay{0};
};

struct Received {
  std::map<std::string, std::string> headers;  // lower-case names
  std::string path;
  std::string body;
};

// A receiver that answers from a script, in order, and records what it was sent.
class Receiver {
public:
  Receiver() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket_, params);
    server_->start();
  }
  // Waits for handlers still answering (a timed-out one sleeps on): Poco's threads must not
  // outlive the test.
  ~Receiver() {
    server_->stopAll(true);
    while (active_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  std::string url(const std::string& path = "/hooks/in?x=1") const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + path; }
  void script(Answer answer) {
    std::lock_guard lock(mutex_);
    answers_.push_back(std::move(answer));
  }
  // The answer once the script is spent (200 at once unless set).
  void answer_by_default(Answer answer) {
    std::lock_guard lock(mutex_);
    fallback_ = std::move(answer);
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return received_.size();
  }
  // How many distinct values of `header` (lower-case) the requests carried.
  std::size_t distinct(const std::string& header) {
    std::lock_guard lock(mutex_);
    std::set<std::string> values;
    for (const Received& r : received_)
      if (const auto it = r.headers.find(header); it != r.headers.end()) values.insert(it->second);
    return values.size();
  }
  // Requests that arrived while another with the same webhook-id was still being answered.
  int overlapping() const { return overlapping_.load(); }
  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

private:
  struct Handler : Poco::Net::HTTPRequestHandler {
    explicit Handler(Receiver& r) : receiver(r) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      ++receiver.active_;
      struct Done {
        std::atomic<int>& active;
        ~Done() { --active; }
      } done{receiver.active_};
      Received got;
      got.path = request.getURI();
      for (const auto& [name, value] : request) {
        std::string lower = name;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        got.headers[lower] = value;
      }
      Poco::StreamCopier::copyToString(request.stream(), got.body);
      Answer answer;
      const auto id = got.headers.find("webhook-id");
      {
        std::lock_guard lock(receiver.mutex_);
        answer = receiver.fallback_;
        if (id != got.headers.end() && !receiver.answering_.insert(id->second).second) ++receiver.overlapping_;
      }
      struct Answered {
        Receiver& receiver;
        std::string id;
        ~Answered() {
          std::lock_guard lock(receiver.mutex_);
          receiver.answering_.erase(id);
        }
      } answered{receiver, id != got.headers.end() ? id->second : std::string()};
      {
        std::lock_guard lock(receiver.mutex_);
        receiver.received_.push_back(got);
        if (!receiver.answers_.empty()) {
          answer = receiver.answers_.front();
          receiver.answers_.pop_front();
        }
      }
      std::this_thread::sleep_for(answer.delay);
      response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
      for (const auto& [name, value] : answer.headers) response.set(name, value);
      response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
      response.send() << answer.body;
    }
    Receiver& receiver;
  };
  struct Factory : Poco::Net::HTTPRequestHandlerFactory {
    explicit Factory(Receiver& r) : receiver(r) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Handler(receiver); }
    Receiver& receiver;
  };

  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::mutex mutex_;
  std::deque<Answer> answers_;
  Answer fallback_{};
  std::set<std::string> answering_;  // webhook-ids being answered now
  std::atomic<int> overlapping_{0};
  std::vector<Received> received_;
  std::atomic<int> active_{0};
};

}  // namespace weft::test
