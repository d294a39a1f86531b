// alerts/state.h — the engine's operator state as documents that outlive the collector: open
// (and recent) alerts with their acknowledgements, silences, suppressions, the counters, the
// correlation windows and how far evaluation got (alerts/state_progress.cpp for the last two).
// Each one encodes to a JSON text and decodes back; decoding untrusted or damaged text gives an
// error naming what is wrong, never a half-filled value. Pure: the shell stores the texts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerts/correlation.h"
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

// Where evaluation stood when the state was saved: every stored event at or before this store
// position was evaluated into it, none after; and the collector's last incident number.
struct EvaluationProgress {
  std::int64_t evaluated_through = 0;
  std::uint64_t incident_sequence = 0;
  bool operator==(const EvaluationProgress&) const = default;
};

// Bounds on the correlation windows a document may hold (each map, each campaign's agents); the
// encoder keeps the first this many, so that what it writes always decodes.
inline constexpr std::size_t kMaxWindowEntries = 100'000;
inline constexpr std::size_t kMaxWindowList = 256;  // members, kinds
inline constexpr std::size_t kMaxStateText = 64u << 20;

std::string encode_alert(const Alert& alert);
std::string encode_silence(const Silence& silence);
std::string encode_suppression(const Suppression& suppression);
std::string encode_totals(const EngineTotals& totals);

Result<Alert, std::string> decode_alert(std::string_view text);
Result<Silence, std::string> decode_silence(std::string_view text);
Result<Suppression, std::string> decode_suppression(std::string_view text);
Result<EngineTotals, std::string> decode_totals(std::string_view text);

std::string encode_progress(const EvaluationProgress& progress);
Result<EvaluationProgress, std::string> decode_progress(std::string_view text);
// The correlation windows; decoding checks that they hang together (every indexed drift is an
// open drift of that server and direction, ...), since the correlator relies on it.
std::string encode_windows(const CorrelationWindows& windows);
Result<CorrelationWindows, std::string> decode_windows(std::string_view text);

}  // namespace cw::alerts
