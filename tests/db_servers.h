// Private PostgreSQL and MariaDB instances for the store tests: each lives in
// a temporary folder, listens on 127.0.0.1 at a free port (and a Unix socket
// in its folder), and is stopped and removed when the object goes. A server
// also dies with the test process (PR_SET_PDEATHSIG), so a crashed test
// leaves nothing running.
#pragma once
#include <fcntl.h>
#include <glob.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace dbtest {

namespace fs = std::filesystem;

// Who runs a server: root may not run PostgreSQL, so as root the servers run
// as the `postgres` account the Debian package creates.
struct Account {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

inline Account postgres_account() {
  Account a;
  if (geteuid() != 0) return a;
  if (passwd* pw = getpwnam("postgres")) {
    a.drop = true;
    a.uid = pw->pw_uid;
    a.gid = pw->pw_gid;
  }
  return a;
}

inline int free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(s);
  return port;
}

// Starts argv[0] (a path) with output appended to `log`; as `acct` when it
// drops privileges; `deathsig` (0: none) is sent to it when the calling
// thread ends. Returns the pid, or -1.
inline pid_t spawn(const std::vector<std::string>& argv, const Account& acct, const std::string& log,
                   int deathsig) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
  }
  int null = open("/dev/null", O_RDONLY);
  if (null >= 0) dup2(null, 0);
  setpgid(0, 0);
  if (acct.drop && (setgid(acct.gid) != 0 || setuid(acct.uid) != 0)) _exit(126);
  if (deathsig) prctl(PR_SET_PDEATHSIG, deathsig);  // after setuid, which clears it
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

