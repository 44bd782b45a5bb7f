#include "weft/serve/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <string_view>

namespace weft {
namespace {

prometheus::Histogram::BucketBoundaries node_buckets() {
  return {0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1};
}

prometheus::Histogram::BucketBoundaries batch_buckets() { return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}; }

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      events_family_(prometheus::BuildCounter().Name("weft_events_total").Help("Events by source and outcome").Register(*registry_)),
      node_family_(prometheus::BuildHistogram().Name("weft_node_seconds").Help("Time spent in each workflow node").Register(*registry_)),
      slow_family_(prometheus::BuildCounter()
                       .Name("weft_node_slow_total")
                       .Help("Node runs slower than limits.node_budget_ms")
                       .Register(*registry_)),
      port_family_(prometheus::BuildCounter()
                       .Name("weft_node_port_total")
                       .Help("Events each workflow node sent out of each port")
                       .Register(*registry_)),
      merges_(prometheus::BuildCounter().Name("weft_merges_total").Help("Profiles merged").Register(*registry_).Add({})),
      merges_refused_(prometheus::BuildCounter()
                          .Name("weft_merges_refused_total")
                          .Help("Merges refused by max_profiles or max_emails_per_profile")
                          .Register(*registry_)
                          .Add({})),
      profiles_(prometheus::BuildGauge().Name("weft_profiles").Help("Live profiles in the store").Register(*registry_).Add({})),
      queue_depth_(prometheus::BuildGauge().Name("weft_ingest_queue_depth").Help("Events waiting for the committer").Register(*registry_).Add({})),
      commit_batch_size_(prometheus::BuildHistogram()
                             .Name("weft_commit_batch_size")
                             .Help("Events per committed transaction")
                             .Register(*registry_)
                             .Add({}, batch_buckets())),
      batch_retries_(prometheus::BuildCounter()
                         .Name("weft_batch_retries_total")
                         .Help("Batches run again after a conflict with another process (PostgreSQL)")
                         .Register(*registry_)
                         .Add({})),
      operations_family_(prometheus::BuildCounter()
                             .Name("weft_operations_total")
                             .Help("Operations done by an operator (SPEC 13), by kind")
                             .Register(*registry_)),
      reloads_family_(prometheus::BuildCounter()
                          .Name("weft_reloads_total")
                          .Help("Reloads of the workflows (SIGHUP, POST /admin/reload), by result: ok or failed")
                          .Register(*registry_)),
      messages_family_(prometheus::BuildCounter()
                           .Name("weft_messages_total")
                           .Help("Attempts to deliver messages to destinations, by result: delivered, retried or failed")
                           .Register(*registry_)),
      message_seconds_family_(
          prometheus::BuildHistogram().Name("weft_message_seconds").Help("Time of each attempt to deliver a message").Register(*registry_)),
      pending_family_(prometheus::BuildGauge().Name("weft_messages_pending").Help("Messages waiting to be delivered").Register(*registry_)),
      oldest_family_(prometheus::BuildGauge()
                         .Name("weft_message_oldest_pending_seconds")
                         .Help("Age of the oldest message waiting to be delivered")
                         .Register(*registry_)) {
  reloads("ok");  // both series exist from the start, at 0
  reloads("failed");
}

namespace {

// The metric of one combination of label values: looked up without copying the values, added
// to its family on first use.
template <typename Metric, typename Key, typename Less, typename Values, typename Add>
Metric& labelled(std::mutex& mutex, std::map<Key, Metric*, Less>& known, const Values& values, Add add) {
  std::lock_guard lock(mutex);
  if (const auto it = known.find(values); it != known.end()) return *it->second;
  Metric& metric = add();
  known.emplace(Key(values), &metric);
  return metric;
}

}  // namespace

prometheus::Counter& Metrics::events(std::string_view source, std::string_view status) {
  return labelled(mutex_, events_, std::tuple<std::string_view, std::string_view>(source, status),
                  [&]() -> prometheus::Counter& { return events_family_.Add({{"source", std::string(source)}, {"status", std::string(status)}}); });
}

prometheus::Histogram& Metrics::node_seconds(std::string_view workflow, std::string_view node) {
  return labelled(mutex_, nodes_, std::tuple<std::string_view, std::string_view>(workflow, node),
                  [&]() -> prometheus::Histogram& { return node_family_.Add({{"workflow", std::string(workflow)}, {"node", std::string(node)}}, node_buckets()); });
}

prometheus::Counter& Metrics::node_slow(std::string_view workflow, std::string_view node) {
  return labelled(mutex_, slow_, std::tuple<std::string_view, std::string_view>(workflow, node),
                  [&]() -> prometheus::Counter& { return slow_family_.Add({{"workflow", std::string(workflow)}, {"node", std::string(node)}}); });
}

prometheus::Counter& Metrics::node_port(std::string_view workflow, std::string_view node, std::string_view port) {
  return labelled(mutex_, ports_, std::tuple<std::string_view, std::string_view, std::string_view>(workflow, node, port),
                  [&]() -> prometheus::Counter& { return port_family_.Add({{"workflow", std::string(workflow)}, {"node", std::string(node)}, {"port", std::string(port)}}); });
}

prometheus::Counter& Metrics::operations(std::string_view kind) {
  return labelled(mutex_, operations_, std::tuple<std::string_view>(kind),
                  [&]() -> prometheus::Counter& { return operations_family_.Add({{"kind", std::string(kind)}}); });
}

prometheus::Counter& Metrics::messages(std::string_view destination, std::string_view result) {
  return labelled(mutex_, messages_, std::tuple<std::string_view, std::string_view>(destination, result), [&]() -> prometheus::Counter& {
    return messages_family_.Add({{"destination", std::string(destination)}, {"result", std::string(result)}});
  });
}

prometheus::Histogram& Metrics::message_seconds(std::string_view destination) {
  return labelled(mutex_, message_seconds_, std::tuple<std::string_view>(destination), [&]() -> prometheus::Histogram& {
    return message_seconds_family_.Add({{"destination", std::string(destination)}},
                                       prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60});
  });
}

prometheus::Gauge& Metrics::messages_pending(std::string_view destination) {
  return labelled(mutex_, pending_, std::tuple<std::string_view>(destination),
                  [&]() -> prometheus::Gauge& { return pending_family_.Add({{"destination", std::string(destination)}}); });
}

prometheus::Gauge& Metrics::message_oldest_pending(std::string_view destination) {
  return labelled(mutex_, oldest_, std::tuple<std::string_view>(destination),
                  [&]() -> prometheus::Gauge& { return oldest_family_.Add({{"destination", std::string(destination)}}); });
}

Metrics::Snapshot Metrics::snapshot() const {
  Snapshot s;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, counter] : events_) s.events[std::get<0>(key)][std::get<1>(key)] = counter->Value();
  }
  s.merges = merges_.Value();
  s.merges_refused = merges_refused_.Value();
  s.queue_depth = queue_depth_.Value();
  s.profiles = profiles_.Value();
  return s;
}

std::string Metrics::render() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

prometheus::Counter& Metrics::reloads(std::string_view result) {
  return labelled(mutex_, reloads_, std::tuple<std::string_view>(result),
                  [&]() -> prometheus::Counter& { return reloads_family_.Add({{"result", std::string(result)}}); });
}

}  // namespace weft
