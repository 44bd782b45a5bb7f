// Model-based test of grouping and merging (SPEC 6): random streams of people known by ids in
// three systems and by one or two e-mails, in random order, through the real workflows,
// plugins and store; the result is checked against a union-find model of who is connected.
// Seeded and reproducible: WEFT_MODEL_SEED overrides the seed.
#include "store_fixture.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <numeric>
#include <random>
#include <set>

namespace {

constexpr int people = 3000;
constexpr int events = 20000;

struct Sent {
  std::string event_id;
  std::string key;  // "system:id" of the event's external id
};

// Disjoint sets over identifier keys: the model of who must end up as one profile.
class Model {
public:
  void add(const std::string& key) { parent_.try_emplace(key, key); }
  std::string find(const std::string& key) {
    std::string root = key;
    while (parent_.at(root) != root) root = parent_.at(root);
    for (std::string k = key; parent_.at(k) != root;) k = std::exchange(parent_.at(k), root);
    return root;
  }
  void join(const std::string& a, const std::string& b) { parent_.at(find(a)) = find(b); }
  const std::map<std::string, std::string>& keys() const { return parent_; }

private:
  std::map<std::string, std::string> parent_;
};

std::uint32_t seed() {
  const char* env = std::getenv("WEFT_MODEL_SEED");
  return env ? static_cast<std::uint32_t>(std::strtoul(env, nullptr, 10)) : 20261130u;
}

struct Run {
  weft::test::StoreFixture f;
  std::vector<Sent> sent;
  Model model;

  Run(int max_profiles, int max_emails) {
    const std::string limits = "max_profiles: " + std::to_string(max_profiles) + ", max_emails_per_profile: " + std::to_string(max_emails);
    std::map<std::string, std::shared_ptr<const weft::Workflow>> workflows;
    for (const char* system : {"slack", "stripe", "github"})
      workflows[system] = f.workflow(std::string("id: ") + system +
                                     "\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                     "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                                     "    on: { missing: reject }\n"
                                     "  - id: group\n    plugin: profile_grouper\n"
                                     "  - id: identify\n    plugin: email_identification_merger\n"
                                     "    with: { email: $.payload.email, " + limits + " }\n");
    std::mt19937 random(seed());
    std::uniform_int_distribution<int> person_of(0, people - 1), system_of(0, 2), percent(0, 99);
    const char* systems[] = {"slack", "stripe", "github"};
    f.writer.begin_batch();
    for (int i = 0; i < events; ++i) {
      const int person = person_of(random);
      const std::string system = systems[system_of(random)];
      const std::string id = system == "slack" ? "U" + std::to_string(person) : system == "stripe" ? "cus_" + std::to_string(person)
                                                                                                     : std::to_string(100000 + person);
      std::string payload = R"({"user":")" + id + "\"";
      const std::string key = system + ":" + id;
      model.add(key);
      if (percent(random) < 30) {
        // one in three people has a second address; either may be used
        const bool second = person % 3 == 0 && percent(random) < 50;
        const std::string email = "p" + std::to_string(person) + (second ? "b" : "a") + "@example.com";
        payload += R"(,"email":")" + email + "\"";
        model.add("email:" + email);
        model.join(key, "email:" + email);
      }
      weft::EventDocument event;
      weft::test::set_payload(event, payload + "}");
      weft::stamp_event(event, system);
      const auto run = f.writer.write(*workflows[system], event);
      REQUIRE(run.outcome == weft::Outcome::processed);
      sent.push_back({std::string(event.string("id")), key});
      if (i % 500 == 499) {
        f.writer.commit_batch();
        f.writer.begin_batch();
      }
    }
    f.writer.commit_batch();
  }

  std::string profile_of(const std::string& key) {
    const auto colon = key.find(':');
    return f.store.find_identifier(key.substr(0, colon), key.substr(colon + 1)).value_or("<none>");
  }

  // Live profiles with their size (themselves plus aliases) and e-mail count.
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> live_profiles() {
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> out;
    auto q = f.sqlite().db().prepare("SELECT id FROM profiles WHERE merged_into IS NULL");
    while (q.step()) {
      const std::string id = q.id(0);
      out[id] = {1 + f.store.count_aliases(id), f.store.count_identifiers(id, "email")};
    }
    return out;
  }

  std::int64_t scalar(const char* sql) {
    auto q = f.sqlite().db().prepare(sql);
    REQUIRE(q.step());
    return q.integer(0);
  }

  // Checks that hold with any limits: every event stored on a live profile holding its id,
  // counts adding up, and every merged profile answering with its survivor and audited.
  void check_history() {
    for (const Sent& s : sent) {
      const auto event = f.store.load_event(s.event_id);
      REQUIRE(event);
      REQUIRE(event->profile_id == profile_of(s.key));
    }
    CHECK(scalar("SELECT count(*) FROM events WHERE profile_id IN (SELECT id FROM profiles WHERE merged_into IS NULL)") == events);
    CHECK(scalar("SELECT count(*) FROM events WHERE status = 'processed'") == events);
    CHECK(scalar("SELECT count(*) FROM events WHERE profile_id IN (SELECT id FROM profiles WHERE merged_into IS NOT NULL)") == 0);
    CHECK(scalar("SELECT count(*) FROM identifiers WHERE profile_id IN (SELECT id FROM profiles WHERE merged_into IS NOT NULL)") == 0);
    auto merged = f.sqlite().db().prepare("SELECT id, merged_into FROM profiles WHERE merged_into IS NOT NULL");
    std::int64_t merged_count = 0;
    while (merged.step()) {
      ++merged_count;
      const std::string id = merged.id(0), survivor = merged.id(1);
      REQUIRE(f.store.load_profile(id)->id == survivor);
      const auto aliases = f.store.aliases(survivor);
      REQUIRE(std::find(aliases.begin(), aliases.end(), id) != aliases.end());
    }
    CHECK(scalar("SELECT count(*) FROM merges") == merged_count);
    CHECK(scalar("SELECT count(DISTINCT merged) FROM merges") == merged_count);
    CHECK(f.writer.stats().identity.merges == merged_count);
    CHECK(scalar("SELECT count(*) FROM profiles") == f.writer.stats().identity.profiles_created);
  }
};

}  // namespace

