// Schema versioning shared by the stores: the stored version is checked against this weft's,
// and the missing migrations run one transaction each through the backend's `exec`.
#pragma once

#include "weft/store/store.hpp"

#include <array>
#include <string>
#include <string_view>

namespace weft {

// Brings a store at `version` to migrations.size(); `begin` starts the backend's write
// transaction. Refuses a store from a newer weft rather than touching it.
template <std::size_t N, class Exec>
void apply_migrations(int version, const std::array<std::string_view, N>& migrations, const std::string& begin, Exec&& exec) {
  const int current = static_cast<int>(N);
  if (version > current)
    throw StoreError("the store has schema version " + std::to_string(version) + ", newer than this weft understands (" +
                     std::to_string(current) + "): upgrade weft");
  for (; version < current; ++version) {
    exec(begin);
    try {
      exec(std::string(migrations[static_cast<std::size_t>(version)]));
      exec("DELETE FROM schema_version");
      exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(version + 1) + ")");
      exec("COMMIT");
    } catch (...) {
      exec("ROLLBACK");
      throw;
    }
  }
}

}  // namespace weft
