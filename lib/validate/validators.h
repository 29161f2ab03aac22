// Check-digit and syntax validators, one function per published algorithm.
// Each takes the normalised value (ASCII digits for digit identifiers; the
// upper-cased compact form for IBAN; the address for e-mail) and says whether
// it is valid.
#pragma once
#include <string_view>

namespace privaudit::validate {

// Individual Number (My Number), 12 digits: mod 11, weights 2..7 (Ordinance
// of MIC No. 85, 2014, Art. 5).
bool my_number(std::string_view digits);
// Corporate Number, 13 digits, leading check digit: 9 - (sum mod 9).
bool corporate_number(std::string_view digits);
// Luhn mod 10 over any digit string.
bool luhn(std::string_view digits);
// Payment card: 13-19 digits, Luhn, and a known issuer prefix.
bool luhn_card(std::string_view digits);
// IBAN: country code, known length, mod 97 == 1. Input: compact, upper case.
bool iban(std::string_view compact);
// The IBAN length of a country (two upper-case letters), or 0 if it has none.
int iban_length(std::string_view country);
// US SSN, 9 digits: area 000/666/900-999, group 00, serial 0000 rejected.
bool us_ssn(std::string_view digits);
// Japanese phone number by the numbering plan (10 or 11 digits).
bool jp_phone(std::string_view digits);
// E-mail address syntax (RFC 5321 subset used in practice).
bool email(std::string_view addr);
// Dotted-quad IPv4, octets 0-255, no leading zeros.
bool ipv4(std::string_view s);
// IPv6 textual form (RFC 4291 / 5952), via inet_pton.
bool ipv6(std::string_view s);

using ValidatorFn = bool (*)(std::string_view);
// Looks a validator up by its rule-file name; nullptr if unknown.
ValidatorFn find(std::string_view name);

// The check digit My Number's first 11 digits call for.
int my_number_check_digit(std::string_view first11);
// The check digit (leading) a Corporate Number's last 12 digits call for.
int corporate_number_check_digit(std::string_view base12);

}  // namespace privaudit::validate
