"""Writes python_format.tsv beside it: Python's format(value, spec) over
many values and specs, the reference for runtime/src/format/python.rs.

Each line is KIND<TAB>VALUE<TAB>SPEC<TAB>RESULT, where RESULT is `!` followed by
Python's error message when the spec is invalid for the value. Run it with the
project's Python: `~/peers/bin/python runtime/tests/data/python_format.py`.
"""
import itertools

INTS = [0, 1, -1, 7, -42, 255, 1234, -98765, 1000000, 123456789012, -9223372036854775807, 9223372036854775807]
FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -2.5, 0.125, 3.14159265358979, -2.718281828459045, 1e-05, 0.0001,
          123.456, 99999.5, 1e16, 1.5e300, 5e-324, 2.2809004783630371, 0.1, 1234567.891, -0.00004,
          float("inf"), float("-inf"), float("nan"), 9.995, 0.000123456]
BOOLS = [True, False]
STRS = ["", "a", "hello", "tensor(1.)"]
SPECS = ["", "d", "5d", "<5d", "^7d", "=+8d", "*>9", "+d", " d", ",d", "_d", "010,d", "08,", "_b", "#x", "#X", "#o", "#b",
         "x", "o", "b", ".4d", ",x", "q", "f", ".0f", "#.0f", ".2f", ".4f", "10.3f", "<12.2f", "^+12.1f", "012.3f", "z.2f",
         ",.2f", "_.1f", "e", ".3e", "E", "#.0e", "12.2e", "g", ".3g", "#.3g", "G", ".10g", "%", ".1%", "8.2%", ".3",
         ".1", "#.3", "10", "<10", "s", ">12s", ".3s", "x<8", "x^9", "0=12", "-", "+", " ", "+.3e", ".", ",_",
         "3.2.1"]

def row(kind, value, spec):
    try:
        out = format(value, spec)
        if "\t" in out or "\n" in out:
            return None
    except (ValueError, TypeError) as e:
        out = "!" + str(e)
    shown = repr(value) if kind == "float" else str(value)
    return f"{kind}\t{shown}\t{spec}\t{out}"

lines = []
for kind, values in (("int", INTS), ("float", FLOATS), ("bool", BOOLS), ("str", STRS)):
    for value, spec in itertools.product(values, SPECS):
        r = row(kind, value, spec)
        if r is not None:
            lines.append(r)
with open(__file__.replace(".py", ".tsv"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "rows")
