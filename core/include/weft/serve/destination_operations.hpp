// What an operator sees and does of destinations (SPEC 17): the API's lists, and the retries,
// enables and disables, each a committer Operation (one transaction, ordered with the traffic).
// The CLI twins run the same on a store no server uses.
#pragma once

#include "weft/delivery/destination.hpp"
#include "weft/serve/committer.hpp"
#include "weft/store/store.hpp"

#include <map>
#include <optional>
#include <string>

namespace weft {

// GET /destinations: {"destinations": [{"id","url","state","pending","failed","delivered",
// "oldest_pending_age_s","last_error": {"at","message"} or null}]}, by id.
std::string destinations_json(Store& store, const std::map<std::string, Destination>& destinations, std::int64_t now);

// GET /destinations/{id}/messages?status&limit&after: {"messages": [{"id","type","profile_id",
// "status","created_at","attempts": [...]}], "next"}, oldest first.
std::string destination_messages_json(Store& store, const std::string& destination, const std::string& status, std::int64_t after_seq,
                                      std::int64_t limit);

// POST /destinations/{id}/messages/{mid}/retry: 200 {"retried": 1}, 404 when the destination
// has no such message.
Operation retry_message(std::string destination, std::string message_id);
// POST /destinations/{id}/retry-failed: 200 {"retried": N}, every failed message.
Operation retry_failed_messages(std::string destination);
// POST /destinations/{id}/enable and /disable: 200 {"id", "state"}.
Operation set_destination_state(std::string destination, bool enabled);

}  // namespace weft
