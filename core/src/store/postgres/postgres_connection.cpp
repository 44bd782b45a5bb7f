#include "postgres_connection.hpp"

#include "weft/store/store_location.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

namespace weft::pg {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The error of a statement that failed; retryable when another writer got in the way.
StoreError refusal(PGresult* result, const std::string& sql) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string code = state ? state : "";
  // serialization failure, deadlock, a lock wait past lock_timeout, or a unique key a
  // concurrent transaction took first
  const bool retryable = code == "40001" || code == "40P01" || code == "55P03" || code == "23505";
  return StoreError("PostgreSQL refused '" + sql.substr(0, 80) + "': " + trim(PQresultErrorMessage(result)) +
                        (code.empty() ? "" : " (SQLSTATE " + code + ")"),
                    retryable);
}

}  // namespace

Result::Result(Result&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

std::string Result::text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column), static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::optional<std::string> Result::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}

std::int64_t Result::integer(int row, int column) const {
  std::int64_t n = 0;
  const char* s = PQgetvalue(result_, row, column);
  std::from_chars(s, s + PQgetlength(result_, row, column), n);
  return n;
}

Connection::Connection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    const std::string why = conn_ ? PQerrorMessage(conn_) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    throw StoreError("cannot connect to the PostgreSQL store " + redacted_location(url) + ": " + without_password(trim(why), url));
  }
  exec_now("SET client_min_messages = warning");
}

Connection::~Connection() { PQfinish(conn_); }

Result Connection::exec_now(const std::string& sql) {
  PGresult* raw = PQexec(conn_, sql.c_str());
  Result result(raw);
  if (!raw) throw StoreError("PostgreSQL did not answer '" + sql.substr(0, 80) + "': " + trim(PQerrorMessage(conn_)));
  if (PQresultStatus(raw) != PGRES_COMMAND_OK && PQresultStatus(raw) != PGRES_TUPLES_OK) throw refusal(raw, sql);
  return result;
}

void Connection::session(const std::string& sql) {
  exec_now(sql);
  settings_.push_back(sql);
}

void Connection::prepare(const std::string& name, const std::string& sql) {
  PGresult* raw = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
  Result result(raw);
  if (!raw) throw StoreError("PostgreSQL did not answer while preparing '" + sql.substr(0, 80) + "': " + trim(PQerrorMessage(conn_)));
  if (PQresultStatus(raw) != PGRES_COMMAND_OK) throw refusal(raw, sql);
  sql_[name] = sql;
}

std::string Connection::literal(std::string_view text) {
  char* quoted = PQescapeLiteral(conn_, text.data(), text.size());
  if (!quoted) throw StoreError("cannot quote a literal: " + trim(PQerrorMessage(conn_)));
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

void Connection::prepare_done() {
  if (PQenterPipelineMode(conn_) != 1) throw StoreError("cannot enter pipeline mode: " + trim(PQerrorMessage(conn_)));
}

void Connection::ensure_connected() {
  if (!broken_ && PQstatus(conn_) == CONNECTION_OK) return;
  queued_.clear();
  PQreset(conn_);  // leaves pipeline mode: a new session
  if (PQstatus(conn_) != CONNECTION_OK) throw StoreError("the PostgreSQL store is unreachable: " + trim(PQerrorMessage(conn_)));
  exec_now("SET client_min_messages = warning");
  for (const std::string& setting : settings_) exec_now(setting);
  const auto statements = sql_;
  for (const auto& [name, sql] : statements) prepare(name, sql);
  prepare_done();
  broken_ = false;
}

void Connection::lost(const std::string& what) {
  // Without a COMMIT among the statements that went unanswered, the server rolled the
  // transaction back when the connection went: running it again on a new connection is safe.
  // With one, it may have committed: the caller must not run it again.
  const bool committing = std::find(queued_.begin(), queued_.end(), "COMMIT") != queued_.end();
  broken_ = true;
  queued_.clear();
  throw StoreError("lost the PostgreSQL store while " + what + ": " + trim(PQerrorMessage(conn_)), !committing);
}

void Connection::send(const char* name, const char* sql, std::initializer_list<Param> params) {
  if (broken_) lost("a reply was missing");
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (const Param& p : params) {
    values.push_back(p.null ? nullptr : p.text.c_str());
    lengths.push_back(static_cast<int>(p.text.size()));
  }
  const int n = static_cast<int>(values.size());
  const int sent = name ? PQsendQueryPrepared(conn_, name, n, values.data(), lengths.data(), nullptr, 0)
                        : PQsendQueryParams(conn_, sql, 0, nullptr, nullptr, nullptr, nullptr, 0);
  queued_.emplace_back(sql);  // first: a COMMIT that may have gone out in part counts as sent
  if (sent != 1) lost(std::string("sending '") + std::string(sql).substr(0, 80) + "'");
}

void Connection::queue(const std::string& name, std::initializer_list<Param> params) { send(name.c_str(), sql_.at(name).c_str(), params); }

void Connection::queue_sql(const std::string& sql) { send(nullptr, sql.c_str(), {}); }

Result Connection::run(const std::string& name, std::initializer_list<Param> params) {
  queue(name, params);
  return sync();
}

Result Connection::run_sql(const std::string& sql) {
  queue_sql(sql);
  return sync();
}

std::int64_t Connection::integer(const std::string& name, std::initializer_list<Param> params) {
  Result r = run(name, params);
  return r.rows() > 0 && !r.is_null(0, 0) ? r.integer(0, 0) : 0;
}

// Sends a Sync and reads every queued statement's result in order, then the Sync's. The first
// failure is thrown once all are read (after it the server skips the rest: PIPELINE_ABORTED).
Result Connection::sync() {
  if (PQpipelineSync(conn_) != 1) lost("sending a sync");
  std::optional<StoreError> failure;
  Result last(nullptr);
  for (const std::string& sql : queued_) {
    PGresult* raw = PQgetResult(conn_);
    if (!raw) lost("reading the result of '" + sql.substr(0, 80) + "'");
    last = Result(raw);
    const ExecStatusType status = PQresultStatus(raw);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_PIPELINE_ABORTED && !failure)
      failure = refusal(raw, sql);
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);  // each statement's results end with NULL
  }
  queued_.clear();
  const Result end(PQgetResult(conn_));
  if (PQresultStatus(end.get()) != PGRES_PIPELINE_SYNC) lost("reading the end of a pipeline");
  if (failure) throw *failure;
  return last;
}

}  // namespace weft::pg
