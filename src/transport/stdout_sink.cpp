// transport/stdout_sink.cpp — see transport/stdout_sink.h.
#include "transport/stdout_sink.h"

#include "events/drift_json.h"

namespace cw::transport {

void StdoutSink::publish(const events::Event& event) {
  ++stats_.published;
  const auto line = events::to_drift_json(event) + "\n";
  const bool written =
      std::fwrite(line.data(), 1, line.size(), out_) == line.size() && std::fflush(out_) == 0;
  ++(written ? stats_.delivered : stats_.dropped);
}

}  // namespace cw::transport