TEST_CASE("model: with high limits every connected person is exactly one live profile") {
  Run run(1000000, 1000000);
  std::map<std::string, std::set<std::string>> profiles_of_component;
  std::map<std::string, std::set<std::string>> components_of_profile;
  std::map<std::string, std::int64_t> events_of_component;
  for (const auto& [key, parent] : run.model.keys()) {
    const std::string component = run.model.find(key);
    const std::string profile = run.profile_of(key);
    profiles_of_component[component].insert(profile);
    components_of_profile[profile].insert(component);
  }
  for (const Sent& s : run.sent) ++events_of_component[run.model.find(s.key)];

  for (const auto& [component, profiles] : profiles_of_component) {
    INFO("component " << component);
    REQUIRE(profiles.size() == 1);
    REQUIRE(components_of_profile[*profiles.begin()].size() == 1);
    REQUIRE(run.f.store.count_events(*profiles.begin()) == events_of_component[component]);
  }
  const auto live = run.live_profiles();
  CHECK(live.size() == profiles_of_component.size());
  CHECK(run.f.writer.stats().identity.merges > 100);  // the stream really exercised merging
  CHECK(run.f.writer.stats().identity.merges_refused == 0);
  run.check_history();
}

TEST_CASE("model: with small limits no profile exceeds them and nothing is lost") {
  const int max_profiles = 2, max_emails = 1;
  Run run(max_profiles, max_emails);
  for (const auto& [id, size] : run.live_profiles()) {
    INFO("profile " << id);
    REQUIRE(size.first <= max_profiles);
    REQUIRE(size.second <= max_emails);
  }
  CHECK(run.f.writer.stats().identity.merges > 0);
  CHECK(run.f.writer.stats().identity.merges_refused > 0);
  CHECK(run.scalar("SELECT count(*) FROM identifiers WHERE type = 'email'") <= run.scalar("SELECT count(DISTINCT profile_id) FROM identifiers"));
  run.check_history();
}
