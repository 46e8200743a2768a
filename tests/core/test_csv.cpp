// The reports' CSV cells: RFC 4180 quoting, and cells a spreadsheet would run
// as formulas neutralised.
#include "core/csv.hpp"
#include "helpers/catch.hpp"

using chatdesk::detail::csv_cell;

TEST_CASE("CSV cells are quoted only when they must be", "[core][csv]") {
  CHECK(csv_cell("") == "");
  CHECK(csv_cell("care") == "care");
  CHECK(csv_cell("a,b") == "\"a,b\"");
  CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_cell("two\nlines") == "\"two\nlines\"");
  CHECK(csv_cell("a-b=c") == "a-b=c");  // only a leading sign starts a formula
}

TEST_CASE("CSV cells a spreadsheet would run as a formula are kept as text", "[core][csv]") {
  CHECK(csv_cell("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  CHECK(csv_cell("+39 333") == "\"'+39 333\"");
  CHECK(csv_cell("-2+3") == "\"'-2+3\"");
  CHECK(csv_cell("@SUM(A1)") == "\"'@SUM(A1)\"");
  CHECK(csv_cell("\t=1") == "\"'\t=1\"");
  CHECK(csv_cell("\r=1") == "\"'\r=1\"");
}
