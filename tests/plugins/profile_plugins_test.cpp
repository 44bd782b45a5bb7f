// profile_grouper, profile_updater and email_identification_merger through real workflows on
// the real store.
#include "store_fixture.hpp"

#include <catch2/catch.hpp>

using weft::Outcome;
using weft::test::StoreFixture;

namespace {

const std::string head = "nodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                         "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n";

std::string port_of(const weft::Workflow& w, const weft::RunResult& run, const std::string& node) {
  for (const auto& t : run.trace)
    if (w.nodes[t.node].id == node) return w.nodes[t.node].port_name(t.port);
  return "<not run>";
}

}  // namespace

TEST_CASE("profile_grouper groups events with the same external id into one profile") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow("id: slack\n" + head + "  - id: group\n    plugin: profile_grouper\n");
  const auto a = f.post(*w, R"({"user":"U1"})");
  const auto b = f.post(*w, R"({"user":" U1 "})");
  const auto c = f.post(*w, R"({"user":"U2"})");
  CHECK(a.profile_id.size() == 36);
  CHECK(a.profile_id == b.profile_id);
  CHECK(a.profile_id != c.profile_id);
  CHECK(f.store.count_events(a.profile_id) == 2);
  CHECK(f.store.find_identifier("slack", "U1") == a.profile_id);  // the type defaults to the source id
  CHECK(f.store.load_event(a.event_id)->profile_id == a.profile_id);
}

TEST_CASE("profile_grouper: a custom identifier type, missing ids, and create: false") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow("id: forms\n" + head + "  - id: group\n    plugin: profile_grouper\n    with: { identifier: crm }\n");
  const auto a = f.post(*w, R"({"user":"42"})");
  CHECK(f.store.find_identifier("crm", "42") == a.profile_id);

  const auto none = f.post(*w, R"({"other":"x"})");
  CHECK(port_of(*w, none.run, "group") == "missing");
  CHECK(none.profile_id.empty());
  CHECK(f.store.load_event(none.event_id)->profile_id == std::nullopt);  // stored without a profile

  auto strict = f.workflow("id: strict\n" + head +
                           "  - id: group\n    plugin: profile_grouper\n    with: { identifier: crm, create: false }\n"
                           "    on: { unknown: reject }\n");
  CHECK(f.post(*strict, R"({"user":"42"})").profile_id == a.profile_id);
  const auto unknown = f.post(*strict, R"({"user":"43"})");
  CHECK(unknown.run.outcome == Outcome::rejected);
  CHECK_FALSE(f.store.find_identifier("crm", "43"));
}

TEST_CASE("profile_updater writes traits, skips missing and null values, and honours if_missing") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow("id: s\n" + head + "  - id: group\n    plugin: profile_grouper\n" +
                      "  - id: traits\n    plugin: profile_updater\n"
                      "    with: { set: { name: $.payload.name, plan: pro, address: $.payload.address } }\n"
                      "  - id: first\n    plugin: profile_updater\n"
                      "    with: { set: { first_name: $.payload.name }, mode: if_missing }\n");
  const auto a = f.post(*w, R"({"user":"U1","name":"Jane","address":{"city":"Berlin"}})");
  CHECK(f.store.load_profile(a.profile_id)->traits ==
        R"({"name":"Jane","plan":"pro","address":{"city":"Berlin"},"first_name":"Jane"})");
  f.post(*w, R"({"user":"U1","name":null})");  // a selected null leaves the trait alone
  CHECK(f.store.load_profile(a.profile_id)->traits ==
        R"({"name":"Jane","plan":"pro","address":{"city":"Berlin"},"first_name":"Jane"})");
  f.post(*w, R"({"user":"U1","name":"Jane Doe"})");
  CHECK(f.store.load_profile(a.profile_id)->traits ==
        R"({"name":"Jane Doe","plan":"pro","address":{"city":"Berlin"},"first_name":"Jane"})");

  auto no_profile = f.workflow("id: t\n" + head + "  - id: traits\n    plugin: profile_updater\n    with: { set: { a: b } }\n");
  CHECK(port_of(*no_profile, f.post(*no_profile, R"({"user":"U1"})").run, "traits") == "missing");
}

TEST_CASE("email_identification_merger merges the profiles that share an e-mail across sources") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  const std::string tail = "  - id: group\n    plugin: profile_grouper\n"
                           "  - id: identify\n    plugin: email_identification_merger\n    with: { email: $.payload.email }\n";
  auto slack = f.workflow("id: slack\n" + head + tail);
  auto stripe = f.workflow("id: stripe\n" + head + tail);
  const auto s1 = f.post(*slack, R"({"user":"U1"})");
  const auto s2 = f.post(*slack, R"({"user":"U1","email":" Jane@Example.COM "})");
  const auto t1 = f.post(*stripe, R"({"user":"cus_1","email":"jane@example.com"})");
  CHECK(port_of(*stripe, t1.run, "identify") == "out");
  CHECK(t1.profile_id == s1.profile_id);  // the answer names the survivor
  CHECK(s2.profile_id == s1.profile_id);
  const auto survivor = f.store.load_profile(s1.profile_id);
  CHECK(f.store.count_events(survivor->id) == 3);
  CHECK(f.store.find_identifier("email", "jane@example.com") == s1.profile_id);
  CHECK(f.store.find_identifier("stripe", "cus_1") == s1.profile_id);
  CHECK(f.store.merges(s1.profile_id).size() == 1);
  CHECK(f.writer.stats().identity.merges == 1);
}

