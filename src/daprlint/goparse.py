"""Go's value parsers, as daprd applies them to component metadata.

Pure functions that accept exactly what daprd's Go code accepts, so that a
rule can say "daprd fails to decode this" and be right. Each function names
the Go code it follows; docs/value-parsing.md gives the full account, with
the release tags that were read. Facts were read from the Go sources; no
Go code was copied.

- `parse_int`, `parse_uint`, `parse_float`, `parse_bool`: Go's `strconv`
  (`src/strconv/atoi.go`, `atof.go`, `atob.go`). None where Go returns an error.
- `is_truthy`: dapr/kit `strings.IsTruthy` (components-contrib's
  `internal/utils.IsTruthy` before kit v0.13): how `DecodeMetadata` turns a
  string into a `bool`, never failing.
- `parse_go_duration`: Go's `time.ParseDuration`; `kit_duration`: dapr/kit's
  `metadata` duration hook (a Go duration, else a whole number of seconds).
- `number_problem`, `bytesize_problem`: what mitchellh/mapstructure
  (`WeaklyTypedInput`, as dapr/kit's `DecodeMetadata` configures it) and
  dapr/kit's `ByteSize` (Kubernetes `resource.ParseQuantity`, then
  `GetBytes`) reject.
- `cron_error`: dapr/kit's `cron` parser (a fork of robfig/cron v3) with the
  options components-contrib's `bindings.cron` gives it.
- `plain_scalar_text`: the string daprd sees for a plain YAML scalar, which
  sigs.k8s.io/yaml (goyaml.v2, YAML 1.1) types before daprd renders it back
  to text (`value: 1.0` arrives as `1`, `value: yes` as `true`).

Hand-written because no Python library reproduces these Go functions byte
for byte. Start-up cost: importing this module compiles nothing (one regular
expression is compiled on first use of `plain_scalar_text`; `zoneinfo` is
imported only for a cron schedule with a `TZ=` prefix).
"""
from __future__ import annotations

_SYNTAX = "syntax"
_RANGE = "range"
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_DIGITS = "0123456789"

# Go's unicode.IsSpace: the Unicode White_Space property. Python's str.isspace()
# adds U+001C..U+001F, which Go does not treat as space.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
_NOT_GO_SPACE = "\x1c\x1d\x1e\x1f"


def go_trim_space(s: str) -> str:
    """Go's strings.TrimSpace."""
    return s.strip(_GO_SPACE)


def go_fields(s: str) -> list[str]:
    """Go's strings.Fields: split on runs of unicode.IsSpace."""
    if not any(c in s for c in _NOT_GO_SPACE):
        return s.split()
    out, word = [], []
    for c in s:
        if c in _GO_SPACE:
            if word:
                out.append("".join(word))
                word = []
        else:
            word.append(c)
    if word:
        out.append("".join(word))
    return out


# -- strconv: integers ---------------------------------------------------------
def _underscore_ok(s: str) -> bool:
    """strconv's underscoreOK: `_` only between digits, or between a base prefix and a digit."""
    if s[:1] in ("+", "-"):
        s = s[1:]
    saw, i, hexa = "^", 0, False
    if len(s) >= 2 and s[0] == "0" and s[1] in "bBoOxX":
        i, saw, hexa = 2, "0", s[1] in "xX"
    for c in s[i:]:
        if c in _DIGITS or hexa and c in "abcdefABCDEF":
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def _digit(c: str) -> int:
    """A digit's value in bases up to 36 (ASCII letters only, as strconv), 99 for anything else."""
    if c in _DIGITS:
        return ord(c) - 48
    if c.isascii() and c.isalpha():
        return ord(c.lower()) - 87
    return 99


