// Byte sources a document is read from: files, stdin, archive members.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>

namespace privaudit {

class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Reads up to n bytes into dst. Returns the count, 0 at end of input, or -1
  // on an error (then error() says what).
  virtual ssize_t read(char* dst, size_t n) = 0;
  virtual std::string error() const { return err_; }
  // Size if known in advance, else -1.
  virtual int64_t size_hint() const { return -1; }

 protected:
  std::string err_;
};

// Reads an open file descriptor (owned when `own`).
class FdReader : public ByteReader {
 public:
  FdReader(int fd, bool own, int64_t size = -1) : fd_(fd), own_(own), size_(size) {}
  ~FdReader() override;
  ssize_t read(char* dst, size_t n) override;
  int64_t size_hint() const override { return size_; }

 private:
  int fd_;
  bool own_;
  int64_t size_;
};

// Reads a memory block.
class MemoryReader : public ByteReader {
 public:
  MemoryReader(const char* data, size_t n) : p_(data), n_(n) {}
  ssize_t read(char* dst, size_t n) override;
  int64_t size_hint() const override { return static_cast<int64_t>(n_); }

 private:
  const char* p_;
  size_t n_;
  size_t pos_ = 0;
};

}  // namespace privaudit
