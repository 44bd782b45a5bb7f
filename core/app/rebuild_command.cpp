// `weft rebuild [--dry-run]` (SPEC 13): the whole store re-derived from its event history under
// the current workflows, in one transaction, by the re-derivation every operation uses. With
// --dry-run the transaction is rolled back and the differences printed.
#include "weft/serve/operations.hpp"
#include "weft/workflow/rederivation.hpp"
#include "progress.hpp"
#include "runtime_setup.hpp"
#include "weft_app.hpp"

#include <chrono>
#include <iostream>
#include <map>
#include <set>

namespace weft::app {
namespace {

// What a dry run compares: who holds each identifier, and which merges there are.
struct Shape {
  std::map<std::string, std::string> holders;          // "type:value" -> profile id
  std::set<std::pair<std::string, std::string>> merges;  // (survivor, merged)
  std::int64_t live = 0;
};

Shape shape_of(Store& store) {
  Shape shape;
  for (const IdentifierOwner& o : store.identifier_owners()) shape.holders[o.identifier.type + ":" + o.identifier.value] = o.profile_id;
  for (const MergeRecord& m : store.merge_log(std::nullopt, false)) shape.merges.emplace(m.survivor, m.merged);
  shape.live = store.count_live_profiles();
  return shape;
}

constexpr std::size_t shown = 20;  // lines of each kind a dry run prints

void print_differences(const Shape& before, const Shape& after) {
  std::cout << "profiles: " << thousands(before.live) << " before, " << thousands(after.live) << " after\n";
  std::vector<std::string> moved;
  for (const auto& [identifier, holder] : before.holders) {
    const auto now = after.holders.find(identifier);
    const std::string to = now == after.holders.end() ? "(none)" : now->second;
    if (to != holder) moved.push_back(identifier + ": " + holder + " -> " + to);
  }
  for (const auto& [identifier, holder] : after.holders)
    if (!before.holders.count(identifier)) moved.push_back(identifier + ": (none) -> " + holder);
  const auto list = [](const std::string& title, const std::vector<std::string>& lines) {
    std::cout << title << ": " << thousands(static_cast<std::int64_t>(lines.size())) << "\n";
    for (std::size_t i = 0; i < lines.size() && i < shown; ++i) std::cout << "  " << lines[i] << "\n";
    if (lines.size() > shown) std::cout << "  ... and " << thousands(static_cast<std::int64_t>(lines.size() - shown)) << " more\n";
  };
  std::vector<std::string> undone, made;
  for (const auto& [survivor, merged] : before.merges)
    if (!after.merges.count({survivor, merged})) undone.push_back(merged + " out of " + survivor);
  for (const auto& [survivor, merged] : after.merges)
    if (!before.merges.count({survivor, merged})) made.push_back(merged + " into " + survivor);
  list("identifiers that would move", moved);
  list("merges that would be undone", undone);
  list("merges that would be made", made);
}

}  // namespace

int rebuild_command(const Invocation& invocation) {
  const bool dry_run = invocation.dry_run;
  if (!invocation.args.empty()) {
    std::cerr << "weft rebuild: unexpected argument '" << invocation.args[0] << "' (run `weft rebuild --help`)\n";
    return exit_usage;
  }
  const auto loaded = load_workflows_or_report(invocation.settings, "rebuild");
  if (!loaded) return exit_invalid;
  const auto store = open_store_or_report(invocation.settings, "rebuild", StoreUse::alone);
  if (!store) return exit_invalid;
  EventWriter writer(*store);
  Shape before;
  Rederivation done;
  std::int64_t merges = 0;
  std::optional<Progress> progress;
  const auto started = std::chrono::steady_clock::now();  // reading and setting aside count too
  try {
    if (dry_run) before = shape_of(*store);
    store->expect_large_transactions();
    writer.begin_batch();
    done = rederive(writer, workflow_of(loaded->by_source), std::nullopt, [&](std::int64_t events, std::int64_t total) {
      if (!progress) progress.emplace(total);
      progress->update(events);
    });
    if (progress) progress->finish();
    merges = writer.identity().counters().merges;  // before a dry run's rollback resets the counts
    if (dry_run) {
      print_differences(before, shape_of(*store));
      writer.rollback_batch();
    } else {
      store->insert_operation(rebuild_record(done));
      writer.commit_batch();
    }
  } catch (const StoreError& e) {
    if (progress) progress->finish();
    try {
      writer.rollback_batch();
    } catch (const StoreError&) {
    }
    std::cerr << "weft rebuild: the store failed, nothing was changed: " << e.what() << "\n";
    return exit_invalid;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << (dry_run ? "would rebuild " : "rebuilt ") << thousands(done.events) << " events in " << static_cast<std::int64_t>(seconds * 10) / 10.0
            << " s (" << thousands(seconds > 0 ? static_cast<std::int64_t>(static_cast<double>(done.events) / seconds) : done.events)
            << " events/s)\n"
            << "  profile rows set aside " << thousands(static_cast<std::int64_t>(done.before.size())) << ", profiles now "
            << thousands(static_cast<std::int64_t>(done.after.size())) << ", merges " << thousands(merges)
            << ", operators' merges applied again " << thousands(done.operator_merges) << ", events now failed " << thousands(done.failed)
            << (done.failed ? " (see weft replay)" : "") << "\n";
  if (dry_run) std::cout << "nothing was written (--dry-run)\n";
  return exit_ok;
}

}  // namespace weft::app
