// Validators against published vectors (python-stdnum doctests, the National
// Tax Agency's and MIC's examples, card issuers' test numbers).
#define BOOST_TEST_MODULE validate
#include <boost/test/unit_test.hpp>

#include "validate/validators.h"

namespace v = privaudit::validate;

BOOST_AUTO_TEST_CASE(my_number_published_vectors) {
  // python-stdnum jp.in_: validate('6214 9832 0257') ok, '6214 9832 0258' InvalidChecksum.
  BOOST_TEST(v::my_number("621498320257"));
  BOOST_TEST(!v::my_number("621498320258"));
  BOOST_TEST(v::my_number("123456789018"));
  BOOST_TEST(!v::my_number("123456789012"));
  BOOST_TEST(v::my_number_check_digit("12345678901") == 8);
  BOOST_TEST(!v::my_number("12345678901"));     // 11 digits
  BOOST_TEST(!v::my_number("1234567890189"));   // 13 digits
  BOOST_TEST(!v::my_number("12345678901a"));
}

BOOST_AUTO_TEST_CASE(my_number_remainder_0_and_1_give_0) {
  // r <= 1 gives check digit 0: find one base with r == 0 and one with r == 1.
  bool seen0 = false, seen1 = false;
  for (int i = 0; i < 200 && !(seen0 && seen1); ++i) {
    char base[12];
    std::snprintf(base, sizeof base, "%011d", 10000000 + i * 7919);
    int sum = 0;
    for (int k = 0; k < 11; ++k) {
      int n = 11 - k;
      sum += (base[k] - '0') * (n <= 6 ? n + 1 : n - 5);
    }
    int r = sum % 11;
    if (r <= 1) {
      BOOST_TEST(v::my_number_check_digit(base) == 0);
      (r == 0 ? seen0 : seen1) = true;
    } else {
      BOOST_TEST(v::my_number_check_digit(base) == 11 - r);
    }
  }
  BOOST_TEST(seen0);
  BOOST_TEST(seen1);
}

BOOST_AUTO_TEST_CASE(corporate_number_published_vectors) {
  // NTA examples and python-stdnum jp.cn ('5-8356-7825-6246' valid).
  BOOST_TEST(v::corporate_number("7000012050002"));
  BOOST_TEST(v::corporate_number("5835678256246"));
  BOOST_TEST(v::corporate_number("1020281079130"));
  BOOST_TEST(v::corporate_number("7123456789012"));
  BOOST_TEST(!v::corporate_number("5835678256241"));
  BOOST_TEST(!v::corporate_number("8000012050002"));
  BOOST_TEST(!v::corporate_number("583567825624"));
}

BOOST_AUTO_TEST_CASE(luhn_and_card_issuers) {
  for (const char* pan : {"4111111111111111", "5555555555554444", "2223000048400011",
                          "378282246310005", "30569309025904", "6011111111111117",
                          "3530111333300000", "4222222222222"})
    BOOST_TEST(v::luhn_card(pan), pan);
  BOOST_TEST(!v::luhn_card("4111111111111112"));   // Luhn fails
  BOOST_TEST(!v::luhn_card("0123456789012347"));   // Luhn ok, no issuer
  BOOST_TEST(!v::luhn_card("5555555555554"));      // Mastercard must be 16
  BOOST_TEST(!v::luhn_card("2721000000000004"));   // past the 2-series range
  BOOST_TEST(v::luhn("79927398713"));              // the classic Luhn example
  BOOST_TEST(!v::luhn("79927398710"));
}

BOOST_AUTO_TEST_CASE(iban_mod97) {
  BOOST_TEST(v::iban("GB82WEST12345698765432"));
  BOOST_TEST(v::iban("DE89370400440532013000"));
  BOOST_TEST(v::iban("FR1420041010050500013M02606"));
  BOOST_TEST(!v::iban("GB82TEST12345698765432"));  // python-stdnum: InvalidChecksum
  BOOST_TEST(!v::iban("GB82WEST1234569876543"));   // wrong length for GB
  BOOST_TEST(!v::iban("XX82WEST12345698765432"));  // unknown country
}

BOOST_AUTO_TEST_CASE(us_ssn_rules) {
  BOOST_TEST(v::us_ssn("536904399"));
  BOOST_TEST(!v::us_ssn("000123456"));
  BOOST_TEST(!v::us_ssn("666123456"));
  BOOST_TEST(!v::us_ssn("900123456"));
  BOOST_TEST(!v::us_ssn("123001234"));
  BOOST_TEST(!v::us_ssn("123450000"));
}

