// The outbox of SPEC 17 on both stores: what a dispatcher may claim (due, unleased, per-profile
// order), how attempts settle, coalescing, hand retries, counts and lists, and erasure.
#include "weft/base/uuid.hpp"
#include "weft/store/store.hpp"
#include "weft/store/store_factory.hpp"

#include "skip.hpp"

#include "store_backends.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <random>
#include <set>

using weft::MessageSettlement;
using weft::OutboxMessage;

namespace {

struct Outboxed {
  explicit Outboxed(const std::string& backend) : location(weft::test::fresh_store_location(backend, dir)), store(weft::open_store(location)) {}
  weft::test::TempDir dir;
  std::string location;
  std::unique_ptr<weft::Store> store;
  weft::Outbox& outbox() { return store->outbox(); }

  // Writes a message in a transaction of its own, as the writer does; returns its id.
  std::string add(const std::string& destination, std::optional<std::string> profile, const std::string& type = "event",
                  const std::string& data = "{}") {
    const std::string id = "msg_" + weft::new_uuid();
    store->begin();
    outbox().enqueue({.id = id, .destination = destination, .type = type, .profile_id = std::move(profile), .created_at = 1000, .data = data});
    store->commit();
    return id;
  }
  std::vector<std::string> claim(const std::string& destination, std::int64_t now, bool per_profile = true, std::int64_t limit = 100) {
    store->begin();
    outbox().relax_isolation();
    const auto claimed = outbox().claim(destination, now, now + 1000, limit, per_profile);
    store->commit();
    std::vector<std::string> ids;
    for (const auto& m : claimed) ids.push_back(m.id);
    return ids;
  }
  void settle(const std::string& destination, const std::string& id, MessageSettlement::Next next, std::int64_t next_at = 0) {
    store->begin();
    const auto listed = outbox().messages(destination, "", 0, 1000);
    const auto m = std::find_if(listed.begin(), listed.end(), [&](const OutboxMessage& x) { return x.id == id; });
    REQUIRE(m != listed.end());
    outbox().settle({.seq = m->seq, .attempt = {.at = 5000, .http_status = 500, .error = "HTTP 500", .ms = 3, .response = "no"},
                     .next = next, .next_at = next_at});
    store->commit();
  }
};

const std::string p1 = "0190aaaa-0000-7000-8000-000000000001";
const std::string p2 = "0190aaaa-0000-7000-8000-000000000002";

}  // namespace

