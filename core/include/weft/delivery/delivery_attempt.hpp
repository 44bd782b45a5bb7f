// One attempt to deliver a message to a destination (SPEC 17), and what follows from it: the
// request (body exactly {"type","timestamp","data"}, Standard Webhooks headers, the
// destination's own headers, redirects not followed), its outcome (2xx delivered, 410 gone,
// anything else, a timeout or a refused connection: retry), and when to try again (the
// destination's schedule, up to 10 % jitter, a Retry-After on 429 or 503 honoured).
#pragma once

#include "weft/delivery/destination.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace Poco::Net {
class HTTPClientSession;
}

namespace weft {

struct OutgoingMessage {
  std::string id;               // the webhook-id: the same on every attempt
  std::string type;             // profile.updated, or a deliver node's type
  std::int64_t created_at = 0;  // microseconds: the body's timestamp
  std::string data;             // JSON: the body's data
};

// {"type":...,"timestamp":"<RFC 3339>","data":...}: the bytes that are signed and sent.
std::string message_body(const OutgoingMessage& message);

struct AttemptOutcome {
  // gone: 410, the destination is disabled; unsendable: nothing was sent, and nothing ever
  // will be (the message is failed at once)
  enum class Result { delivered, retry, gone, unsendable };
  Result result = Result::retry;
  std::optional<int> http_status;  // none when no answer came (refused, timeout)
  std::string error;               // why it failed, for the attempt log; empty when delivered
  std::int64_t ms = 0;
  std::string response;                         // the first 1 KiB of the answer's body
  std::optional<std::chrono::seconds> retry_after;  // from a 429 or 503
};

// Sends to one destination over a session kept alive between attempts. Not thread-safe: a
// dispatcher gives each of a destination's in-flight slots its own.
class DestinationClient {
public:
  explicit DestinationClient(const Destination& destination);
  ~DestinationClient();
  DestinationClient(const DestinationClient&) = delete;
  DestinationClient& operator=(const DestinationClient&) = delete;

  // One attempt at `now_seconds` (the webhook-timestamp). Never throws for the network's or
  // the endpoint's failures: they are the outcome.
  AttemptOutcome send(const OutgoingMessage& message, std::int64_t now_seconds);

private:
  const Destination& destination_;
  std::string path_;  // the URL's path and query
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

// The wait before the next attempt, after `attempts_made` attempts failed (retry outcomes),
// or nullopt when the schedule is spent (the message is `failed`). `jitter` in [0, 1) adds
// that share of 10 %; a Retry-After longer than the schedule's wait replaces it.
std::optional<std::chrono::milliseconds> next_attempt_after(const Destination& destination, int attempts_made,
                                                            std::optional<std::chrono::seconds> retry_after, double jitter);

}  // namespace weft
