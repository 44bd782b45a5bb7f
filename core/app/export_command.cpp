// `weft export profiles|events`: SPEC 8's NDJSON export from the command line, on the
// configured store (beside a running server: a read snapshot) or, with --url, from a server.
// The file appears under its name only once whole (written as NAME.partial, then renamed).
#include "weft/base/clock.hpp"
#include "weft/serve/ndjson_export.hpp"
#include "operation_runner.hpp"
#include "progress.hpp"
#include "runtime_setup.hpp"
#include "weft_app.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace weft::app {
namespace {

const char* const usage =
    "weft export: expected `weft export profiles` or `weft export events [--since RFC3339] [--source ID]`, with [--output FILE] "
    "[--url http://HOST:PORT] (run `weft export --help`)\n";

// The export from a running server, copied to `out` a block at a time; lines counted as they pass.
std::int64_t export_from_server(const std::string& url, const ExportRequest& request, const Settings& settings, std::ostream& out,
                                Progress& progress) {
  Poco::URI target(url);
  target.setPath(request.kind == ExportRequest::Kind::profiles ? "/export/profiles" : "/export/events");
  if (request.kind == ExportRequest::Kind::events) {
    if (request.since != std::numeric_limits<std::int64_t>::min()) target.addQueryParameter("since", format_time(request.since));
    if (!request.source.empty()) target.addQueryParameter("source", request.source);
  }
  Poco::Net::HTTPClientSession session(target.getHost(), target.getPort());
  session.setTimeout(Poco::Timespan(300, 0));
  Poco::Net::HTTPRequest http(Poco::Net::HTTPRequest::HTTP_GET, target.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  authorize(http, settings);
  session.sendRequest(http);
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
    std::string body;
    std::getline(in, body, '\0');
    throw std::runtime_error("the server answered " + std::to_string(response.getStatus()) + ": " + body);
  }
  std::int64_t lines = 0;
  char buffer[65536];
  char last = '\n';
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    const auto n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) lines += buffer[i] == '\n';
    last = buffer[n - 1];
    out.write(buffer, n);
    progress.update(lines);
  }
  // A server whose store failed mid-answer resets the connection. Poco's chunked reader takes
  // that for the end of the body, so a cut is told by its last line, left without its newline.
  if (in.bad() || last != '\n') throw std::runtime_error("the answer ended in the middle of a line: the export is not whole");
  return lines;
}

}  // namespace

int export_command(const Invocation& invocation) {
  const auto& args = invocation.args;
  const auto kind = args.size() == 1 ? export_kind(args[0]) : std::nullopt;
  if (!kind || ((invocation.since || invocation.source) && *kind != ExportRequest::Kind::events)) {
    std::cerr << usage;
    return exit_usage;
  }
  ExportRequest request;
  request.kind = *kind;
  if (invocation.since) {
    const auto since = parse_time(*invocation.since);
    if (!since) {
      std::cerr << "weft export: --since must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z, got '" << *invocation.since << "'\n";
      return exit_usage;
    }
    request.since = *since;
  }
  request.source = invocation.source.value_or("");

  const std::string unit = *kind == ExportRequest::Kind::profiles ? "profiles" : "events";
  std::ofstream file;
  const std::string partial = invocation.output ? *invocation.output + ".partial" : "";
  if (invocation.output) {
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "weft export: cannot write " << partial << "\n";
      return exit_invalid;
    }
  }
  std::ostream& out = invocation.output ? static_cast<std::ostream&>(file) : std::cout;
  std::int64_t lines = 0;
  double seconds = 0;
  try {
    if (invocation.url) {
      Progress progress(0, unit);
      lines = export_from_server(*invocation.url, request, invocation.settings, out, progress);
      progress.finish();
      seconds = progress.seconds();
    } else {
      const auto store = open_store_or_report(invocation.settings, "export", StoreUse::beside_others);
      if (!store) return exit_invalid;
      const ReadSnapshot snapshot(*store);
      Progress progress(*kind == ExportRequest::Kind::profiles ? store->count_live_profiles() : 0, unit);
      lines = write_ndjson_export(*store, request, out, [&](std::int64_t n) { progress.update(n); });
      progress.finish();
      seconds = progress.seconds();
    }
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + (invocation.output ? partial : std::string("the output")));
  } catch (const std::exception& e) {
    std::cerr << "weft export: " << e.what() << "\n";
    if (invocation.output) std::filesystem::remove(partial);
    return exit_invalid;
  }
  if (invocation.output) {
    file.close();
    std::filesystem::rename(partial, *invocation.output);
  }
  std::fprintf(stderr, "weft export: %s %s in %.1f s\n", thousands(lines).c_str(), unit.c_str(), seconds);
  return exit_ok;
}

}  // namespace weft::app
