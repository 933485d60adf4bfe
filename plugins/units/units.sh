#!/bin/sh
# units: a unit converter, a Trellis executable plugin (protocol 1) in POSIX sh and awk (no jq, no bash).
# Reads one JSON request on stdin, writes one JSON reply on stdout; see README.md.
# The JSON parser below handles any valid JSON request: keys in any order, whitespace, escapes, nesting.
LC_ALL=C
export LC_ALL
exec awk '
BEGIN {
    R = "$"
    # name, dimension, factor to the dimension base unit (m, kg, m3, m/s, B, s); temperature is special-cased
    unit("mm", "length", 0.001); unit("cm", "length", 0.01); unit("m", "length", 1); unit("km", "length", 1000)
    unit("in", "length", 0.0254); unit("ft", "length", 0.3048); unit("yd", "length", 0.9144)
    unit("mi", "length", 1609.344)
    unit("mg", "mass", 0.000001); unit("g", "mass", 0.001); unit("kg", "mass", 1); unit("t", "mass", 1000)
    unit("oz", "mass", 0.028349523125); unit("lb", "mass", 0.45359237)
    unit("C", "temperature", 0); unit("F", "temperature", 0); unit("K", "temperature", 0)
    unit("ml", "volume", 0.001); unit("l", "volume", 1); unit("gal", "volume", 3.785411784)
    unit("floz", "volume", 0.0295735295625)
    unit("m/s", "speed", 1); unit("km/h", "speed", 1 / 3.6); unit("mph", "speed", 0.44704)
    unit("kn", "speed", 1852 / 3600)
    unit("B", "data", 1); unit("KB", "data", 1000); unit("MB", "data", 1000000); unit("GB", "data", 1000000000)
    unit("TB", "data", 1000000000000)
    unit("KiB", "data", 1024); unit("MiB", "data", 1048576); unit("GiB", "data", 1073741824)
    unit("TiB", "data", 1099511627776)
    unit("ms", "time", 0.001); unit("s", "time", 1); unit("min", "time", 60); unit("h", "time", 3600)
    unit("d", "time", 86400)
    DIMENSIONS = "length mass temperature volume speed data time"
    # Spelled-out names, matched case-insensitively; short names of every dimension but data match any case too
    # (data keeps its case: MB is not Mb, the megabit).
    alias("meter m meters m metre m metres m millimeter mm millimeters mm centimeter cm centimeters cm")
    alias("kilometer km kilometers km kilometre km kilometres km inch in inches in foot ft feet ft yard yd")
    alias("yards yd mile mi miles mi milligram mg milligrams mg gram g grams g kilogram kg kilograms kg")
    alias("kgs kg tonne t tonnes t ton t tons t ounce oz ounces oz pound lb pounds lb lbs lb")
    alias("celsius C degc C \302\260c C fahrenheit F degf F \302\260f F kelvin K")
    alias("milliliter ml milliliters ml millilitre ml millilitres ml liter l liters l litre l litres l")
    alias("gallon gal gallons gal fl_oz floz fl.oz floz ounce_fl floz")
    alias("mps m/s kmh km/h kph km/h km/hr km/h knot kn knots kn kt kn")
    alias("byte B bytes B kilobyte KB kilobytes KB megabyte MB megabytes MB gigabyte GB gigabytes GB")
    alias("terabyte TB terabytes TB kibibyte KiB kibibytes KiB mebibyte MiB mebibytes MiB gibibyte GiB gibibytes GiB")
    alias("tebibyte TiB tebibytes TiB")
    alias("millisecond ms milliseconds ms sec s secs s second s seconds s minute min minutes min mins min")
    alias("hour h hours h hr h hrs h day d days d")
}
function unit(name, dimension, factor) {
    DIM[name] = dimension; FACTOR[name] = factor
    LIST[dimension] = COUNT[dimension]++ ? LIST[dimension] " " name : name
    if (dimension != "data") ALIAS[tolower(name)] = name
}
function alias(pairs,   words, n, i) {
    n = split(pairs, words, " ")
    for (i = 1; i < n; i += 2) ALIAS[words[i]] = words[i + 1]
}
function canonical(name) {
    if (name in DIM) return name
    if (tolower(name) in ALIAS) return ALIAS[tolower(name)]
    return ""
}

