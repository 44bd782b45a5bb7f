// Delivers the outbox's messages from a serving process (SPEC 17). Per destination of the live
// set, a lane (dispatch_lane.hpp) sends claimed messages on its workers. The dispatcher's
// thread writes to the store through the committer, like every background change: in one
// transaction per round, the outcomes reported since the last round, the claims given back
// unsent, and fresh claims (leases, per-profile order: outbox.hpp) for the lanes that run low.
// A round starts when 64 outcomes wait, 10 ms after the first one, or every 50 ms. A crash
// leaves leases that run out, and those messages are sent again with the same webhook-id: at
// most the attempts in flight and the outcomes of one round. A reload replaces the lanes with
// the new set's.
#pragma once

#include "weft/serve/committer.hpp"
#include "weft/serve/dispatch_lane.hpp"
#include "weft/serve/live_workflows.hpp"
#include "weft/serve/metrics.hpp"
#include "weft/serve/reader_pool.hpp"

#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace weft {

class Dispatcher {
public:
  // `readers` serve the pending gauges and the profiles' states that profile.updated sends.
  Dispatcher(Committer& committer, const LiveWorkflows& live, Metrics& metrics, ReaderPool& readers);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Claims again now (after a retry or an enable by hand).
  void wake();
  // Stops claiming, lets the attempts in flight finish, writes their outcomes and gives back
  // what was claimed and not sent.
  void stop();

private:
  struct Claim;
  void run();
  void sync_lanes();
  void round(bool claiming);
  void report(AttemptReport report);
  void give_back(std::vector<UnsentClaim> unsent);
  std::unique_ptr<DispatchLane> make_lane(const std::string& id);
  void update_gauges(std::int64_t now);

  Committer& committer_;
  const LiveWorkflows& live_;
  Metrics& metrics_;
  ReaderPool& readers_;
  std::shared_ptr<const LiveSet> lanes_of_;  // the live set the lanes were made from
  std::map<std::string, std::unique_ptr<DispatchLane>> lanes_;
  std::mutex mutex_;  // guards what follows
  std::condition_variable changed_;
  std::vector<AttemptReport> reports_;
  std::chrono::steady_clock::time_point first_report_at_{};
  std::vector<UnsentClaim> unsent_;
  bool woken_ = false;
  bool stopping_ = false;
  std::int64_t gauges_at_ = 0;
  std::thread thread_;
};

}  // namespace weft
