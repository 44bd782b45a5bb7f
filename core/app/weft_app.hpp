// The `weft` command line: global options and the dispatch to subcommands.
#pragma once

#include "weft/base/settings.hpp"

#include <Poco/Util/ServerApplication.h>

#include <optional>
#include <string>
#include <vector>

namespace weft::app {

// What every subcommand gets: its arguments and the settings from --config (or the defaults).
struct Invocation {
  std::vector<std::string> args;  // after the subcommand name
  std::optional<std::string> config_file;
  Settings settings;
  std::optional<std::string> describe;  // plugins --describe NAME
  std::optional<std::string> source;    // ingest, replay and try: --source ID
  std::optional<std::string> reason;    // profiles: --reason TEXT
  std::optional<std::string> url;       // profiles: --url http://HOST:PORT of a running server
  bool block = false;                   // profiles remove-identifier: --block
  bool no_suppress = false;             // profiles erase: --no-suppress
  bool failed = false;                  // destinations retry: --failed
  bool dry_run = false;                 // rebuild: --dry-run
  std::optional<std::string> since;     // export events: --since RFC3339
  std::optional<std::string> output;    // export: --output FILE
};

int validate_command(const Invocation& invocation);
int plugins_command(const Invocation& invocation);
int ingest_command(const Invocation& invocation);
int serve_command(const Invocation& invocation);
int replay_command(const Invocation& invocation);
int profiles_command(const Invocation& invocation);
int destinations_command(const Invocation& invocation);
int rebuild_command(const Invocation& invocation);
int test_command(const Invocation& invocation);
int try_command(const Invocation& invocation);
int backup_command(const Invocation& invocation);
int check_command(const Invocation& invocation);
int export_command(const Invocation& invocation);

// Exit statuses shared by the subcommands.
constexpr int exit_ok = 0;
constexpr int exit_invalid = 1;  // something the user gave is wrong (workflows, plugins, config)
constexpr int exit_malformed = 2;  // ingest: some input lines were malformed and skipped
constexpr int exit_usage = 64;     // the command line itself is wrong

class WeftApp : public Poco::Util::ServerApplication {
public:
  // Runs the command after init(); weft stays in the foreground (systemd supervises it).
  int execute() { return run(); }

protected:
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

private:
  bool help_ = false;
  bool version_ = false;
  std::optional<std::string> config_;
  std::optional<std::string> describe_;
  std::optional<std::string> source_;
  std::optional<std::string> reason_;
  std::optional<std::string> url_;
  bool block_ = false;
  bool no_suppress_ = false;
  bool failed_ = false;
  bool dry_run_ = false;
  std::optional<std::string> since_;
  std::optional<std::string> output_;
};

}  // namespace weft::app