def _parse_uint(s: str, base: int, bit_size: int | None) -> tuple[int, str | None]:
    """strconv.ParseUint; bit_size None means no limit (math/big's SetString)."""
    if not s:
        return 0, _SYNTAX
    s0, base0 = s, base == 0
    if base0:
        base = 10
        if s[0] == "0":
            if len(s) >= 3 and s[1] in "bBoOxX":
                base = {"b": 2, "o": 8, "x": 16}[s[1].lower()]
                s = s[2:]
            else:
                base, s = 8, s[1:]
    limit = None if bit_size is None else (1 << bit_size) - 1
    n, underscores = 0, False
    for c in s:
        if c == "_" and base0:
            underscores = True
            continue
        d = _digit(c)
        if d >= base:
            return 0, _SYNTAX
        n = n * base + d
        if limit is not None and n > limit:
            return limit, _RANGE  # Go stops at the overflow, before the rest is checked
    if underscores and not _underscore_ok(s0):
        return 0, _SYNTAX
    return n, None


def _parse_int(s: str, base: int, bit_size: int | None) -> tuple[int, str | None]:
    """strconv.ParseInt: an optional sign, then ParseUint's digits."""
    if not s:
        return 0, _SYNTAX
    neg = s[0] == "-"
    body = s[1:] if s[0] in "+-" else s
    un, err = _parse_uint(body, base, bit_size)
    if err == _SYNTAX:
        return 0, err
    if bit_size is not None:
        cutoff = 1 << (bit_size - 1)
        if err == _RANGE or (not neg and un >= cutoff) or (neg and un > cutoff):
            return 0, _RANGE
    return (-un if neg else un), None


def parse_int(s: str, base: int = 10, bit_size: int = 64) -> int | None:
    """Go's strconv.ParseInt(s, base, bit_size); base 10 is strconv.Atoi on 64-bit.

    Base 10: an optional sign and ASCII digits, nothing else (no spaces, no
    `_`). Base 0: also `0x`/`0o`/`0b` prefixes, a leading `0` for octal, and
    `_` between digits.
    """
    value, err = _parse_int(s, base, bit_size)
    return None if err else value


def parse_uint(s: str, base: int = 10, bit_size: int = 64) -> int | None:
    """Go's strconv.ParseUint: like parse_int without a sign."""
    value, err = _parse_uint(s, base, bit_size)
    return None if err else value


# -- strconv: floats -----------------------------------------------------------
def _special(s: str) -> tuple[float, int] | None:
    """strconv's special(): a prefix spelling inf or infinity (with an optional sign) or nan, any ASCII case."""
    sign, nsign, rest = 1.0, 0, s
    if s[0] in "+-":
        sign, nsign, rest = (-1.0 if s[0] == "-" else 1.0), 1, s[1:]
    if nsign or rest[:1] in ("i", "I"):
        n = _common_prefix_ignore_case(rest, "infinity")
        n = 3 if 3 < n < 8 else n  # more than "inf" but not "infinity": only "inf" is consumed
        return (sign * float("inf"), nsign + n) if n in (3, 8) else None
    if rest[:1] in ("n", "N") and _common_prefix_ignore_case(rest, "nan") == 3:
        return float("nan"), 3
    return None


def _common_prefix_ignore_case(s: str, prefix: str) -> int:
    n = 0
    for c, p in zip(s, prefix):
        if c != p and not (c.isascii() and c.lower() == p):
            break
        n += 1
    return n


def _read_float(s: str) -> tuple[int, bool, bool]:
    """strconv's readFloat: (characters consumed, hexadecimal?, well-formed?)."""
    i, n, underscores = 0, len(s), False
    if i < n and s[i] in "+-":
        i += 1
    hexa = i + 2 < n and s[i] == "0" and s[i + 1] in "xX"
    if hexa:
        i += 2
    digits = "0123456789abcdefABCDEF" if hexa else _DIGITS
    sawdot = sawdigits = False
    while i < n:
        c = s[i]
        if c == "_":
            underscores = True
        elif c == ".":
            if sawdot:
                break
            sawdot = True
        elif c in digits:
            sawdigits = True
        else:
            break
        i += 1
    if not sawdigits:
        return i, hexa, False
    if i < n and s[i] in ("pP" if hexa else "eE"):
        i += 1
        if i < n and s[i] in "+-":
            i += 1
        if i >= n or s[i] not in _DIGITS:
            return i, hexa, False
        while i < n and (s[i] in _DIGITS or s[i] == "_"):
            underscores = underscores or s[i] == "_"
            i += 1
    elif hexa:
        return i, hexa, False  # a hexadecimal float needs its p exponent
    if underscores and not _underscore_ok(s[:i]):
        return i, hexa, False
    return i, hexa, True


