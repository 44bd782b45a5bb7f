#include "weft/store/sqlite/sqlite.hpp"

#include "weft/base/uuid.hpp"
#include "weft/store/search_terms.hpp"
#include "weft/store/sqlite/delta_wal_log.hpp"
#include "weft/store/sqlite/page_cache.hpp"
#include "weft/store/sqlite/sqlite_wal_vfs.hpp"

#include <array>
#include <cstring>
#include <filesystem>

#include <mutex>
#include <utility>

namespace weft {
namespace {

std::string_view value_text(sqlite3_value* v) {
  const unsigned char* text = sqlite3_value_text(v);  // before the size: it may convert the value
  return text ? std::string_view(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_value_bytes(v))) : std::string_view();
}

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw StoreError(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
    fail(db, "cannot prepare '" + std::string(sql) + "'");
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "cannot bind parameter " + std::to_string(index));
  return *this;
}

SqliteStatement& SqliteStatement::bind_blob(int index, std::string_view bytes) {
  if (sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "cannot bind parameter " + std::to_string(index));
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "cannot bind parameter " + std::to_string(index));
  return *this;
}

SqliteStatement& SqliteStatement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "cannot bind parameter " + std::to_string(index));
  return *this;
}

SqliteStatement& SqliteStatement::bind_optional(int index, const std::optional<std::string>& text) {
  return text ? bind(index, *text) : bind_null(index);
}

SqliteStatement& SqliteStatement::bind_id(int index, std::string_view id) {
  const auto bytes = uuid_bytes(id);
  if (!bytes) return bind(index, id);
  if (sqlite3_bind_blob(stmt_, index, bytes->data(), static_cast<int>(bytes->size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "cannot bind parameter " + std::to_string(index));
  return *this;
}

SqliteStatement& SqliteStatement::bind_optional_id(int index, const std::optional<std::string>& id) {
  return id ? bind_id(index, *id) : bind_null(index);
}

bool SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string sql = sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "";
  sqlite3_reset(stmt_);
  fail(db_, "cannot run '" + sql + "'");
}

void SqliteStatement::run() {
  while (step()) {
  }
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view SqliteStatement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return data ? std::string_view(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string_view();
}

std::string_view SqliteStatement::blob(int column) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  return data ? std::string_view(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string_view();
}

std::int64_t SqliteStatement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

bool SqliteStatement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::optional<std::string> SqliteStatement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return std::string(text(column));
}

namespace {

// An id as bind_id stores it: the bytes of a UUID, a blob of any other length or text as it is.
std::optional<std::array<std::uint8_t, 16>> stored_uuid(sqlite3_stmt* stmt, int column) {
  if (sqlite3_column_type(stmt, column) != SQLITE_BLOB || sqlite3_column_bytes(stmt, column) != 16) return std::nullopt;
  std::array<std::uint8_t, 16> bytes{};
  std::memcpy(bytes.data(), sqlite3_column_blob(stmt, column), bytes.size());
  return bytes;
}

}  // namespace

std::string SqliteStatement::id(int column) const {
  if (const auto bytes = stored_uuid(stmt_, column)) return uuid_text(*bytes);
  return std::string(text(column));
}

std::optional<std::string> SqliteStatement::optional_id(int column) const {
  if (is_null(column)) return std::nullopt;
  return id(column);
}

SqliteLocation parse_sqlite_location(std::string_view location) {
  if (location.rfind("sqlite:", 0) != 0) throw StoreError("not a SQLite store: expected sqlite:PATH");
  location.remove_prefix(7);
  SqliteLocation parsed{std::string(location.substr(0, location.find('?'))), SqliteWal::weft_log};
  if (const auto query = location.find('?'); query != std::string_view::npos) {
    const std::string_view option = location.substr(query + 1);
    if (option == "wal=sqlite") parsed.wal = SqliteWal::sqlite;
    else if (option != "wal=weft")
      throw StoreError("unknown option '" + std::string(option) + "' of the SQLite store " + parsed.path + ": expected wal=weft or wal=sqlite");
  }
  return parsed;
}

namespace {

// Before a store is opened with SQLite's own WAL: the commits weft's log may hold are copied
// back into the file, and the file's mark taken off (sqlite_database_file.hpp), by one
// connection through weft's VFS, whose close does both when it is the store's last.
void take_back_weft_log(const std::string& path) {
  { SqliteDb through_weft(path, SqliteWal::weft_log); }
  if (std::filesystem::exists(path + "-dwal"))
    throw StoreError("cannot open the SQLite store " + path + " with SQLite's own WAL (wal=sqlite): another process has it open with weft's log; every process of a store uses the same wal=");
}

}  // namespace

SqliteDb::SqliteDb(const std::string& path, SqliteWal wal) : wal_(wal) {
  // SQLite's memory statistics take a global mutex on every allocation; weft never reads them.
  // Off: weft ingest of 1,000,000 bench events 39.4k -> 41.3k events/s (two runs each). It
  // must be set before SQLite initialises (the first open or VFS registration); later calls
  // are refused and change nothing.
  static std::once_flag configured;
  std::call_once(configured, [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    use_weft_page_cache();  // page_cache.hpp: done before main already; the call keeps it linked
  });
  if (wal == SqliteWal::sqlite && std::filesystem::exists(path + "-dwal")) take_back_weft_log(path);
  for (int attempt = 0;; ++attempt) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        wal == SqliteWal::weft_log ? weft_sqlite_vfs() : weft_sqlite_own_wal_vfs()) != SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw StoreError("cannot open the SQLite store " + path + ": " + why);
    }
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    // WAL + FULL: a commit is on disk when COMMIT returns, and readers never block the writer.
    // The VFS the connection was opened with needs FULL too (sqlite_wal_vfs.hpp).
    try {
      exec("PRAGMA journal_mode=WAL");  // the first statement: SQLite opens the store's log here
      break;
    } catch (const StoreError& e) {
      const std::string why = DeltaWalLog::take_open_error();
      const bool marked = sqlite3_errcode(db_) == SQLITE_NOTADB;
      sqlite3_close(db_);
      db_ = nullptr;
      // With SQLite's own WAL, a file still marked by weft's log (a crash between the log's
      // removal and the mark's) is taken back once.
      if (wal == SqliteWal::sqlite && marked && attempt == 0) {
        take_back_weft_log(path);
        continue;
      }
      if (why.empty()) throw;
      throw StoreError("cannot open the SQLite store " + path + ": " + why);
    }
  }
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA foreign_keys=ON");
  // 32 MiB of page cache (the default is 2 MiB): hot index pages stay in memory.
  exec("PRAGMA cache_size=-32768");
  // The savepoint of each event keeps the pages it changes in a statement journal: in memory,
  // not a temporary file written page by page.
  exec("PRAGMA temp_store=MEMORY");
  // At most 2^25 - 1 pages (128 GiB of 4 KiB pages): no page number then starts with a byte
  // that is a B-tree page's type, so the database file tells B-tree pages from overflow and
  // freelist pages by their first byte (unused_page_space.hpp).
  exec("PRAGMA max_page_count=33554431");
}

