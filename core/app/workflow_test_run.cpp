#include "workflow_test_run.hpp"

#include "delivery.hpp"

#include "weft/event/json.hpp"
#include "weft/store/store_factory.hpp"
#include "weft/workflow/event_writer.hpp"
#include "weft/workflow/outbox_writer.hpp"

#include <rapidjson/document.h>

#include <algorithm>

namespace weft::app {
namespace {

std::string list_text(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

// `expected` (a JSON object) against `actual`: each expected key must be there with an equal
// value. Appends "<what>.<key>: expected X, got Y" lines.
void compare_keys(const std::string& what, const std::string& expected_json, const rapidjson::Value& actual,
                  std::vector<std::string>& differences) {
  rapidjson::Document expected;
  expected.Parse(expected_json.data(), expected_json.size());
  for (const auto& member : expected.GetObject()) {
    const std::string key(member.name.GetString(), member.name.GetStringLength());
    const auto found = actual.IsObject() ? actual.FindMember(member.name) : actual.MemberEnd();
    if (!actual.IsObject() || found == actual.MemberEnd())
      differences.push_back(what + "." + key + ": expected " + to_json(member.value) + ", got nothing");
    else if (found->value != member.value)
      differences.push_back(what + "." + key + ": expected " + to_json(member.value) + ", got " + to_json(found->value));
  }
}

void compare_run(const Workflow& workflow, const TestEvent& test, const RunResult& run, EventDocument& event,
                 std::vector<std::string>& differences) {
  const ExpectedRun& expect = test.expect;
  std::vector<std::string> found;
  const std::string status = outcome_name(run.outcome);
  if (expect.status && *expect.status != status) {
    std::string why;
    if (run.outcome == Outcome::failed) why = " (" + run.error + ")";
    if (!run.trace.empty() && (run.outcome == Outcome::rejected || run.outcome == Outcome::dropped)) {
      const auto& last = run.trace.back();
      why = " (node '" + workflow.nodes[last.node].id + "' left on '" + workflow.nodes[last.node].port_name(last.port) + "')";
    }
    found.push_back("status: expected " + *expect.status + ", got " + status + why);
  }
  if (expect.path) {
    std::vector<std::string> path;
    for (const auto& t : run.trace) path.push_back(workflow.nodes[t.node].id);
    if (path != *expect.path) found.push_back("path: expected " + list_text(*expect.path) + ", got " + list_text(path));
  }
  if (expect.type && *expect.type != event.string("type"))
    found.push_back("type: expected " + *expect.type + ", got " + std::string(event.string("type")));
  if (expect.properties) compare_keys("properties", *expect.properties, event.properties(), found);
  if (expect.error && run.error.find(*expect.error) == std::string::npos)
    found.push_back("error: expected one containing '" + *expect.error + "', got " + (run.error.empty() ? "none" : "'" + run.error + "'"));
  for (auto& f : found) differences.push_back("event at line " + std::to_string(test.line) + ": " + std::move(f));
}

struct LiveProfile {
  std::string id;
  std::vector<std::string> identifiers;  // TYPE:VALUE, sorted
  std::string traits;
  std::int64_t events = 0;
};

std::vector<LiveProfile> live_profiles(Store& store) {
  std::vector<LiveProfile> out;
  for (const StoredProfile& row : store.profile_rows(std::nullopt)) {
    if (row.redirected || row.live_id != row.profile.id) continue;
    LiveProfile p;
    p.id = row.profile.id;
    for (const Identifier& id : store.identifiers(p.id)) p.identifiers.push_back(id.type + ":" + id.value);
    std::sort(p.identifiers.begin(), p.identifiers.end());
    p.traits = store.load_profile(p.id)->traits;
    p.events = store.count_events(p.id);
    out.push_back(std::move(p));
  }
  return out;
}

void compare_profiles(Store& store, const std::vector<ExpectedProfile>& expected, std::vector<std::string>& differences) {
  std::vector<LiveProfile> actual = live_profiles(store);
  std::vector<bool> matched(actual.size(), false);
  for (const ExpectedProfile& want : expected) {
    const std::string where = "profile at line " + std::to_string(want.line) + ": ";
    auto it = std::find_if(actual.begin(), actual.end(), [&](const LiveProfile& p) {
      return !matched[static_cast<std::size_t>(&p - actual.data())] && p.identifiers == want.identifiers;
    });
    if (it == actual.end()) {
      differences.push_back(where + "no live profile has exactly the identifiers " + list_text(want.identifiers));
      continue;
    }
    matched[static_cast<std::size_t>(it - actual.begin())] = true;
    if (want.traits) {
      rapidjson::Document traits;
      traits.Parse(it->traits.data(), it->traits.size());
      std::vector<std::string> found;
      compare_keys("traits", *want.traits, traits, found);
      for (auto& f : found) differences.push_back(where + f);
    }
    if (want.events && *want.events != it->events)
      differences.push_back(where + "events: expected " + std::to_string(*want.events) + ", got " + std::to_string(it->events));
  }
  for (std::size_t i = 0; i < actual.size(); ++i)
    if (!matched[i])
      differences.push_back("unexpected live profile with identifiers " + list_text(actual[i].identifiers) + ", traits " + actual[i].traits +
                            ", " + std::to_string(actual[i].events) + " event(s)");
}

// The messages the case's events made, in the order they were written, against `expected`.
void compare_messages(Store& store, const Workflow& workflow, const std::vector<ExpectedMessage>& expected,
                      std::vector<std::string>& differences) {
  std::vector<OutboxMessage> actual;
  for (const std::string& destination : workflow.routing->destinations)
    for (OutboxMessage& m : store.outbox().messages(destination, "", 0, 100000)) {
      m.data = data_to_send(store, m).value_or("null");  // as it would be sent after the case
      actual.push_back(std::move(m));
    }
  std::sort(actual.begin(), actual.end(), [](const OutboxMessage& a, const OutboxMessage& b) { return a.seq < b.seq; });
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const ExpectedMessage& want = expected[i];
    const std::string where = "message at line " + std::to_string(want.line) + ": ";
    if (i >= actual.size()) {
      differences.push_back(where + "expected a message to " + want.destination + ", got none");
      continue;
    }
    const OutboxMessage& got = actual[i];
    if (got.destination != want.destination)
      differences.push_back(where + "destination: expected " + want.destination + ", got " + got.destination);
    if (want.type && *want.type != got.type) differences.push_back(where + "type: expected " + *want.type + ", got " + got.type);
    if (want.data) {
      rapidjson::Document data;
      data.Parse(got.data.data(), got.data.size());
      std::vector<std::string> found;
      compare_keys("data", *want.data, data, found);
      for (auto& f : found) differences.push_back(where + f);
    }
  }
  for (std::size_t i = expected.size(); i < actual.size(); ++i)
    differences.push_back("unexpected message to " + actual[i].destination + " of type " + actual[i].type + ": " + actual[i].data);
}

}  // namespace

std::vector<std::string> run_test_case(const Workflow& workflow, const TestCase& test, std::size_t max_json_depth, std::size_t max_items) {
  std::vector<std::string> differences;
  try {
    const auto store = open_store("sqlite::memory:");
    EventWriter writer(*store);
    for (const TestEvent& posted : test.events) {
      std::string problem;
      auto events = delivery_events(workflow, posted.body, posted.headers, max_json_depth, max_items, problem);
      if (!problem.empty()) {
        differences.push_back("event at line " + std::to_string(posted.line) + ": " + problem);
        continue;
      }
      writer.begin_batch();  // a split request's items in one transaction, as weft serve stores them
      std::vector<RunResult> runs;
      for (auto& event : events) runs.push_back(writer.write(workflow, *event));
      writer.commit_batch();
      for (std::size_t i = 0; i < events.size(); ++i) compare_run(workflow, posted, runs[i], *events[i], differences);
    }
    if (test.profiles) compare_profiles(*store, *test.profiles, differences);
    if (test.messages) compare_messages(*store, workflow, *test.messages, differences);
  } catch (const std::exception& e) {
    differences.push_back(std::string("the store failed: ") + e.what());
  }
  return differences;
}

}  // namespace weft::app