// Waits for `pid`; its exit status, or -1.
inline int wait_exit(pid_t pid) {
  int st = 0;
  if (pid <= 0 || waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// Stops a server: `sig`, then SIGKILL after `seconds`.
inline void stop(pid_t pid, int sig, int seconds) {
  if (pid <= 0) return;
  kill(pid, sig);
  for (int i = 0; i < seconds * 10; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

inline std::string first_glob(const std::string& pattern) {
  glob_t g{};
  std::string out;
  if (glob(pattern.c_str(), 0, nullptr, &g) == 0 && g.gl_pathc > 0) out = g.gl_pathv[g.gl_pathc - 1];
  globfree(&g);
  return out;
}

inline std::string tail_of(const std::string& path) {
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

inline std::string make_dir(const char* tmpl_name, const Account& acct) {
  std::string tmpl = (fs::temp_directory_path() / tmpl_name).string();
  if (!mkdtemp(tmpl.data())) return {};
  if (acct.drop && chown(tmpl.c_str(), acct.uid, acct.gid) != 0) return {};
  return tmpl;
}

// A PostgreSQL cluster: superuser "postgres" with password `password` over
// TCP (scram-sha-256), trusted over the Unix socket in `dir`.
struct Postgres {
  std::string dir, error, password = "pg-super-pw";
  int port = 0;
  pid_t pid = -1;
  pid_t init_pid = -1;
  Account acct = postgres_account();

  // Starts initdb (does not wait).
  bool init() {
    std::string bin = first_glob("/usr/lib/postgresql/*/bin");
    if (bin.empty()) return fail("PostgreSQL is not installed (/usr/lib/postgresql/*/bin)");
    bin_ = bin;
    dir = make_dir("privaudit-pg-XXXXXX", acct);
    if (dir.empty()) return fail("cannot make a temporary folder");
    std::ofstream(dir + "/pw") << password << "\n";
    if (acct.drop && chown((dir + "/pw").c_str(), acct.uid, acct.gid) != 0) return fail("chown");
    init_pid = spawn({bin + "/initdb", "-D", dir + "/data", "-U", "postgres", "--pwfile=" + dir + "/pw",
                      "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync"},
                     acct, dir + "/initdb.log", 0);
    return init_pid > 0 || fail("cannot run initdb");
  }

  // Waits for initdb, then starts the server (from the calling thread, which
  // must outlive it) and waits until it accepts connections.
  bool start() {
    if (init_pid <= 0) return false;
    if (wait_exit(init_pid) != 0) return fail("initdb failed: " + tail_of(dir + "/initdb.log"));
    port = free_port();
    pid = spawn({bin_ + "/postgres", "-D", dir + "/data", "-p", std::to_string(port), "-k", dir,
                 "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                 "-c", "full_page_writes=off", "-c", "max_connections=40"},
                acct, dir + "/server.log", SIGQUIT);
    for (int i = 0; i < 300; ++i) {
      if (PQping(socket_conninfo("postgres").c_str()) == PQPING_OK) return true;
      if (waitpid(pid, nullptr, WNOHANG) == pid) {
        pid = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return fail("PostgreSQL did not start: " + tail_of(dir + "/server.log"));
  }

  std::string socket_conninfo(const std::string& db) const {
    return "host=" + dir + " port=" + std::to_string(port) + " user=postgres dbname=" + db;
  }

  ~Postgres() {
    stop(pid, SIGINT, 20);
    if (!dir.empty()) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }

 private:
  std::string bin_;
  bool fail(const std::string& e) {
    error = e;
    return false;
  }
};

// A MariaDB server: root without a password over its Unix socket.
struct MariaDB {
  std::string dir, error;
  int port = 0;
  pid_t pid = -1;
  pid_t init_pid = -1;

  bool init() {
    if (access("/usr/sbin/mariadbd", X_OK) != 0 || access("/usr/bin/mariadb-install-db", X_OK) != 0)
      return fail("MariaDB is not installed (mariadbd, mariadb-install-db)");
    dir = make_dir("privaudit-my-XXXXXX", Account{});
    if (dir.empty()) return fail("cannot make a temporary folder");
    std::vector<std::string> argv = {"/usr/bin/mariadb-install-db", "--no-defaults",
                                     "--datadir=" + dir + "/data", "--auth-root-authentication-method=normal",
                                     "--skip-test-db", "--skip-name-resolve"};
    if (geteuid() == 0) argv.push_back("--user=root");
    init_pid = spawn(argv, Account{}, dir + "/install.log", 0);
    return init_pid > 0 || fail("cannot run mariadb-install-db");
  }

  bool start() {
    if (init_pid <= 0) return false;
    if (wait_exit(init_pid) != 0) return fail("mariadb-install-db failed: " + tail_of(dir + "/install.log"));
    port = free_port();
    std::vector<std::string> argv = {"/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + dir + "/data",
                                     "--socket=" + sock(), "--port=" + std::to_string(port),
                                     "--bind-address=127.0.0.1", "--pid-file=" + dir + "/mariadbd.pid",
                                     "--log-error=" + dir + "/server.log", "--skip-log-bin",
                                     "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=48M",
                                     "--innodb-flush-log-at-trx-commit=0", "--skip-name-resolve"};
    if (geteuid() == 0) argv.push_back("--user=root");
    pid = spawn(argv, Account{}, dir + "/stdout.log", SIGKILL);
    for (int i = 0; i < 300; ++i) {
      if (MYSQL* m = connect()) {
        mysql_close(m);
        return true;
      }
      if (waitpid(pid, nullptr, WNOHANG) == pid) {
        pid = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return fail("MariaDB did not start: " + tail_of(dir + "/server.log"));
  }

  std::string sock() const { return dir + "/mysqld.sock"; }

  // A root connection over the socket, or null.
  MYSQL* connect() const {
    MYSQL* m = mysql_init(nullptr);
    unsigned t = 2;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &t);
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (mysql_real_connect(m, "localhost", "root", "", nullptr, 0, sock().c_str(), 0)) return m;
    mysql_close(m);
    return nullptr;
  }

  ~MariaDB() {
    stop(pid, SIGTERM, 30);
    if (!dir.empty()) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }

 private:
  bool fail(const std::string& e) {
    error = e;
    return false;
  }
};

}  // namespace dbtest
