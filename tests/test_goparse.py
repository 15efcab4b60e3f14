"""daprlint.goparse against Go's behaviour.

Property tests compare each parser with an independent oracle where Python
has one (int(), float(), str.split(), exact arithmetic), on the inputs where
Go and Python agree by definition; table tests hold the cases read from the
Go code, each with a comment naming the Go behaviour (sources in
docs/value-parsing.md).
"""
from __future__ import annotations

import importlib.util
import math
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from daprlint import goparse as g

INT64 = (-(1 << 63), (1 << 63) - 1)


# -- strconv.ParseInt / Atoi ---------------------------------------------------
@given(st.text(alphabet="0123456789+-_ xX", max_size=24))
@example("+")
@example("-0")
@example("9223372036854775807")
@example("9223372036854775808")
@example("-9223372036854775808")
def test_parse_int_base10_matches_python_int_on_go_syntax(s):
    # base 10: an optional sign and ASCII digits only; Python's int() agrees there (and is wider elsewhere)
    if re.fullmatch(r"[+-]?[0-9]+", s) and INT64[0] <= int(s) <= INT64[1]:
        assert g.parse_int(s) == int(s)
    else:
        assert g.parse_int(s) is None


@given(st.text(alphabet="0123456789abcdefABCDEF_xXoObB+-", max_size=20))
@example("0x_1f")
@example("0b1_0")
@example("1__0")
def test_parse_int_base0_matches_python_int_base0(s):
    # Python's int(s, 0) has Go's prefixes and underscore rules, but no leading-0 octal: compare elsewhere
    body = s.lstrip("+-")
    if len(s) - len(body) > 1 or re.match(r"0[0-9_]", body):
        return
    try:
        expected = int(s, 0)
    except ValueError:
        expected = None
    if expected is not None and not INT64[0] <= expected <= INT64[1]:
        expected = None
    assert g.parse_int(s, 0) == expected


@pytest.mark.parametrize("text, base, expected", [
    ("010", 0, 8),            # base 0: a leading 0 means octal
    ("08", 0, None),          # ... so 8 is not an octal digit
    ("0_7", 0, 7),            # underscoreOK: _ after the octal 0 counts as between digits
    ("0o17", 0, 15),          # 0o prefix
    ("0x", 0, None),          # a prefix needs at least one digit (len(s) >= 3)
    ("0", 0, 0),
    ("_1", 0, None),          # underscore must follow a digit
    ("1_", 0, None),          # ... and be followed by one
    ("1_000", 10, None),      # underscores only with base 0
    ("+5", 10, 5),            # Atoi takes a sign
    ("+-5", 10, None),
    (" 5", 10, None),         # no spaces
    ("\uff15", 10, None),     # a fullwidth digit is not an ASCII digit
    ("-9223372036854775809", 10, None),  # ErrRange
])
def test_parse_int_table(text, base, expected):
    assert g.parse_int(text, base) == expected


def test_parse_uint_has_no_sign_and_a_wider_range():
    assert g.parse_uint("+1") is None                       # ParseUint takes no sign
    assert g.parse_uint("18446744073709551615") == (1 << 64) - 1
    assert g.parse_uint("18446744073709551616") is None     # ErrRange


# -- strconv.ParseFloat --------------------------------------------------------
@given(st.text(alphabet="0123456789.eE+-", max_size=16))
@example("1e400")
@example("5.")
@example(".5")
@example("1e")
def test_parse_float_matches_python_float_on_decimal_text(s):
    # without underscores, hex and the special names, Go's and Python's decimal float syntax are the same;
    # Python returns inf where Go reports ErrRange
    try:
        expected = float(s)
    except ValueError:
        expected = None
    if expected is not None and math.isinf(expected):
        expected = None
    assert g.parse_float(s) == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_float_reads_back_every_repr(f):
    assert g.parse_float(repr(f)) == f
    assert g.parse_float(f.hex()) == f  # Go's hexadecimal float literals carry a p exponent, as float.hex does


