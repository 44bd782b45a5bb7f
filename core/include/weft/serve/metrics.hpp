// The process's Prometheus metrics (SPEC 8), on prometheus-cpp's core library, rendered in
// the text format on weft's own /metrics route.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace weft {

class Metrics {
public:
  Metrics();

  // weft_events_total{source,status}; status: processed, failed, duplicate, dropped, rejected.
  prometheus::Counter& events(std::string_view source, std::string_view status);
  // weft_node_seconds{workflow,node}
  prometheus::Histogram& node_seconds(std::string_view workflow, std::string_view node);
  // weft_node_slow_total{workflow,node}: runs slower than limits.node_budget_ms
  prometheus::Counter& node_slow(std::string_view workflow, std::string_view node);
  // weft_node_port_total{workflow,node,port}: events each node sent out of each port (the
  // console draws these on the workflow graph)
  prometheus::Counter& node_port(std::string_view workflow, std::string_view node, std::string_view port);
  prometheus::Counter& merges() { return merges_; }
  prometheus::Counter& merges_refused() { return merges_refused_; }
  prometheus::Gauge& profiles() { return profiles_; }
  prometheus::Gauge& queue_depth() { return queue_depth_; }
  prometheus::Histogram& commit_batch_size() { return commit_batch_size_; }
  prometheus::Counter& batch_retries() { return batch_retries_; }
  // weft_operations_total{kind}: operators' merges, removals, blocks, re-derivations, ...
  prometheus::Counter& operations(std::string_view kind);
  // weft_reloads_total{result}: ok | failed (SPEC 16)
  prometheus::Counter& reloads(std::string_view result);

  // Destinations (SPEC 17): weft_messages_total{destination,result}, result delivered |
  // retried (failed and tried again later) | failed; weft_message_seconds{destination} per
  // attempt; weft_messages_pending and weft_message_oldest_pending_seconds{destination}.
  prometheus::Counter& messages(std::string_view destination, std::string_view result);
  prometheus::Histogram& message_seconds(std::string_view destination);
  prometheus::Gauge& messages_pending(std::string_view destination);
  prometheus::Gauge& message_oldest_pending(std::string_view destination);

  // The text exposition format.
  std::string render() const;

  // The counters and gauges the console charts, read now.
  struct Snapshot {
    std::map<std::string, std::map<std::string, double>> events;  // source -> status -> count
    double merges = 0, merges_refused = 0, queue_depth = 0, profiles = 0;
  };
  Snapshot snapshot() const;

private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& events_family_;
  prometheus::Family<prometheus::Histogram>& node_family_;
  prometheus::Family<prometheus::Counter>& slow_family_;
  prometheus::Family<prometheus::Counter>& port_family_;
  prometheus::Counter& merges_;
  prometheus::Counter& merges_refused_;
  prometheus::Gauge& profiles_;
  prometheus::Gauge& queue_depth_;
  prometheus::Histogram& commit_batch_size_;
  prometheus::Counter& batch_retries_;
  prometheus::Family<prometheus::Counter>& operations_family_;
  prometheus::Family<prometheus::Counter>& reloads_family_;
  prometheus::Family<prometheus::Counter>& messages_family_;
  prometheus::Family<prometheus::Histogram>& message_seconds_family_;
  prometheus::Family<prometheus::Gauge>& pending_family_;
  prometheus::Family<prometheus::Gauge>& oldest_family_;
  // Orders tuples of label values, held as strings or looked up as string_views (each side
  // compared as string_views: no copies, and no cross-type tuple comparison, which clang 14
  // cannot do with libstdc++ 12).
  struct LabelsLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return views(a) < views(b);
    }
    template <typename... T>
    static auto views(const std::tuple<T...>& t) {
      return std::apply([](const auto&... s) { return std::make_tuple(std::string_view(s)...); }, t);
    }
  };
  // The metrics of each combination of label values, by those values.
  using Labels2 = std::tuple<std::string, std::string>;
  mutable std::mutex mutex_;  // guards the lookups below
  std::map<Labels2, prometheus::Counter*, LabelsLess> events_;    // source, status
  std::map<Labels2, prometheus::Histogram*, LabelsLess> nodes_;   // workflow, node
  std::map<Labels2, prometheus::Counter*, LabelsLess> slow_;      // workflow, node
  std::map<std::tuple<std::string, std::string, std::string>, prometheus::Counter*, LabelsLess> ports_;  // workflow, node, port
  std::map<std::tuple<std::string>, prometheus::Counter*, LabelsLess> operations_;                      // kind
  std::map<std::tuple<std::string>, prometheus::Counter*, LabelsLess> reloads_;                         // result
  std::map<Labels2, prometheus::Counter*, LabelsLess> messages_;                                        // destination, result
  std::map<std::tuple<std::string>, prometheus::Histogram*, LabelsLess> message_seconds_;               // destination
  std::map<std::tuple<std::string>, prometheus::Gauge*, LabelsLess> pending_;                           // destination
  std::map<std::tuple<std::string>, prometheus::Gauge*, LabelsLess> oldest_;                            // destination
};

}  // namespace weft
