// Store URIs: which store a URI names, how reports show it, and open_uri.
#include <cstring>
#include <vector>

#include "store/store.h"

namespace privaudit::store {

namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != prefix[i]) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of `key` in a query string "a=1&b=2" (empty if absent).
std::string query_value(std::string_view query, std::string_view key) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view kv = query.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) == key) return eq == std::string_view::npos ? "1" : percent_decode(kv.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return {};
}

}  // namespace

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

Kind uri_kind(std::string_view uri) {
  if (starts_with_nocase(uri, "sqlite://")) return Kind::sqlite;
  if (starts_with_nocase(uri, "postgresql://") || starts_with_nocase(uri, "postgres://"))
    return Kind::postgresql;
  if (starts_with_nocase(uri, "mysql://") || starts_with_nocase(uri, "mariadb://"))
    return Kind::mariadb;
  return Kind::none;
}

std::string display_uri(std::string_view uri) {
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return std::string(uri);
  size_t auth_begin = scheme_end + 3;
  size_t rest = uri.find_first_of("/?#", auth_begin);
  if (rest == std::string_view::npos) rest = uri.size();
  std::string_view auth = uri.substr(auth_begin, rest - auth_begin);
  std::string out(uri.substr(0, auth_begin));
  size_t at = auth.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = auth.substr(0, at);
    out.append(userinfo.substr(0, userinfo.find(':')));
    out.append(auth.substr(at));
  } else {
    out.append(auth);
  }
  size_t path_end = uri.find_first_of("?#", rest);
  out.append(uri.substr(rest, path_end == std::string_view::npos ? uri.size() - rest : path_end - rest));
  return out;
}

bool has_sqlite_header(const char* p, size_t n) {
  static constexpr char kHeader[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                       'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
  return n >= sizeof kHeader && std::memcmp(p, kHeader, sizeof kHeader) == 0;
}

namespace {

// The password of a URI's user information, as written and decoded.
void uri_passwords(std::string_view uri, std::vector<std::string>& out) {
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return;
  size_t b = scheme_end + 3;
  size_t e = uri.find_first_of("/?#", b);
  std::string_view auth = uri.substr(b, e == std::string_view::npos ? uri.size() - b : e - b);
  size_t at = auth.rfind('@');
  if (at == std::string_view::npos) return;
  std::string_view ui = auth.substr(0, at);
  size_t colon = ui.find(':');
  if (colon == std::string_view::npos || colon + 1 == ui.size()) return;
  out.emplace_back(ui.substr(colon + 1));
  out.push_back(percent_decode(ui.substr(colon + 1)));
}

// `msg` with every occurrence of the URI's password replaced by "****".
std::string scrub_password(std::string msg, std::string_view uri) {
  std::vector<std::string> secrets;
  uri_passwords(uri, secrets);
  for (auto& s : secrets)
    for (size_t p; !s.empty() && (p = msg.find(s)) != std::string::npos;) msg.replace(p, s.size(), "****");
  return msg;
}

std::unique_ptr<Store> open_by_kind(const std::string& uri, std::string& err) {
  switch (uri_kind(uri)) {
    case Kind::sqlite: {
      // sqlite:///abs/path.db, sqlite://relative/path.db; ?immutable=1.
      std::string_view rest = std::string_view(uri).substr(std::strlen("sqlite://"));
      size_t q = rest.find('?');
      std::string path = percent_decode(rest.substr(0, q));
      std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
      if (path.empty()) {
        err = "no database file in the URI";
        return nullptr;
      }
      return open_sqlite_file(path, query_value(query, "immutable") == "1", err);
    }
    case Kind::postgresql: return open_postgres(uri, err);
    case Kind::mariadb: return open_mariadb(uri, err);
    case Kind::none: break;
  }
  err = "not a database URI";
  return nullptr;
}

}  // namespace

std::unique_ptr<Store> open_uri(const std::string& uri, std::string& err) {
  auto s = open_by_kind(uri, err);
  if (!s) err = scrub_password(std::move(err), uri);
  return s;
}

}  // namespace privaudit::store