TEST_CASE("email_identification_merger's ports: missing, invalid, limited") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow("id: s\n" + head + "  - id: group\n    plugin: profile_grouper\n" +
                      "  - id: identify\n    plugin: email_identification_merger\n"
                      "    with: { email: $.payload.email, max_emails_per_profile: 1, blocked: ['.*@test\\.invalid'] }\n");
  CHECK(port_of(*w, f.post(*w, R"({"user":"U1"})").run, "identify") == "missing");
  CHECK(port_of(*w, f.post(*w, R"({"user":"U1","email":"bot@test.invalid"})").run, "identify") == "missing");
  for (const char* bad : {"jane", "jane@", "@x.co", "jane@localhost", "a b@x.co", "a@b@x.co", "a@x..co", "a@.x.co"}) {
    INFO(bad);
    CHECK(port_of(*w, f.post(*w, std::string(R"({"user":"U1","email":")") + bad + "\"}").run, "identify") == "invalid");
  }
  CHECK(port_of(*w, f.post(*w, R"({"user":"U1","email":"one@x.co"})").run, "identify") == "out");
  CHECK(port_of(*w, f.post(*w, R"({"user":"U1","email":"two@x.co"})").run, "identify") == "limited");
  CHECK_FALSE(f.store.find_identifier("email", "two@x.co"));

  auto no_profile = f.workflow("id: t\n" + head + "  - id: identify\n    plugin: email_identification_merger\n"
                                                  "    with: { email: $.payload.email }\n");
  CHECK(port_of(*no_profile, f.post(*no_profile, R"({"user":"U1","email":"one@x.co"})").run, "identify") == "missing");
}

TEST_CASE("two mergers in one workflow compose") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow("id: stripe\n" + head + "  - id: group\n    plugin: profile_grouper\n" +
                      "  - id: email\n    plugin: email_identification_merger\n    with: { email: $.payload.email }\n"
                      "  - id: billing\n    plugin: email_identification_merger\n    with: { email: $.payload.billing_email }\n");
  const auto a = f.post(*w, R"({"user":"cus_a","email":"a@x.co"})");
  const auto b = f.post(*w, R"({"user":"cus_b","email":"b@x.co"})");
  REQUIRE(a.profile_id != b.profile_id);
  const auto c = f.post(*w, R"({"user":"cus_c","email":"a@x.co","billing_email":"b@x.co"})");
  CHECK(c.profile_id == a.profile_id);
  CHECK(f.store.load_profile(b.profile_id)->id == a.profile_id);
  CHECK(f.store.count_events(a.profile_id) == 3);
  CHECK(f.store.merges(a.profile_id).size() == 2);
}

TEST_CASE("the grouper and the merger treat an identifier an operator blocked as missing") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow("id: s\n" + head + "  - id: group\n    plugin: profile_grouper\n" +
                      "  - id: identify\n    plugin: email_identification_merger\n    with: { email: $.payload.email }\n");
  const auto first = f.post(*w, R"({"user":"U1","email":"info@x.co"})");
  REQUIRE(!first.profile_id.empty());
  f.store.begin();
  f.store.detach_identifier("email", "info@x.co", 1, 1);  // blocked
  f.store.detach_identifier("s", "U1", 1, 1);
  f.store.commit();
  const auto again = f.post(*w, R"({"user":"U1","email":"info@x.co"})");
  CHECK(port_of(*w, again.run, "group") == "missing");  // not "unknown": as if the id were absent
  CHECK(again.profile_id.empty());
  const auto other = f.post(*w, R"({"user":"U2","email":"info@x.co"})");
  CHECK(port_of(*w, other.run, "identify") == "missing");
  CHECK_FALSE(f.store.find_identifier("email", "info@x.co"));
  CHECK(f.store.identifiers(other.profile_id).size() == 1);  // s:U2 only
}

TEST_CASE("one value from a nodelist is its first node: the trigger's event_type and the updater's values") {
  StoreFixture f(GENERATE(from_range(weft::test::store_backends())));
  auto w = f.workflow("id: s\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                      "    with: { event_type: '$.payload.events[*].kind' }\n"
                      "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                      "  - id: group\n    plugin: profile_grouper\n"
                      "  - id: traits\n    plugin: profile_updater\n"
                      "    with: { set: { plan: '$.payload.events[?@.kind == \"upgrade\"].plan', none: '$.payload.events[?@.x].y' } }\n");
  const auto a = f.post(*w, R"({"user":"U1","events":[{"kind":"signup","plan":"free"},{"kind":"upgrade","plan":"pro"},{"kind":"upgrade","plan":"team"}]})");
  CHECK(f.store.load_event(a.event_id)->type == "signup");
  CHECK(f.store.load_profile(a.profile_id)->traits == R"({"plan":"pro"})");  // an empty nodelist leaves its trait alone
}