def _parse_float(s: str) -> tuple[float, str | None]:
    if not s:
        return 0.0, _SYNTAX
    special = _special(s)
    if special is not None:
        return (special[0], None) if special[1] == len(s) else (0.0, _SYNTAX)
    consumed, hexa, ok = _read_float(s)
    if not ok or consumed != len(s):
        return 0.0, _SYNTAX
    text = s.replace("_", "")
    try:
        value = float.fromhex(text) if hexa else float(text)  # both round to nearest, ties to even, as Go
    except OverflowError:
        return 0.0, _RANGE
    if value in (float("inf"), float("-inf")):
        return 0.0, _RANGE  # more than half an ULP beyond the largest float64
    return value, None


def parse_float(s: str) -> float | None:
    """Go's strconv.ParseFloat(s, 64).

    Decimal or hexadecimal (with a `p` exponent) Go float literals, `_`
    between digits, `inf`/`infinity` with an optional sign and `nan`, in any
    case. No surrounding spaces. Overflow (`1e400`) is an error.
    """
    value, err = _parse_float(s)
    return None if err else value


# -- strconv.ParseBool and dapr/kit IsTruthy -----------------------------------
_GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_TRUTHY = frozenset({"y", "yes", "true", "t", "on", "1"})
# What people write for false; IsTruthy reads every non-truthy text as false.
FALSY_WORDS = frozenset({"n", "no", "false", "f", "off", "0"})


def parse_bool(s: str) -> bool | None:
    """Go's strconv.ParseBool: exactly 1, t, T, TRUE, true, True and their false twins."""
    if s in _GO_TRUE:
        return True
    if s in _GO_FALSE:
        return False
    return None


def is_truthy(s: str) -> bool:
    """dapr/kit strings.IsTruthy: y, yes, true, t, on or 1, in any case, spaces trimmed.

    This is how DecodeMetadata fills a `bool` field: it never fails, and
    every other text is false.
    """
    s = go_trim_space(s)
    return len(s) <= 4 and s.lower() in _TRUTHY


# -- time.ParseDuration and dapr/kit's duration hook ---------------------------
_UNITS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000}
_MAX = 1 << 63


def _leading_fraction(s: str) -> tuple[int, float, str]:
    """time's leadingFraction: digits after the point, precision capped below 2^63."""
    f, scale, overflow, i = 0, 1.0, False, 0
    while i < len(s) and s[i] in _DIGITS:
        if not overflow:
            nxt = f * 10 + ord(s[i]) - 48
            if f > (_MAX - 1) // 10 or nxt > _MAX:
                overflow = True
            else:
                f, scale = nxt, scale * 10
        i += 1
    return f, scale, s[i:]