TEST_CASE("outbox: a profile's later message waits while its earlier one is claimed or waits for a retry, others go on") {
  Outboxed o(GENERATE(from_range(weft::test::store_backends())));
  const auto a1 = o.add("crm", p1);
  const auto a2 = o.add("crm", p1);
  const auto b1 = o.add("crm", p2);
  const auto c1 = o.add("crm", std::nullopt);
  const auto other = o.add("mail", p1);  // another destination has its own order
  CHECK(o.claim("crm", 2000) == std::vector<std::string>{a1, b1, c1});
  CHECK(o.claim("crm", 2000).empty());  // leased until 3000
  CHECK(o.claim("mail", 2000) == std::vector<std::string>{other});
  o.settle("crm", c1, MessageSettlement::Next::delivered);

  o.settle("crm", b1, MessageSettlement::Next::delivered);
  o.settle("crm", a1, MessageSettlement::Next::retry, 10'000);
  CHECK(o.claim("crm", 2500).empty());  // a1 waits for its retry; a2 must wait behind it
  CHECK(o.claim("crm", 10'000) == std::vector<std::string>{a1});
  o.settle("crm", a1, MessageSettlement::Next::delivered);
  CHECK(o.claim("crm", 10'000) == std::vector<std::string>{a2});

  // without per-profile order, a profile's messages go out together
  const auto d1 = o.add("crm", p2);
  const auto d2 = o.add("crm", p2);
  CHECK(o.claim("crm", 20'000, false) == std::vector<std::string>{a2, d1, d2});  // a2's lease ran out at 11,000
}

TEST_CASE("outbox: a message made after a hand retry of an older one, when the newest was delivered, waits behind it") {
  Outboxed o(GENERATE(from_range(weft::test::store_backends())));
  const auto a1 = o.add("crm", p1);
  const auto a2 = o.add("crm", p1);
  CHECK(o.claim("crm", 2000) == std::vector<std::string>{a1});
  o.settle("crm", a1, MessageSettlement::Next::delivered);
  CHECK(o.claim("crm", 2000) == std::vector<std::string>{a2});
  o.settle("crm", a2, MessageSettlement::Next::delivered);
  o.store->begin();
  CHECK(o.outbox().retry("crm", a1, 2000));
  o.store->commit();
  const auto a3 = o.add("crm", p1);
  CHECK(o.claim("crm", 2000) == std::vector<std::string>{a1});
  o.settle("crm", a1, MessageSettlement::Next::delivered);
  CHECK(o.claim("crm", 2000) == std::vector<std::string>{a3});
}

TEST_CASE("outbox: a lease that runs out (a crashed dispatcher) gives the message to the next claim") {
  Outboxed o(GENERATE(from_range(weft::test::store_backends())));
  const auto a = o.add("crm", p1);
  CHECK(o.claim("crm", 2000) == std::vector<std::string>{a});
  CHECK(o.claim("crm", 2999).empty());
  CHECK(o.claim("crm", 3000) == std::vector<std::string>{a});
}

TEST_CASE("outbox: a claim given back unsent can be claimed at once, but only by the lease that holds it") {
  Outboxed o(GENERATE(from_range(weft::test::store_backends())));
  const auto a = o.add("crm", p1);
  o.add("crm", p1);  // waits behind a
  const auto seq_of = [&](const std::string& id) {
    for (const auto& m : o.outbox().messages("crm", "", 0, 10))
      if (m.id == id) return m.seq;
    FAIL("no message " << id);
    return std::int64_t{0};
  };
  const auto release = [&](const std::string& id, std::int64_t lease_until) {
    o.store->begin();
    o.outbox().relax_isolation();
    o.outbox().release(seq_of(id), lease_until);
    o.store->commit();
  };
  CHECK(o.claim("crm", 2000) == std::vector<std::string>{a});  // leased until 3000
  release(a, 2999);                                            // not its lease: nothing happens
  CHECK(o.claim("crm", 2500).empty());
  release(a, 3000);
  CHECK(o.claim("crm", 2500) == std::vector<std::string>{a});  // the second still waits behind it
  CHECK(o.outbox().attempts(seq_of(a)).empty());                // a release is no attempt
  CHECK(o.outbox().messages("crm", "pending", 0, 10).size() == 2);
}

TEST_CASE("outbox: settling records every attempt, oldest first, and counts follow the status") {
  Outboxed o(GENERATE(from_range(weft::test::store_backends())));
  const auto a = o.add("crm", p1);
  const auto b = o.add("crm", p2);
  o.add("crm", p2);
  o.claim("crm", 2000);
  o.settle("crm", a, MessageSettlement::Next::retry, 3000);
  o.claim("crm", 3000);
  o.settle("crm", a, MessageSettlement::Next::failed);
  o.settle("crm", b, MessageSettlement::Next::delivered);
  const auto counts = o.outbox().counts("crm");
  CHECK(counts.pending == 1);
  CHECK(counts.failed == 1);
  CHECK(counts.delivered == 1);
  CHECK(counts.oldest_pending_at == 1000);
  const auto failed = o.outbox().messages("crm", "failed", 0, 10);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].id == a);
  CHECK(failed[0].attempts == 2);
  const auto attempts = o.outbox().attempts(failed[0].seq);
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[0].http_status == 500);
  CHECK(attempts[0].error == "HTTP 500");
  CHECK(attempts[0].response == "no");
  CHECK(o.outbox().counts("nobody").pending == 0);
  CHECK_FALSE(o.outbox().counts("nobody").oldest_pending_at);

  // a retry by hand starts the schedule again; retry-failed takes every failed message
  o.store->begin();
  CHECK(o.outbox().retry("crm", a, 4000));
  CHECK_FALSE(o.outbox().retry("mail", a, 4000));  // not that destination's
  CHECK(o.outbox().retry_failed("crm", 4000) == 0);
  o.store->commit();
  const auto again = o.outbox().messages("crm", "pending", 0, 10);
  REQUIRE(again.size() == 2);
  CHECK(again[0].id == a);
  CHECK(again[0].attempts == 0);
  CHECK(o.outbox().messages("crm", "pending", again[0].seq, 10).size() == 1);  // paged by seq
}

TEST_CASE("outbox: profile.updated coalesces only into a waiting message that no attempt has touched") {
  Outboxed o(GENERATE(from_range(weft::test::store_backends())));
  const auto a = o.add("crm", p1, "profile.updated");
  o.add("crm", p2, "profile.created");
  CHECK(o.outbox().has_waiting_update("crm", p1));
  CHECK_FALSE(o.outbox().has_waiting_update("crm", p2));  // a waiting message of another type
  CHECK_FALSE(o.outbox().has_waiting_update("mail", p1));
  o.claim("crm", 2000);  // now in flight: a newer state needs a message of its own
  CHECK_FALSE(o.outbox().has_waiting_update("crm", p1));
  o.settle("crm", a, MessageSettlement::Next::retry, 3000);
  CHECK_FALSE(o.outbox().has_waiting_update("crm", p1));  // attempted once: its body was sent
}

TEST_CASE("outbox: an erasure deletes the person's messages with their attempts and nobody else's") {
  Outboxed o(GENERATE(from_range(weft::test::store_backends())));
  o.store->begin();
  o.store->insert_profile({.id = p1, .created_at = 1, .updated_at = 1});
  o.store->insert_identifier("slack", "U1", p1, 1);
  o.store->insert_profile({.id = p2, .created_at = 2, .updated_at = 2});
  o.store->insert_identifier("slack", "U2", p2, 2);
  o.store->commit();
  const auto a = o.add("crm", p1, "event", R"({"name":"Jane"})");
  o.add("crm", p1);
  o.add("crm", p2);
  o.claim("crm", 2000);
  o.settle("crm", a, MessageSettlement::Next::delivered);
  const std::int64_t in_flight = o.outbox().messages("crm", "pending", 0, 10).at(0).seq;  // p1's second
  o.store->begin();
  const auto erased = o.store->erase_profile(p1);
  o.store->commit();
  CHECK(erased.messages == 2);
  CHECK(erased.erased_ids == std::vector<std::string>{p1});
  const auto left = o.outbox().messages("crm", "", 0, 10);
  REQUIRE(left.size() == 1);
  CHECK(left[0].profile_id == p2);

  // an attempt that was under way during the erasure ends after it: nothing of it is kept
  o.store->begin();
  o.outbox().settle({.seq = in_flight, .attempt = {.at = 6000, .http_status = 200, .ms = 1, .response = "Jane's answer"}});
  o.store->commit();
  CHECK(o.outbox().attempts(in_flight).empty());
  CHECK(o.outbox().messages("crm", "", 0, 10).size() == 1);
}

TEST_CASE("outbox: what is kept of a destination") {
  Outboxed o(GENERATE(from_range(weft::test::store_backends())));
  CHECK_FALSE(o.outbox().destination("crm").disabled_at);
  o.store->begin();
  o.outbox().save_destination("crm", {.disabled_at = 7, .disabled_reason = "410 Gone", .failing_since = 5, .last_error_at = 7,
                                      .last_error = "HTTP 410"});
  o.store->commit();
  auto r = o.outbox().destination("crm");
  CHECK(r.disabled_at == 7);
  CHECK(r.disabled_reason == "410 Gone");
  CHECK(r.failing_since == 5);
  CHECK(r.last_error == "HTTP 410");
  o.store->begin();
  o.outbox().save_destination("crm", {.last_error_at = 7, .last_error = "HTTP 410"});
  o.store->commit();
  r = o.outbox().destination("crm");
  CHECK_FALSE(r.disabled_at);
  CHECK_FALSE(r.failing_since);
}

TEST_CASE("PostgreSQL outbox: two processes' claims never share a message and keep per-profile order") {
  const auto backends = weft::test::store_backends();
  if (std::find(backends.begin(), backends.end(), "postgresql") == backends.end())
    return weft::test::skip_test("needs WEFT_TEST_POSTGRES (packaging/dev.sh test starts a server)");
  Outboxed o("postgresql");
  auto second = weft::open_store(o.location);
  std::vector<std::string> firsts;
  for (int i = 0; i < 20; ++i) {
    const std::string profile = "0190aaaa-0000-7000-8000-0000000001" + std::to_string(10 + i);
    firsts.push_back(o.add("crm", profile));
    o.add("crm", profile);
  }
  // the first process holds its claim's transaction open while the second claims
  o.store->begin();
  o.outbox().relax_isolation();
  const auto mine = o.outbox().claim("crm", 2000, 3000, 8, true);
  second->begin();
  second->outbox().relax_isolation();
  const auto theirs = second->outbox().claim("crm", 2000, 3000, 100, true);
  second->commit();
  o.store->commit();
  CHECK(mine.size() == 8);
  CHECK(theirs.size() == 12);  // the other profiles' first messages; no second message of anyone
  std::set<std::string> seen;
  for (const auto* list : {&mine, &theirs})
    for (const auto& m : *list) {
      CHECK(seen.insert(m.id).second);
      CHECK(std::find(firsts.begin(), firsts.end(), m.id) != firsts.end());
    }
}

// A differential test of claims against the rule itself: random writes, claims, attempts, hand
// retries and give-backs over a few profiles, and after each step every claim must take exactly
// the messages that a direct reading of the rule picks (due, unleased, and for an ordered
// destination no earlier pending message of the same profile there).
TEST_CASE("outbox: claims follow the per-profile rule through random settles, hand retries and give-backs") {
  Outboxed o(GENERATE(from_range(weft::test::store_backends())));
  struct Modelled {
    std::string id, destination;
    std::optional<std::string> profile;
    std::int64_t seq = 0;
    std::string status = "pending";
    std::int64_t next_at = 0, lease_until = 0;
  };
  std::vector<Modelled> model;  // in seq order
  const std::vector<std::optional<std::string>> profiles{p1, p2, "0190aaaa-0000-7000-8000-000000000003", std::nullopt};
  const std::vector<std::string> destinations{"crm", "mail", "warehouse"};  // the warehouse keeps no order, mostly
  std::mt19937 random(GENERATE(1u, 2u, 3u));
  const auto pick = [&](auto n) { return static_cast<std::size_t>(random() % static_cast<unsigned>(n)); };
  std::int64_t now = 10'000;
  int claims = 0;
  for (int step = 0; step < 700; ++step) {
    const std::size_t what = pick(10);
    if (what < 3) {
      const std::string d = destinations[pick(destinations.size())];
      const auto profile = profiles[pick(profiles.size())];
      const std::string id = o.add(d, profile);
      model.push_back({.id = id, .destination = d, .profile = profile, .next_at = 1000});
      model.back().seq = o.outbox().messages(d, "", 0, 100000).back().seq;
    } else if (what < 6) {
      const std::string d = destinations[pick(destinations.size())];
      const bool ordered = d != "warehouse" || pick(3) == 0;  // the warehouse, claimed in order now and then, as after a reload
      const auto limit = static_cast<std::int64_t>(1 + pick(4));
      std::vector<std::string> expected;
      for (const Modelled& m : model) {
        if (static_cast<std::int64_t>(expected.size()) == limit) break;
        if (m.destination != d || m.status != "pending" || m.next_at > now || m.lease_until > now) continue;
        const bool waits = ordered && m.profile && std::any_of(model.begin(), model.end(), [&](const Modelled& e) {
                             return e.seq < m.seq && e.destination == d && e.profile == m.profile && e.status == "pending";
                           });
        if (!waits) expected.push_back(m.id);
      }
      o.store->begin();
      o.outbox().relax_isolation();
      const auto got = o.outbox().claim(d, now, now + 1000, limit, ordered);
      o.store->commit();
      std::vector<std::string> ids;
      for (const auto& m : got) ids.push_back(m.id);
      INFO("step " << step << ", destination " << d << ", store " << o.location);
      std::string state;  // the destination's messages as the model has them, for a failure's report
      for (const Modelled& m : model)
        if (m.destination == d)
          state += std::to_string(m.seq) + " " + m.id + " " + m.profile.value_or("                                -").substr(32) + " " + m.status + " due " +
                   std::to_string(m.next_at) + " lease " + std::to_string(m.lease_until) + "\n";
      INFO(state);
      REQUIRE(ids == expected);
      for (Modelled& m : model)
        if (std::find(ids.begin(), ids.end(), m.id) != ids.end()) m.lease_until = now + 1000;
      ++claims;
    } else if (what < 8) {  // an attempt under way ends, or its claim is given back
      std::vector<Modelled*> in_flight;
      for (Modelled& m : model)
        if (m.status == "pending" && m.lease_until > now) in_flight.push_back(&m);
      if (in_flight.empty()) continue;
      Modelled& m = *in_flight[pick(in_flight.size())];
      const std::size_t outcome = pick(5);
      o.store->begin();
      o.outbox().relax_isolation();
      if (outcome == 4) {
        o.outbox().release(m.seq, m.lease_until);
      } else {
        const auto next = std::array{MessageSettlement::Next::delivered, MessageSettlement::Next::retry, MessageSettlement::Next::failed,
                                     MessageSettlement::Next::stay}[outcome];
        o.outbox().settle({.seq = m.seq, .attempt = {.at = now, .http_status = 500, .ms = 1}, .next = next, .next_at = now + 300});
        if (next == MessageSettlement::Next::delivered) m.status = "delivered";
        if (next == MessageSettlement::Next::failed) m.status = "failed";
        if (next == MessageSettlement::Next::retry) m.next_at = now + 300;
      }
      o.store->commit();
      m.lease_until = 0;
    } else if (what == 8 && !model.empty()) {  // a hand retry of one message, whatever its state, or of every failed one
      o.store->begin();
      if (pick(3) == 0) {
        const std::string d = destinations[pick(destinations.size())];
        o.outbox().retry_failed(d, now);
        for (Modelled& m : model)
          if (m.destination == d && m.status == "failed") m = {.id = m.id, .destination = d, .profile = m.profile, .seq = m.seq, .next_at = now};
      } else {
        Modelled& m = model[pick(model.size())];
        CHECK(o.outbox().retry(m.destination, m.id, now));
        m = {.id = m.id, .destination = m.destination, .profile = m.profile, .seq = m.seq, .next_at = now};
      }
      o.store->commit();
    } else {
      now += static_cast<std::int64_t>(pick(400));
    }
  }
  CHECK(claims > 150);
}
