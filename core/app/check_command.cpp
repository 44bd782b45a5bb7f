// weft check: is the store whole? Opens it through weft (a SQLite store's latest commits are in
// weft's log, which only weft reads), runs the database's own checks and weft's invariants
// (Store::check), prints what it found; exit status 1 on any problem.
#include "runtime_setup.hpp"
#include "weft/store/sqlite/sqlite.hpp"
#include "weft/store/store_location.hpp"
#include "weft_app.hpp"

#include <filesystem>
#include <iostream>

namespace weft::app {

int check_command(const Invocation& invocation) {
  if (!invocation.args.empty()) {
    std::cerr << "weft check: expected no argument (the store is the config's `store:`; run `weft check --help`)\n";
    return exit_usage;
  }
  const std::string& location = invocation.settings.store;
  if (location.rfind("sqlite:", 0) == 0 && location != "sqlite::memory:") {
    try {
      if (const auto sqlite = parse_sqlite_location(location); !std::filesystem::exists(sqlite.path)) {
        std::cerr << "weft check: no store at " << sqlite.path << "\n";
        return exit_invalid;
      }
    } catch (const StoreError& e) {
      std::cerr << "weft check: " << e.what() << "\n";
      return exit_invalid;
    }
  }
  const auto store = open_store_or_report(invocation.settings, "check", StoreUse::beside_others);
  if (!store) return exit_invalid;
  try {
    const auto problems = store->check();
    for (const auto& problem : problems) std::cout << "problem: " << problem << "\n";
    std::cout << redacted_location(location) << ": " << (problems.empty() ? "ok" : std::to_string(problems.size()) + " problems") << "\n";
    return problems.empty() ? exit_ok : exit_invalid;
  } catch (const StoreError& e) {
    std::cerr << "weft check: " << e.what() << "\n";
    return exit_invalid;
  }
}

}  // namespace weft::app
