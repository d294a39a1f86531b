// transport/zmq/curve_keys.h — CURVE key pairs (ZeroMQ's CurveZMQ, Z85-encoded 40-character keys)
// as files: NAME.key holds the secret key (mode 0600), NAME.pub the public key. The collector's
// allow-list is a directory of *.pub files.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace cw::transport {

inline constexpr std::size_t kZ85KeyLength = 40;  // 32 bytes in Z85 (ZMQ RFC 32)

struct CurveKeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters
};

CurveKeyPair generate_key_pair();  // zmq_curve_keypair; throws if libzmq lacks CURVE
std::string public_key_of(const std::string& secret_key);  // zmq_curve_public

// Writes DIR/NAME.key (0600, created so, never world-readable even briefly) and DIR/NAME.pub.
// Throws std::runtime_error with the path on failure.
void write_key_pair(const std::filesystem::path& directory, const std::string& name,
                    const CurveKeyPair& pair);

// Reads a key file: the first 40-character Z85 token on a line of its own, or in quotes as in
// pyzmq/CZMQ certificates (`public-key = "..."`); other lines are comments.
// A .key file gives its secret key; throws if the file is missing or holds no valid key.
std::string read_key_file(const std::filesystem::path& file);
CurveKeyPair read_secret_key_file(const std::filesystem::path& key_file);  // public derived

bool is_z85_key(const std::string& text);

// The allow-list: public key (Z85) → name (the file's stem), and the agent ids each name may
// claim besides its own (the file's `agents:` lines, transport/agent_claims.h). Files that are
// not valid keys are skipped and reported in `rejected_files`.
struct AuthorizedKeys {
  std::map<std::string, std::string> names_by_key;
  std::map<std::string, std::vector<std::string>> claims_by_name;
  std::vector<std::string> rejected_files;
};
AuthorizedKeys load_authorized_keys(const std::filesystem::path& directory);

}  // namespace cw::transport
