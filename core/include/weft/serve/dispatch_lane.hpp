// One destination's claimed messages and the workers that send them (SPEC 17): `max_in_flight`
// workers, each with its own kept-alive session, at most `rate` a second. The lane does not
// touch the store: each attempt's outcome, and each claim it gives back unsent, goes to the
// dispatcher, which writes them with its next transaction. Thread-safe unless said otherwise.
#pragma once

#include "weft/delivery/delivery_attempt.hpp"
#include "weft/delivery/destination.hpp"
#include "weft/serve/metrics.hpp"
#include "weft/serve/reader_pool.hpp"
#include "weft/store/outbox.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace weft {

// What a worker learned from one attempt.
struct AttemptReport {
  std::string destination;
  MessageSettlement settlement;
  bool gone = false;  // 410: the destination is disabled
  std::chrono::milliseconds disable_after{};
};

// A claim the lane gives back unsent (disabled, stopped, or its lease could run out during the
// attempt): the dispatcher releases it so that the message is claimed again at once.
struct UnsentClaim {
  std::string destination;
  std::int64_t seq = 0;
  std::int64_t lease_until = 0;
};

class DispatchLane {
public:
  using Report = std::function<void(AttemptReport)>;
  using GiveBack = std::function<void(std::vector<UnsentClaim>)>;

  // `readers` give a profile.updated message the profile's state when it is sent.
  DispatchLane(const Destination& destination, Metrics& metrics, ReaderPool& readers, Report report, GiveBack give_back);
  // Lets the attempts in flight end (they report) and gives back what was never sent.
  ~DispatchLane();
  DispatchLane(const DispatchLane&) = delete;
  DispatchLane& operator=(const DispatchLane&) = delete;

  const Destination& destination() const { return destination_; }

  // Claimed messages, leased until `lease_until`, oldest first.
  void hand(std::vector<OutboxMessage> messages, std::int64_t lease_until);
  // A disabled destination sends nothing: what it holds is given back.
  void set_disabled(bool disabled);

  // The dispatcher's bookkeeping (its thread only). Outstanding: claimed and not yet written
  // as settled or released.
  int outstanding() const { return outstanding_; }
  void add_outstanding(int n) { outstanding_ += n; }
  // Counts what the dispatcher wrote as settled, for the throughput that sizes the window.
  void count_settled(int n, std::int64_t now_micros);
  // How many messages the lane should hold claimed: about a fifth of a second of what it
  // delivered in the last second, at least two per worker. A slow or rate-limited receiver
  // keeps a small window, so claims wait briefly for their turn and their leases stay far away.
  int window() const;
  std::int64_t next_claim_at = 0;  // microseconds

private:
  struct Claimed {
    OutboxMessage message;
    std::int64_t lease_until = 0;
  };

  void work();
  std::optional<std::string> data_of(const OutboxMessage& m, std::string& error);
  AttemptReport report_of(const OutboxMessage& m, const AttemptOutcome& outcome, std::int64_t at, double jitter);
  void wait_for_rate();
  std::vector<UnsentClaim> take_queue();  // under mutex_

  const Destination destination_;
  Metrics& metrics_;
  ReaderPool& readers_;
  Report report_;
  GiveBack give_back_;
  int outstanding_ = 0;
  std::int64_t settled_since_ = 0;
  std::int64_t measured_from_ = 0;
  double per_second_ = 0;

  std::mutex mutex_;  // guards what follows
  std::condition_variable ready_;
  std::deque<Claimed> queue_;
  bool stopping_ = false;
  bool disabled_ = false;
  std::mutex rate_mutex_;
  std::chrono::steady_clock::time_point next_slot_{};
  std::vector<std::thread> workers_;  // last: they start once the rest exists
};

}  // namespace weft