@pytest.mark.parametrize("text, ok", [
    ("1_000.5", True),        # readFloat + underscoreOK: _ between digits is allowed in decimals too
    ("1_23.50_0_0e+1_2", True),
    ("123_.5", False),        # _ must be followed by a digit
    ("0x1p-2", True),         # hexadecimal mantissa, p exponent
    ("0x1F", False),          # a hexadecimal float must have its p exponent
    ("0x", False),
    ("inf", True), ("+Inf", True), ("-infinity", True), ("NaN", True),  # special(), any case
    ("+nan", False),          # the sign only falls through to inf
    ("infinit", False),       # more than inf but not infinity: only inf is consumed, the rest is left over
    ("1e400", False),         # ErrRange
    ("1e-400", True),         # underflow is 0, not an error
    (" 1", False),
    ("", False),
])
def test_parse_float_table(text, ok):
    assert (g.parse_float(text) is not None) == ok


# -- booleans ------------------------------------------------------------------
def test_parse_bool_is_exactly_strconv():
    true, false = {"1", "t", "T", "TRUE", "true", "True"}, {"0", "f", "F", "FALSE", "false", "False"}
    for s in true:
        assert g.parse_bool(s) is True
    for s in false:
        assert g.parse_bool(s) is False
    for s in ("yes", "on", "tRUE", " true", "y", ""):
        assert g.parse_bool(s) is None


@given(st.text(max_size=8))
def test_is_truthy_matches_its_definition(s):
    # kit strings.IsTruthy: TrimSpace, then y/yes/true/t/on/1 in any case
    stripped = s.strip(g._GO_SPACE)
    assert g.is_truthy(s) == (stripped.lower() in {"y", "yes", "true", "t", "on", "1"})


@pytest.mark.parametrize("text, expected", [
    ("Yes", True), ("ON", True), (" true\t", True), ("1", True),
    ("ture", False), ("enabled", False), ("2", False),
    ("\x1ctrue", False),      # U+001C is space to Python, not to Go's TrimSpace
    ("\u00a0on", True),       # NBSP is space to Go
])
def test_is_truthy_table(text, expected):
    assert g.is_truthy(text) is expected


# -- durations -----------------------------------------------------------------
_UNIT_NS = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_parts = st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(sorted(_UNIT_NS))), min_size=1, max_size=4)


@given(_parts, st.sampled_from(["", "+", "-"]))
@example([(2562047, "h"), (47, "m"), (16, "s"), (854775807, "ns")], "")   # 2^63-1 ns
@example([(2562047, "h"), (47, "m"), (16, "s"), (854775808, "ns")], "-")  # -2^63 ns
@example([(2562047, "h"), (47, "m"), (16, "s"), (854775808, "ns")], "")   # 2^63: overflow
def test_parse_go_duration_sums_integer_parts_exactly(parts, sign):
    text = sign + "".join(f"{n}{unit}" for n, unit in parts)
    total = sum(n * _UNIT_NS[unit] for n, unit in parts)
    if total > (1 << 63 if sign == "-" else (1 << 63) - 1):
        assert g.parse_go_duration(text) is None  # beyond int64: an error, the most negative value allowed
    else:
        assert g.parse_go_duration(text) == (-total if sign == "-" else total)


@given(st.integers(0, 10**4), st.integers(0, 10**6), st.sampled_from(sorted(_UNIT_NS)))
def test_parse_go_duration_fractions_within_a_nanosecond(whole, frac, unit):
    text = f"{whole}.{frac}{unit}"
    exact = (Fraction(whole) + Fraction(f"0.{frac}")) * _UNIT_NS[unit]
    assert abs(g.parse_go_duration(text) - exact) < 1  # Go adds the fraction through float64, truncating


@pytest.mark.parametrize("text, expected", [
    ("0", 0),                 # the one bare number Go accepts
    ("30", None),             # missing unit
    ("1d", None),             # unknown unit
    ("1.5h", 5_400_000_000_000),
    (".5s", 500_000_000),     # digits after the point are enough
    ("5.s", 5_000_000_000),   # ... and so are digits before it
    (".s", None),             # but one of them is needed
    ("1h-5m", None),          # one sign, at the start only
    ("1\u03bcs", 1_000),      # Greek mu as well as the micro sign
    ("9223372036854775807ns", (1 << 63) - 1),
    ("9223372036854775808ns", None),       # overflow
    ("-9223372036854775808ns", -(1 << 63)),  # the most negative duration is allowed
    ("1s ", None),            # no spaces
    ("", None),
])
def test_parse_go_duration_table(text, expected):
    assert g.parse_go_duration(text) == expected


def test_dapr_still_reexports_the_duration_parser():
    from daprlint import dapr
    assert dapr.parse_go_duration("1m30s") == g.parse_go_duration("1m30s") == 90_000_000_000


