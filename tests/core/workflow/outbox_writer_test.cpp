// The messages of SPEC 17 as the writer makes them: a deliver node's (its body template, the
// default body), only for a stored event, and the profile changes a destination subscribes to.
#include "store_fixture.hpp"

#include "weft/event/json.hpp"
#include "weft/serve/operations.hpp"

#include <catch2/catch.hpp>

namespace {

std::shared_ptr<const weft::DeliveryRouting> routing(std::vector<std::string> subscriptions) {
  auto r = std::make_shared<weft::DeliveryRouting>();
  r->destinations = {"crm", "warehouse"};
  for (const auto& type : subscriptions) r->subscribers[type].push_back("crm");
  return r;
}

const std::string flow = R"(id: s
nodes:
  - id: receive
    plugin: webhook_trigger
    with: { event_type: $.payload.kind }
  - id: extract
    plugin: json_path_extractor
    with: { path: $.payload.user }
  - id: group
    plugin: profile_grouper
  - id: traits
    plugin: profile_updater
    with: { set: { name: $.payload.name } }
  - id: merge
    plugin: email_identification_merger
    with: { email: $.payload.email }
  - id: route
    plugin: switch
    with: { value: $.payload.kind, cases: [ { equals: drop, port: dropped } ] }
    on: { dropped: drop }
  - id: send
    plugin: deliver
    with:
      destination: warehouse
      body: { who: $.payload.user, n: 3, nested: { name: $.payload.name, missing: $.payload.nothing }, list: [ $.payload.user, x ] }
  - id: send_default
    plugin: deliver
    with: { destination: warehouse, type: signup }
)";

std::vector<weft::OutboxMessage> messages(weft::Store& store, const std::string& destination) {
  return store.outbox().messages(destination, "", 0, 100);
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  REQUIRE(!d.HasParseError());
  return d;
}

}  // namespace

TEST_CASE("deliver: the body template and the default body, written with the stored event only") {
  weft::test::StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  const auto w = f.workflow(flow, routing({}));
  const auto posted = f.post(*w, R"({"kind":"message","user":"U1","name":"Jane"})");
  REQUIRE(posted.run.outcome == weft::Outcome::processed);
  f.post(*w, R"({"kind":"drop","user":"U2","name":"Joe"})");  // dropped: no message
  const auto sent = messages(f.store, "warehouse");
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].type == "message");  // the event's type, by default
  CHECK(sent[0].profile_id == posted.profile_id);
  CHECK(sent[0].id.starts_with("msg_"));
  CHECK(sent[0].data == R"({"who":"U1","n":3,"nested":{"name":"Jane"},"list":["U1","x"]})");
  CHECK(sent[1].type == "signup");
  const auto body = json(sent[1].data);
  CHECK(body["event"]["id"] == posted.event_id.c_str());
  CHECK(body["event"]["status"] == "processed");
  CHECK(body["event"]["payload"]["name"] == "Jane");
  CHECK(body["profile"]["id"] == posted.profile_id.c_str());
  CHECK(body["profile"]["traits"]["name"] == "Jane");
  CHECK(messages(f.store, "crm").empty());  // it subscribes to nothing
}

TEST_CASE("deliver: a destination that does not exist is a validation error") {
  const auto loaded = weft::test::load_yaml(R"(id: s
nodes:
  - id: receive
    plugin: webhook_trigger
  - id: send
    plugin: deliver
    with: { destination: crn }
)",
                                            weft::test::builtin_plugins(), routing({}));
  REQUIRE(loaded.errors.size() == 1);
  CHECK(loaded.errors[0] == "7:26: node 'send' (deliver): unknown destination 'crn' (did you mean 'crm'?) (destinations are the files of "
                            "the destinations folder)");
}

