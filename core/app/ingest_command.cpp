#include "weft/workflow/event_writer.hpp"
#include "weft/base/suggest.hpp"
#include "progress.hpp"
#include "runtime_setup.hpp"
#include "weft_app.hpp"

#include <fstream>
#include <iostream>

namespace weft::app {
namespace {

// Events per transaction on a store with one writer (SQLite). Larger transactions write each
// index page a back-fill keeps changing fewer times; the events of a batch are kept in memory
// until its commit. 1,000,000 bench events: 26.7k events/s at 10,000, 39.4k at 50,000 (peak
// RSS 405 MiB); the whole sweep is in docs/design.md.
constexpr std::int64_t batch_size = 50000;
// On a store shared by processes (PostgreSQL) a transaction holds its rows' locks until it
// commits, and a conflict sends its events back one transaction each: smaller batches.
constexpr std::int64_t shared_batch_size = 10000;
// ... or fewer, when their lines add up to this much: a batch is held in memory (the events,
// and their copies to run again from) at several times the size of its lines, and webhooks of
// hundreds of KB (GitHub pushes, Shopify orders) would otherwise hold gigabytes. The bench's
// 50,000 events are ~17 MiB of lines; 200 lines of 512 KiB peaked at 158 MiB with this
// limit, 338 MiB in one batch.
constexpr std::size_t batch_bytes = 16 << 20;

std::int64_t count_lines(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::int64_t lines = 0;
  char last = '\n';
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    const auto n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) lines += buffer[i] == '\n';
    last = buffer[n - 1];
  }
  return lines + (last != '\n');
}

}  // namespace

int ingest_command(const Invocation& invocation) {
  if (!invocation.source || invocation.args.size() != 1) {
    std::cerr << "weft ingest: expected --source ID and one FILE (run `weft ingest --help`)\n";
    return exit_usage;
  }
  const std::string& file = invocation.args[0];
  if (!std::ifstream(file)) {
    std::cerr << "weft ingest: cannot read " << file << "\n";
    return exit_invalid;
  }

  const auto loaded = load_workflows_or_report(invocation.settings, "ingest");
  if (!loaded) return exit_invalid;
  const auto& workflows = loaded->by_source;
  const auto found = workflows.find(*invocation.source);
  if (found == workflows.end()) {
    std::vector<std::string> sources;
    for (const auto& [id, w] : workflows) sources.push_back(id);
    std::cerr << "weft ingest: unknown source '" << *invocation.source << "'" << did_you_mean(*invocation.source, sources) << " in "
              << invocation.settings.workflows.string() << "\n";
    return exit_invalid;
  }
  const Workflow& workflow = *found->second;

  const auto store = open_store_or_report(invocation.settings, "ingest", StoreUse::beside_others);
  if (!store) return exit_invalid;

  const std::int64_t total = count_lines(file);
  Progress progress(total);
  store->expect_large_transactions();
  const std::int64_t events_per_batch = store->shared_by_processes() ? shared_batch_size : batch_size;
  EventWriter writer(*store);
  std::ifstream in(file, std::ios::binary);
  std::string line;
  std::int64_t line_number = 0, events = 0, malformed = 0;
  std::vector<std::unique_ptr<EventDocument>> documents;
  std::vector<BatchItem> batch;
  std::size_t bytes_in_batch = 0;
  const auto flush = [&] {
    writer.write_batch(batch);
    batch.clear();
    documents.clear();
    bytes_in_batch = 0;
  };
  try {
    while (std::getline(in, line)) {
      ++line_number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto event = std::make_unique<EventDocument>();
      const JsonParseResult parsed = parse_json_payload(line, *event, invocation.settings.max_json_depth);
      if (!parsed.ok) {
        std::cerr << file << ":" << line_number << ": malformed JSON, skipped: " << parsed.message << "\n";
        ++malformed;
        continue;
      }
      stamp_event(*event, workflow.id);
      RunResult trigger = run_trigger(workflow, *event);
      batch.push_back({&workflow, event.get(), std::move(trigger)});
      documents.push_back(std::move(event));
      ++events;
      bytes_in_batch += line.size();
      if (static_cast<std::int64_t>(batch.size()) == events_per_batch || bytes_in_batch >= batch_bytes) flush();
      progress.update(line_number);
    }
    flush();
  } catch (const StoreError& e) {
    progress.finish();
    std::cerr << "weft ingest: the store failed at line " << line_number << ": " << e.what()
              << "\n(events before the last commit are stored; run again to add the rest)\n";
    return exit_invalid;
  }
  progress.finish();

  const WriterStats& s = writer.stats();
  const double seconds = progress.seconds();
  std::cout << "ingested " << thousands(events) << " events from " << file << " into source '" << workflow.id << "' in "
            << std::to_string(seconds).substr(0, std::to_string(seconds).find('.') + 3) << " s ("
            << thousands(seconds > 0 ? static_cast<std::int64_t>(static_cast<double>(events) / seconds) : events) << " events/s)\n"
            << "  processed " << thousands(s.processed) << ", duplicates " << thousands(s.duplicates) << ", rejected " << thousands(s.rejected) << ", dropped " << thousands(s.dropped)
            << ", failed " << thousands(s.failed) << ", suppressed " << thousands(s.suppressed) << ", malformed lines " << thousands(malformed) << "\n"
            << "  profiles created " << thousands(s.identity.profiles_created) << ", merges " << thousands(s.identity.merges)
            << ", refused merges " << thousands(s.identity.merges_refused) << "\n";
  return malformed > 0 ? exit_malformed : exit_ok;
}

}  // namespace weft::app