def parse_go_duration(s: str) -> int | None:
    """Nanoseconds, as Go's time.ParseDuration reads *s*; None where Go returns an error.

    A sequence of decimal numbers, each with an optional fraction and a unit
    (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), with one optional sign:
    `300ms`, `-1.5h`, `1h2m3s`. A bare number is an error except `0`.
    """
    neg = False
    if s and s[0] in "+-":
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        return None
    total = 0
    while s:
        if not (s[0] == "." or s[0] in _DIGITS):
            return None
        i, v = 0, 0
        while i < len(s) and s[i] in _DIGITS:
            if v > _MAX // 10:
                return None
            v = v * 10 + ord(s[i]) - 48
            if v > _MAX:
                return None
            i += 1
        pre, s = i > 0, s[i:]
        f, scale, post = 0, 1.0, False
        if s and s[0] == ".":
            before = len(s) - 1
            f, scale, s = _leading_fraction(s[1:])
            post = len(s) != before
        if not pre and not post:
            return None
        i = 0
        while i < len(s) and not (s[i] == "." or s[i] in _DIGITS):
            i += 1
        unit = _UNITS.get(s[:i]) if i else None
        s = s[i:]
        if unit is None:
            return None  # missing or unknown unit
        if v > _MAX // unit:
            return None
        v *= unit
        if f > 0:
            v += int(float(f) * (float(unit) / scale))
            if v > _MAX:
                return None
        total += v
        if total > _MAX:
            return None
    if neg:
        return -total
    return None if total > _MAX - 1 else total


def _wrap_int64(n: int) -> int:
    return (n + _MAX) % (1 << 64) - _MAX


def kit_duration(s: str) -> int | None:
    """Nanoseconds, as dapr/kit's metadata hook decodes *s* into a time.Duration; None: a decode error.

    Empty is 0; otherwise time.ParseDuration, and where that fails
    strconv.ParseInt(s, 10, 0) read as whole seconds (overflow wraps, as Go's
    int64 multiplication does).
    """
    if s == "":
        return 0
    value = parse_go_duration(s)
    if value is not None:
        return value
    seconds = parse_int(s)
    return None if seconds is None else _wrap_int64(seconds * 1_000_000_000)


# -- what DecodeMetadata rejects -----------------------------------------------
def number_problem(s: str) -> str | None:
    """Why no Go number field can take *s* through DecodeMetadata, or None.

    mapstructure (WeaklyTypedInput) reads a string into an int with
    strconv.ParseInt(s, 0, bits), into a uint with ParseUint(s, 0, bits), into
    a float with ParseFloat(s, bits). Dapr's metadata only says "number", so a
    value is a problem only when every one of them, at 64 bits, rejects it.
    """
    if parse_int(s, 0) is not None or parse_uint(s, 0) is not None:
        return None
    value, err = _parse_float(s)
    if err is None:
        return None
    if err == _RANGE or _parse_int(s, 0, None)[1] is None:
        return "is out of range for a 64-bit number"
    return "is not a number"


def bytesize_problem(s: str) -> str | None:
    """Why dapr/kit's ByteSize cannot take *s*, or None.

    The decode hook parses a Kubernetes quantity (resource.ParseQuantity);
    the component then calls GetBytes(), which fails unless the quantity is
    zero or a whole number of bytes held in an int64 (Quantity.AsInt64).
    """
    if s == "0":
        return None
    parsed = _parse_quantity_string(s)
    if parsed is None:
        return "is not a quantity (a number with an optional suffix such as Ki, Mi, Gi, k, M or G)"
    positive, value, num, denom, suffix = parsed
    interpreted = _interpret_suffix(suffix)
    if interpreted is None:
        return "has a suffix that is not Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or an exponent"
    base, exponent, binary = interpreted
    mantissa, scale = 1, exponent
    if binary:
        scale = 0
        if exponent >= 0 and not denom:
            mantissa = 1 << exponent
            precision = 15 - len(num) - exponent * 3 // 10 - 1
        else:
            precision = -1
    else:
        precision = 18 - (len(num) + len(denom))
    if precision >= 0 and scale - len(denom) >= -9:
        scale -= len(denom)
        amount = int(num + denom) * mantissa
        if amount <= _INT64_MAX:  # int64Multiply succeeded: an int64Amount{amount, scale}
            if amount == 0 or scale == 0 or (0 < scale <= 18 and amount * 10 ** scale <= _INT64_MAX):
                return None
            if scale < 0:
                return "has a fraction of a byte or an n/u/m suffix: ByteSize.GetBytes() fails (write whole bytes)"
            return "is too large for a 64-bit byte count: ByteSize.GetBytes() fails"
    # the arbitrary-precision form (inf.Dec): GetBytes works only for zero
    if not any(c in _DIGITS for c in value):
        return "is not a quantity (a number with an optional suffix such as Ki, Mi, Gi, k, M or G)"
    if int(num + denom) == 0:
        return None
    # a fraction with a binary suffix, 100Ti, 1Pi, 1Ei, more than 18 digits, ...
    return ("is a quantity that ByteSize.GetBytes() cannot return as bytes (write whole bytes or use a "
            "smaller suffix, e.g. 1536Ki instead of 1.5Mi)")


