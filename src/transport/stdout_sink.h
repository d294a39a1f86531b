// transport/stdout_sink.h — a sink that prints each event as one line of seed 000's JSON on a
// stream (stdout by default): for `--once` in scripts, for piping into jq, for debugging.
#pragma once

#include <cstdio>

#include "transport/event_sink.h"

namespace cw::transport {

class StdoutSink final : public EventSink {
 public:
  explicit StdoutSink(std::FILE* out = stdout) : out_(out) {}
  std::string_view name() const override { return "stdout"; }
  void publish(const events::Event& event) override;
  SinkStats stats() const override { return stats_; }

 private:
  std::FILE* out_;
  SinkStats stats_;
};

}  // namespace cw::transport
