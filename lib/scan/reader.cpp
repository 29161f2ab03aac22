#include "scan/reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace privaudit {

FdReader::~FdReader() {
  if (own_ && fd_ >= 0) ::close(fd_);
}

ssize_t FdReader::read(char* dst, size_t n) {
  for (;;) {
    ssize_t r = ::read(fd_, dst, n);
    if (r >= 0) return r;
    if (errno == EINTR) continue;
    err_ = std::strerror(errno);
    return -1;
  }
}

bool FdReader::seek(int64_t off) {
  if (::lseek(fd_, static_cast<off_t>(off), SEEK_SET) >= 0) return true;
  err_ = std::strerror(errno);
  return false;
}

bool MemoryReader::seek(int64_t off) {
  if (off < 0 || static_cast<uint64_t>(off) > n_) return false;
  pos_ = static_cast<size_t>(off);
  return true;
}

ssize_t PrefixReader::read(char* dst, size_t n) {
  if (pos_ < prefix_.size()) {
    size_t k = std::min(n, prefix_.size() - pos_);
    std::memcpy(dst, prefix_.data() + pos_, k);
    pos_ += k;
    return static_cast<ssize_t>(k);
  }
  return in_.read(dst, n);
}

bool PrefixReader::seek(int64_t off) {
  if (!in_.seek(off)) return false;
  pos_ = prefix_.size();
  return true;
}

bool read_all(ByteReader& in, std::string& out, uint64_t cap, std::string& err) {
  char buf[65536];
  for (;;) {
    ssize_t r = in.read(buf, sizeof buf);
    if (r < 0) {
      err = "read error: " + in.error();
      return false;
    }
    if (r == 0) return true;
    if (out.size() + static_cast<size_t>(r) > cap) {
      err = "larger than " + std::to_string(cap) + " bytes";
      return false;
    }
    out.append(buf, static_cast<size_t>(r));
  }
}

ssize_t read_full(ByteReader& in, char* dst, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = in.read(dst + got, n - got);
    if (r < 0) return -1;
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

ssize_t MemoryReader::read(char* dst, size_t n) {
  size_t k = std::min(n, n_ - pos_);
  std::memcpy(dst, p_ + pos_, k);
  pos_ += k;
  return static_cast<ssize_t>(k);
}

}  // namespace privaudit