@pytest.mark.parametrize("text, expected", [
    ("", 0),                  # kit's hook: an empty string is a zero duration
    ("30", 30_000_000_000),   # not a Go duration: ParseInt(s, 10, 0) seconds
    ("-1", -1_000_000_000),
    ("1m", 60_000_000_000),
    ("1_0", None),            # ParseInt base 10: no underscores
    ("0x10", None),
    ("1.5", None),            # neither a duration nor an integer
    ("9223372036854775807", -1_000_000_000),
])
def test_kit_duration_table(text, expected):
    # the last case: seconds * int64(time.Second) overflows and wraps, as Go's int64 arithmetic does
    assert g.kit_duration(text) == expected


# -- numbers and byte sizes through DecodeMetadata -----------------------------
@pytest.mark.parametrize("text, problem", [
    ("10", None), ("-1", None), ("0x1f", None), ("1_000", None), ("1.5", None), ("1e3", None),
    ("08", None),             # not octal for ParseInt, but ParseFloat reads it
    ("inf", None),            # ParseFloat's special values
    ("18446744073709551615", None),  # ParseUint
    ("first", "is not a number"),
    (" 3", "is not a number"),
    ("1e400", "is out of range for a 64-bit number"),
    ("0x" + "f" * 20, "is out of range for a 64-bit number"),
])
def test_number_problem_table(text, problem):
    assert g.number_problem(text) == problem


@pytest.mark.parametrize("text, ok", [
    ("100", True), ("4Mi", True), ("1G", True), ("1e3", True), ("-1", True), ("0", True),
    ("1.5k", True),           # decimal suffix: int64Amount{15, 2}
    ("99Ti", True),           # precision 15-2-12-1 = 0: still the int64 form
    ("100Ti", False),         # precision -1: inf.Dec form, AsInt64 fails
    ("1Pi", False),           # likewise for every Pi and Ei
    ("0Pi", True),            # zero is zero in any form
    ("1.5Mi", False),         # a fraction with a binary suffix
    ("1.0", False),           # int64Amount{10, -1}: a negative scale, AsInt64 fails
    ("100m", False),          # milli-bytes
    ("1e-3", False),
    ("10E", False),           # 10^19 overflows int64
    ("1000000000000000000", False),  # 19 digits: precision below 0
    ("10MB", False),          # ErrFormatWrong
    ("1ki", False),           # ErrSuffix: suffixes are case-sensitive
    ("1K", False),
    ("+", True),              # parseQuantityString: only a sign is the number 0
    (".", True),              # ... and so is a lone point
    ("", False),
])
def test_bytesize_problem_table(text, ok):
    assert (g.bytesize_problem(text) is None) == ok


# -- plain YAML scalars as daprd receives them ---------------------------------
@pytest.mark.parametrize("text, expected", [
    ("yes", "true"), ("Off", "false"), ("y", "true"),    # goyaml.v2 YAML 1.1 booleans
    ("tRUE", "tRUE"),                                   # not in the table: a string
    ("~", None), ("null", None), (".inf", None),        # no value, or nothing JSON can carry
    ("0x1F", "31"), ("1_000", "1000"), ("010", "8"),    # ParseInt(plain, 0, 64) with _ removed
    ("08", "8"),                                        # not an int: yamlStyleFloat + ParseFloat
    ("1.0", "1"), ("1e3", "1000"), ("-0.0", "-0"),      # encoding/json float text
    ("1.5e-7", "1.5e-7"), ("1e21", "1e+21"), ("0.000001", "0.000001"),
    ("99999999999999999999", "100000000000000000000"),  # beyond int64 and uint64: float64
    ("0x" + "f" * 20, str(int("f" * 20, 16))),          # ... or math/big when it is no float
    (".5", "0.5"),
    ("1:30", "1:30"),                                   # no sexagesimal in goyaml.v2
    ("30s", "30s"), ("+", "+"),
])
def test_plain_scalar_text_table(text, expected):
    assert g.plain_scalar_text(text) == expected


@given(st.integers(INT64[0], INT64[1]))
def test_plain_scalar_text_keeps_decimal_integers(n):
    assert g.plain_scalar_text(str(n)) == str(n)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_plain_scalar_text_floats_read_back(f):
    text = g.plain_scalar_text(repr(f))
    assert float(text) == f


