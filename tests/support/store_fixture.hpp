// A real store (SQLite in a temporary folder, or a fresh PostgreSQL schema), with the built-in
// plugins, for tests that run events through workflows end to end.
#pragma once

#include "weft/workflow/event_writer.hpp"
#include "weft/store/sqlite/sqlite_store.hpp"

#include "store_backends.hpp"

#include "workflow_fixture.hpp"

#include <catch2/catch.hpp>

namespace weft::test {

struct StoreFixture {
  explicit StoreFixture(const std::string& backend = "sqlite") : owned(open_fresh_store(backend, dir)), store(*owned), writer(store) {}

  TempDir dir;
  std::unique_ptr<Store> owned;
  Store& store;
  EventWriter writer;

  // The SQLite store, for tests that query its tables directly.
  SqliteStore& sqlite() { return dynamic_cast<SqliteStore&>(store); }

  // Loads a workflow or fails the test with its diagnostics.
  std::shared_ptr<const Workflow> workflow(const std::string& yaml, std::shared_ptr<const DeliveryRouting> routing = nullptr) {
    auto loaded = load_yaml(yaml, builtin_plugins(), std::move(routing));
    for (const auto& e : loaded.errors) FAIL(e);
    REQUIRE(loaded.workflow);
    return loaded.workflow;
  }

  struct Written {
    RunResult run;
    std::string event_id;
    std::string profile_id;  // empty when none
  };

  // Posts one JSON payload to `workflow` in its own committed batch.
  Written post(const Workflow& w, const std::string& payload) {
    EventDocument event;
    set_payload(event, payload);
    stamp_event(event, w.id);
    writer.begin_batch();
    RunResult run = writer.write(w, event);
    writer.commit_batch();
    return {std::move(run), std::string(event.string("id")), std::string(event.string("profile_id"))};
  }
};

}  // namespace weft::test
