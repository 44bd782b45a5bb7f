#include "sqlite_outbox.hpp"

#include "store/profile_sql.hpp"

namespace weft {
namespace {

#define MESSAGE_COLUMNS "seq, id, destination, type, profile_id, created_at, data, status, attempts"

// A message is waiting for an earlier one of its profile at its destination: the one its
// after_seq names is pending (see "Per-profile order" below).
#define WAITS_FOR_EARLIER "EXISTS (SELECT 1 FROM messages e WHERE e.seq = m.after_seq AND e.status = 'pending')"

#define CLAIMABLE                                                                                                                  \
  "SELECT " MESSAGE_COLUMNS " FROM messages m WHERE destination = ?1 AND status = 'pending' AND next_at <= ?2 AND (lease_until IS " \
  "NULL OR lease_until <= ?2)"

std::int64_t changes(SqliteDb& db) { return static_cast<std::int64_t>(sqlite3_changes(db.handle())); }

}  // namespace

SqliteOutbox::SqliteOutbox(SqliteDb& db)
    : db_(db),
      insert_(db.prepare("INSERT INTO messages (id, destination, type, profile_id, created_at, data, status, attempts, next_at, after_seq) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, ?5, ?7)")),
      has_waiting_update_(db.prepare("SELECT 1 FROM messages WHERE profile_id = ?2 AND destination = ?1 AND status = 'pending' "
                                     "AND type = 'profile.updated' AND attempts = 0 AND lease_until IS NULL LIMIT 1")),
      // what a new message waits for: the chain's newest, or when that one is settled, the
      // pending message it names
      waits_for_(db.prepare("SELECT CASE WHEN n.status <> 'pending' AND p.status = 'pending' THEN p.seq ELSE n.seq END "
                            "FROM messages n LEFT JOIN messages p ON p.seq = n.after_seq "
                            "WHERE n.profile_id = ?1 AND n.destination = ?2 ORDER BY n.seq DESC LIMIT 1")),
      pending_before_(db.prepare("SELECT max(seq) FROM messages WHERE profile_id = ?1 AND destination = ?2 AND seq < ?3 "
                                 "AND status = 'pending'")),
      pending_after_(db.prepare("SELECT min(seq) FROM messages WHERE profile_id = ?1 AND destination = ?2 AND seq > ?3 "
                                "AND status = 'pending'")),
      newest_after_(db.prepare("SELECT max(seq) FROM messages WHERE profile_id = ?1 AND destination = ?2 AND seq > ?3")),
      set_after_(db.prepare("UPDATE messages SET after_seq = ?2 WHERE seq = ?1")),
      // a message whose named message is still pending: that one, and the message's chain
      pending_link_(db.prepare("SELECT p.seq, m.profile_id, m.destination FROM messages m JOIN messages p ON p.seq = m.after_seq "
                               "WHERE m.seq = ?1 AND p.status = 'pending' AND m.profile_id IS NOT NULL")),
      claim_ordered_(db.prepare(CLAIMABLE " AND (after_seq IS NULL OR NOT " WAITS_FOR_EARLIER ") ORDER BY seq LIMIT ?3")),
      claim_any_(db.prepare(CLAIMABLE " ORDER BY seq LIMIT ?3")),
      lease_(db.prepare("UPDATE messages SET lease_until = ?2 WHERE seq = ?1")),
      attempt_(db.prepare("INSERT INTO message_attempts (message, at, http_status, error, ms, response) SELECT ?1, ?2, ?3, ?4, ?5, ?6 "
                          "WHERE EXISTS (SELECT 1 FROM messages WHERE seq = ?1)")),
      delivered_(db.prepare("UPDATE messages SET status = 'delivered', attempts = attempts + 1, lease_until = NULL, "
                            "data = CASE WHEN ?2 THEN '{}' ELSE data END WHERE seq = ?1")),
      retry_at_(db.prepare("UPDATE messages SET attempts = attempts + 1, next_at = ?2, lease_until = NULL WHERE seq = ?1")),
      failed_(db.prepare("UPDATE messages SET status = 'failed', attempts = attempts + 1, lease_until = NULL WHERE seq = ?1")),
      stay_(db.prepare("UPDATE messages SET lease_until = NULL WHERE seq = ?1")),
      release_(db.prepare("UPDATE messages SET lease_until = NULL WHERE seq = ?1 AND lease_until = ?2")),
      count_pending_(db.prepare("SELECT count(*) FROM messages WHERE destination = ?1 AND status = 'pending'")),
      oldest_pending_(db.prepare("SELECT created_at FROM messages WHERE destination = ?1 AND status = 'pending' ORDER BY seq LIMIT 1")),
      count_settled_(db.prepare("SELECT count(*) FROM messages WHERE destination = ?1 AND status = ?2")),
      pending_list_(db.prepare("SELECT " MESSAGE_COLUMNS " FROM messages WHERE destination = ?1 AND status = 'pending' AND seq > ?2 "
                               "ORDER BY seq LIMIT ?3")),
      settled_list_(db.prepare("SELECT " MESSAGE_COLUMNS " FROM messages WHERE destination = ?1 AND status = ?4 AND seq > ?2 "
                               "ORDER BY seq LIMIT ?3")),
      any_list_(db.prepare("SELECT " MESSAGE_COLUMNS " FROM messages WHERE destination = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")),
      attempts_(db.prepare("SELECT at, http_status, error, ms, response FROM message_attempts WHERE message = ?1 ORDER BY seq")),
      find_(db.prepare("SELECT seq, profile_id FROM messages WHERE destination = ?1 AND id = ?2")),
      failed_of_(db.prepare("SELECT seq, profile_id FROM messages WHERE destination = ?1 AND status = 'failed' ORDER BY seq")),
      retry_(db.prepare("UPDATE messages SET status = 'pending', attempts = 0, next_at = ?2, lease_until = NULL WHERE seq = ?1")),
      destination_(db.prepare("SELECT disabled_at, disabled_reason, failing_since, last_error_at, last_error FROM destinations "
                              "WHERE id = ?1")),
      save_destination_(db.prepare("INSERT OR REPLACE INTO destinations (id, disabled_at, disabled_reason, failing_since, "
                                   "last_error_at, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")),
      erase_attempts_(db.prepare("DELETE FROM message_attempts WHERE message IN (SELECT seq FROM messages WHERE profile_id IN "
                                 "(SELECT id FROM profiles WHERE " + profile_sql::in_scope("?1") + "))")),
      erase_messages_(db.prepare("DELETE FROM messages WHERE profile_id IN (SELECT id FROM profiles WHERE " +
                                 profile_sql::in_scope("?1") + ")")) {}

#undef CLAIMABLE
#undef WAITS_FOR_EARLIER
#undef MESSAGE_COLUMNS

// Per-profile order. The messages of one profile to one destination form a chain in seq order.
// Each keeps in after_seq the newest earlier pending message of its chain, or when there is none
// the newest earlier message (or NULL): so a pending message waits exactly when its after_seq
// is pending, and the newest of a chain, settled, still names the newest pending one before it.
// Settling keeps that true, since a message is claimed only when none before it is pending; a
// message made pending again by hand (retry) is linked in by relink(), and one that was in
// flight meanwhile and settles before it is passed over by bypass().

std::int64_t SqliteOutbox::in_chain(SqliteStatement& s, std::int64_t seq, const std::string& profile_id, std::string_view destination) {
  return single_integer(s.bind_id(1, profile_id).bind(2, destination).bind(3, seq));
}

void SqliteOutbox::enqueue(const OutboxMessage& m) {
  std::int64_t after = 0;  // none
  if (m.profile_id) after = single_integer(waits_for_.bind_id(1, *m.profile_id).bind(2, m.destination));
  insert_.bind(1, m.id).bind(2, m.destination).bind(3, m.type).bind_optional_id(4, m.profile_id);
  insert_.bind(5, m.created_at).bind(6, m.data);
  if (after) insert_.bind(7, after);
  run(insert_);
}

void SqliteOutbox::relink(std::int64_t seq, const std::string& profile_id, std::string_view destination) {
  if (const std::int64_t before = in_chain(pending_before_, seq, profile_id, destination)) run(set_after_.bind(1, seq).bind(2, before));
  if (const std::int64_t next = next_in_chain(seq, profile_id, destination)) run(set_after_.bind(1, next).bind(2, seq));
}

// The first message after `seq` in its chain that names it: the oldest pending one, or when none
// is pending the newest; 0 when there is none.
std::int64_t SqliteOutbox::next_in_chain(std::int64_t seq, const std::string& profile_id, std::string_view destination) {
  const std::int64_t pending = in_chain(pending_after_, seq, profile_id, destination);
  return pending ? pending : in_chain(newest_after_, seq, profile_id, destination);
}

// A message leaves pending while the one it names still is (it was in flight when that one was
// retried by hand): whoever named it names that one instead.
void SqliteOutbox::bypass(std::int64_t seq) {
  pending_link_.bind(1, seq);
  if (!pending_link_.step()) return pending_link_.reset();  // the usual case: one lookup by key
  const std::int64_t after = pending_link_.integer(0);
  const std::string profile_id = pending_link_.id(1);
  const std::string destination(pending_link_.text(2));
  pending_link_.reset();
  if (const std::int64_t next = next_in_chain(seq, profile_id, destination)) run(set_after_.bind(1, next).bind(2, after));
}

void SqliteOutbox::make_pending(std::int64_t seq, const std::optional<std::string>& profile_id, std::string_view destination,
                                std::int64_t now) {
  run(retry_.bind(1, seq).bind(2, now));
  if (profile_id) relink(seq, *profile_id, destination);
}

bool SqliteOutbox::has_waiting_update(std::string_view destination, std::string_view profile_id) {
  has_waiting_update_.bind(1, destination).bind_id(2, profile_id);
  const bool found = has_waiting_update_.step();
  has_waiting_update_.reset();
  return found;
}

std::vector<OutboxMessage> SqliteOutbox::rows(SqliteStatement& s) {
  std::vector<OutboxMessage> out;
  while (s.step())
    out.push_back({.seq = s.integer(0),
                   .id = std::string(s.text(1)),
                   .destination = std::string(s.text(2)),
                   .type = std::string(s.text(3)),
                   .profile_id = s.optional_id(4),
                   .created_at = s.integer(5),
                   .data = std::string(s.text(6)),
                   .status = std::string(s.text(7)),
                   .attempts = s.integer(8)});
  s.reset();
  return out;
}

std::vector<OutboxMessage> SqliteOutbox::claim(std::string_view destination, std::int64_t now, std::int64_t lease_until, std::int64_t limit,
                                               bool per_profile) {
  SqliteStatement& s = per_profile ? claim_ordered_ : claim_any_;
  s.bind(1, destination).bind(2, now).bind(3, limit);
  std::vector<OutboxMessage> claimed = rows(s);
  for (const OutboxMessage& m : claimed) run(lease_.bind(1, m.seq).bind(2, lease_until));
  return claimed;
}

void SqliteOutbox::settle(const MessageSettlement& s) {
  const MessageAttempt& a = s.attempt;
  attempt_.bind(1, s.seq).bind(2, a.at).bind(5, a.ms).bind(6, a.response).bind_optional(4, a.error);
  if (a.http_status) attempt_.bind(3, static_cast<std::int64_t>(*a.http_status));
  run(attempt_);
  switch (s.next) {
    case MessageSettlement::Next::delivered:
      bypass(s.seq);
      run(delivered_.bind(1, s.seq).bind(2, static_cast<std::int64_t>(s.clear_data)));
      break;
    case MessageSettlement::Next::retry:
      run(retry_at_.bind(1, s.seq).bind(2, s.next_at));
      break;
    case MessageSettlement::Next::failed:
      bypass(s.seq);
      run(failed_.bind(1, s.seq));
      break;
    case MessageSettlement::Next::stay:
      run(stay_.bind(1, s.seq));
      break;
  }
}

void SqliteOutbox::release(std::int64_t seq, std::int64_t lease_until) { run(release_.bind(1, seq).bind(2, lease_until)); }

DestinationCounts SqliteOutbox::counts(std::string_view destination) {
  DestinationCounts c;
  c.pending = single_integer(count_pending_.bind(1, destination));
  c.failed = single_integer(count_settled_.bind(1, destination).bind(2, "failed"));
  c.delivered = single_integer(count_settled_.bind(1, destination).bind(2, "delivered"));
  oldest_pending_.bind(1, destination);
  if (oldest_pending_.step()) c.oldest_pending_at = oldest_pending_.integer(0);
  oldest_pending_.reset();
  return c;
}

std::vector<OutboxMessage> SqliteOutbox::messages(std::string_view destination, std::string_view status, std::int64_t after_seq,
                                                  std::int64_t limit) {
  if (status.empty()) return rows(any_list_.bind(1, destination).bind(2, after_seq).bind(3, limit));
  if (status == "pending") return rows(pending_list_.bind(1, destination).bind(2, after_seq).bind(3, limit));
  return rows(settled_list_.bind(1, destination).bind(2, after_seq).bind(3, limit).bind(4, status));
}

std::vector<MessageAttempt> SqliteOutbox::attempts(std::int64_t seq) {
  std::vector<MessageAttempt> out;
  attempts_.bind(1, seq);
  while (attempts_.step()) {
    MessageAttempt a{.at = attempts_.integer(0), .error = attempts_.optional_text(2), .ms = attempts_.integer(3),
                     .response = std::string(attempts_.text(4))};
    if (!attempts_.is_null(1)) a.http_status = static_cast<int>(attempts_.integer(1));
    out.push_back(std::move(a));
  }
  attempts_.reset();
  return out;
}

bool SqliteOutbox::retry(std::string_view destination, std::string_view message_id, std::int64_t now) {
  find_.bind(1, destination).bind(2, message_id);
  const bool found = find_.step();
  const std::int64_t seq = found ? find_.integer(0) : 0;
  const std::optional<std::string> profile_id = found ? find_.optional_id(1) : std::nullopt;
  find_.reset();
  if (found) make_pending(seq, profile_id, destination, now);
  return found;
}

std::int64_t SqliteOutbox::retry_failed(std::string_view destination, std::int64_t now) {
  std::vector<std::pair<std::int64_t, std::optional<std::string>>> failed;
  failed_of_.bind(1, destination);
  while (failed_of_.step()) failed.emplace_back(failed_of_.integer(0), failed_of_.optional_id(1));
  failed_of_.reset();
  for (const auto& [seq, profile_id] : failed) make_pending(seq, profile_id, destination, now);  // oldest first, as relink needs
  return static_cast<std::int64_t>(failed.size());
}

DestinationRecord SqliteOutbox::destination(std::string_view id) {
  DestinationRecord r;
  destination_.bind(1, id);
  if (destination_.step()) {
    const auto optional_integer = [&](int column) -> std::optional<std::int64_t> {
      if (destination_.is_null(column)) return std::nullopt;
      return destination_.integer(column);
    };
    r = {.disabled_at = optional_integer(0), .disabled_reason = destination_.optional_text(1), .failing_since = optional_integer(2),
         .last_error_at = optional_integer(3), .last_error = destination_.optional_text(4)};
  }
  destination_.reset();
  return r;
}

void SqliteOutbox::save_destination(std::string_view id, const DestinationRecord& r) {
  const auto optional_integer = [&](int column, const std::optional<std::int64_t>& value) {
    if (value) save_destination_.bind(column, *value);
  };
  save_destination_.bind(1, id).bind_optional(3, r.disabled_reason).bind_optional(6, r.last_error);
  optional_integer(2, r.disabled_at);
  optional_integer(4, r.failing_since);
  optional_integer(5, r.last_error_at);
  run(save_destination_);
}

std::int64_t SqliteOutbox::erase_of_scope(std::string_view live_id) {
  run(erase_attempts_.bind_id(1, live_id));
  run(erase_messages_.bind_id(1, live_id));
  return changes(db_);
}

}  // namespace weft
