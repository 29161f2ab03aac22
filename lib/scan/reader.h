// Byte sources a document is read from: files, stdin, archive members.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
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
  // True when seek() works (a regular file, a memory block).
  virtual bool seekable() const { return false; }
  // Moves to absolute offset `off`; false when the source cannot seek.
  virtual bool seek(int64_t /*off*/) { return false; }

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
  // Seekable when the size was given (a regular file).
  bool seekable() const override { return size_ >= 0; }
  bool seek(int64_t off) override;

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
  bool seekable() const override { return true; }
  bool seek(int64_t off) override;

 private:
  const char* p_;
  size_t n_;
  size_t pos_ = 0;
};

// Replays bytes already read from a source (sniffed), then reads the rest
// of it. Seeking drops the replay and seeks the source.
class PrefixReader : public ByteReader {
 public:
  PrefixReader(std::string prefix, ByteReader& in) : prefix_(std::move(prefix)), in_(in) {}
  ssize_t read(char* dst, size_t n) override;
  std::string error() const override { return in_.error(); }
  int64_t size_hint() const override { return in_.size_hint(); }
  bool seekable() const override { return in_.seekable(); }
  bool seek(int64_t off) override;

 private:
  std::string prefix_;
  size_t pos_ = 0;
  ByteReader& in_;
};

// Appends the rest of `in` to `out`, up to `cap` bytes in all. False with
// `err` on a read error or when the input is larger than the cap.
bool read_all(ByteReader& in, std::string& out, uint64_t cap, std::string& err);

// Reads from `in` until `n` bytes or the end; returns the count, or -1 on an
// error (then in.error() says what).
ssize_t read_full(ByteReader& in, char* dst, size_t n);

}  // namespace privaudit
