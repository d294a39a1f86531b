// detect/net/ntp/ntp_wire.h — NTP as seen on the wire by a monitor, for every mode: the RFC 5905
// §7.3 header of modes 1–5 (with RFC 7822 extension fields and a MAC, RFC 5905 §7.3 / RFC 8573,
// NTS fields of RFC 8915 §5.7), mode 6 control messages (RFC 9327 §2) and mode 7 private
// messages (ntpd's ntp_request.h: R/M bits, sequence, implementation, request code, item counts).
// It reports what the layout is and whether some NTP version, MAC or NTS layout explains the
// size. Pure and allocation-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace cw::detect {

enum class NtpLayout : std::uint8_t {
  standard,   // a layout that some NTP version, MAC or NTS explains
  too_short,  // shorter than its mode's header
  bad_version,
  reserved_mode,    // mode 0
  bad_extension,    // extension fields or a trailer that no layout explains
  bad_control_len,  // mode 6 count beyond the datagram, or trailing bytes no MAC explains
  bad_private_len,  // mode 7 items beyond the datagram
};
std::string_view to_string(NtpLayout layout);

struct NtpWire {
  std::uint8_t leap = 0, version = 0, mode = 0;
  NtpLayout layout = NtpLayout::standard;
  std::size_t size = 0;
  // Modes 1–5.
  std::uint8_t stratum = 0;
  std::int8_t poll = 0, precision = 0;
  std::uint32_t root_delay = 0, root_dispersion = 0, reference_id = 0;
  std::uint64_t reference = 0, origin = 0, receive = 0, transmit = 0;
  std::uint8_t extension_fields = 0;
  bool has_mac = false;
  // Modes 6 and 7.
  bool response = false, more = false, error = false;
  std::uint8_t opcode = 0;  // mode 6 opcode (READVAR = 2, ...)
  std::uint16_t sequence = 0;
  std::uint8_t implementation = 0, request_code = 0;  // mode 7 (REQ_MON_GETLIST = 20, _1 = 42)
  std::uint16_t items = 0, item_size = 0, count = 0;  // mode 7 items, mode 6 data count

  // RFC 5905 §7.4: the kiss codes a client must act on (DENY and RSTR: stop; RATE: poll less),
  // which are what off-path attackers forge. Stratum 0 with INIT or STEP is an unsynchronized
  // server's ordinary reply (ntpd sends INIT until it has a source): not a kiss of death.
  bool kiss_of_death() const {
    return mode == 4 && stratum == 0 &&
           (reference_id == 0x52415445 || reference_id == 0x44454e59 || reference_id == 0x52535452);
  }
  bool monlist() const { return mode == 7 && (request_code == 20 || request_code == 42); }
};

// Decodes a UDP payload of port 123 traffic. False when it is not NTP of any mode at all (empty
// or shorter than one byte of header); otherwise `out.layout` says whether it is standard.
bool decode_ntp_wire(std::span<const std::byte> payload, NtpWire& out);

// The fixed client requests of scanners: nmap's UDP payload and -sV probe (transmit
// 0xc54f234b71b152f3) and its ntp-info script (NTPv2, transmit 0xffffffffffffff00).
bool is_scanner_probe(const NtpWire& wire);

}  // namespace cw::detect
