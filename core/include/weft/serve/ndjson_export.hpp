// What SPEC 8's export writes, for the API (GET /export/...) and `weft export` alike: one JSON
// document a line, profiles as GET /profiles/{id} shows them, events as GET /events/{id}
// without "trace".
#pragma once

#include "weft/store/store.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <ostream>
#include <string>

namespace weft {

struct ExportRequest {
  enum class Kind { profiles, events };
  Kind kind = Kind::profiles;
  std::int64_t since = std::numeric_limits<std::int64_t>::min();  // events received then or later
  std::string source;                                             // events of one source; empty: all
};

// "profiles" or "events"; nullopt for anything else.
std::optional<ExportRequest::Kind> export_kind(const std::string& name);

// Writes every line, a row of the store at a time, until `out` fails; the caller holds the
// snapshot (ReadSnapshot) that makes them one. `written(n)` after each line. Returns the lines
// written.
std::int64_t write_ndjson_export(Store& store, const ExportRequest& request, std::ostream& out,
                                 const std::function<void(std::int64_t)>& written = {});

}  // namespace weft
