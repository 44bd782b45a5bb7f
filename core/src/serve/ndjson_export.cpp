#include "weft/serve/ndjson_export.hpp"

#include "weft/identity/profile_view.hpp"
#include "weft/store/event_view.hpp"

namespace weft {

std::optional<ExportRequest::Kind> export_kind(const std::string& name) {
  if (name == "profiles") return ExportRequest::Kind::profiles;
  if (name == "events") return ExportRequest::Kind::events;
  return std::nullopt;
}

std::int64_t write_ndjson_export(Store& store, const ExportRequest& request, std::ostream& out,
                                 const std::function<void(std::int64_t)>& written) {
  std::int64_t lines = 0;
  const auto line = [&](const std::string& json) {
    out << json << '\n';
    if (!out.good()) return false;
    ++lines;
    if (written) written(lines);
    return true;
  };
  if (request.kind == ExportRequest::Kind::profiles)
    store.each_live_profile([&](const ProfileRecord& p) { return line(profile_json(store, p)); });
  else
    store.each_event(request.since, request.source, [&](const EventRecord& e) { return line(event_json(e, false)); });
  return lines;
}

}  // namespace weft
