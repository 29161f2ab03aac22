#include "scan/reader.h"

#include <unistd.h>

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

ssize_t MemoryReader::read(char* dst, size_t n) {
  size_t k = std::min(n, n_ - pos_);
  std::memcpy(dst, p_ + pos_, k);
  pos_ += k;
  return static_cast<ssize_t>(k);
}

}  // namespace privaudit
