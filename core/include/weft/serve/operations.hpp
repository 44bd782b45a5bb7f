// Operators' corrections of identity (SPEC 13), each a committer Operation: one transaction,
// ordered with the traffic, recorded in the operations log and counted in
// weft_operations_total{kind} once durable.
#pragma once

#include "weft/identity/traits.hpp"
#include "weft/serve/committer.hpp"
#include "weft/serve/metrics.hpp"
#include "weft/workflow/rederivation.hpp"

#include <string>

namespace weft {

struct MergeRequest {
  std::string profile;  // an id or alias
  std::string other;    // likewise
  TraitPolicy traits = TraitPolicy::keep_survivor;
  std::string reason;
};

// POST /profiles/{id}/merge: 200 with the survivor (SPEC 2), 404 when either profile is
// unknown, 409 when both are already one profile. The limits of SPEC 6 do not apply.
// The destinations subscribing to profile.merged and profile.updated hear of it (`routing`).
Operation operator_merge(MergeRequest request, Metrics& metrics, std::shared_ptr<const DeliveryRouting> routing);

// DELETE /profiles/{id}/identifiers/{type}:{value}[?block=true]: takes the identifier from the
// profile (ignored in every event received before now; with `block`, in every event until
// unblocked), then re-derives the profile under `workflows`. 200 {"profiles": [...]}, the live
// profiles the old one became, oldest first; 404 when the profile is unknown or does not hold
// the identifier. The log records the identifier's type only.
Operation remove_identifier(std::string profile, Identifier identifier, bool block, WorkflowsBySource workflows, Metrics& metrics);

// POST /profiles/{id}/rederive: re-derives the profile under `workflows`; 200 {"profiles": [...]},
// 404 when it is unknown. Like remove_identifier, it tells the destinations of the workflows'
// routing profile.split when the profile became several, profile.updated when one.
Operation rederive_profile(std::string profile, WorkflowsBySource workflows, Metrics& metrics);

// What becomes of an erasure once its scrub was tried (ErasureCompletion::settled); empty: the
// erasure is marked complete in the store directly (weft profiles erase, no server).
using ErasureSettled = std::function<void(const std::string& operation_id, bool scrubbed)>;

// DELETE /profiles/{id}[?suppress=false] (SPEC 14): `target` is a profile id or alias, or TYPE:VALUE.
// Erases everything of the person in one transaction; by default their identifiers are kept as
// keyed hashes only, so that events carrying them later are not stored. 200 {"erased":
// {"profiles", "identifiers", "events", "merges", "unattributed_events", "messages"}} once no erased byte is
// readable in the store's files; 503 erasure_incomplete when that could not be done in time
// (the erasure is committed, recorded "complete": false, and `settled` retries); 404 when
// nothing answers for `target`. The log keeps the counts only. The person's messages to
// destinations are deleted ("messages") and, for the destinations that subscribe to it, a
// profile.erased message names their ids and identifiers (SPEC 17).
Operation erase_person(std::string target, bool suppress, Metrics& metrics, std::shared_ptr<const DeliveryRouting> routing,
                       ErasureSettled settled = {});

// The operations-log record of a `weft rebuild`: {"events", "failed", "profiles_before",
// "profiles_after"}, counts only.
OperationRecord rebuild_record(const Rederivation& done);

// The JSON of `GET /erasures`: {"erasures": [{"operation", "at", "profiles", "identifiers",
// "events", "merges", "unattributed_events", "complete"}]}, newest first, never what was erased.
std::string erasures_json(Store& store, std::int64_t limit);

// DELETE /blocked/{type}:{value}: lifts the block; future events may carry the identifier
// again (past ones still ignore it when it was removed). 200 {"unblocked": {"type","value"}},
// 404 when it is not blocked. The log records the identifier's type only (no personal data).
Operation unblock_identifier(Identifier identifier, Metrics& metrics);

// The JSON of `GET /blocked`: {"blocked": [{"type","value","at"}]}, oldest block first.
std::string blocked_json(Store& store);

// The JSON of `GET /operations`: newest first, `limit` of them before cursor `before_seq` (0:
// from the newest), with "next" for the page after.
std::string operations_json(Store& store, std::int64_t before_seq, std::int64_t limit);

}  // namespace weft
