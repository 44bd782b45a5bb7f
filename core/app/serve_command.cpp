#include "weft/serve/committer.hpp"
#include "weft/serve/dispatcher.hpp"
#include "weft/serve/http/http_server.hpp"
#include "weft/serve/http/tls.hpp"
#include "weft/store/store_location.hpp"
#include "runtime_setup.hpp"
#include "weft_app.hpp"

#include <Poco/Exception.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>

namespace weft::app {

int serve_command(const Invocation& invocation) {
  const Settings& settings = invocation.settings;
  // Block the termination signals before any thread starts, so that every thread inherits
  // the mask and only the sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGQUIT);
  sigaddset(&signals, SIGHUP);  // reload (SPEC 16)
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const auto loaded = load_workflows_or_report(settings, "serve");
  if (!loaded) return exit_invalid;
  const auto& workflows = loaded->by_source;
  if (workflows.empty()) std::cerr << "weft serve: warning: no workflows in " << settings.workflows.string() << "\n";

  HttpContext context;
  std::vector<std::string> problems;
  const Environment environment = [](const char* name) { return std::getenv(name); };
  auto initial = std::make_shared<LiveSet>();
  initial->sources = make_sources(workflows, environment, settings.public_url, problems);
  initial->destinations = loaded->destinations;
  initial->routing = loaded->routing;
  if (!settings.token_env.empty()) {
    const char* token = std::getenv(settings.token_env.c_str());
    if (token && *token)
      context.api_token = token;
    else
      problems.push_back("weft serve: api.token_env names " + settings.token_env + ", which is unset or empty: the API would be open");
  }
  for (const auto& p : problems) std::cerr << p << "\n";
  if (!problems.empty()) {
    std::cerr << "weft serve: not starting: a secret that is configured but unset never leaves a source or the API open\n";
    return exit_invalid;
  }

  const auto store = open_store_or_report(settings, "serve", StoreUse::beside_others);
  if (!store) return exit_invalid;
  Metrics metrics;
  Committer committer(*store, metrics, settings.queue, settings.queue_bytes, static_cast<std::int64_t>(settings.node_budget_ms) * 1000);
  MetricsHistory history(metrics);  // after the committer, which counts the stored profiles
  ErasureCompletion erasures(committer);  // takes erasures an earlier run left incomplete
  ReaderPool readers(settings.store);
  initial->plugins = std::make_shared<const PluginRegistry>(std::move(loaded->plugins));
  const std::size_t source_count = initial->sources.size();
  std::string source_ids;
  for (const auto& [id, source] : initial->sources) source_ids += (source_ids.empty() ? "" : ", ") + id;
  context.workflows.replace(std::move(initial));
  Dispatcher dispatcher(committer, context.workflows, metrics, readers);  // after the live set: it sends to its destinations
  context.dispatcher = &dispatcher;
  Reloader reloader(settings, context.workflows, metrics, environment);
  context.reloader = &reloader;
  context.committer = &committer;
  context.erasures = &erasures;
  context.readers = &readers;
  context.metrics = &metrics;
  context.history = &history;
  context.limits = {settings.max_body_bytes, settings.max_json_depth, settings.max_items};
  context.ui_dir = console_dir();

  std::unique_ptr<TlsCertificate> tls;
  if (std::any_of(settings.listen.begin(), settings.listen.end(), [](const ListenAddress& a) { return a.tls; })) {
    try {
      tls = std::make_unique<TlsCertificate>(settings.tls_certificate, settings.tls_key);
    } catch (const std::exception& e) {
      std::cerr << "weft serve: not starting: " << e.what() << "\n";
      return exit_invalid;
    }
    reloader.add_part(tls->reload_part());  // SIGHUP reads renewed certificates too
  }
  std::unique_ptr<HttpServer> server;
  try {
    server = std::make_unique<HttpServer>(context, settings.listen, tls.get());
  } catch (const std::invalid_argument& e) {
    std::cerr << "weft serve: not starting: " << e.what() << "\n";
    return exit_invalid;
  } catch (const Poco::Exception& e) {
    std::string addresses;
    for (const auto& a : settings.listen) addresses += (addresses.empty() ? "" : ", ") + a.host_port;
    std::cerr << "weft serve: cannot listen on " << addresses << ": " << e.displayText() << "\n";
    return exit_invalid;
  }
  server->start();
  std::string urls;
  for (const auto& url : server->urls()) urls += (urls.empty() ? "" : ", ") + url;
  std::cout << "weft " << WEFT_VERSION << " listening on " << urls << " with " << source_count << " sources (" << source_ids << "), store "
            << redacted_location(settings.store) << std::endl;
  if (!context.ui_dir.empty()) std::cout << "weft: the console is at " << server->urls().front() << "/ui/" << std::endl;

  int received = 0;
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) reloader.reload();
  std::cout << "weft: " << (received == SIGINT ? "SIGINT" : received == SIGQUIT ? "SIGQUIT" : "SIGTERM")
            << ": finishing the events in flight" << std::endl;
  // Stop taking connections, answer everything queued (the batch in flight commits), then
  // wait for the requests still being answered, and close the store.
  server->stop_accepting();
  context.stopping = true;
  dispatcher.stop();  // its last outcomes go through the committer
  committer.stop();
  server->stop();
  std::cout << "weft: stopped" << std::endl;
  return exit_ok;
}

}  // namespace weft::app
