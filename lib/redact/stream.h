// Byte plumbing for redact: where rewritten bytes go (a file descriptor, a
// spool that stays in memory until it grows and then moves to an unlinked
// temporary file), and the encoder that turns the rewritten UTF-8 back into
// the document's own encoding.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "decode/decode.h"
#include "scan/reader.h"

namespace privaudit::redact {

class Sink {
 public:
  virtual ~Sink() = default;
  // Appends bytes. False on a write error (then error() says what).
  virtual bool write(std::string_view data) = 0;
  // Pushes buffered bytes out. False on a write error.
  virtual bool flush() { return true; }
  const std::string& error() const { return err_; }

 protected:
  std::string err_;
};

// Writes to an open descriptor (not owned), through a 64 KiB buffer: call
// flush() at the end.
class FdSink : public Sink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  bool write(std::string_view data) override;
  bool flush() override;

 private:
  int fd_;
  std::string buf_;
  bool raw_write(const char* p, size_t n);
};

// Holds bytes for a second reading: in memory up to `memory_limit`, then in
// an anonymous temporary file (never visible by name, gone when closed).
class Spool : public Sink {
 public:
  explicit Spool(size_t memory_limit = size_t{16} << 20) : limit_(memory_limit) {}
  ~Spool() override;
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  bool write(std::string_view data) override;
  uint64_t size() const { return size_; }
  // A reader over everything written so far, from the start; any number of
  // readers may exist (the spool must outlive them).
  std::unique_ptr<ByteReader> reader() const;
  // Copies the whole content to `out`. False on an error.
  bool copy_to(Sink& out) const;
  // The content when it is still in memory (nullptr once it moved to a file).
  const std::string* memory() const { return file_ ? nullptr : &mem_; }
  // The temporary file's descriptor, flushed (-1 while in memory).
  int fd() const;

 private:
  size_t limit_;
  std::string mem_;
  std::FILE* file_ = nullptr;
  uint64_t size_ = 0;
};

// Converts UTF-8 to `to` and writes it to `out`. A character the target
// cannot represent is written as '?' and counted.
class Encoder {
 public:
  Encoder(Encoding to, Sink& out);
  ~Encoder();
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;
  bool ok() const { return to_ == Encoding::utf8 || cd_ != reinterpret_cast<void*>(-1); }
  // Converts and writes; a character cut at the end waits for the next call.
  bool write(std::string_view utf8);
  // Flushes what is left. False on a write error.
  bool finish();
  uint64_t unencodable() const { return unencodable_; }

 private:
  Encoding to_;
  Sink& out_;
  void* cd_ = reinterpret_cast<void*>(-1);
  std::string carry_;
  std::string buf_;
  uint64_t unencodable_ = 0;
  bool convert(const char* p, size_t n, bool last);
};

// The byte-order mark of an encoding ("" for encodings without one).
std::string_view bom_bytes(Encoding e);

}  // namespace privaudit::redact
