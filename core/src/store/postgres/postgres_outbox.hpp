// The outbox (outbox.hpp) on the PostgreSQL store's connection. Claims lock with FOR UPDATE SKIP
// LOCKED, so that several processes share one queue: each message is leased by one of them at a
// time, and a profile's later message waits while its earlier one is pending anywhere.
#pragma once

#include "weft/store/outbox.hpp"

namespace weft {
namespace pg {
class Connection;
class Result;
}

class PostgresOutbox final : public Outbox {
public:
  // Prepares the outbox's statements on `connection` (before its prepare_done()).
  explicit PostgresOutbox(pg::Connection& connection);

  void relax_isolation() override;
  void enqueue(const OutboxMessage& message) override;
  bool has_waiting_update(std::string_view destination, std::string_view profile_id) override;
  std::vector<OutboxMessage> claim(std::string_view destination, std::int64_t now, std::int64_t lease_until, std::int64_t limit,
                                   bool per_profile) override;
  void settle(const MessageSettlement& settlement) override;
  void release(std::int64_t seq, std::int64_t lease_until) override;
  DestinationCounts counts(std::string_view destination) override;
  std::vector<OutboxMessage> messages(std::string_view destination, std::string_view status, std::int64_t after_seq,
                                      std::int64_t limit) override;
  std::vector<MessageAttempt> attempts(std::int64_t seq) override;
  bool retry(std::string_view destination, std::string_view message_id, std::int64_t now) override;
  std::int64_t retry_failed(std::string_view destination, std::int64_t now) override;
  DestinationRecord destination(std::string_view id) override;
  void save_destination(std::string_view id, const DestinationRecord& record) override;

  // Erasure (SPEC 14): deletes every message, with its attempts, of the profiles in the scope of
  // the live profile `live_id`; how many.
  std::int64_t erase_of_scope(std::string_view live_id);

private:
  pg::Connection& c_;
};

}  // namespace weft
