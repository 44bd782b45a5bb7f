#include "postgres_outbox.hpp"

#include "postgres_connection.hpp"
#include "store/profile_sql.hpp"

#include <algorithm>

namespace weft {

using pg::Result;

namespace {

#define MESSAGE_COLUMNS "seq, id, destination, type, profile_id, created_at, data, status, attempts"

std::string claim_sql(bool per_profile) {
  std::string sql =
      "WITH c AS (SELECT seq FROM messages m WHERE destination = $1 AND status = 'pending' AND next_at <= $2 AND "
      "(lease_until IS NULL OR lease_until <= $2)";
  if (per_profile)
    sql += " AND (profile_id IS NULL OR NOT EXISTS (SELECT 1 FROM messages e WHERE e.profile_id = m.profile_id AND "
           "e.destination = m.destination AND e.status = 'pending' AND e.seq < m.seq))";
  sql += " ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED) UPDATE messages SET lease_until = $3 FROM c WHERE messages.seq = c.seq "
         "RETURNING messages.seq, id, destination, type, profile_id, created_at, data, status, attempts";
  return sql;
}

std::vector<OutboxMessage> message_rows(const Result& r) {
  std::vector<OutboxMessage> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({.seq = r.integer(i, 0),
                   .id = r.text(i, 1),
                   .destination = r.text(i, 2),
                   .type = r.text(i, 3),
                   .profile_id = r.optional_text(i, 4),
                   .created_at = r.integer(i, 5),
                   .data = r.text(i, 6),
                   .status = r.text(i, 7),
                   .attempts = r.integer(i, 8)});
  return out;
}

std::optional<std::string> optional_number(const std::optional<std::int64_t>& n) {
  if (!n) return std::nullopt;
  return std::to_string(*n);
}

std::optional<std::int64_t> optional_integer(const Result& r, int column) {
  if (r.is_null(0, column)) return std::nullopt;
  return r.integer(0, column);
}

}  // namespace

PostgresOutbox::PostgresOutbox(pg::Connection& c) : c_(c) {
  c.prepare("outbox_insert", "INSERT INTO messages (id, destination, type, profile_id, created_at, data, status, attempts, next_at) "
                             "VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $5)");
  c.prepare("outbox_has_waiting_update", "SELECT 1 FROM messages WHERE profile_id = $2 AND destination = $1 AND status = 'pending' "
                                         "AND type = 'profile.updated' AND attempts = 0 AND lease_until IS NULL LIMIT 1");
  c.prepare("outbox_claim_ordered", claim_sql(true));
  c.prepare("outbox_claim_any", claim_sql(false));
  c.prepare("outbox_attempt", "INSERT INTO message_attempts (message, at, http_status, error, ms, response) "
                              "SELECT $1::bigint, $2::bigint, $3::integer, $4::text, $5::bigint, $6::text "
                              "WHERE EXISTS (SELECT 1 FROM messages WHERE seq = $1)");
  c.prepare("outbox_delivered", "UPDATE messages SET status = 'delivered', attempts = attempts + 1, lease_until = NULL, "
                                "data = CASE WHEN $2 THEN '{}' ELSE data END WHERE seq = $1");
  c.prepare("outbox_retry_at", "UPDATE messages SET attempts = attempts + 1, next_at = $2, lease_until = NULL WHERE seq = $1");
  c.prepare("outbox_failed", "UPDATE messages SET status = 'failed', attempts = attempts + 1, lease_until = NULL WHERE seq = $1");
  c.prepare("outbox_stay", "UPDATE messages SET lease_until = NULL WHERE seq = $1");
  c.prepare("outbox_release", "UPDATE messages SET lease_until = NULL WHERE seq = $1 AND lease_until = $2");
  c.prepare("outbox_counts", "SELECT (SELECT count(*) FROM messages WHERE destination = $1 AND status = 'pending'), "
                             "(SELECT count(*) FROM messages WHERE destination = $1 AND status = 'failed'), "
                             "(SELECT count(*) FROM messages WHERE destination = $1 AND status = 'delivered'), "
                             "(SELECT created_at FROM messages WHERE destination = $1 AND status = 'pending' ORDER BY seq LIMIT 1)");
  c.prepare("outbox_list", "SELECT " MESSAGE_COLUMNS " FROM messages WHERE destination = $1 AND ($4 = '' OR status = $4) AND seq > $2 "
                           "ORDER BY seq LIMIT $3");
  c.prepare("outbox_attempts", "SELECT at, http_status, error, ms, response FROM message_attempts WHERE message = $1 ORDER BY seq");
  c.prepare("outbox_retry", "UPDATE messages SET status = 'pending', attempts = 0, next_at = $3, lease_until = NULL "
                            "WHERE destination = $1 AND id = $2 RETURNING 1");
  c.prepare("outbox_retry_failed", "UPDATE messages SET status = 'pending', attempts = 0, next_at = $2, lease_until = NULL "
                                   "WHERE destination = $1 AND status = 'failed' RETURNING 1");
  c.prepare("outbox_destination", "SELECT disabled_at, disabled_reason, failing_since, last_error_at, last_error FROM destinations WHERE id = $1");
  c.prepare("outbox_save_destination", "INSERT INTO destinations (id, disabled_at, disabled_reason, failing_since, last_error_at, last_error) "
                                       "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET disabled_at = excluded.disabled_at, "
                                       "disabled_reason = excluded.disabled_reason, failing_since = excluded.failing_since, "
                                       "last_error_at = excluded.last_error_at, last_error = excluded.last_error");
  c.prepare("outbox_erase_attempts", "DELETE FROM message_attempts WHERE message IN (SELECT seq FROM messages WHERE profile_id IN "
                                     "(SELECT id FROM profiles WHERE " + profile_sql::in_scope("$1") + "))");
  c.prepare("outbox_erase_messages", "DELETE FROM messages WHERE profile_id IN (SELECT id FROM profiles WHERE " +
                                         profile_sql::in_scope("$1") + ") RETURNING 1");
}

#undef MESSAGE_COLUMNS

// Claims stay apart by their row locks (FOR UPDATE SKIP LOCKED) and per-profile order by the
// earlier message being pending until it is settled, which READ COMMITTED sees as well.
void PostgresOutbox::relax_isolation() { c_.queue_sql("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"); }

void PostgresOutbox::enqueue(const OutboxMessage& m) {
  c_.queue("outbox_insert", {m.id, m.destination, m.type, m.profile_id, m.created_at, m.data});
}

bool PostgresOutbox::has_waiting_update(std::string_view destination, std::string_view profile_id) {
  return c_.run("outbox_has_waiting_update", {destination, profile_id}).rows() > 0;
}

std::vector<OutboxMessage> PostgresOutbox::claim(std::string_view destination, std::int64_t now, std::int64_t lease_until,
                                                 std::int64_t limit, bool per_profile) {
  auto claimed = message_rows(c_.run(per_profile ? "outbox_claim_ordered" : "outbox_claim_any", {destination, now, lease_until, limit}));
  std::sort(claimed.begin(), claimed.end(), [](const OutboxMessage& a, const OutboxMessage& b) { return a.seq < b.seq; });
  return claimed;
}

void PostgresOutbox::settle(const MessageSettlement& s) {
  const MessageAttempt& a = s.attempt;
  const std::optional<std::string> status = a.http_status ? std::optional(std::to_string(*a.http_status)) : std::nullopt;
  c_.queue("outbox_attempt", {s.seq, a.at, status, a.error, a.ms, a.response});
  switch (s.next) {
    case MessageSettlement::Next::delivered:
      c_.queue("outbox_delivered", {s.seq, s.clear_data ? "true" : "false"});
      break;
    case MessageSettlement::Next::retry:
      c_.queue("outbox_retry_at", {s.seq, s.next_at});
      break;
    case MessageSettlement::Next::failed:
      c_.queue("outbox_failed", {s.seq});
      break;
    case MessageSettlement::Next::stay:
      c_.queue("outbox_stay", {s.seq});
      break;
  }
}

void PostgresOutbox::release(std::int64_t seq, std::int64_t lease_until) { c_.queue("outbox_release", {seq, lease_until}); }

DestinationCounts PostgresOutbox::counts(std::string_view destination) {
  const Result r = c_.run("outbox_counts", {destination});
  return {.pending = r.integer(0, 0), .failed = r.integer(0, 1), .delivered = r.integer(0, 2), .oldest_pending_at = optional_integer(r, 3)};
}

std::vector<OutboxMessage> PostgresOutbox::messages(std::string_view destination, std::string_view status, std::int64_t after_seq,
                                                    std::int64_t limit) {
  return message_rows(c_.run("outbox_list", {destination, after_seq, limit, status}));
}

std::vector<MessageAttempt> PostgresOutbox::attempts(std::int64_t seq) {
  const Result r = c_.run("outbox_attempts", {seq});
  std::vector<MessageAttempt> out;
  for (int i = 0; i < r.rows(); ++i) {
    MessageAttempt a{.at = r.integer(i, 0), .error = r.optional_text(i, 2), .ms = r.integer(i, 3), .response = r.text(i, 4)};
    if (!r.is_null(i, 1)) a.http_status = static_cast<int>(r.integer(i, 1));
    out.push_back(std::move(a));
  }
  return out;
}

bool PostgresOutbox::retry(std::string_view destination, std::string_view message_id, std::int64_t now) {
  return c_.run("outbox_retry", {destination, message_id, now}).rows() > 0;
}

std::int64_t PostgresOutbox::retry_failed(std::string_view destination, std::int64_t now) {
  return c_.run("outbox_retry_failed", {destination, now}).rows();
}

DestinationRecord PostgresOutbox::destination(std::string_view id) {
  const Result r = c_.run("outbox_destination", {id});
  if (r.rows() == 0) return {};
  return {.disabled_at = optional_integer(r, 0), .disabled_reason = r.optional_text(0, 1), .failing_since = optional_integer(r, 2),
          .last_error_at = optional_integer(r, 3), .last_error = r.optional_text(0, 4)};
}

void PostgresOutbox::save_destination(std::string_view id, const DestinationRecord& r) {
  c_.queue("outbox_save_destination", {id, optional_number(r.disabled_at), r.disabled_reason, optional_number(r.failing_since),
                                       optional_number(r.last_error_at), r.last_error});
}

std::int64_t PostgresOutbox::erase_of_scope(std::string_view live_id) {
  c_.queue("outbox_erase_attempts", {live_id});
  return c_.run("outbox_erase_messages", {live_id}).rows();
}

}  // namespace weft
