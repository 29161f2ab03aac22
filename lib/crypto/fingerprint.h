// Keyed fingerprints: HMAC-SHA-256(key, rule id || 0x00 || normalised value),
// cut to 16 hex digits. The key comes from --key-file, PRIVAUDIT_KEY, or is
// drawn at random for the run (and then fingerprints only compare within it).
#pragma once
#include <string>
#include <string_view>

namespace privaudit {

class Fingerprinter {
 public:
  // A random 32-byte key.
  static Fingerprinter random();
  Fingerprinter(std::string key, bool user_supplied);
  // Loads the key: the file's bytes (a trailing newline is dropped), else the
  // environment variable PRIVAUDIT_KEY, else a random key. False with `error`
  // if the file cannot be read or is empty.
  static bool from_options(const std::string& key_file, Fingerprinter& out, std::string& error);

  std::string fingerprint(std::string_view rule, std::string_view value) const;
  // The same, into `out` (no allocation once `out` has room).
  void fingerprint_into(std::string& out, std::string_view rule, std::string_view value) const;
  // Full HMAC-SHA-256 digest (32 bytes) over `message`.
  std::string hmac(std::string_view message) const;
  bool user_supplied() const { return user_supplied_; }
  std::string_view mode() const { return user_supplied_ ? "user-supplied" : "random-per-run"; }

 private:
  std::string key_;
  bool user_supplied_ = false;
  // SHA-256 states after absorbing key^ipad and key^opad (RFC 2104), so each
  // HMAC costs two compressions of the message and no key setup.
  struct State {
    unsigned char bytes[128];
  };
  State inner_{}, outer_{};
};

// Lower-case hex of bytes.
std::string to_hex(std::string_view bytes);

}  // namespace privaudit