def quantity_problem(s: str) -> str | None:
    """Why Kubernetes' resource.ParseQuantity rejects *s* (as the injector parses the sidecar's
    CPU and memory requests and limits), or None."""
    parsed = _parse_quantity_string(s)
    if parsed is None:
        return "is not a quantity (a number with an optional suffix such as m, Ki, Mi, Gi, k, M or G)"
    if _interpret_suffix(parsed[4]) is None:
        return "has a suffix that is not Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or an exponent"
    return None


def _parse_quantity_string(s: str) -> tuple[bool, str, str, str, str] | None:
    """resource's parseQuantityString: (positive, value, num, denom, suffix), None for ErrFormatWrong."""
    if not s:
        return None
    end, pos, positive = len(s), 0, True
    if s[0] in "+-":
        positive, pos = s[0] == "+", 1
    while pos < end and s[pos] == "0":
        pos += 1
    if pos >= end:
        return positive, "0", "0", "", ""
    i = pos
    while i < end and s[i] in _DIGITS:
        i += 1
    num = s[pos:i] or "0"
    if i >= end:
        return positive, s, num, "", ""
    pos, denom = i, ""
    if s[pos] == ".":
        pos += 1
        i = pos
        while i < end and s[i] in _DIGITS:
            i += 1
        denom = s[pos:i]
        if i >= end:
            return positive, s, num, denom, ""
        pos = i
    value, start = s[:pos], pos
    while pos < end and s[pos] in "eEinumkKMGTP":
        pos += 1
    if pos >= end:
        return positive, value, num, denom, s[start:]
    if s[pos] in "+-":
        pos += 1
    while pos < end and s[pos] in _DIGITS:
        pos += 1
    return (positive, value, num, denom, s[start:]) if pos >= end else None


_DECIMAL_SUFFIXES = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


