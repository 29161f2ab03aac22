// A ByteReader that yields UTF-8: detects the source encoding from its first
// bytes (or uses a forced one), skips a BOM, and converts.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "decode/decode.h"
#include "scan/reader.h"

namespace privaudit {

class TextReader : public ByteReader {
 public:
  explicit TextReader(ByteReader& in, std::optional<Encoding> forced = std::nullopt);
  // Reads the head and decides the encoding. False (with error()) on a read error.
  bool init();
  ssize_t read(char* dst, size_t n) override;
  Encoding encoding() const { return enc_; }
  // The head holds NUL bytes and is not UTF-16: a binary file.
  bool looks_binary() const { return binary_; }
  uint64_t replaced() const;
  uint64_t raw_bytes() const { return raw_bytes_; }
  // Length of the byte-order mark skipped at the start (0 if none).
  size_t bom() const { return bom_; }

 private:
  ByteReader& in_;
  std::optional<Encoding> forced_;
  Encoding enc_ = Encoding::utf8;
  bool binary_ = false;
  std::string pending_;  // raw bytes not yet converted
  std::string out_;      // converted bytes not yet returned
  size_t out_pos_ = 0;
  bool eof_ = false;
  uint64_t raw_bytes_ = 0;
  size_t bom_ = 0;
  uint64_t utf8_replaced_ = 0;
  std::unique_ptr<Transcoder> tc_;
  bool refill();
};

}  // namespace privaudit