# -- strings.Fields ------------------------------------------------------------
@given(st.text(max_size=30))
def test_go_fields_is_str_split_except_for_separators(s):
    if any(c in s for c in "\x1c\x1d\x1e\x1f"):
        assert all(sep not in field for field in g.go_fields(s) for sep in g._GO_SPACE)
    else:
        assert g.go_fields(s) == s.split()


def test_go_fields_keeps_information_separators():
    assert g.go_fields("a\x1cb c") == ["a\x1cb", "c"]


# -- dapr/kit cron ---------------------------------------------------------------
_MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_BOUNDS = [(0, 59, None), (0, 59, None), (0, 23, None), (1, 31, None), (1, 12, _MONTH_NAMES), (0, 6, _DAY_NAMES)]


@st.composite
def _cron_value(draw, low, high, names):
    if names and draw(st.booleans()):
        name = draw(st.sampled_from(names))
        return draw(st.sampled_from([name, name.upper(), name.title()])), names.index(name) + low
    n = draw(st.integers(low, high))
    return str(n), n


@st.composite
def _cron_range(draw, low, high, names):
    kind = draw(st.sampled_from(["star", "question", "value", "range", "step-star", "step-range", "step-from"]))
    if kind in ("star", "question"):
        return "*" if kind == "star" else "?"
    a_text, a = draw(_cron_value(low, high, names))
    if kind == "value":
        return a_text
    b_text = str(draw(st.integers(a, high)))
    step = str(draw(st.integers(1, 100)))
    return {"range": f"{a_text}-{b_text}", "step-star": f"*/{step}", "step-range": f"{a_text}-{b_text}/{step}",
            "step-from": f"{a_text}/{step}"}[kind]


@st.composite
def _cron_spec(draw):
    fields = []
    for low, high, names in _BOUNDS:
        parts = draw(st.lists(_cron_range(low, high, names), min_size=1, max_size=3))
        fields.append(",".join(parts))
    if draw(st.booleans()):
        fields = fields[1:]  # SecondOptional: five fields
    return draw(st.sampled_from([" ", "  ", "\t"])).join(fields)


@given(_cron_spec())
@settings(max_examples=300)
def test_generated_cron_specs_parse(spec):
    assert g.cron_error(spec) is None


_FIELD_NAMES = ["seconds", "minutes", "hours", "day-of-month", "month", "day-of-week"]


@given(_cron_spec(), st.integers(0, 5), st.sampled_from(["above", "below", "step0", "word", "hash"]))
@settings(max_examples=300)
def test_mutated_cron_fields_fail_naming_the_field(spec, index, mutation):
    fields = g.go_fields(spec)
    if len(fields) == 5:
        fields.insert(0, "0")
    low, high, _ = _BOUNDS[index]
    if mutation == "below" and low == 0:
        mutation = "above"  # nothing is below 0 that Atoi reads as non-negative
    fields[index] = {"above": str(high + 1), "below": str(low - 1), "step0": "*/0", "word": "every",
                     "hash": "2#2"}[mutation]
    reason = g.cron_error(" ".join(fields))
    assert reason is not None and reason.startswith(_FIELD_NAMES[index] + " field")


