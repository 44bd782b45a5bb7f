// Re-derivation (SPEC 13): a profile is a function of its events. The profiles of a scope (one
// live profile with its aliases, or the whole store) are set aside with their identifiers and
// merge records, and their events run again in received_at order through their sources'
// current workflows, by EventWriter::replay_stored, the path every event takes; operators'
// merges are applied again at their times. Old ids keep answering: a re-created profile takes
// back the id of the profile created for the same identifier; any other old id answers for
// the profile that now holds the identifier it was created for.
#pragma once

#include "weft/store/store.hpp"
#include "weft/workflow/event_writer.hpp"
#include "weft/workflow/workflow.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

// The current workflow of a source; null when no workflow has that source any more.
using WorkflowOf = std::function<const Workflow*(std::string_view source)>;
using WorkflowsBySource = std::map<std::string, std::shared_ptr<const Workflow>>;
// Looks sources up in `workflows`, which must outlive the result.
WorkflowOf workflow_of(const WorkflowsBySource& workflows);

struct Rederivation {
  std::vector<std::string> before;  // the profile ids that were set aside, oldest first
  std::vector<std::string> after;   // the live profiles their events and ids are now with, oldest first
  std::int64_t events = 0;          // events run again
  std::int64_t failed = 0;          // of them, now dead letters (their nodes fail, or no workflow)
  std::int64_t operator_merges = 0; // operators' merges applied again
};

// Called after each event run again: how many of `total` are done.
using RederiveProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// Re-derives `scope` (a live profile's id, or nullopt: the whole store) inside the writer's
// open transaction. Store failures throw StoreError (roll the transaction back).
Rederivation rederive(EventWriter& writer, const WorkflowOf& workflow_of, Store::Scope scope, const RederiveProgress& progress = {});

}  // namespace weft