TEST_CASE("profile changes: created, updated coalesced while waiting, merged with its identifier and event") {
  weft::test::StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  const auto w = f.workflow(flow, routing({"profile.created", "profile.updated", "profile.merged"}));
  const auto jane = f.post(*w, R"({"kind":"a","user":"U1","name":"Jane"})");
  f.post(*w, R"({"kind":"a","user":"U1","name":"Jane"})");   // changes nothing
  f.post(*w, R"({"kind":"a","user":"U1","name":"Jane D"})");  // updated
  f.post(*w, R"({"kind":"a","user":"U1","name":"Jane Doe"})");  // updated again: coalesced
  auto sent = messages(f.store, "crm");
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].type == "profile.created");
  CHECK(json(sent[0].data)["traits"]["name"] == "Jane");
  CHECK(sent[1].type == "profile.updated");
  CHECK(sent[1].data == weft::profile_state_when_sent);  // made when it is sent: the latest state
  CHECK(json(*weft::data_to_send(f.store, sent[1]))["traits"]["name"] == "Jane Doe");

  const auto joe = f.post(*w, R"({"kind":"a","user":"U2","email":"j@x.co"})");
  const auto merging = f.post(*w, R"({"kind":"a","user":"U1","email":"j@x.co"})");
  sent = messages(f.store, "crm");
  std::vector<std::string> types;
  for (const auto& m : sent) types.push_back(m.type);
  CHECK(types == std::vector<std::string>{"profile.created", "profile.updated", "profile.created", "profile.merged"});
  const auto merged = json(sent.back().data);
  CHECK(merged["survivor"]["id"] == jane.profile_id.c_str());
  CHECK(merged["merged"] == joe.profile_id.c_str());
  CHECK(merged["identifier"]["type"] == "email");
  CHECK(merged["event_id"] == merging.event_id.c_str());
  // the survivor's new state goes with the profile.updated still waiting, not a new message
  CHECK(json(*weft::data_to_send(f.store, sent[1]))["identifiers"].Size() == 3);  // U1, U2 and the e-mail
}

TEST_CASE("profile changes: a failed event's changes send nothing") {
  weft::test::StoreFixture f;
  const auto w = f.workflow(R"(id: s
nodes:
  - id: receive
    plugin: webhook_trigger
  - id: extract
    plugin: json_path_extractor
    with: { path: $.payload.user }
  - id: group
    plugin: profile_grouper
  - id: traits
    plugin: profile_updater
    with: { set: { name: $.payload.name } }
  - id: send
    plugin: deliver
    with: { destination: crm, type: $.payload.missing }
)",
                            routing({"profile.created"}));
  const auto posted = f.post(*w, R"({"user":"U1","name":"Jane"})");
  CHECK(posted.run.outcome == weft::Outcome::failed);
  CHECK(messages(f.store, "crm").empty());
}

TEST_CASE("erasure: the person's messages go, profile.erased names their ids and identifiers, the answer counts them") {
  weft::test::StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto r = std::make_shared<weft::DeliveryRouting>(*routing({"profile.created", "profile.erased"}));
  const auto w = f.workflow(flow, r);
  const auto jane = f.post(*w, R"({"kind":"a","user":"U1","name":"Jane","email":"j@x.co"})");
  const auto joe = f.post(*w, R"({"kind":"a","user":"U2","name":"Joe"})");
  weft::Metrics metrics;
  const auto erased = weft::run_in_transaction(f.writer, weft::erase_person(jane.profile_id, true, metrics, r));
  REQUIRE(erased.answer.status == 200);
  // Jane's: created, and two deliver messages; Joe's stay
  CHECK(json(erased.answer.body)["erased"]["messages"].GetInt64() == 3);
  const auto crm = messages(f.store, "crm");
  REQUIRE(crm.size() == 2);
  CHECK(crm[0].profile_id == joe.profile_id);
  CHECK(crm[1].type == "profile.erased");
  CHECK(crm[1].data == R"({"profiles":[")" + jane.profile_id + R"("],"identifiers":[{"type":"s","value":"U1"},{"type":"email","value":"j@x.co"}]})");
  CHECK(messages(f.store, "warehouse").size() == 2);  // Joe's two
}

TEST_CASE("re-derivation: the events run again send nothing again, and a profile that became two sends profile.split") {
  weft::test::StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto r = std::make_shared<weft::DeliveryRouting>(*routing({"profile.split", "profile.updated"}));
  const auto w = f.workflow(flow, r);
  const auto jane = f.post(*w, R"({"kind":"a","user":"U1","email":"j@x.co"})");
  f.post(*w, R"({"kind":"a","user":"U2","email":"j@x.co"})");  // merged into Jane's profile
  const std::size_t sent_before = messages(f.store, "warehouse").size();
  weft::Metrics metrics;
  const auto removed = weft::run_in_transaction(
      f.writer, weft::remove_identifier(jane.profile_id, {"email", "j@x.co"}, false, weft::WorkflowsBySource{{"s", w}}, metrics));
  REQUIRE(removed.answer.status == 200);
  CHECK(messages(f.store, "warehouse").size() == sent_before);  // no deliver message twice
  const auto crm = messages(f.store, "crm");
  REQUIRE(!crm.empty());
  CHECK(crm.back().type == "profile.split");
  const auto split = json(crm.back().data);
  CHECK(split["profile"] == jane.profile_id.c_str());
  CHECK(split["profiles"].Size() == 2);
}