SqliteDb::~SqliteDb() { sqlite3_close(db_); }

void SqliteDb::define_migration_functions() {
  const auto weft_id = [](sqlite3_context* context, int, sqlite3_value** args) {
    const std::optional<std::array<std::uint8_t, 16>> bytes =
        sqlite3_value_type(args[0]) == SQLITE_TEXT
            ? uuid_bytes(std::string_view(reinterpret_cast<const char*>(sqlite3_value_text(args[0])),
                                          static_cast<std::size_t>(sqlite3_value_bytes(args[0]))))
            : std::nullopt;
    if (bytes)
      sqlite3_result_blob(context, bytes->data(), static_cast<int>(bytes->size()), SQLITE_TRANSIENT);
    else
      sqlite3_result_value(context, args[0]);
  };
  const auto weft_search_term = [](sqlite3_context* context, int, sqlite3_value** args) {
    const std::string term = search_terms::fold(value_text(args[0]));
    sqlite3_result_text(context, term.data(), static_cast<int>(term.size()), SQLITE_TRANSIENT);
  };
  const auto weft_trait_terms = [](sqlite3_context* context, int, sqlite3_value** args) {
    const std::string terms = search_terms::json_array(search_terms::of_traits(value_text(args[0])));
    sqlite3_result_text(context, terms.data(), static_cast<int>(terms.size()), SQLITE_TRANSIENT);
  };
  const struct {
    const char* name;
    void (*function)(sqlite3_context*, int, sqlite3_value**);
  } functions[] = {{"weft_id", weft_id}, {"weft_search_term", weft_search_term}, {"weft_trait_terms", weft_trait_terms}};
  for (const auto& f : functions)
    if (sqlite3_create_function_v2(db_, f.name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, f.function, nullptr, nullptr, nullptr) !=
        SQLITE_OK)
      fail(db_, std::string("cannot define ") + f.name + "()");
}

void SqliteDb::exec(std::string_view sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string why = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw StoreError("cannot run '" + std::string(sql) + "': " + why);
  }
}

}  // namespace weft
