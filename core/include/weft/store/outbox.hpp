// The transactional outbox of SPEC 17: messages for destinations, written by the writer in the
// transaction of the event or operation that made them, and claimed, attempted and settled by
// the dispatcher. Every write runs inside the writer's open transaction (the committer's).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

struct OutboxMessage {
  std::int64_t seq = 0;  // order of writing in this store; set when loaded, cursors page by it
  std::string id;        // the webhook-id: the same on every attempt
  std::string destination;
  std::string type;
  std::optional<std::string> profile_id{};  // whose message it is (per-profile order, erasure)
  std::int64_t created_at = 0;            // microseconds
  std::string data;                       // JSON
  std::string status = "pending";         // pending | failed | delivered
  std::int64_t attempts = 0;              // attempts since it was made or last retried by hand
};

struct MessageAttempt {
  std::int64_t at = 0;  // microseconds
  std::optional<int> http_status{};
  std::optional<std::string> error{};
  std::int64_t ms = 0;
  std::string response{};  // the first 1 KiB of the answer's body
};

// What became of one attempt.
struct MessageSettlement {
  std::int64_t seq = 0;
  MessageAttempt attempt{};
  enum class Next { delivered, retry, failed, stay } next = Next::delivered;
  std::int64_t next_at = 0;  // retry: when it is due again
  bool clear_data = false;   // delivered: forget its data (profile.erased, SPEC 17)
};

struct DestinationCounts {
  std::int64_t pending = 0;
  std::int64_t failed = 0;
  std::int64_t delivered = 0;
  std::optional<std::int64_t> oldest_pending_at{};  // created_at of the oldest pending message
};

// What the store keeps of a destination besides its file: whether an operator or a 410
// disabled it, and its failures, for disable_after and the API.
struct DestinationRecord {
  std::optional<std::int64_t> disabled_at{};
  std::optional<std::string> disabled_reason{};
  std::optional<std::int64_t> failing_since{};  // the first failure since the last success
  std::optional<std::int64_t> last_error_at{};
  std::optional<std::string> last_error{};
};

class Outbox {
public:
  virtual ~Outbox() = default;

  virtual void enqueue(const OutboxMessage& message) = 0;
  // Coalescing: whether the profile has a profile.updated message at the destination that waits
  // untouched (never attempted nor claimed), so that a newer change needs none.
  virtual bool has_waiting_update(std::string_view destination, std::string_view profile_id) = 0;

  // Called first in a transaction that only claims or settles: such a transaction needs no
  // serializable isolation (PostgreSQL: two processes' claims would fail each other as
  // serialization conflicts, although FOR UPDATE SKIP LOCKED already keeps them apart).
  virtual void relax_isolation() {}

  // Leases at most `limit` due pending messages of the destination, oldest first, until
  // `lease_until`: due (next_at <= now), not leased by anyone (or the lease ran out), and with
  // `per_profile`, no earlier pending message of the same profile to the same destination.
  virtual std::vector<OutboxMessage> claim(std::string_view destination, std::int64_t now, std::int64_t lease_until, std::int64_t limit,
                                           bool per_profile) = 0;
  // Records the attempt and the message's next state; the lease ends. Nothing when the message
  // is gone (erased while it was being sent).
  virtual void settle(const MessageSettlement& settlement) = 0;
  // Ends a lease that was never used (claimed, not sent): the message can be claimed at once.
  // Nothing happens when the lease is no longer `lease_until` (it ran out and another took it).
  virtual void release(std::int64_t seq, std::int64_t lease_until) = 0;

  virtual DestinationCounts counts(std::string_view destination) = 0;
  // The destination's messages of `status` (empty: any), after cursor `after_seq`, oldest first.
  virtual std::vector<OutboxMessage> messages(std::string_view destination, std::string_view status, std::int64_t after_seq,
                                              std::int64_t limit) = 0;
  virtual std::vector<MessageAttempt> attempts(std::int64_t seq) = 0;
  // Sends a message again from the first attempt of the schedule: pending, due at `now`. False
  // when the destination has no such message.
  virtual bool retry(std::string_view destination, std::string_view message_id, std::int64_t now) = 0;
  // The same for every failed message of the destination; how many.
  virtual std::int64_t retry_failed(std::string_view destination, std::int64_t now) = 0;

  virtual DestinationRecord destination(std::string_view id) = 0;
  virtual void save_destination(std::string_view id, const DestinationRecord& record) = 0;
};

}  // namespace weft
