// apps/history/events_command.cpp — `chronowatch events`: the stored events, filtered by time,
// agent, type and severity, as a table or one JSON object per line (issue 5); `--import FILE`
// stores events given as JSON lines (what `--json` prints), e.g. to move history between
// collectors.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "apps/common/commands.h"
#include "apps/common/exit_codes.h"
#include "apps/common/options.h"
#include "apps/history/event_cli.h"
#include "events/json_codec.h"
#include "platform/system_clock.h"
#include "store/event_store.h"

namespace cw::apps {
namespace {

constexpr int kExitRejectedLines = 3;

struct EventsFlags {
  std::string store, db;
  std::string since, until, agent, type, severity;
  std::size_t limit = 0;
  bool json = false;
  std::string import_file;
  store::EventFilter filter;  // resolved while parsing
};

constexpr const char* kFooter =
    R"(Times: "now", "90s", "30m", "1h", "7d", "2w" (that long ago) or ISO 8601
("2025-11-29T17:05:01Z", "2025-11-29 17:05", "2025-11-29"; no zone = UTC).
Types: time_drift, clock_step, port_scan, heartbeat, agent_down, ... (see docs/wire-format.md).
Severities: info, low, medium, high, critical (--severity S shows S and worse).

Exit status:
  0  ok (also when nothing matched)
  1  the database cannot be opened or read
  2  usage error (unknown type, severity or time)
  3  --import: some lines were rejected (each is reported on stderr with its reason)

Examples:
  chronowatch events --since 1h --severity high
  chronowatch events --agent node-7 --type time_drift --since 2025-11-29 --json
  chronowatch events --limit 20                       # the 20 most recent
  chronowatch events --json > history.jsonl
  chronowatch events --db other.db --import history.jsonl   # the same events, in another store
See docs/store.md.)";

// Builds the filter; a message when a flag does not parse.
Result<store::EventFilter, std::string> filter_of(const EventsFlags& f, Timestamp now) {
  store::EventFilter filter{.limit = f.limit, .latest = true};
  if (!f.since.empty() && !(filter.since = parse_time_arg(f.since, now)))
    return fail("--since: cannot read \"" + f.since +
                "\" as a time (try 1h, 7d or 2025-11-29T17:05Z)");
  if (!f.until.empty() && !(filter.until = parse_time_arg(f.until, now)))
    return fail("--until: cannot read \"" + f.until +
                "\" as a time (try 1h, 7d or 2025-11-29T17:05Z)");
  if (!f.agent.empty()) filter.agent_id = f.agent;
  if (!f.type.empty() && !(filter.type = events::parse_event_type(f.type)))
    return fail("--type: no event type \"" + f.type + "\" (e.g. time_drift, port_scan, heartbeat)");
  if (!f.severity.empty() && !(filter.min_severity = events::parse_severity(f.severity)))
    return fail("--severity: \"" + f.severity + "\" is not info, low, medium, high or critical");
  return filter;
}

int list(const EventsFlags& f) {
  const auto opened = store::open_store(resolved_store_url(f.store, f.db), {.read_only = true});
  auto& store = *opened;
  const auto found = store.query(f.filter);
  for (const auto& event : found)
    std::fputs(((f.json ? events::encode_json(event) : event_line(event)) + "\n").c_str(), stdout);
  if (!f.json && found.empty()) std::fputs("no events match\n", stderr);
  return kExitOk;
}

int import(const EventsFlags& f) {
  std::ifstream file;
  if (f.import_file != "-") {
    file.open(f.import_file);
    if (!file) throw std::runtime_error("cannot read " + f.import_file);
  }
  std::istream& in = f.import_file == "-" ? std::cin : file;
  const auto opened = store::open_store(resolved_store_url(f.store, f.db));
  auto& store = *opened;
  std::vector<events::Event> batch;
  std::size_t line_number = 0, rejected = 0, stored = 0, read = 0;
  auto flush = [&] {
    stored += store.insert(batch);
    read += batch.size();
    batch.clear();
  };
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto event = events::decode_json(line);
    if (!event) {
      ++rejected;
      std::fprintf(stderr, "chronowatch events: line %zu rejected: %s\n", line_number,
                   std::string{events::to_string(event.error())}.c_str());
      continue;
    }
    batch.push_back(std::move(*event));
    if (batch.size() == 10'000) flush();
  }
  flush();
  std::printf("read %zu events, stored %zu new, %zu already stored, %zu lines rejected\n", read,
              stored, read - stored, rejected);
  return rejected ? kExitRejectedLines : kExitOk;
}

}  // namespace

void add_events_command(CLI::App& app, CommandBody& run) {
  auto flags = std::make_shared<EventsFlags>();
  auto* cmd =
      app.add_subcommand("events", "Show stored events (filter by time, agent, type, severity)");
  cmd->footer(kFooter);
  add_store_options(*cmd, flags->store, flags->db);
  cmd->add_option("--since", flags->since,
                  "only events at or after this time (e.g. 1h, 2025-11-29)");
  cmd->add_option("--until", flags->until, "only events before this time");
  cmd->add_option("--agent", flags->agent, "only this agent's events");
  cmd->add_option("--type", flags->type, "only this event type (e.g. time_drift)");
  cmd->add_option("--severity", flags->severity, "only this severity and worse (info .. critical)");
  cmd->add_option("--limit", flags->limit, "at most N events: the N most recent (0 = all)");
  cmd->add_flag("--json", flags->json,
                "one JSON object per line: agent_id, sequence, type, severity, timestamp, ...");
  cmd->add_option("--import", flags->import_file,
                  "store the events of FILE (JSON lines as --json prints them; - = stdin); "
                  "events already stored are ignored");
  cmd->callback([flags, &run, cmd] {
    auto filter = filter_of(*flags, platform::SystemClock{}.now());
    if (!filter) {  // "--since: cannot read ...": the flag is the message's first word
      const auto& why = filter.error();
      throw_usage(*cmd, why.substr(0, why.find(':')), why.substr(why.find(':') + 2));
    }
    flags->filter = *filter;
    run = [flags] { return flags->import_file.empty() ? list(*flags) : import(*flags); };
  });
}

}  // namespace cw::apps