BOOST_AUTO_TEST_CASE(jp_phone_numbering_plan) {
  BOOST_TEST(v::jp_phone("0312345678"));    // Tokyo landline
  BOOST_TEST(v::jp_phone("09012345678"));   // mobile
  BOOST_TEST(v::jp_phone("05012345678"));   // IP phone
  BOOST_TEST(v::jp_phone("0120123456"));    // toll free
  BOOST_TEST(v::jp_phone("08001234567"));   // toll free 0800
  BOOST_TEST(!v::jp_phone("0901234567"));   // mobile needs 11 digits
  BOOST_TEST(!v::jp_phone("0012345678"));   // international prefix
  BOOST_TEST(!v::jp_phone("1312345678"));   // no trunk prefix
  BOOST_TEST(!v::jp_phone("03123456789"));  // landline is 10 digits
}

BOOST_AUTO_TEST_CASE(email_syntax) {
  BOOST_TEST(v::email("taro.yamada@example.co.jp"));
  BOOST_TEST(v::email("a+tag@sub.example.com"));
  BOOST_TEST(!v::email("a..b@example.com"));
  BOOST_TEST(!v::email(".a@example.com"));
  BOOST_TEST(!v::email("a@-example.com"));
  BOOST_TEST(!v::email("a@example.c0m"));
  BOOST_TEST(!v::email("a@localhost"));
}

BOOST_AUTO_TEST_CASE(ip_addresses) {
  BOOST_TEST(v::ipv4("192.168.0.1"));
  BOOST_TEST(v::ipv4("255.255.255.255"));
  BOOST_TEST(!v::ipv4("256.1.1.1"));
  BOOST_TEST(!v::ipv4("01.2.3.4"));
  BOOST_TEST(!v::ipv4("1.2.3"));
  BOOST_TEST(v::ipv6("2001:db8::1"));
  BOOST_TEST(v::ipv6("fe80::1ff:fe23:4567:890a"));
  BOOST_TEST(!v::ipv6("12:30:45"));
  BOOST_TEST(!v::ipv6("::"));
}

BOOST_AUTO_TEST_CASE(lookup_by_name) {
  BOOST_TEST(v::find("my_number") == &v::my_number);
  BOOST_TEST(v::find("luhn_card") == &v::luhn_card);
  BOOST_TEST(v::find("nope") == nullptr);
}

#include "crypto/fingerprint.h"

BOOST_AUTO_TEST_CASE(hmac_sha256_rfc4231_vectors) {
  using privaudit::Fingerprinter;
  using privaudit::to_hex;
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  Fingerprinter a("Jefe", true);
  BOOST_TEST(to_hex(a.hmac("what do ya want for nothing?")) ==
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a 131-byte key (longer than the block) is hashed first.
  Fingerprinter b(std::string(131, '\xaa'), true);
  BOOST_TEST(to_hex(b.hmac("Test Using Larger Than Block-Size Key - Hash Key First")) ==
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Fingerprints: 16 hex digits, keyed, and separate per rule.
  BOOST_TEST(a.fingerprint("jp-my-number", "123456789018").size() == 16u);
  BOOST_TEST(a.fingerprint("jp-my-number", "123456789018") != b.fingerprint("jp-my-number", "123456789018"));
  BOOST_TEST(a.fingerprint("jp-my-number", "123456789018") != a.fingerprint("jp-phone", "123456789018"));
}

#include <openssl/evp.h>
#include <openssl/hmac.h>

// Messages of every length from 0 to 200 bytes (short ones take a one-block
// path, longer ones the general one) against OpenSSL's one-shot HMAC, and a
// fingerprint is the first 16 hex digits of HMAC(rule, NUL, value).
BOOST_AUTO_TEST_CASE(hmac_every_message_length_against_openssl) {
  using privaudit::Fingerprinter;
  using privaudit::to_hex;
  const std::string key = "a key of some length";
  Fingerprinter fp(key, true);
  for (size_t n = 0; n <= 200; ++n) {
    std::string msg;
    for (size_t i = 0; i < n; ++i) msg.push_back(static_cast<char>('a' + (i * 7 + n) % 26));
    unsigned char md[32];
    unsigned int md_len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
         msg.size(), md, &md_len);
    std::string want = to_hex(std::string(reinterpret_cast<char*>(md), md_len));
    BOOST_TEST_INFO("length " << n);
    BOOST_TEST(to_hex(fp.hmac(msg)) == want);
    if (n >= 5) {
      std::string rule = msg.substr(0, 4), value = msg.substr(5);
      std::string joined = rule + std::string(1, '\0') + value;
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), md, &md_len);
      BOOST_TEST(fp.fingerprint(rule, value) == to_hex(std::string(reinterpret_cast<char*>(md), 8)));
    }
  }
}
