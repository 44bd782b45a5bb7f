// weft backup DEST: a consistent copy of a live SQLite store, in one self-contained file that
// any SQLite opens. A stock sqlite3's ".backup" cannot do it while weft runs: the latest
// commits are in weft's WAL (`<store>-dwal`, stored as deltas), which only weft reads.
#include "weft/store/sqlite/sqlite.hpp"
#include "weft_app.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace weft::app {

int backup_command(const Invocation& invocation) {
  if (invocation.args.size() != 1) {
    std::cerr << "weft backup: expected one argument, the file to write (run `weft backup --help`)\n";
    return exit_usage;
  }
  const std::string& store = invocation.settings.store;
  if (store.rfind("sqlite:", 0) != 0) {
    std::cerr << "weft backup: the store is PostgreSQL; back it up with pg_dump (docs/operations.md)\n";
    return exit_invalid;
  }
  SqliteLocation location;
  try {
    location = parse_sqlite_location(store);
  } catch (const StoreError& e) {
    std::cerr << "weft backup: " << e.what() << "\n";
    return exit_invalid;
  }
  const std::string& source = location.path;
  const std::string& destination = invocation.args[0];
  if (std::filesystem::exists(destination)) {
    std::cerr << "weft backup: " << destination << " exists; give a new file\n";
    return exit_invalid;
  }
  if (!std::filesystem::exists(source)) {
    std::cerr << "weft backup: no store at " << source << "\n";
    return exit_invalid;
  }
  try {
    SqliteDb from(source, location.wal);  // through weft's VFS: it reads weft's log
    sqlite3* to = nullptr;
    const auto fail = [&](const std::string& what) {
      std::cerr << "weft backup: " << what << ": " << (to ? sqlite3_errmsg(to) : "out of memory") << "\n";
      sqlite3_close(to);
      std::filesystem::remove(destination);
      return exit_invalid;
    };
    // The copy holds what the store holds: created with the store's permissions (a 0600 store
    // never becomes a world-readable copy); SQLite gives its journal the same.
    struct stat store_stat {};
    const mode_t mode = ::stat(source.c_str(), &store_stat) == 0 ? (store_stat.st_mode & 0666) : 0600;
    const int fd = ::open(destination.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    const bool made = fd >= 0 && ::fchmod(fd, mode) == 0;  // exactly the store's, whatever the umask
    if (fd >= 0) ::close(fd);
    if (!made) {
      std::cerr << "weft backup: cannot create " << destination << ": " << std::strerror(errno) << "\n";
      return exit_invalid;
    }
    if (sqlite3_open_v2(destination.c_str(), &to, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      return fail("cannot create " + destination);
    sqlite3_backup* backup = sqlite3_backup_init(to, "main", from.handle(), "main");
    if (!backup) return fail("cannot start the copy");
    // One step: the whole store under one read transaction, a snapshot while weft writes on.
    int rc;
    while ((rc = sqlite3_backup_step(backup, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
    const int pages = sqlite3_backup_pagecount(backup);
    if (sqlite3_backup_finish(backup) != SQLITE_OK || rc != SQLITE_DONE) return fail("the copy failed");
    // The copy is one file with no WAL: a rollback journal, the way stock SQLite opens anything.
    if (sqlite3_exec(to, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("cannot finish " + destination);
    sqlite3_close(to);
    std::cout << "backed up " << source << " to " << destination << " (" << pages << " pages)\n";
    return exit_ok;
  } catch (const StoreError& e) {
    std::cerr << "weft backup: " << e.what() << "\n";
    std::filesystem::remove(destination);
    return exit_invalid;
  }
}

}  // namespace weft::app
