#include "redact/stream.h"

#include <iconv.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace privaudit::redact {

bool FdSink::write(std::string_view data) {
  constexpr size_t kBuf = size_t{1} << 16;
  if (buf_.size() + data.size() <= kBuf) {
    buf_.append(data);
    return true;
  }
  if (!flush()) return false;
  if (data.size() >= kBuf) return raw_write(data.data(), data.size());
  buf_.append(data);
  return true;
}

bool FdSink::flush() {
  bool ok = raw_write(buf_.data(), buf_.size());
  buf_.clear();
  return ok;
}

bool FdSink::raw_write(const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      err_ = std::strerror(errno);
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

Spool::~Spool() {
  if (file_) std::fclose(file_);
}

bool Spool::write(std::string_view data) {
  size_ += data.size();
  if (!file_ && mem_.size() + data.size() <= limit_) {
    mem_.append(data);
    return true;
  }
  if (!file_) {
    file_ = std::tmpfile();
    if (!file_) {
      err_ = std::string("cannot create a temporary file: ") + std::strerror(errno);
      return false;
    }
    if (!mem_.empty() && std::fwrite(mem_.data(), 1, mem_.size(), file_) != mem_.size()) {
      err_ = std::string("temporary file: ") + std::strerror(errno);
      return false;
    }
    mem_.clear();
    mem_.shrink_to_fit();
  }
  if (!data.empty() && std::fwrite(data.data(), 1, data.size(), file_) != data.size()) {
    err_ = std::string("temporary file: ") + std::strerror(errno);
    return false;
  }
  return true;
}

namespace {
// Reads a spooled temporary file with pread, so readers do not share a position.
class PreadReader : public ByteReader {
 public:
  PreadReader(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ssize_t read(char* dst, size_t n) override {
    if (pos_ >= size_) return 0;
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - pos_));
    for (;;) {
      ssize_t r = ::pread(fd_, dst, n, static_cast<off_t>(pos_));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        err_ = std::strerror(errno);
        return -1;
      }
      pos_ += static_cast<uint64_t>(r);
      return r;
    }
  }
  int64_t size_hint() const override { return static_cast<int64_t>(size_); }

 private:
  int fd_;
  uint64_t size_;
  uint64_t pos_ = 0;
};
}  // namespace

int Spool::fd() const {
  if (!file_) return -1;
  std::fflush(file_);
  return fileno(file_);
}

std::unique_ptr<ByteReader> Spool::reader() const {
  if (file_) {
    std::fflush(file_);
    return std::make_unique<PreadReader>(fileno(file_), size_);
  }
  return std::make_unique<MemoryReader>(mem_.data(), mem_.size());
}

bool Spool::copy_to(Sink& out) const {
  auto rd = reader();
  std::string buf(size_t{1} << 16, '\0');
  for (;;) {
    ssize_t r = rd->read(buf.data(), buf.size());
    if (r < 0) return false;
    if (r == 0) return true;
    if (!out.write(std::string_view(buf.data(), static_cast<size_t>(r)))) return false;
  }
}

std::string_view bom_bytes(Encoding e) {
  switch (e) {
    case Encoding::utf8: return "\xEF\xBB\xBF";
    case Encoding::utf16le: return "\xFF\xFE";
    case Encoding::utf16be: return "\xFE\xFF";
    default: return {};
  }
}

Encoder::Encoder(Encoding to, Sink& out) : to_(to), out_(out) {
  const char* name = nullptr;
  switch (to) {
    case Encoding::utf8: return;
    case Encoding::utf16le: name = "UTF-16LE"; break;
    case Encoding::utf16be: name = "UTF-16BE"; break;
    case Encoding::cp932: name = "CP932"; break;
    case Encoding::eucjp: name = "EUC-JP-MS"; break;
    case Encoding::latin1: name = "ISO-8859-1"; break;
  }
  iconv_t cd = iconv_open(name, "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1) && to == Encoding::eucjp) cd = iconv_open("EUC-JP", "UTF-8");
  cd_ = cd;
}

Encoder::~Encoder() {
  if (to_ != Encoding::utf8 && ok()) iconv_close(static_cast<iconv_t>(cd_));
}

bool Encoder::convert(const char* in, size_t n, bool last) {
  auto cd = static_cast<iconv_t>(cd_);
  size_t done = 0;
  char tmp[16384];
  while (done < n) {
    char* src = const_cast<char*>(in + done);
    size_t left = n - done;
    char* dst = tmp;
    size_t room = sizeof tmp;
    size_t r = iconv(cd, &src, &left, &dst, &room);
    int err = errno;
    buf_.append(tmp, static_cast<size_t>(dst - tmp));
    done = n - left;
    if (r != static_cast<size_t>(-1) || err == E2BIG) continue;
    if (err == EINVAL && !last) break;  // a character cut at the end
    // Not representable (or cut at the very end): '?' in the target encoding.
    auto c = static_cast<unsigned char>(in[done]);
    size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    done += std::min(len, n - done);
    ++unencodable_;
    char q[] = "?";
    char* qs = q;
    size_t ql = 1;
    dst = tmp;
    room = sizeof tmp;
    iconv(cd, &qs, &ql, &dst, &room);
    buf_.append(tmp, static_cast<size_t>(dst - tmp));
  }
  carry_.assign(in + done, n - done);
  return true;
}

bool Encoder::write(std::string_view utf8) {
  if (to_ == Encoding::utf8) return out_.write(utf8);
  buf_.clear();
  if (!carry_.empty()) {
    std::string joined = carry_ + std::string(utf8);
    convert(joined.data(), joined.size(), false);
  } else {
    convert(utf8.data(), utf8.size(), false);
  }
  return out_.write(buf_);
}

bool Encoder::finish() {
  if (to_ == Encoding::utf8 || carry_.empty()) return true;
  buf_.clear();
  std::string rest = std::move(carry_);
  carry_.clear();
  convert(rest.data(), rest.size(), true);
  return out_.write(buf_);
}

}  // namespace privaudit::redact
