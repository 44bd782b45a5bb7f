// The store backends shared tests run against: SQLite always, PostgreSQL when
// WEFT_TEST_POSTGRES names a database (packaging/dev.sh test starts a throwaway server and
// sets it). Each PostgreSQL store gets a fresh schema of its own, so tests can run in parallel.
#pragma once

#include "weft/store/store.hpp"

#include "temp_dir.hpp"

#include <memory>
#include <string>
#include <vector>

namespace weft::test {

// {"sqlite"} or {"sqlite", "postgresql"}. Under CI=true a missing WEFT_TEST_POSTGRES is an
// error, not a quiet skip.
std::vector<std::string> store_backends();

// A store location ("sqlite:..." or a postgresql:// URL) for a fresh, empty store.
std::string fresh_store_location(const std::string& backend, const TempDir& dir);

std::unique_ptr<Store> open_fresh_store(const std::string& backend, const TempDir& dir);

}  // namespace weft::test
