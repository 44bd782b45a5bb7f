// One libpq connection in pipeline mode, for the PostgreSQL store. Statements whose result
// nobody needs (inserts, updates, BEGIN, SAVEPOINT) are only queued; they reach the server
// together with the next statement that must be answered (a read, COMMIT), in one round trip.
// A queued statement that fails is reported by that next call, as a StoreError naming it;
// since any StoreError fails the whole batch, reporting it a little later changes nothing.
#pragma once

#include "weft/store/store.hpp"

#include <libpq-fe.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::pg {

// One text parameter of a prepared statement; NULL when `null`.
struct Param {
  std::string text;
  bool null = false;
  Param(std::string_view s) : text(s) {}                      // NOLINT: implicit on purpose
  Param(const std::string& s) : text(s) {}                    // NOLINT
  Param(const char* s) : text(s) {}                           // NOLINT
  Param(std::int64_t n) : text(std::to_string(n)) {}          // NOLINT
  Param(const std::optional<std::string>& s) : text(s.value_or("")), null(!s) {}  // NOLINT
};

class Result {
public:
  explicit Result(PGresult* result) : result_(result) {}
  Result(Result&& other) noexcept;
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result() { PQclear(result_); }

  int rows() const { return PQntuples(result_); }
  bool is_null(int row, int column) const { return PQgetisnull(result_, row, column) == 1; }
  std::string text(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  const PGresult* get() const { return result_; }

private:
  PGresult* result_;
};

class Connection {
public:
  explicit Connection(const std::string& url);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Outside pipeline mode, before prepare_done(): runs one or more statements (migrations).
  Result exec_now(const std::string& sql);
  // A session setting (SET ...): applied now and again after each reconnection.
  void session(const std::string& sql);
  void prepare(const std::string& name, const std::string& sql);
  // Enters pipeline mode; from now on only the calls below.
  void prepare_done();

  // After the server restarted or the network dropped (or a reply could not be read),
  // connects again, prepares the statements again (they belong to the session) and enters
  // pipeline mode. Throws StoreError while it cannot.
  void ensure_connected();

  // Queues a statement (a prepared one by name, or plain SQL without parameters).
  void queue(const std::string& name, std::initializer_list<Param> params = {});
  void queue_sql(const std::string& sql);
  // Queues the statement, sends everything queued and returns the statement's result.
  Result run(const std::string& name, std::initializer_list<Param> params = {});
  Result run_sql(const std::string& sql);
  // `text` as an SQL string literal, quoted and escaped for this connection.
  std::string literal(std::string_view text);
  std::int64_t integer(const std::string& name, std::initializer_list<Param> params);

private:
  void send(const char* name, const char* sql, std::initializer_list<Param> params);
  Result sync();
  // The connection failed: marks it for reconnection and throws a StoreError that is
  // retryable unless a COMMIT was among the statements left unanswered.
  [[noreturn]] void lost(const std::string& what);

  PGconn* conn_;
  std::vector<std::string> settings_;
  std::map<std::string, std::string> sql_;  // prepared statements by name
  std::vector<std::string> queued_;         // SQL of the statements sent and not yet answered
  bool broken_ = false;                     // a reply went missing: reconnect before the next use
};

}  // namespace weft::pg
