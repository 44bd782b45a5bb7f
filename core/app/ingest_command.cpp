#include "weft/workflow/event_writer.hpp"
#include "weft/workflow/split_request.hpp"
#include "weft/event/json.hpp"
#include "weft/base/clock.hpp"
#include "weft/base/uuid.hpp"
#include "weft/base/suggest.hpp"
#include "progress.hpp"
#include "runtime_setup.hpp"
#include "weft_app.hpp"

#include <fstream>
#include <iostream>

namespace weft::app {
namespace {

// Events per transaction on a store with one writer (SQLite). Larger transactions write each
// index page a back-fill keeps changing fewer times: once a store's indexes have more leaves
// than a transaction has events, each transaction rewrites nearly all of them. 3,000,000 bench
// events: 12.7-13.2k events/s at 50,000, 14.6-14.9k at 150,000; 300,000 (with a 96 MiB bound)
// was no faster and took 140 MiB more; docs/design.md has the sweep.
constexpr std::int64_t batch_size = 150000;
// On a store shared by processes (PostgreSQL) a transaction holds its rows' locks until it
// commits, and a conflict sends its events back one transaction each: smaller batches.
constexpr std::int64_t shared_batch_size = 10000;
// ... or fewer, when their lines add up to this much: the transaction's changed pages are held
// in the page cache until it commits, and webhooks of hundreds of KB (GitHub pushes, Shopify
// orders) make many. The bench's ~340-byte lines reach it at ~148,000 events.
constexpr std::size_t batch_bytes = 48 << 20;

// A transaction's events as their lines, each parsed and triggered again when the writer asks
// for it: held parsed (with a copy to run it again from) an event took ~4 KB of memory, its line
// ~340 bytes.
class LineEvents final : public BatchEvents {
public:
  LineEvents(const Workflow& workflow, std::size_t max_depth) : workflow_(workflow), max_depth_(max_depth) {}

  // A line that parsed (or an item of a split line, as JSON), with the id and time it was
  // stamped with; `same_request`: an item after the first of its line.
  void add(std::string line, std::string id, std::int64_t received_at, bool same_request = false) {
    bytes_ += line.size();
    lines_.push_back({std::move(line), std::move(id), received_at, same_request});
  }
  std::size_t bytes() const { return bytes_; }
  void clear() {
    lines_.clear();
    bytes_ = 0;
  }

  std::size_t size() const override { return lines_.size(); }
  BatchItem& item(std::size_t i, bool) override {
    const Line& line = lines_[i];
    event_ = std::make_unique<EventDocument>();
    parse_json_payload(line.text, *event_, max_depth_);  // it parsed when it was read
    stamp_event(*event_, workflow_.id, line.id, line.received_at);
    item_ = {&workflow_, event_.get(), run_trigger(workflow_, *event_), line.same_request};
    return item_;
  }
  std::size_t request_end(std::size_t first) const override {
    std::size_t end = first + 1;
    while (end < lines_.size() && lines_[end].same_request) ++end;
    return end;
  }

private:
  struct Line {
    std::string text;
    std::string id;
    std::int64_t received_at;
    bool same_request;
  };
  const Workflow& workflow_;
  const std::size_t max_depth_;
  std::vector<Line> lines_;
  std::size_t bytes_ = 0;
  std::unique_ptr<EventDocument> event_;
  BatchItem item_{};
};

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
  LineEvents batch(workflow, invocation.settings.max_json_depth);
  const auto flush = [&] {
    writer.write_batch(batch);
    batch.clear();
  };
  try {
    while (std::getline(in, line)) {
      ++line_number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const JsonParseResult parsed = check_json(line, invocation.settings.max_json_depth);
      if (!parsed.ok) {
        std::cerr << file << ":" << line_number << ": malformed JSON, skipped: " << parsed.message << "\n";
        ++malformed;
        continue;
      }
      if (workflow.split) {  // one event per item, the items of a line in one transaction
        EventDocument request;
        parse_json_payload(line, request, invocation.settings.max_json_depth);
        const SplitRequest items = split_request(*workflow.split, request, invocation.settings.max_items);
        if (!items.problem.empty() || items.selected > invocation.settings.max_items) {
          std::cerr << file << ":" << line_number << ": skipped: "
                    << (items.problem.empty() ? std::to_string(items.selected) + " items, more than limits.max_items" : items.problem) << "\n";
          ++malformed;
          continue;
        }
        for (std::size_t i = 0; i < items.items.size(); ++i) {
          const std::int64_t now = now_micros();
          batch.add(to_json(items.items[i]->payload()), new_uuid(now), now, i > 0);
        }
        events += static_cast<std::int64_t>(items.items.size());
      } else {
        const std::int64_t now = now_micros();
        batch.add(std::move(line), new_uuid(now), now);
        ++events;
      }
      if (static_cast<std::int64_t>(batch.size()) >= events_per_batch || batch.bytes() >= batch_bytes) flush();
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