@pytest.mark.parametrize("spec, ok", [
    ("@every 15m", True),          # descriptor: time.ParseDuration after "@every "
    ("@every 1h30m", True),
    ("@every 0s", True),           # kit's Every() takes any duration, even zero
    ("@every -5s", True),
    ("@every 15", False),          # missing unit
    ("@every  15m", False),        # exactly one space: ParseDuration(" 15m") fails
    ("@every", False),             # "@every " prefix not there: unrecognized descriptor
    ("@yearly", True), ("@annually", True), ("@monthly", True), ("@weekly", True),
    ("@daily", True), ("@midnight", True), ("@hourly", True),
    ("@Daily", False),             # exact, case-sensitive match
    (" @daily", False),            # no "@" prefix: one field
    ("0 0 9 * * MON-FRI", True), ("0 0 9 * * mon-fri", True), ("0 0 9 * * Mon-Fri", True),  # ToLower lookup
    ("0 0 9 * * MON-FRY", False),  # unknown name: Atoi("FRY") fails
    ("0 0 9 * * FR\u0130", True),  # Go's simple lower-casing maps U+0130 to i
    ("0 0 9 * * monday", False),   # three-letter names only
    ("0 0 9 * JAN *", True), ("0 0 9 JAN * *", False),  # names belong to their own field only
    ("0 7 ? * 2#2", False),        # dapr/kit#121
    ("0 0 12 ? * ?", True),        # ? is * in any field
    ("? ? ? ? ? ?", True),
    ("0 0 0 * * 7", False),        # day-of-week is 0-6
    ("0 0 0 31 * *", True), ("0 0 0 32 * *", False),
    ("*/5 * * * *", True),         # five fields: seconds 0
    ("0 */5 * * * *", True),
    ("* * * *", False), ("* * * * * * *", False),
    ("*/0 * * * *", False),        # step of 0
    ("*/-1 * * * *", False),       # negative number
    ("*/100 * * * *", True),       # a step beyond the range is fine
    ("5/15 * * * *", True),        # N/step: N to max
    ("1-2-3 * * * *", False),      # too many hyphens
    ("*-3 * * * *", True),         # after * the rest of the range is never read
    ("1/2/3 * * * *", False),      # too many slashes
    ("1,,2 * * * *", True),        # FieldsFunc drops the empty part
    (", * * * *", True),           # ... even all of them (a field that never matches)
    ("+5 * * * *", True),          # Atoi takes a sign
    ("-0 * * * *", False),         # "-" splits a range: Atoi("") fails
    ("05 * * * *", True),
    ("TZ=UTC * * * * *", True), ("CRON_TZ=UTC 0 * * * *", True), ("TZ=Local @daily", True),
    ("TZ= * * * * *", True),       # an empty zone name is UTC
    ("TZ=UTC", False),             # no space: Go's slice spec[eq+1:-1] panics
    ("TZ=../etc/passwd * * * * *", False),  # LoadLocation refuses ".." and leading slashes
    ("TZ=UTC\t* * * * *", False),  # Index(" ") finds no space: the tab is no separator there
    ("tz=UTC * * * * *", False),   # the prefix is case-sensitive
    ("", False),
])
def test_cron_table(spec, ok):
    assert (g.cron_error(spec) is None) == ok


def test_cron_unknown_time_zone():
    if g.location_known("Etc/UTC") is None:
        pytest.skip("no IANA time zone database on this machine")
    assert g.cron_error("CRON_TZ=America/Chicago 0 7 * * 2") is None
    reason = g.cron_error("CRON_TZ=America/Chicgo 0 7 * * 2")
    assert reason == "time zone 'America/Chicgo' is not in the IANA time zone database"
    assert g.cron_error("TZ=america/chicago * * * * *") is not None  # zone file names are case-sensitive


def test_cron_reasons_name_the_field_and_hide_what_show_hides():
    assert g.cron_error("0 0 9 * * MON-FRY") == \
        "day-of-week field 'MON-FRY': 'FRY' is not a number (0-6) or a day name (SUN-SAT)"
    hidden = g.cron_error("0 0 9 * * MON-FRY", show=lambda s: "")
    assert hidden == "day-of-week field: a part is not a number (0-6) or a day name (SUN-SAT)"
    assert "FRY" not in hidden


def test_importing_goparse_compiles_nothing():
    source = Path(g.__file__).read_text(encoding="utf-8")
    top_level = [line for line in source.splitlines() if re.match(r"^[A-Za-z_].*re\.compile", line)]
    assert top_level == [] and "\nimport re" not in source and "\nimport zoneinfo" not in source


# -- DPR006: a sensitive field's value never reaches the message ----------------
def _dpr006():
    path = Path(__file__).resolve().parents[1] / "rules" / "dapr" / "dpr006_invalid_metadata_value.py"
    spec = importlib.util.spec_from_file_location("dpr006_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dpr006_hides_sensitive_values_in_reasons():
    rule = _dpr006()
    for kind, value in (("cron", "0 0 9 * * MON-FRYSECRET"), ("number", "s3cr3t"), ("duration", "s3cr3t")):
        problem = rule._verdict((kind, (), False), value, False, True, {})
        assert problem and value not in problem and "FRY" not in problem and "s3cr3t" not in problem


@pytest.mark.parametrize("value", ["{{ .Values.x }}", "${X}", "$X", "$(X)", "<X>", "[x]", "{uuid}", "pod-{podName}"])
def test_dpr006_does_not_judge_placeholders(value):
    rule = _dpr006()
    for kind in ("number", "bool", "duration", "bytesize", "cron"):
        assert rule._verdict((kind, (), False), value, False, False, {}) is None
