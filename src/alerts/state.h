// alerts/state.h — the engine's operator state as documents that outlive the collector: open
// (and recent) alerts with their acknowledgements, silences, suppressions, and the counters.
// Each one encodes to a JSON text and decodes back; decoding untrusted or damaged text gives an
// error naming what is wrong, never a half-filled value. Pure: the shell stores the texts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerts/engine.h"

namespace cw::alerts {

// What the engine is restored from (AlertEngine::restore).
struct EngineState {
  std::vector<Alert> alerts;
  std::vector<Silence> silences;
  std::vector<Suppression> suppressions;
  EngineCounters counters;
  std::uint64_t next_id = 1;
};

// The engine-wide document: counters and the next id.
struct EngineTotals {
  EngineCounters counters;
  std::uint64_t next_id = 1;
};

std::string encode_alert(const Alert& alert);
std::string encode_silence(const Silence& silence);
std::string encode_suppression(const Suppression& suppression);
std::string encode_totals(const EngineTotals& totals);

Result<Alert, std::string> decode_alert(std::string_view text);
Result<Silence, std::string> decode_silence(std::string_view text);
Result<Suppression, std::string> decode_suppression(std::string_view text);
Result<EngineTotals, std::string> decode_totals(std::string_view text);

}  // namespace cw::alerts
