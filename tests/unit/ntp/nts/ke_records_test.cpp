// tests/unit/ntp/nts/ke_records_test.cpp — NTS-KE records and messages (RFC 8915 §4) spelled in
// bytes: the critical bit, mandatory records, typed rejections, the 16 KiB cap, key export.
#include "ntp/nts/ke_records.h"

#include <gtest/gtest.h>

#include "../hex.h"
#include "ntp/nts/key_export.h"

namespace cw::ntp::nts {
namespace {

using ntp::testing::hex;

// chrony 4.3's request: Next Protocol [NTPv4], AEAD [15], End of Message, each critical.
const auto kChronyRequest = hex("8001 0002 0000  8004 0002 000f  8000 0000");

TEST(KeRecords, ReadsARecordWithItsCriticalBit) {
  const auto r = read_record(hex("8004 0002 000f")).value();
  EXPECT_TRUE(r.critical);
  EXPECT_EQ(r.type, 4);
  EXPECT_EQ(r.body.size(), 2u);
  EXPECT_FALSE(read_record(hex("0004 0002 00")).has_value());
  EXPECT_EQ(read_record(hex("00")).error(), KeRejection::truncated);
}

TEST(KeRecords, WritesTheRequestChronySends) {
  const AeadId aeads[] = {AeadId::aes_siv_cmac_256};
  EXPECT_EQ(write_request(aeads), kChronyRequest);
}

TEST(KeRecords, ParsesAndAnswersARequest) {
  const auto request = parse_request(kChronyRequest).value();
  EXPECT_EQ(request.protocols, std::vector<std::uint16_t>{0});
  EXPECT_EQ(request.aeads, std::vector<std::uint16_t>{15});
  EXPECT_EQ(choose(request).value(), AeadId::aes_siv_cmac_256);
}

TEST(KeRecords, RefusesRequestsThatBreakTheRules) {
  // An unknown critical record; the same non-critical is ignored.
  EXPECT_EQ(parse_request(hex("8001 0002 0000 8004 0002 000f 8123 0000 8000 0000")).error(),
            KeRejection::unrecognized_critical);
  EXPECT_TRUE(parse_request(hex("8001 0002 0000 8004 0002 000f 0123 0000 8000 0000")));
  EXPECT_EQ(parse_request(hex("8004 0002 000f 8000 0000")).error(),
            KeRejection::missing_next_protocol);
  EXPECT_EQ(parse_request(hex("8001 0002 0000 8001 0002 0000 8000 0000")).error(),
            KeRejection::duplicate_record);
  EXPECT_EQ(parse_request(hex("8001 0002 0000 8004 0002 000f")).error(), KeRejection::missing_end);
  EXPECT_EQ(parse_request(hex("8001 0002 0000 8000 0000 00")).error(), KeRejection::data_after_end);
  EXPECT_EQ(parse_request(hex("8001 0001 00 8000 0000")).error(), KeRejection::bad_record_body);
  EXPECT_EQ(parse_request(hex("8001 0002 0000 0005 0004 01020304 8000 0000")).error(),
            KeRejection::unexpected_record);
  EXPECT_EQ(choose(parse_request(hex("8001 0002 0001 8004 0002 000f 8000 0000")).value()).error(),
            KeRejection::no_common_protocol);
  EXPECT_EQ(choose(parse_request(hex("8001 0002 0000 8000 0000")).value()).error(),
            KeRejection::missing_aead);
  EXPECT_EQ(
      choose(parse_request(hex("8001 0002 0000 8004 0004 0010 001e 8000 0000")).value()).error(),
      KeRejection::no_common_aead);  // 16 (AES-SIV-CMAC-384) and 30 (AES-128-GCM-SIV)
  // The client's order: 16 is skipped, 17 (AES-SIV-CMAC-512) comes before 15.
  EXPECT_EQ(choose(parse_request(hex("8001 0002 0000 8004 0006 0010 0011 000f 8000 0000")).value())
                .value(),
            AeadId::aes_siv_cmac_512);
  EXPECT_EQ(error_for(KeRejection::unrecognized_critical),
            KeErrorCode::unrecognized_critical_record);
  EXPECT_EQ(error_for(KeRejection::missing_aead), KeErrorCode::bad_request);
}

TEST(KeRecords, FindsTheEndOfAMessageInAStreamAndCapsItAt16KiB) {
  EXPECT_EQ(message_length(hex("8001 0002")).value(), std::nullopt);
  EXPECT_EQ(message_length(hex("8001 0002 0000 8000")).value(), std::nullopt);
  EXPECT_EQ(message_length(kChronyRequest).value(), kChronyRequest.size());
  std::vector<std::byte> junk(20 * 1024, std::byte{0x41});
  EXPECT_EQ(message_length(junk).error(), KeRejection::too_large);
  std::vector<std::byte> big;
  for (int i = 0; i < 5; ++i)
    append_record(big, false, RecordType::warning, std::vector<std::byte>(4000));
  EXPECT_EQ(message_length(big).error(), KeRejection::too_large);
  append_record(big, true, RecordType::end_of_message, {});
  EXPECT_EQ(parse_request(big).error(), KeRejection::too_large);
}

TEST(KeRecords, ARoundTripResponseCarriesPortAndCookies) {
  const std::vector<Cookie> cookies(8, Cookie(104, std::byte{7}));
  const auto message = write_response(AeadId::aes_siv_cmac_256, 12345, cookies);
  const auto response = parse_response(message).value();
  EXPECT_EQ(response.aead, AeadId::aes_siv_cmac_256);
  EXPECT_EQ(response.port, 12345);
  EXPECT_EQ(response.cookies, cookies);
  // The port record is critical, as chrony sends it.
  EXPECT_EQ(hex("8007 0002 3039"),
            std::vector<std::byte>(message.begin() + 12, message.begin() + 18));
}

TEST(KeRecords, RefusesResponsesThatBreakTheRules) {
  EXPECT_EQ(parse_response(write_error(KeErrorCode::bad_request)).error(),
            KeRejection::server_error);
  EXPECT_EQ(error_code(write_error(KeErrorCode::bad_request)), 1);
  EXPECT_EQ(parse_response(hex("8001 0002 0000 8004 0002 000f 8000 0000")).error(),
            KeRejection::no_cookies);
  EXPECT_EQ(parse_response(hex("8001 0000 8004 0002 000f 0005 0004 01020304 8000 0000")).error(),
            KeRejection::no_common_protocol);
  EXPECT_EQ(parse_response(hex("8001 0002 0000 0005 0004 01020304 8000 0000")).error(),
            KeRejection::missing_aead);
  EXPECT_EQ(
      parse_response(hex("8001 0002 0000 8004 0002 0010 0005 0004 01020304 8000 0000")).error(),
      KeRejection::no_common_aead);
  // chrony drops cookies that are not a multiple of 4 bytes long: a 102-byte one is refused.
  std::vector<std::byte> odd = hex("8001 0002 0000 8004 0002 000f");
  append_record(odd, false, RecordType::new_cookie, std::vector<std::byte>(102));
  append_record(odd, true, RecordType::end_of_message, {});
  EXPECT_EQ(parse_response(odd).error(), KeRejection::bad_cookie);
}

TEST(KeyExport, ContextIsProtocolAeadAndDirection) {
  EXPECT_EQ(kExporterLabel, "EXPORTER-network-time-security");
  const auto c2s = exporter_context(AeadId::aes_siv_cmac_256, Direction::client_to_server);
  const auto s2c = exporter_context(AeadId::aes_siv_cmac_256, Direction::server_to_client);
  EXPECT_EQ(std::vector<std::byte>(c2s.begin(), c2s.end()), hex("0000 000f 00"));
  EXPECT_EQ(std::vector<std::byte>(s2c.begin(), s2c.end()), hex("0000 000f 01"));
}

}  // namespace
}  // namespace cw::ntp::nts
