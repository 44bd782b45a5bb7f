#include "weft_app.hpp"

#include "runtime_setup.hpp"

#include "weft/base/suggest.hpp"

#include <weft/plugin.h>

#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <iostream>
#include <map>

namespace weft::app {
namespace {

const char* const overview = R"(weft — turns webhooks into customer profiles

Usage: weft COMMAND [OPTIONS] [ARGS]

Commands:
  serve                     receive webhooks on HTTP and serve the API
  validate [PATH...]        check workflow files or folders; exit 1 on any error
  plugins [--describe NAME] list the loaded plugins, or one plugin's config fields
  ingest --source ID FILE   run a file of JSON payloads through a source's workflow
  replay [--source ID]      re-run the failed events (dead letters)
  profiles merge|remove-identifier|rederive|erase ...
                            correct identity by hand, or erase a person (--url URL)
  destinations list|retry|enable|disable ...
                            what goes out to destinations; send it again (--url URL)
  rebuild [--dry-run]       re-derive every profile from the events, under the current workflows
  test [PATH...]            run workflow tests (*.test.yaml); exit 1 when one fails
  try --source ID [FILE|-]  run one payload through a workflow and show what it would do
  backup FILE               copy the SQLite store, while weft runs, into one file
  check                     check the store is whole; exit 1 on a problem
  export profiles|events    every profile, or the events since a time, as NDJSON (--url URL)

Options (every command):
  -c, --config FILE   the config file (weft.yaml); without it: workflows from
                      ./workflows, plugins from the build's plugin folder
  -h, --help          this text, or a command's help: weft validate --help
      --version       print the version

Example:
  weft validate workflows/
)";

const std::map<std::string, const char*> command_help = {
    {"destinations", R"(weft destinations — what goes out to destinations, and sending it again (SPEC 17)

Usage: weft destinations [--config FILE] list [--url http://HOST:PORT]
       weft destinations [--config FILE] retry ID MID [--url ...]
       weft destinations [--config FILE] retry ID --failed [--url ...]
       weft destinations [--config FILE] enable ID [--url ...]
       weft destinations [--config FILE] disable ID [--url ...]

list: each destination's state (enabled, disabled), its pending, failed and delivered
messages, the age of the oldest pending one and the last error.

retry: sends message MID (its webhook-id) again from the first wait of the schedule, or with
--failed every failed message of the destination, oldest first.

enable, disable: a disabled destination keeps its queue and sends nothing (a 410 from the
endpoint, or disable_after of failures, disables it too).

Without --url the writes work on the configured store and refuse while a server writes to
it; with --url they ask that running server (the API token from api.token_env when set).
Destinations are the YAML files of the destinations folder: see docs/destinations.md.
)"},
    {"export", R"(weft export — every profile, or the events, as NDJSON (SPEC 8)

Usage: weft export [--config FILE] profiles [--output FILE] [--url http://HOST:PORT]
       weft export [--config FILE] events [--since RFC3339] [--source ID] [--output FILE] [--url ...]

profiles: every live profile, one a line, as GET /profiles/{id} shows it.
events: every event in arrival order (received at --since or later, of --source only), one a
line, as GET /events/{id} shows it without its trace.

The lines come from one snapshot of the store: what is written meanwhile is not in it. Without
--url it reads the configured store (a server may be running on it); with --url it asks that
running server (GET /export/..., the API token from api.token_env when set). Without
--output the lines go to standard output; with it the file appears only once whole. Progress
on a terminal, then a summary on standard error. DuckDB reads the file as it is:
SELECT * FROM read_json_auto('profiles.ndjson').

Examples:
  weft export profiles --output profiles.ndjson --config /etc/weft/weft.yaml
  weft export events --since 2026-12-01T00:00:00Z --source stripe --url http://127.0.0.1:8686 | jq .type
)"},
    {"profiles", R"(weft profiles — correct identity by hand (SPEC 13)

Usage: weft profiles [--config FILE] merge ID OTHER [--reason TEXT] [--url http://HOST:PORT]
       weft profiles [--config FILE] remove-identifier ID TYPE:VALUE [--block] [--url ...]
       weft profiles [--config FILE] rederive ID [--url ...]
       weft profiles [--config FILE] erase ID|TYPE:VALUE [--no-suppress] [--url ...]

merge: makes the profiles ID and OTHER (ids or aliases) one, by the usual rules (the older
survives; traits keep_survivor), without the merge limits; the merge record names no
identifier or event but the reason. Prints the surviving profile.

remove-identifier: takes TYPE:VALUE from the profile, ignored from now on in every event
received before now, and re-derives the profile from its events, so that profiles joined only
through it come apart. With --block it is ignored in every event, past and future, until
DELETE /blocked/TYPE:VALUE. Prints {"profiles": [...]}: what the profile became.

rederive: re-derives the profile from its events under the current workflows.

erase: deletes the person (GDPR article 17): the profile, every profile merged into it, their
identifiers, events and merge records, in one transaction; the deleted bytes are overwritten
in the store's files. Their identifiers are kept only as keyed hashes, so that a later event
carrying one is not stored (answered "suppressed"); --no-suppress lets the person come back.
Prints {"erased": {"profiles", "identifiers", "events", "merges", "unattributed_events",
"messages"}}; destinations subscribed to profile.erased are told (docs/destinations.md).

Every operation is one transaction and is listed in GET /operations. Without --url it works
on the configured store, and refuses while a server writes to it; with --url it asks that
running server (the API token from api.token_env when set). Exit 1 when a profile or an
identifier is unknown, or (merge) both are already one.

Examples:
  weft profiles merge 0190f1c2-... 0190f1c3-... --reason "one person, two e-mails"
  weft profiles remove-identifier 0190f1c2-... email:info@acme.com --url http://127.0.0.1:8686
)"},
    {"rebuild", R"(weft rebuild — re-derive every profile from the event history

Usage: weft rebuild [--config FILE] [--dry-run]

Runs every processed event again, in the order received, through its source's current
workflow (every node after the trigger), in one transaction: how a changed workflow (a new
blocked: list, a new merger node, another trait mapping) is applied to the past. Profile ids
keep answering. Operators' merges are applied again at their times; identifiers removed or
blocked stay so. An event whose workflow now fails becomes a dead letter (weft replay).

Refuses, with exit status 1, while a server (or weft ingest or replay) writes to the store:
stop the servers first; webhook senders retry.

--dry-run: writes nothing and prints what would change: profiles before and after, the
identifiers that would move, the merges that would be undone and made.

Example:
  weft rebuild --dry-run --config /etc/weft/weft.yaml
)"},
    {"test", R"(weft test — run workflow tests

Usage: weft test [--config FILE] [PATH...]

Runs the workflow tests in each PATH (a *.test.yaml file, or a folder's *.test.yaml and
*.test.yml files; default: the config's `workflows` folder). Each file names a source; its
workflow is the one in the test file's folder, else in the `workflows` folder. Every case
posts its events in order through the real plugins into a fresh in-memory store, and checks
what each event did (expect: status, path, type, properties, error) and the live profiles
afterwards (profiles: identifiers exactly, traits at least, events). Signatures are not
checked. Prints one line per case, the differences of a failing one, and
"N passed, M failed" last.

Exit status: 0 when every case passes, 1 when one fails, 2 when a test file (or the
workflow it tests) is invalid.

Example:
  weft test workflows/
)"},
    {"backup", R"(weft backup — copy a live SQLite store into one file

Usage: weft backup [--config FILE] DEST

Copies the configured SQLite store, as of one moment, to DEST (a new file), while servers
and other weft commands go on writing. DEST is a plain SQLite database with nothing beside
it: any sqlite3 opens it, and it serves as a store (`store: sqlite:DEST`). Use this, not
sqlite3's .backup, while weft runs: the latest commits are in weft's WAL (`<store>-dwal`),
which only weft reads. A PostgreSQL store is backed up with pg_dump.

Example:
  weft backup --config /etc/weft/weft.yaml /var/backups/weft-$(date +%F).db
)"},
    {"check", R"(weft check — is the store whole?

Usage: weft check [--config FILE]

Opens the configured store through weft, as the server does (a SQLite store's latest commits
are in weft's log, `<store>-dwal`, which only weft reads; a log left by a crash is recovered),
and checks it: SQLite's integrity_check and foreign_key_check, and on any store what holds of
every weft store (identifiers held by live profiles, merged profiles pointing at a live
survivor). Prints each problem and a last line "LOCATION: ok" or "LOCATION: N problems". It
only reads, and may run beside a server.

Exit status: 0 when the store is whole, 1 on a problem or when it cannot be opened.

Example:
  weft check --config /etc/weft/weft.yaml
)"},
    {"try", R"(weft try — run one payload through a workflow, storing nothing

Usage: weft try [--config FILE] --source ID [FILE|-]

Runs the JSON payload in FILE (or standard input) through source ID's workflow on the
configured store, in a transaction that is rolled back: prints each node with the port it
left on and its time, the event's status, type and properties, and what the profile would
become (created or existing, the profiles merged into it, the traits that would change).
Signatures are not checked.

Example:
  weft try --source stripe workflows/samples/stripe_customer.json
)"},
    {"serve", R"(weft serve — receive webhooks and serve the API

Usage: weft serve [--config FILE]

Loads the plugins and every workflow, opens the store, and listens on `listen`
(default 127.0.0.1:8686; a list of addresses, https://HOST:PORT ones with tls:). Each workflow is a source: POST /collect/SOURCE (or
/collect/TYPE/SOURCE) runs the webhook through it. A 2xx answer means the event and all
its effects are committed durably; requests are committed in batches, one fsync each.

The read API: GET /profiles/ID, /profiles?identifier=TYPE:VALUE, /profiles/ID/events,
/profiles/ID/merges, /events/ID, /sources, /plugins; /healthz and /metrics
(Prometheus). With api.token_env naming a set variable, the API (not /collect,
/healthz, /metrics) needs Authorization: Bearer <token>.

It refuses to start on invalid workflows, or when a source's signature secret_env is
not set. SIGTERM or SIGINT stop it cleanly: the events in flight are committed and
answered first. SIGHUP (or POST /admin/reload) reloads the workflows, new plugin libraries
and the TLS certificate; if anything is wrong, the running set stays and the log says why.

Defaults without --config: workflows from ./workflows, plugins from the build's plugin
folder, store sqlite:./var/weft.db.

Example:
  SLACK_SIGNING_SECRET=... weft serve --config /etc/weft/weft.yaml
)"},
    {"validate", R"(weft validate — check workflow files

Usage: weft validate [--config FILE] [PATH...]

Loads the plugins, then reads each PATH (a workflow file, or a folder whose *.yaml and
*.yml files are read in name order) exactly as `weft serve` would, and prints every
mistake as FILE:LINE:COLUMN: MESSAGE. With no PATH it checks the config's `workflows`
folder (default ./workflows) and its `destinations` folder (default ./destinations: the
endpoints messages are delivered to, whose secrets and ${VARIABLES} must be set).

Checked: YAML syntax, unknown keys (with a suggestion), unknown plugins, config values
of the wrong type or missing, invalid JSONPaths, duplicate ids, a first node that is not
a trigger, routes to unknown or earlier nodes, two files with one source id, and plugin
libraries that were refused.

Exit status: 0 when everything is valid, 1 on any error.

Example:
  weft validate workflows/slack.yaml workflows/stripe.yaml
)"},
    {"plugins", R"(weft plugins — list the loaded plugins

Usage: weft plugins [--config FILE] [--describe NAME]

Loads every library in the config's plugin_dirs (default: the build's plugin folder)
and lists each plugin's name, version, kind and description. Libraries that were
refused are listed with the reason on stderr, and make the exit status 1.

Options:
  -d, --describe NAME   show one plugin in full: its file, ports and config fields
                        (name, type, required or default, description)

Example:
  weft plugins --describe json_path_extractor
)"},
    {"ingest", R"(weft ingest — back-fill a source from a file

Usage: weft ingest [--config FILE] --source ID FILE

Runs every line of FILE (JSON Lines: one webhook payload per line) through the workflow
of source ID, exactly as if each had been posted to /collect/ID, but without HTTP:
signatures and handshakes do not apply, everything else does (grouping, traits,
merges, routes). Events are written in transactions of 50,000 (10,000 on
PostgreSQL; fewer when their lines add up to 16 MiB).

On a terminal it shows progress (events done of the total, events/s, time left); at
the end it prints a summary: events, processed, rejected, dropped, failed, malformed
lines, profiles created, merges and refused merges. A line that is not valid JSON is
reported as FILE:LINE and skipped.

Options:
  -s, --source ID   the source whose workflow runs (its workflow file's `id`)

Exit status: 0 when every line was ingested, 2 when malformed lines were skipped,
1 when nothing could be ingested (unknown source, invalid workflows, store failure).

Example:
  weft ingest --source slack workflows/samples/slack.jsonl
)"},
    {"replay", R"(weft replay — re-run failed events

Usage: weft replay [--config FILE] [--source ID]

Runs every failed event (a dead letter: a node failed, its effects were rolled back)
through its source's current workflow again, oldest first, and updates it in place:
processed, or still failed with the new error and trace. Request headers are never
stored, so nodes that read $.headers see none. Fix the cause first (a plugin, a
workflow), then replay.

Options:
  -s, --source ID   only this source's failed events

Exit status: 0 when every failed event is now processed, 1 when some still fail.

Example:
  weft replay --source stripe
)"},
};

}  // namespace

void WeftApp::defineOptions(Poco::Util::OptionSet& options) {
  Application::defineOptions(options);
  options.addOption(Poco::Util::Option("help", "h", "show help").required(false).repeatable(false));
  options.addOption(Poco::Util::Option("version", "", "show the version").required(false).repeatable(false));
  options.addOption(Poco::Util::Option("config", "c", "config file").required(false).repeatable(false).argument("FILE"));
  options.addOption(Poco::Util::Option("describe", "d", "describe one plugin").required(false).repeatable(false).argument("NAME"));
  options.addOption(Poco::Util::Option("source", "s", "the source to ingest into").required(false).repeatable(false).argument("ID"));
  options.addOption(Poco::Util::Option("reason", "", "why (weft profiles)").required(false).repeatable(false).argument("TEXT"));
  options.addOption(Poco::Util::Option("url", "", "a running server (weft profiles)").required(false).repeatable(false).argument("URL"));
  options.addOption(Poco::Util::Option("block", "", "block the identifier too (weft profiles)").required(false).repeatable(false));
  options.addOption(Poco::Util::Option("no-suppress", "", "erase without suppressing (weft profiles)").required(false).repeatable(false));
  options.addOption(Poco::Util::Option("dry-run", "", "write nothing (weft rebuild)").required(false).repeatable(false));
  options.addOption(Poco::Util::Option("failed", "", "every failed message (weft destinations retry)").required(false).repeatable(false));
  options.addOption(Poco::Util::Option("since", "", "events received then or later (weft export)").required(false).repeatable(false).argument("RFC3339"));
  options.addOption(Poco::Util::Option("output", "o", "the file to write (weft export)").required(false).repeatable(false).argument("FILE"));
}

void WeftApp::handleOption(const std::string& name, const std::string& value) {
  Application::handleOption(name, value);
  if (name == "help") help_ = true;
  if (name == "version") version_ = true;
  if (name == "config") config_ = value;
  if (name == "describe") describe_ = value;
  if (name == "source") source_ = value;
  if (name == "reason") reason_ = value;
  if (name == "url") url_ = value;
  if (name == "block") block_ = true;
  if (name == "no-suppress") no_suppress_ = true;
  if (name == "dry-run") dry_run_ = true;
  if (name == "failed") failed_ = true;
  if (name == "since") since_ = value;
  if (name == "output") output_ = value;
}

namespace {

// The default plugin folder: the installed one next to the binary (<prefix>/lib/weft/plugins),
// else the build tree's.
std::filesystem::path default_plugin_dir() {
  if (const auto prefix = install_prefix(); !prefix.empty()) {
    std::error_code ec;
    const auto installed = prefix / "lib" / "weft" / "plugins";
    if (std::filesystem::is_directory(installed, ec)) return installed;
  }
  return WEFT_BUILD_PLUGIN_DIR;
}

}  // namespace

int WeftApp::main(const std::vector<std::string>& args) {
  if (version_) {
    std::cout << "weft " << WEFT_VERSION << " (plugin ABI " << WEFT_ABI_MAJOR << "." << WEFT_ABI_MINOR << ")\n";
    return exit_ok;
  }
  if (args.empty()) {
    (help_ ? std::cout : std::cerr) << overview;
    return help_ ? exit_ok : exit_usage;
  }
  const std::string& command = args[0];
  auto help = command_help.find(command);
  if (help == command_help.end()) {
    std::vector<std::string> known;
    for (const auto& [name, text] : command_help) known.push_back(name);
    std::cerr << "weft: unknown command '" << command << "'" << did_you_mean(command, known) << "\n(run `weft --help` for usage)\n";
    return exit_usage;
  }
  if (help_) {
    std::cout << help->second;
    return exit_ok;
  }
  if (describe_ && command != "plugins") {
    std::cerr << "weft: --describe belongs to `weft plugins`\n";
    return exit_usage;
  }
  if (source_ && command != "ingest" && command != "replay" && command != "try" && command != "export") {
    std::cerr << "weft: --source belongs to `weft ingest`, `weft replay`, `weft try` and `weft export`\n";
    return exit_usage;
  }

  if ((reason_ || block_ || no_suppress_) && command != "profiles") {
    std::cerr << "weft: --reason, --block and --no-suppress belong to `weft profiles`\n";
    return exit_usage;
  }
  if (url_ && command != "profiles" && command != "destinations" && command != "export") {
    std::cerr << "weft: --url belongs to `weft profiles`, `weft destinations` and `weft export`\n";
    return exit_usage;
  }
  if ((since_ || output_) && command != "export") {
    std::cerr << "weft: --since and --output belong to `weft export`\n";
    return exit_usage;
  }
  if (failed_ && command != "destinations") {
    std::cerr << "weft: --failed belongs to `weft destinations retry`\n";
    return exit_usage;
  }
  if (dry_run_ && command != "rebuild") {
    std::cerr << "weft: --dry-run belongs to `weft rebuild`\n";
    return exit_usage;
  }

  Invocation invocation;
  invocation.args.assign(args.begin() + 1, args.end());
  invocation.config_file = config_;
  invocation.describe = describe_;
  invocation.source = source_;
  invocation.reason = reason_;
  invocation.url = url_;
  invocation.block = block_;
  invocation.no_suppress = no_suppress_;
  invocation.failed = failed_;
  invocation.dry_run = dry_run_;
  invocation.since = since_;
  invocation.output = output_;
  if (config_) {
    std::vector<Diagnostic> problems;
    invocation.settings = load_settings(*config_, default_plugin_dir(), problems);
    if (!problems.empty()) {
      for (const auto& p : problems) std::cerr << p.str() << "\n";
      return exit_invalid;
    }
  } else {
    invocation.settings = default_settings(std::filesystem::current_path(), default_plugin_dir());
  }
  if (command == "validate") return validate_command(invocation);
  if (command == "ingest") return ingest_command(invocation);
  if (command == "serve") return serve_command(invocation);
  if (command == "replay") return replay_command(invocation);
  if (command == "profiles") return profiles_command(invocation);
  if (command == "destinations") return destinations_command(invocation);
  if (command == "rebuild") return rebuild_command(invocation);
  if (command == "test") return test_command(invocation);
  if (command == "try") return try_command(invocation);
  if (command == "backup") return backup_command(invocation);
  if (command == "check") return check_command(invocation);
  if (command == "export") return export_command(invocation);
  return plugins_command(invocation);
}

}  // namespace weft::app