# ---- JSON reading: every value lands in TYPE[path] / VAL[path], path = "$" SUBSEP key SUBSEP key ...
function perr(message) {
    if (parse_error == "") parse_error = message " at byte " pos
    return 0
}
function skip_ws(   c) {
    while (pos <= len) {
        c = substr(src, pos, 1)
        if (c != " " && c != "\t" && c != "\n" && c != "\r") return
        pos++
    }
}
function parse_value(path, depth,   c) {
    if (depth > 64) return perr("nesting deeper than 64")
    skip_ws()
    if (pos > len) return perr("unexpected end of input")
    c = substr(src, pos, 1)
    if (c == "{") return parse_object(path, depth)
    if (c == "[") return parse_array(path, depth)
    if (c == "\"") {
        if (!parse_string()) return 0
        TYPE[path] = "string"; VAL[path] = str
        return 1
    }
    if (substr(src, pos, 4) == "true") { pos += 4; TYPE[path] = "bool"; VAL[path] = "true"; return 1 }
    if (substr(src, pos, 5) == "false") { pos += 5; TYPE[path] = "bool"; VAL[path] = "false"; return 1 }
    if (substr(src, pos, 4) == "null") { pos += 4; TYPE[path] = "null"; VAL[path] = ""; return 1 }
    if (match(substr(src, pos, 400), /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) {
        TYPE[path] = "number"; VAL[path] = substr(src, pos, RLENGTH)
        pos += RLENGTH
        return 1
    }
    return perr("unexpected character " c)
}
function parse_object(path, depth,   key, c) {
    pos++
    TYPE[path] = "object"
    skip_ws()
    if (substr(src, pos, 1) == "}") { pos++; return 1 }
    while (1) {
        skip_ws()
        if (substr(src, pos, 1) != "\"") return perr("expected a string key")
        if (!parse_string()) return 0
        key = str
        skip_ws()
        if (substr(src, pos, 1) != ":") return perr("expected :")
        pos++
        if (!parse_value(path SUBSEP key, depth + 1)) return 0
        skip_ws()
        c = substr(src, pos, 1)
        pos++
        if (c == "}") return 1
        if (c != ",") return perr("expected , or }")
    }
}
function parse_array(path, depth,   index_, c) {
    pos++
    TYPE[path] = "array"
    skip_ws()
    if (substr(src, pos, 1) == "]") { pos++; return 1 }
    for (index_ = 0; ; index_++) {
        if (!parse_value(path SUBSEP index_, depth + 1)) return 0
        skip_ws()
        c = substr(src, pos, 1)
        pos++
        if (c == "]") return 1
        if (c != ",") return perr("expected , or ]")
    }
}
# Sets str. \u escapes of printable ASCII are decoded; others are kept as "\001XXXX" and written back as \uXXXX.
function parse_string(   out, c, e, h, code) {
    pos++
    out = ""
    while (pos <= len) {
        if (match(substr(src, pos, 4096), /^[^"\\\001-\037]+/)) {
            out = out substr(src, pos, RLENGTH)
            pos += RLENGTH
            continue
        }
        c = substr(src, pos, 1)
        if (c == "\"") { pos++; str = out; return 1 }
        if (c < " ") return perr("control character in a string")
        if (c != "\\") { out = out c; pos++; continue }
        e = substr(src, pos + 1, 1)
        if (e == "u") {
            h = substr(src, pos + 2, 4)
            if (h !~ /^[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]$/) return perr("bad \\u escape")
            code = hex(h)
            out = out ((code >= 32 && code < 127) ? sprintf("%c", code) : "\001" h)
            pos += 6
            continue
        }
        if (e == "\"" || e == "\\" || e == "/") out = out e
        else if (e == "n") out = out "\n"
        else if (e == "t") out = out "\t"
        else if (e == "r") out = out "\r"
        else if (e == "b") out = out "\b"
        else if (e == "f") out = out "\f"
        else return perr("bad escape \\" e)
        pos += 2
    }
    return perr("unterminated string")
}
function hex(h,   i, n) {
    n = 0
    for (i = 1; i <= 4; i++) n = n * 16 + index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
    return n
}

# ---- JSON writing
# One pass with match(), no gsub(): awks disagree on backslashes in gsub replacements.
function quote(s,   out, c) {
    out = ""
    while (match(s, /["\\\001-\037\177]/)) {
        out = out substr(s, 1, RSTART - 1)
        c = substr(s, RSTART, 1)
        s = substr(s, RSTART + 1)
        if (c == "\"") out = out "\\\""
        else if (c == "\\") out = out "\\\\"
        else if (c == "\n") out = out "\\n"
        else if (c == "\t") out = out "\\t"
        else if (c == "\r") out = out "\\r"
        else if (c == "\001") out = out "\\u"
        else out = out sprintf("\\u%04x", ord(c))
    }
    return "\"" out s "\""
}
function ord(c,   i) {
    for (i = 0; i < 128; i++) if (sprintf("%c", i) == c) return i
    return 63
}
function reply(content_json, is_error) {
    printf "{\"content\":%s,\"is_error\":%s", content_json, is_error ? "true" : "false"
    if (TYPE[R SUBSEP "call_id"] == "string") printf ",\"call_id\":%s", quote(VAL[R SUBSEP "call_id"])
    printf "}\n"
    exit 0
}
function fail(message) { reply(quote(message), 1) }
function number(x) { return sprintf("%.15g", x) }
# Not "x == x": mawk compares NaN equal to everything.
function finite(x) { return sprintf("%g", x) !~ /[iInN]/ }
function show(s) { return "\047" s "\047" }
function known(dimension) { return dimension " units: " LIST[dimension] }
function everything(   names, n, i, out) {
    n = split(DIMENSIONS, names, " ")
    out = ""
    for (i = 1; i <= n; i++) out = out (i > 1 ? "; " : "") known(names[i])
    return out
}

# ---- the request
{ src = src $0 "\n" }
END {
    len = length(src); pos = 1; parse_error = ""
    if (!parse_value(R, 0)) { print "units: the request is not valid JSON: " parse_error > "/dev/stderr"; exit 2 }
    skip_ws()
    if (pos <= len) { print "units: trailing text after the JSON request at byte " pos > "/dev/stderr"; exit 2 }
    if (TYPE[R] != "object") { print "units: the request is not a JSON object" > "/dev/stderr"; exit 2 }
    if (TYPE[R SUBSEP "protocol"] != "number" || VAL[R SUBSEP "protocol"] + 0 != 1)
        fail("unsupported protocol " VAL[R SUBSEP "protocol"] "; this plugin speaks 1")
    tool = VAL[R SUBSEP "tool"]
    if (TYPE[R SUBSEP "tool"] != "string" || tool != "convert") fail("unknown tool " show(tool) "; this plugin has: convert")
    A = R SUBSEP "arguments"
    value = VAL[A SUBSEP "value"]
    if (TYPE[A SUBSEP "value"] == "string") {
        gsub(/^[ \t]+|[ \t]+$/, "", value)
        if (value !~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/) fail("\047value\047 must be a number, got " show(value))
    } else if (TYPE[A SUBSEP "value"] != "number") {
        fail("\047value\047 must be a number")
    }
    value += 0
    if (!finite(value)) fail("\047value\047 is out of range")
    for (i = 1; i <= 2; i++) {
        key = i == 1 ? "from" : "to"
        if (TYPE[A SUBSEP key] != "string") fail("\047" key "\047 must be a unit name such as km, lb, C, MiB or h")
    }
    from = canonical(VAL[A SUBSEP "from"]); to = canonical(VAL[A SUBSEP "to"])
    if (from == "" && to == "") fail("unknown units " show(VAL[A SUBSEP "from"]) " and " show(VAL[A SUBSEP "to"]) ". Known units: " everything())
    if (from == "") fail("unknown unit " show(VAL[A SUBSEP "from"]) ". Known " known(DIM[to]))
    if (to == "") fail("unknown unit " show(VAL[A SUBSEP "to"]) ". Known " known(DIM[from]))
    if (DIM[from] != DIM[to])
        fail("cannot convert " from " (" DIM[from] ") to " to " (" DIM[to] "). Known " known(DIM[from]))
    if (DIM[from] == "temperature") {
        kelvin = from == "C" ? value + 273.15 : from == "F" ? (value - 32) * 5 / 9 + 273.15 : value
        if (kelvin < -1e-9) fail(number(value) " " from " is below absolute zero")
        result = to == "C" ? kelvin - 273.15 : to == "F" ? (kelvin - 273.15) * 9 / 5 + 32 : kelvin
    } else {
        result = value * FACTOR[from] / FACTOR[to]
    }
    if (!finite(result)) fail("the result is out of range")
    text = number(value) " " from " = " number(result) " " to
    reply("{\"value\":" number(result) ",\"unit\":" quote(to) ",\"dimension\":" quote(DIM[to]) ",\"text\":" quote(text) "}", 0)
}
'
