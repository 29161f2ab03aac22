#include "decode/text_reader.h"

#include <simdjson.h>

#include <cstring>

namespace privaudit {

namespace {
constexpr size_t kHead = 65536;

// Length of s without a trailing incomplete UTF-8 sequence.
size_t complete_prefix(const std::string& s) {
  size_t n = s.size();
  for (size_t k = 1; k <= 3 && k <= n; ++k) {
    auto c = static_cast<unsigned char>(s[n - k]);
    if ((c & 0xC0) == 0x80) continue;
    if (c >= 0xC0) {
      size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      return need > k ? n - k : n;
    }
    return n;
  }
  return n;
}
}  // namespace

TextReader::TextReader(ByteReader& in, std::optional<Encoding> forced) : in_(in), forced_(forced) {}

uint64_t TextReader::replaced() const { return utf8_replaced_ + (tc_ ? tc_->replaced() : 0); }

bool TextReader::init() {
  pending_.resize(kHead);
  size_t have = 0;
  while (have < kHead) {
    ssize_t r = in_.read(pending_.data() + have, kHead - have);
    if (r < 0) {
      err_ = in_.error();
      return false;
    }
    if (r == 0) {
      eof_ = true;
      break;
    }
    have += static_cast<size_t>(r);
  }
  pending_.resize(have);
  raw_bytes_ = have;
  size_t bom = 0;
  Encoding detected = detect_encoding(pending_.data(), pending_.size(), eof_, bom);
  enc_ = forced_ ? *forced_ : detected;
  pending_.erase(0, bom);
  bom_ = bom;
  bool utf16 = enc_ == Encoding::utf16le || enc_ == Encoding::utf16be;
  binary_ = !utf16 && std::memchr(pending_.data(), 0, pending_.size()) != nullptr;
  if (enc_ != Encoding::utf8) {
    tc_ = std::make_unique<Transcoder>(enc_);
    if (!tc_->ok()) {
      err_ = std::string("cannot decode ") + std::string(encoding_name(enc_));
      return false;
    }
  }
  return true;
}

bool TextReader::refill() {
  out_.clear();
  out_pos_ = 0;
  while (out_.empty()) {
    if (!eof_ && pending_.size() < kHead) {
      size_t have = pending_.size();
      pending_.resize(have + kHead);
      ssize_t r = in_.read(pending_.data() + have, kHead);
      if (r < 0) {
        pending_.resize(have);
        err_ = in_.error();
        return false;
      }
      pending_.resize(have + static_cast<size_t>(r));
      raw_bytes_ += static_cast<uint64_t>(r);
      if (r == 0) eof_ = true;
    }
    if (pending_.empty()) return true;  // end
    if (tc_) {
      size_t used = tc_->convert(pending_.data(), pending_.size(), eof_, out_);
      pending_.erase(0, used);
      if (used == 0 && eof_) pending_.clear();
    } else {
      size_t n = eof_ ? pending_.size() : complete_prefix(pending_);
      if (n == 0 && !eof_) continue;
      if (simdjson::validate_utf8(pending_.data(), n)) out_.assign(pending_, 0, n);
      else utf8_replaced_ += repair_utf8(std::string_view(pending_.data(), n), out_);
      pending_.erase(0, n);
    }
  }
  return true;
}

ssize_t TextReader::read(char* dst, size_t n) {
  if (out_pos_ >= out_.size() && !refill()) return -1;
  size_t k = std::min(n, out_.size() - out_pos_);
  std::memcpy(dst, out_.data() + out_pos_, k);
  out_pos_ += k;
  return static_cast<ssize_t>(k);
}

}  // namespace privaudit
