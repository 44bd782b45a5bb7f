#include "weft/store/store_factory.hpp"

#include "weft/store/postgres/postgres_store.hpp"
#include "weft/store/sqlite/sqlite_store.hpp"
#include "weft/store/store_location.hpp"

#include <filesystem>

namespace weft {

std::unique_ptr<Store> open_store(const std::string& location) {
  if (location.rfind("sqlite:", 0) == 0) {
    const SqliteLocation sqlite = parse_sqlite_location(location);
    const std::filesystem::path path = sqlite.path;
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) throw StoreError("cannot create the folder of the SQLite store " + path.string() + ": " + ec.message());
    return std::make_unique<SqliteStore>(path.string(), sqlite.wal);
  }
  if (location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0) return std::make_unique<PostgresStore>(location);
  throw StoreError("unknown store '" + redacted_location(location) + "': expected sqlite:PATH or postgresql://...");
}

}  // namespace weft
