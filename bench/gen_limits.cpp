// Builds the inputs of bench/limits.sh, streaming (never a whole member in
// memory):
//   gen_limits bomb OUT.zip COUNT SIZE   a zip of COUNT zips, each holding SIZE bytes of zeros
//   gen_limits log OUT SIZE              a log of SIZE bytes, one leak near the middle
//   gen_limits line OUT SIZE             SIZE bytes with no newline, one leak near the middle
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

bool add_entry(struct archive* a, const std::string& name, uint64_t size,
               const std::function<void(char*, size_t)>* fill, const std::string* data) {
  struct archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, static_cast<la_int64_t>(size));
  bool ok = archive_write_header(a, e) == ARCHIVE_OK;
  archive_entry_free(e);
  if (!ok) return false;
  if (data) return archive_write_data(a, data->data(), data->size()) >= 0;
  std::vector<char> block(1 << 20);
  for (uint64_t done = 0; done < size;) {
    size_t k = static_cast<size_t>(std::min<uint64_t>(block.size(), size - done));
    (*fill)(block.data(), k);
    if (archive_write_data(a, block.data(), k) < 0) return false;
    done += k;
  }
  return true;
}

// A zip in memory holding `size` bytes of zeros as zeros.bin.
bool inner_zip(uint64_t size, std::string& out) {
  struct archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  std::vector<char> buf(size / 500 + (1 << 20));
  size_t used = 0;
  if (archive_write_open_memory(a, buf.data(), buf.size(), &used) != ARCHIVE_OK) return false;
  std::function<void(char*, size_t)> zeros = [](char* p, size_t n) { std::memset(p, 0, n); };
  bool ok = add_entry(a, "zeros.bin", size, &zeros, nullptr);
  ok = archive_write_close(a) == ARCHIVE_OK && ok;
  archive_write_free(a);
  out.assign(buf.data(), used);
  return ok;
}

int bomb(const char* path, int count, uint64_t size) {
  std::string inner;
  if (!inner_zip(size, inner)) {
    std::fprintf(stderr, "gen_limits: cannot build the inner zip\n");
    return 1;
  }
  struct archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  if (archive_write_open_filename(a, path) != ARCHIVE_OK) return 1;
  std::string leak = "個人番号,972281866208\n";
  bool ok = add_entry(a, "leak.csv", leak.size(), nullptr, &leak);
  for (int i = 0; ok && i < count; ++i)
    ok = add_entry(a, "layer" + std::to_string(i) + ".zip", inner.size(), nullptr, &inner);
  ok = archive_write_close(a) == ARCHIVE_OK && ok;
  archive_write_free(a);
  return ok ? 0 : 1;
}

// Writes `size` bytes of `unit` repeated, with `leak` once near the middle.
int text(const char* path, uint64_t size, const std::string& unit, const std::string& leak) {
  std::ofstream f(path, std::ios::binary);
  std::string block;
  while (block.size() < (1u << 20)) block += unit;
  bool leaked = false;
  for (uint64_t done = 0; done < size;) {
    if (!leaked && done >= size / 2) {
      f << leak;
      done += leak.size();
      leaked = true;
      continue;
    }
    size_t k = static_cast<size_t>(std::min<uint64_t>(block.size(), size - done));
    f.write(block.data(), static_cast<std::streamsize>(k));
    done += k;
  }
  return f ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::strcmp(argv[1], "bomb") == 0)
    return bomb(argv[2], std::atoi(argv[3]), std::strtoull(argv[4], nullptr, 10));
  if (argc >= 4 && std::strcmp(argv[1], "log") == 0) {
    // 49 ordinary lines, then one with a number that passes the My Number
    // check but is named as an order id (a low-confidence candidate).
    std::string unit;
    for (int i = 0; i < 49; ++i)
      unit += "2026-11-23T08:00:14.532+09:00 INFO [http-1] login ok user_id=u1001 client_host=web-01 "
              "session=9f2c41d0 amount=3980\n";
    unit += "2026-11-23T08:02:30.250+09:00 INFO [http-2] order created order_id=202611230417 amount=3980\n";
    return text(argv[2], std::strtoull(argv[3], nullptr, 10), unit,
                "2026-11-23T08:01:02.007+09:00 INFO [http-1] profile updated user_mynumber=972281866208\n");
  }
  if (argc >= 4 && std::strcmp(argv[1], "line") == 0)
    return text(argv[2], std::strtoull(argv[3], nullptr, 10), "user=alice id=abc-12345 note=xyzzy; ",
                " 個人番号=972281866208 ");
  std::fprintf(stderr, "usage: gen_limits bomb OUT.zip COUNT SIZE | log OUT SIZE | line OUT SIZE\n");
  return 2;
}
