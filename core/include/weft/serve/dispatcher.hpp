// Delivers the outbox's messages from a serving process (SPEC 17). Per destination of the live
// set, a lane claims due messages (leases, per-profile order: outbox.hpp) and sends them on
// `max_in_flight` workers, each with its own kept-alive session, at most `rate` a second. Claims
// and the attempts' outcomes go through the committer, like every background change of the
// store: a crash leaves leases that run out, and those messages are sent again with the same
// webhook-id. A reload replaces the lanes with the new set's.
#pragma once

#include "weft/serve/committer.hpp"
#include "weft/serve/live_workflows.hpp"
#include "weft/serve/metrics.hpp"
#include "weft/serve/reader_pool.hpp"

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
  // `readers` (may be null) serve the pending gauges.
  Dispatcher(Committer& committer, const LiveWorkflows& live, Metrics& metrics, ReaderPool* readers);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Claims again now (after a retry or an enable by hand).
  void wake();
  // Stops claiming, lets the attempts in flight finish and settles them. What was claimed and
  // not yet sent waits for its lease to run out.
  void stop();

  struct Lane;
  struct Settled;
  // A worker's outcome, to be written by the next settlement.
  void settled(Settled settled);

private:
  void run();
  void sync_lanes();
  void claim(Lane& lane, std::int64_t now);
  void flush_settlements();
  void update_gauges(std::int64_t now);

  Committer& committer_;
  const LiveWorkflows& live_;
  Metrics& metrics_;
  ReaderPool* readers_;
  std::shared_ptr<const LiveSet> lanes_of_;  // the live set the lanes were made from
  std::map<std::string, std::unique_ptr<Lane>> lanes_;
  std::mutex mutex_;  // guards what follows
  std::condition_variable changed_;
  std::vector<Settled> settlements_;
  bool woken_ = false;
  bool stopping_ = false;
  std::int64_t gauges_at_ = 0;
  std::thread thread_;
};

}  // namespace weft