def _interpret_suffix(suffix: str) -> tuple[int, int, bool] | None:
    """resource's suffixer.interpret: (base, exponent, binary?), None for ErrSuffix."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], False
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], True
    if len(suffix) > 1 and suffix[0] in "eE":
        exponent = parse_int(suffix[1:])
        if exponent is not None:
            return 10, (exponent + (1 << 31)) % (1 << 32) - (1 << 31), False  # Go's int32() conversion
    return None


# -- sigs.k8s.io/yaml: the string daprd sees for a plain scalar -----------------
_YAML_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
_YAML_FALSE = frozenset({"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
_YAML_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_YAML_NON_JSON = frozenset({".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                            "-.inf", "-.Inf", "-.INF"})
_yaml_float = None


def plain_scalar_text(text: str) -> str | None:
    """The string that daprd reads for a plain (unquoted) YAML scalar *text*; None: no value daprd can load.

    kubectl and daprd's file loader turn YAML into JSON with sigs.k8s.io/yaml,
    whose goyaml.v2 resolves plain scalars by YAML 1.1 rules; Dapr's
    `DynamicValue.String()` then reads a JSON number or boolean back as its
    JSON text. So `yes` arrives as `true`, `0x1F` and `1_000` as `31` and
    `1000`, `1.0` and `1e3` as `1` and `1000`. Null has no value, and NaN and
    infinity cannot be encoded in JSON, so such a manifest does not load.
    A YAML timestamp is left as written (daprd would see RFC 3339 text, which
    no number, duration or boolean parser accepts either).
    """
    global _yaml_float
    if text in _YAML_TRUE:
        return "true"
    if text in _YAML_FALSE:
        return "false"
    if text in _YAML_NULL or text in _YAML_NON_JSON:
        return None
    first = text[0]
    if first == ".":
        value, err = _parse_float(text)
        return text if err else _json_float(value)
    if first not in "+-0123456789":
        return text
    plain = text.replace("_", "")
    value, err = _parse_int(plain, 0, 64)
    if err is None:
        return str(value)
    unsigned, uerr = _parse_uint(plain, 0, 64)
    if uerr is None:
        return str(unsigned)
    if _yaml_float is None:
        import re
        _yaml_float = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
    if _yaml_float.fullmatch(plain):
        number, ferr = _parse_float(plain)
        if ferr is None:
            return _json_float(number)
    if uerr == _RANGE:  # goyaml.v2 asks math/big only after ParseUint's range error
        big, berr = _parse_int(plain, 0, None)  # math/big keeps integers beyond 64 bits
        if berr is None:
            return str(big)
    return text


def _json_float(f: float) -> str:
    """encoding/json's float64 text: shortest digits, exponent form below 1e-6 and from 1e21."""
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        s = repr(f)  # shortest round-trip digits, exponent form in this range, as Go's 'e' with -1
        if len(s) >= 4 and s[-4] == "e" and s[-3] == "-" and s[-2] == "0":
            s = s[:-2] + s[-1]
        return s
    from decimal import Decimal
    return format(Decimal(repr(f)).normalize(), "f")


