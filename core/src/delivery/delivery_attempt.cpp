#include "weft/delivery/delivery_attempt.hpp"

#include "weft/base/clock.hpp"
#include "weft/delivery/webhook_signature.hpp"
#include "weft/event/json.hpp"

#include <Poco/DateTimeParser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <istream>
#include <ostream>

namespace weft {
namespace {

constexpr std::size_t response_kept = 1024;       // bytes of an answer kept in the attempt log
constexpr std::size_t response_drained = 64 * 1024;  // read past that to keep the connection; more: close it
constexpr std::chrono::hours longest_retry_after{24};

// A JSON string of `text`, escaped by the project's writer.
std::string json_string(std::string_view text) {
  return to_json(rapidjson::Value(rapidjson::StringRef(text.data(), static_cast<rapidjson::SizeType>(text.size()))));
}

// Retry-After: seconds, or an HTTP date.
std::optional<std::chrono::seconds> parse_retry_after(const std::string& value, std::int64_t now_seconds) {
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return longest_retry_after;
    return std::chrono::seconds(std::stoll(value));
  }
  Poco::DateTime date;
  int zone = 0;
  if (!Poco::DateTimeParser::tryParse(value, date, zone)) return std::nullopt;
  const std::int64_t at = date.timestamp().epochTime() - zone;
  return std::chrono::seconds(std::max<std::int64_t>(0, at - now_seconds));
}

std::unique_ptr<Poco::Net::HTTPClientSession> open_session(const Poco::URI& uri, const Destination& destination) {
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (uri.getScheme() == "https") {
    Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", destination.ca_file,
                                                           Poco::Net::Context::VERIFY_RELAXED, 9, destination.ca_file.empty()));
    session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  }
  const Poco::Timespan timeout(std::chrono::duration_cast<std::chrono::microseconds>(destination.timeout).count());
  session->setTimeout(timeout, timeout, timeout);
  session->setKeepAlive(true);
  return session;
}

}  // namespace

std::string message_body(const OutgoingMessage& message) {
  return "{\"type\":" + json_string(message.type) + ",\"timestamp\":" + json_string(format_time(message.created_at)) +
         ",\"data\":" + message.data + "}";
}

DestinationClient::DestinationClient(const Destination& destination) : destination_(destination) {
  const Poco::URI uri(destination.url);
  path_ = uri.getPathAndQuery();
  if (path_.empty()) path_ = "/";
}

DestinationClient::~DestinationClient() = default;

AttemptOutcome DestinationClient::send(const OutgoingMessage& message, std::int64_t now_seconds) {
  AttemptOutcome outcome;
  const std::string body = message_body(message);
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  };
  try {
    if (!session_) session_ = open_session(Poco::URI(destination_.url), destination_);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path_, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    request.set("User-Agent", std::string("weft/") + WEFT_VERSION);
    request.set("webhook-id", message.id);
    request.set("webhook-timestamp", std::to_string(now_seconds));
    if (!destination_.signing_key.empty())
      request.set("webhook-signature", sign_webhook(destination_.signing_key, message.id, now_seconds, body));
    for (const auto& [name, value] : destination_.headers) request.set(name, value);
    session_->sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session_->receiveResponse(response);
    const int status = response.getStatus();
    outcome.http_status = status;
    char buffer[4096];
    std::size_t read = 0;
    while (in && read < response_drained) {
      in.read(buffer, sizeof buffer);
      const auto n = static_cast<std::size_t>(in.gcount());
      if (outcome.response.size() < response_kept) outcome.response.append(buffer, std::min(n, response_kept - outcome.response.size()));
      read += n;
      if (n == 0) break;
    }
    if (read >= response_drained) session_.reset();  // the rest is not worth reading: a new connection next time
    if (status >= 200 && status < 300) {
      outcome.result = AttemptOutcome::Result::delivered;
    } else {
      outcome.result = status == 410 ? AttemptOutcome::Result::gone : AttemptOutcome::Result::retry;
      outcome.error = "HTTP " + std::to_string(status) + (response.getReason().empty() ? "" : " " + response.getReason());
      if ((status == 429 || status == 503) && response.has("Retry-After"))
        outcome.retry_after = parse_retry_after(response.get("Retry-After"), now_seconds);
    }
  } catch (const Poco::TimeoutException&) {
    session_.reset();
    outcome.error = "no answer within " + std::to_string(destination_.timeout.count()) + " ms";
  } catch (const Poco::Exception& e) {
    session_.reset();
    outcome.error = e.displayText();
  } catch (const std::exception& e) {
    session_.reset();
    outcome.error = e.what();
  }
  outcome.ms = elapsed();
  return outcome;
}

std::optional<std::chrono::milliseconds> next_attempt_after(const Destination& destination, int attempts_made,
                                                            std::optional<std::chrono::seconds> retry_after, double jitter) {
  if (attempts_made < 1 || static_cast<std::size_t>(attempts_made) > destination.retry.size()) return std::nullopt;
  if (retry_after) return std::chrono::duration_cast<std::chrono::milliseconds>(std::min<std::chrono::seconds>(*retry_after, longest_retry_after));
  const std::chrono::milliseconds wait = destination.retry[static_cast<std::size_t>(attempts_made) - 1];
  return wait + std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(wait.count()) * 0.1 * std::clamp(jitter, 0.0, 1.0)));
}

}  // namespace weft
