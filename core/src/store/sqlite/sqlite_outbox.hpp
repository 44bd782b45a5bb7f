// The outbox (outbox.hpp) on the SQLite store's connection, inside its transactions.
#pragma once

#include "weft/store/outbox.hpp"
#include "weft/store/sqlite/sqlite.hpp"

namespace weft {

class SqliteOutbox final : public Outbox {
public:
  explicit SqliteOutbox(SqliteDb& db);

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

  // Erasure (SPEC 14): deletes every message, with its attempts, of the profiles `in_scope`
  // selects (an SQL condition on profiles.id bound to ?1); how many.
  std::int64_t erase_of_scope(std::string_view live_id);

private:
  std::vector<OutboxMessage> rows(SqliteStatement& s);
  // single_integer of a chain query bound to (profile_id, destination, seq)
  std::int64_t in_chain(SqliteStatement& s, std::int64_t seq, const std::string& profile_id, std::string_view destination);
  // Links a message just made pending again into its chain (see sqlite_outbox.cpp).
  void relink(std::int64_t seq, const std::string& profile_id, std::string_view destination);
  std::int64_t next_in_chain(std::int64_t seq, const std::string& profile_id, std::string_view destination);
  void bypass(std::int64_t seq);
  void make_pending(std::int64_t seq, const std::optional<std::string>& profile_id, std::string_view destination, std::int64_t now);

  SqliteDb& db_;
  SqliteStatement insert_, has_waiting_update_, waits_for_, pending_before_, pending_after_, newest_after_, set_after_, pending_link_;
  SqliteStatement claim_ordered_, claim_any_, lease_, attempt_, delivered_, retry_at_, failed_, stay_, release_;
  SqliteStatement count_pending_, oldest_pending_, count_settled_, pending_list_, settled_list_, any_list_, attempts_;
  SqliteStatement find_, failed_of_, retry_, destination_, save_destination_, erase_attempts_, erase_messages_;
};

}  // namespace weft