# -- dapr/kit cron --------------------------------------------------------------
_MONTHS = {name: i for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_DAYS = {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
# (name, minimum, maximum, names) in the order Parse fills them; seconds come first
_CRON_FIELDS = (("seconds", 0, 59, None), ("minutes", 0, 59, None), ("hours", 0, 23, None),
                ("day-of-month", 1, 31, None), ("month", 1, 12, _MONTHS), ("day-of-week", 0, 6, _DAYS))
DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


def _quote(s: str) -> str:
    return "'" + s + "'"


def _piece(show, text: str, before: str = " ") -> str:
    """*text* rendered by *show* for a reason, or nothing when *show* hides it (returns "")."""
    shown = show(text)
    return before + shown if shown else ""


def cron_error(spec: str, show=_quote) -> str | None:
    """Why bindings.cron rejects *spec* at init, naming the bad field; None when it parses.

    dapr/kit `cron.NewParser(SecondOptional | Minute | Hour | Dom | Month |
    Dow | Descriptor)`, as components-contrib's bindings/cron/cron.go builds
    it. *show* renders the pieces of *spec* that the reason quotes (a rule
    passes a function built on `daprlint.redact.shown`); when it returns ""
    the piece is left out.
    """
    if not spec:
        return "the schedule is empty"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space = spec.find(" ")
        if space < 0:
            return "a TZ= prefix must be followed by a space and the schedule (without one daprd's parser panics)"
        zone = spec[spec.find("=") + 1:space]
        if location_known(zone) is False:
            return f"time zone{_piece(show, zone)} is not in the IANA time zone database"
        spec = go_trim_space(spec[space:])
    if spec.startswith("@"):
        return _descriptor_error(spec, show)
    fields = go_fields(spec)
    if not 5 <= len(fields) <= 6:
        return f"has {len(fields)} fields; it needs 5 (minutes to day-of-week) or 6 (seconds first)"
    if len(fields) == 5:
        fields.insert(0, "0")
    for text, (name, low, high, names) in zip(fields, _CRON_FIELDS):
        for expr in (part for part in text.split(",") if part):  # FieldsFunc: empty parts drop out
            problem = _cron_range_error(expr, low, high, names, show)
            if problem:
                return f"{name} field{_piece(show, text)}: {problem}"
    return None


def _descriptor_error(spec: str, show) -> str | None:
    if spec in DESCRIPTORS:
        return None
    if spec.startswith("@every "):
        if parse_go_duration(spec[7:]) is None:
            return f"`@every` takes a Go duration such as 15m, 1h30m or 90s{_piece(show, spec[7:], ', not ')}"
        return None
    hint = "; descriptors are lower-case" if spec.lower() in DESCRIPTORS or spec.lower().startswith("@every ") else ""
    return (f"not a descriptor (@yearly, @annually, @monthly, @weekly, @daily, @midnight, "
            f"@hourly or @every <duration>){hint}")


def _cron_range_error(expr: str, low: int, high: int, names, show) -> str | None:
    """kit's getRange: `*` or `?`, N, N-M, each with an optional /step."""
    range_and_step = expr.split("/")
    bounds = range_and_step[0].split("-")
    if bounds[0] in ("*", "?"):
        start, end = low, high  # what follows a `*-` is never read
    else:
        start = _cron_number(bounds[0], names)
        if start is None:
            return _not_a_value(bounds[0], names, show)
        if len(bounds) == 1:
            end = start
        elif len(bounds) == 2:
            end = _cron_number(bounds[1], names)
            if end is None:
                return _not_a_value(bounds[1], names, show)
        else:
            return f"{_piece(show, expr, '')} has too many hyphens".lstrip()
    step = 1
    if len(range_and_step) == 2:
        step = _cron_number(range_and_step[1], None)
        if step is None:
            return "the step " + _not_a_value(range_and_step[1], None, show).replace("a part ", "", 1)
        if len(bounds) == 1:
            end = high  # N/step means N-max/step
    elif len(range_and_step) > 2:
        return f"{_piece(show, expr, '')} has too many slashes".lstrip()
    if start < low:
        return f"{start} is below the minimum {low}"
    if end > high:
        return f"{end} is above the maximum {high}"
    if start > end:
        return f"the range starts at {start}, after its end {end}"
    if step == 0:
        return "a step of 0 is not allowed"
    return None


def _cron_number(text: str, names) -> int | None:
    """kit's parseIntOrName: a name (case-insensitive, Go's simple lower-casing) or a non-negative Atoi."""
    if names:
        named = names.get(text.replace("\u0130", "i").lower())
        if named is not None:
            return named
    value = parse_int(text)
    return value if value is not None and value >= 0 else None


def _not_a_value(text: str, names, show) -> str:
    """Why *text* is no value of its field, naming it when *show* shows it ("a part" otherwise)."""
    what = _piece(show, text, "") or "a part"
    if names is _DAYS:
        return f"{what} is not a number (0-6) or a day name (SUN-SAT)"
    if names is _MONTHS:
        return f"{what} is not a number (1-12) or a month name (JAN-DEC)"
    if parse_int(text) is not None:
        return f"{what} is negative"
    return f"{what} is not a whole number"


_zone_database: bool | None = None


def location_known(name: str) -> bool | None:
    """Whether Go's time.LoadLocation(name) succeeds on a machine with the IANA database; None: no database here.

    "" and "UTC" are UTC and "Local" is the local zone; names with `..` or a
    leading slash are refused; any other name must be a zone file (case matters).
    """
    global _zone_database
    if name in ("", "UTC", "Local"):
        return True
    if ".." in name or name[0] in "/\\":
        return False
    import zoneinfo
    if _zone_database is None:
        _zone_database = _loads(zoneinfo, "Etc/UTC")
    if not _zone_database:
        return None
    return _loads(zoneinfo, name)


def _loads(zoneinfo, name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except Exception:  # not found, not a zone file, an invalid key: LoadLocation fails on each
        return False
    return True
