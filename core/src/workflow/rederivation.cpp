#include "weft/workflow/rederivation.hpp"

#include "weft/base/clock.hpp"
#include "weft/identity/identity.hpp"
#include "weft/identity/reclaimed_ids.hpp"

#include <algorithm>
#include <unordered_set>

namespace weft {
namespace {

// An event that cannot run again keeps its record, now a dead letter (SPEC 13: it keeps its old
// profile assignment out of the result, and as its owner for erasure); `weft replay` can run it
// once its workflow is fixed.
void dead_letter(Store& store, EventRecord event, std::string error) {
  event.status = "failed";
  event.owner = std::move(event.profile_id);  // still the person's, for erasure (SPEC 14)
  event.profile_id.reset();
  event.error = std::move(error);
  store.update_event(event);
}

void apply_operator_merge(EventWriter& writer, const MergeRecord& merge, Rederivation& result) {
  writer.identity().write_traits();
  const auto a = writer.store().load_profile(merge.survivor);
  const auto b = writer.store().load_profile(merge.merged);
  if (!a || !b || a->id == b->id) return;  // a side no longer exists, or they are one already
  const TraitPolicy policy = merge.traits_policy == "most_recent" ? TraitPolicy::most_recent : TraitPolicy::keep_survivor;
  // At its own time, so that a later re-derivation places it between the same events again.
  writer.identity().merge_by_operator(*a, *b, policy, merge.reason.value_or(""), merge.at);
  ++result.operator_merges;
}

// Clears the identity's reclaimed ids however the re-derivation ends.
struct ReclaimScope {
  Identity& identity;
  ReclaimScope(Identity& identity, ReclaimedIds& ids) : identity(identity) { identity.reclaim_ids_from(&ids); }
  ~ReclaimScope() { identity.reclaim_ids_from(nullptr); }
};

// The events run again send no messages (event_writer.hpp).
struct QuietScope {
  EventWriter& writer;
  explicit QuietScope(EventWriter& writer) : writer(writer) { writer.write_messages_of_events(false); }
  ~QuietScope() { writer.write_messages_of_events(true); }
};

}  // namespace

WorkflowOf workflow_of(const WorkflowsBySource& workflows) {
  return [&workflows](std::string_view source) -> const Workflow* {
    const auto it = workflows.find(std::string(source));
    return it == workflows.end() ? nullptr : it->second.get();
  };
}

Rederivation rederive(EventWriter& writer, const WorkflowOf& workflow_of, Store::Scope scope, const RederiveProgress& progress) {
  Store& store = writer.store();
  writer.identity().write_traits();
  Rederivation result;

  const std::vector<StoredProfile> rows = store.profile_rows(scope);
  std::vector<EventKey> keys = store.event_keys(scope);
  const std::vector<MergeRecord> operator_merges = store.merge_log(scope, true);
  std::sort(keys.begin(), keys.end(),
            [](const EventKey& a, const EventKey& b) { return a.received_at != b.received_at ? a.received_at < b.received_at : a.seq < b.seq; });
  store.set_aside(scope);

  ReclaimedIds reclaimed(store);
  for (const StoredProfile& row : rows) {
    reclaimed.add(row.profile);
    result.before.push_back(row.profile.id);
    if (row.live_id == row.profile.id && !row.redirected) ++writer.identity().counters().profiles_set_aside;
  }
  std::unordered_set<std::string> homes;  // the live profiles the events went to
  {
    ReclaimScope reclaiming(writer.identity(), reclaimed);
    QuietScope quiet(writer);
    std::size_t next_merge = 0;
    for (const EventKey& key : keys) {
      while (next_merge < operator_merges.size() && operator_merges[next_merge].at <= key.received_at)
        apply_operator_merge(writer, operator_merges[next_merge++], result);
      std::optional<EventRecord> stored = store.load_event_at(key.seq);
      if (!stored) continue;
      ++result.events;
      const Workflow* workflow = workflow_of(stored->source);
      std::optional<RunResult> run;
      EventDocument event;
      if (!workflow) {
        std::string error = "re-derivation: no workflow has source '" + stored->source + "' any more";
        dead_letter(store, std::move(*stored), std::move(error));
      } else if (!(run = writer.replay_stored(*workflow, *stored, event))) {
        dead_letter(store, std::move(*stored), "re-derivation: its stored payload is not JSON");
      }
      if (!run || run->outcome != Outcome::processed) {
        ++result.failed;
      } else if (const std::string_view home = event.string("profile_id"); !home.empty()) {
        homes.emplace(home);
      }
      if (progress) progress(result.events, static_cast<std::int64_t>(keys.size()));
    }
    while (next_merge < operator_merges.size()) apply_operator_merge(writer, operator_merges[next_merge++], result);
  }
  writer.identity().write_traits();

  // Every old id no re-created profile took answers again, for whichever profile holds the
  // identifier it was created for (looked up when read, so it follows later changes too), and
  // while none does (it was removed or blocked) for itself, empty: pointing it at wherever
  // other events of the set went would make it answer for another person, the very mistake
  // being undone.
  const std::int64_t now = now_micros();
  for (const ProfileRecord& old : reclaimed.untaken()) {
    store.insert_redirect(old, now);
    homes.insert(old.id);
  }

  std::vector<ProfileRecord> live;
  std::unordered_set<std::string> seen;
  for (const std::string& home : homes)
    if (auto profile = store.load_profile(home); profile && seen.insert(profile->id).second) live.push_back(std::move(*profile));
  std::sort(live.begin(), live.end(), survives);
  for (ProfileRecord& profile : live) result.after.push_back(std::move(profile.id));
  return result;
}

}  // namespace weft
