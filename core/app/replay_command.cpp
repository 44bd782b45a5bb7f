#include "weft/workflow/event_writer.hpp"
#include "runtime_setup.hpp"
#include "weft_app.hpp"

#include <iostream>

namespace weft::app {
namespace {

constexpr std::int64_t page_size = 500;

}  // namespace

int replay_command(const Invocation& invocation) {
  if (!invocation.args.empty()) {
    std::cerr << "weft replay: unexpected argument '" << invocation.args[0] << "' (run `weft replay --help`)\n";
    return exit_usage;
  }
  const Settings& settings = invocation.settings;
  const auto loaded = load_workflows_or_report(settings, "replay");
  if (!loaded) return exit_invalid;
  const auto& workflows = loaded->by_source;
  const std::string only = invocation.source.value_or("");
  if (!only.empty() && !workflows.count(only)) {
    std::cerr << "weft replay: unknown source '" << only << "'\n";
    return exit_invalid;
  }

  const auto store = open_store_or_report(settings, "replay", StoreUse::beside_others);
  if (!store) return exit_invalid;
  EventWriter writer(*store);
  std::int64_t cursor = 0, seen = 0, skipped = 0;
  try {
    while (true) {
      const auto page = store->failed_events(only, cursor, page_size);
      if (page.empty()) break;
      writer.begin_batch();
      for (const EventRecord& e : page) {
        cursor = e.seq;
        ++seen;
        const auto found = workflows.find(e.source);
        if (found == workflows.end()) {
          std::cerr << "event " << e.id << ": source '" << e.source << "' has no workflow now; left as it is\n";
          ++skipped;
          continue;
        }
        EventDocument event;
        if (!writer.replay_stored(*found->second, e, event)) {
          std::cerr << "event " << e.id << ": its stored payload is not JSON; left as it is\n";
          ++skipped;
        }
      }
      writer.commit_batch();
    }
  } catch (const StoreError& e) {
    std::cerr << "weft replay: the store failed: " << e.what() << "\n(events replayed before the last commit are updated)\n";
    return exit_invalid;
  }
  const WriterStats& s = writer.stats();
  std::cout << "replayed " << seen - skipped << " failed events" << (only.empty() ? "" : " of source '" + only + "'") << ": "
            << s.processed << " processed, " << s.failed << " still failed" << (skipped ? ", " + std::to_string(skipped) + " skipped" : "")
            << "\n";
  return s.failed > 0 || skipped > 0 ? exit_invalid : exit_ok;
}

}  // namespace weft::app
