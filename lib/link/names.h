// Column names across languages and spellings: 個人番号, マイナンバー,
// my_number, MyNumber and "individual number" all name one concept.
#pragma once
#include <string>
#include <string_view>

namespace privaudit::link {

// The comparable form of a column name: width folded (Ｎａｍｅ → name),
// ASCII lower-cased, and '_', '-', '.', '・', '(', ')', （, ）and spaces
// (ASCII and ideographic) dropped. "Birth_Date" and "birth date" give
// "birthdate".
std::string normalise_column_name(std::string_view name);

// The canonical concept a column name stands for ("my_number", "birthdate",
// "sex", "postal_code", "name", "name_kana", "phone", "email", "address",
// "age", ...), or "" if the name is not in the table. Nested JSON keys
// ("person.birth_date") are looked up by their last component as well.
std::string_view column_concept(std::string_view name);

// The built-in identifier rule a concept names ("my_number" → "jp-my-number"),
// or "" when the concept is not an identifier.
std::string_view concept_rule(std::string_view concept_id);

}  // namespace privaudit::link
