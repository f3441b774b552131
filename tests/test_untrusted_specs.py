"""Untrusted spec files (issue 7): bounded reading, YAML 1.2, strict types, short messages.

Each hostile file must end in exit code 2 and exactly one line on stderr that states
the key fact (the field, the line, the bound), fast and without a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

import mncost
from mncost.arch import safe_yaml
from mncost.arch.load import SpecError, architecture_schema, load_spec, parse_spec
from mncost.limits import (
    MAX_CHANNELS,
    MAX_CLASSES,
    MAX_KERNEL,
    MAX_NUMBER_CHARS,
    MAX_RESOLUTION,
    MAX_SPEC_ALIAS_NODES,
    MAX_SPEC_BYTES,
    MAX_SPEC_DEPTH,
)
from tests.conftest import run_cli

HEAD = "name: t\nresolution: 8\nclasses: 2\nlayers:\n"
"""The start of a small YAML spec; the first layer is at line 5."""
CONV = "  - {kind: conv, name: c, kernel: 3, filters: 4}\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_line(path: Path) -> str:
    """Run `mncost table --spec PATH`; it must fail with exit 2 and one stderr line."""
    result = run_cli("table", "--spec", str(path))
    assert result.exit_code == 2, result.stdout
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    assert "error: " in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    return result.stderr


LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if yaml.__with_libyaml__ else [])


@pytest.fixture(params=LOADERS, ids=lambda loader: loader.__name__)
def each_parser(request, monkeypatch):
    """Run the test with libyaml's parser and with PyYAML's pure-Python fallback."""
    monkeypatch.setattr(safe_yaml, "_LOADER", request.param)


# --- 5: alias bombs, and user text quoted short -----------------------------------------


def billion_laughs() -> str:
    # 9 levels of 9 aliases each: 9**9 = 387,420,489 strings once expanded, from ~400 bytes.
    lines = ['l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 9):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\nname: bomb\nlayers:\n  - {kind: *l8, name: x}\n"


def test_alias_bomb_fails_fast_with_one_line(tmp_path):
    write(tmp_path, "warm.yaml", HEAD + CONV)
    assert run_cli("table", "--spec", str(tmp_path / "warm.yaml")).exit_code == 0
    bomb = write(tmp_path, "bomb.yaml", billion_laughs())
    assert bomb.stat().st_size < 600
    start = time.perf_counter()
    message = error_line(bomb)
    assert time.perf_counter() - start < 1.0
    assert f"{MAX_SPEC_ALIAS_NODES:,}" in message and "aliases" in message
    assert len(message) < 200


def test_recursive_alias_is_refused(tmp_path, each_parser):
    with pytest.raises(SpecError, match=r"line 1: recursive alias '\*a'"):
        load_spec(write(tmp_path, "rec.yaml", "a: &a [1, *a]\nname: t\n"))


def test_alias_nesting_counts_toward_the_depth(tmp_path, each_parser):
    # Each anchor is 40 deep; the alias puts a 40-deep value 41 levels down: 81 > 64.
    inner = "[" * 40 + "]" * 40
    text = f"a: &a {inner}\nb: {'[' * 40}*a{']' * 40}\n"
    with pytest.raises(
        SpecError, match=f"nested deeper than {MAX_SPEC_DEPTH} levels once aliases are expanded"
    ):
        load_spec(write(tmp_path, "deep-alias.yaml", text))


def test_anchors_and_merge_keys_still_repeat_blocks(tmp_path, each_parser):
    text = HEAD + (
        "  - &base {kind: conv, name: c, kernel: 3, stride: 2, filters: 4}\n"
        "  - {<<: *base, name: c2, stride: 1}\n"
        "  - {<<: [*base], name: c3}\n"
        "  - {kind: fc, name: f, units: &n 7}\n"
        "  - {kind: fc, name: g, units: *n}\n"
    )
    arch = load_spec(write(tmp_path, "anchors.yaml", text))
    layers = [(item.name, item.stride) for item in arch.layers[:3]]
    assert layers == [("c", 2), ("c2", 1), ("c3", 2)]
    assert {item.filters for item in arch.layers[:3]} == {4}
    assert [item.units for item in arch.layers[3:]] == [7, 7]


def test_long_field_name_and_kind_are_cut_short(tmp_path):
    field = "z" * 1000  # YAML caps a simple key at 1024 characters
    message = error_line(
        write(tmp_path, "field.yaml", HEAD + f"  - {{kind: dw, name: d, {field}: 1}}\n")
    )
    assert "layers[0].zzzz" in message and "unknown field" in message
    assert "z" * 100 not in message and "…" in message
    kind = "q" * 5000
    message = error_line(write(tmp_path, "kind.yaml", HEAD + f"  - {{kind: {kind}, name: d}}\n"))
    assert "layers[0].kind: unknown layer kind 'qqq" in message and "q" * 100 not in message
    assert "'conv', 'dw', 'pw', 'avgpool', 'maxpool', 'fc', 'softmax'" in message


def test_a_list_as_kind_is_not_rendered(tmp_path):
    message = error_line(write(tmp_path, "k.yaml", HEAD + "  - {kind: [a, b, c], name: d}\n"))
    assert "layers[0].kind: unknown layer kind a list" in message and "'a'" not in message


def test_control_characters_in_a_field_name_are_escaped(tmp_path):
    message = error_line(
        write(tmp_path, "esc.yaml", HEAD + '  - {kind: dw, name: d, "x\\e[2J": 1}\n')
    )
    assert "\x1b" not in message and "layers[0].x\\x1b[2J: unknown field" in message


# --- 6: only regular files, at most MAX_SPEC_BYTES --------------------------------------


@contextmanager
def fifo_with_a_writer(path: Path) -> Iterator[None]:
    """A FIFO with a writer waiting, so a loader that opened it would still not hang."""
    os.mkfifo(path)

    def feed() -> None:
        with open(path, "wb") as pipe:  # blocks until a reader opens the FIFO
            pipe.write(HEAD.encode() + CONV.encode())

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        yield
    finally:
        reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # releases a still-waiting writer
        writer.join(5)
        os.close(reader)


def test_a_fifo_is_refused_without_reading_it(tmp_path):
    fifo = tmp_path / "spec.yaml"
    with fifo_with_a_writer(fifo):
        message = error_line(fifo)
    assert "spec file '" in message and "is a FIFO (named pipe), not a regular file" in message


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(SpecError, match="is a directory"):
        load_spec(tmp_path)


@pytest.mark.parametrize("size", [MAX_SPEC_BYTES + 1, 11 * 1024 * 1024])
def test_a_file_over_the_limit_is_refused_by_its_size(tmp_path, size):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as sparse:
        sparse.truncate(size)  # sparse: no 11 MiB written to disk
    message = error_line(big)
    assert "is larger than 10 MiB" in message


def test_reading_is_capped_even_if_the_size_lies(tmp_path, monkeypatch):
    # /proc files say st_size 0; the read itself must stop at MAX_SPEC_BYTES + 1.
    big = tmp_path / "big.yaml"
    with open(big, "wb") as sparse:
        sparse.truncate(MAX_SPEC_BYTES + 5)
    real_fstat = os.fstat

    class Lying:
        def __init__(self, info: os.stat_result) -> None:
            self.st_mode, self.st_size = info.st_mode, 0

    monkeypatch.setattr(os, "fstat", lambda fd: Lying(real_fstat(fd)))
    with pytest.raises(SpecError, match="larger than 10 MiB"):
        load_spec(big)


# --- 8: fast parsing and bounded nesting ------------------------------------------------


def test_the_c_parser_is_used_when_pyyaml_has_it():
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML was built without libyaml")
    assert safe_yaml._LOADER is yaml.CSafeLoader


@pytest.mark.parametrize(
    "name,text",
    [
        ("flow.yaml", "name: t\nlayers: " + "[" * 3000 + "]" * 3000 + "\n"),
        ("block.yaml", "".join(" " * i + "-\n" for i in range(3000))),
        ("deep.json", '{"name": "t", "layers": ' + "[" * 3000 + "]" * 3000 + "}"),
        ("deep-objects.json", '{"a": ' * 3000 + "1" + "}" * 3000),
    ],
)
def test_deep_nesting_is_one_line_not_a_recursion_error(tmp_path, name, text):
    message = error_line(write(tmp_path, name, text))
    assert f"nested deeper than {MAX_SPEC_DEPTH} levels" in message


_DEEP_FLOW = "name: t\nlayers: " + "[" * 3000 + "]" * 3000 + "\n"
_DEEP_BLOCK = "".join(" " * i + "-\n" for i in range(3000))


@pytest.mark.parametrize("text", [_DEEP_FLOW, _DEEP_BLOCK], ids=["flow", "block"])
@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
def test_deep_nesting_says_the_same_whichever_parser_reads_it(monkeypatch, loader, text):
    # libyaml 0.2.5+ (PyYAML 6.0.4's wheels) refuses 1,000 levels in its own scanner,
    # before mncost sees an event; PyYAML's pure-Python parser does not. The user reads
    # mncost's limit either way.
    if not hasattr(yaml, loader):
        pytest.skip(f"PyYAML here has no {loader} (built without libyaml)")
    monkeypatch.setattr(safe_yaml, "_LOADER", getattr(yaml, loader))
    with pytest.raises(safe_yaml.YamlSpecError) as caught:
        safe_yaml.load_yaml(text)
    assert str(caught.value).endswith(f"nested deeper than {MAX_SPEC_DEPTH} levels")
    assert str(caught.value).startswith("line ")


def test_a_parser_that_refuses_nesting_itself_is_reported_in_mncosts_words(monkeypatch):
    # Whatever depth a future parser stops at, and however it words it: the refusal
    # names mncost's limit, with the parser's line.
    mark = yaml.Mark("<unicode string>", 0, 1, 1002, None, None)

    def refuses(text, Loader):  # noqa: N803 - yaml.parse's own keyword
        raise yaml.scanner.ScannerError(
            "while increasing flow level", mark, "exceeded maximum nesting depth", mark
        )
        yield  # pragma: no cover - a generator, as yaml.parse is

    monkeypatch.setattr(safe_yaml.yaml, "parse", refuses)
    with pytest.raises(safe_yaml.YamlSpecError) as caught:
        safe_yaml.load_yaml("a: [[[]]]")
    assert str(caught.value) == f"line 2: nested deeper than {MAX_SPEC_DEPTH} levels"


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_nesting_up_to_the_limit_parses(tmp_path, suffix):
    # The top-level mapping is level 1, so k brackets in a field reach level 1 + k.
    def spec(k: int) -> str:
        return json.dumps(
            {
                "name": "t",
                "description": "x",
                "layers": [{"kind": "dw", "name": "d"}],
                "input_channels": json.loads("[" * k + "]" * k),
            }
        )

    at_limit = write(tmp_path, "ok" + suffix, spec(MAX_SPEC_DEPTH - 1))
    with pytest.raises(
        SpecError, match=r"input_channels: Input should be a valid integer, got a list"
    ):
        load_spec(at_limit)
    over = write(tmp_path, "over" + suffix, spec(MAX_SPEC_DEPTH))
    with pytest.raises(SpecError, match="nested deeper than"):
        load_spec(over)


def test_json_brackets_inside_strings_do_not_count(tmp_path):
    text = json.dumps(
        {
            "name": "t",
            "description": "[" * 500 + '\\"{' * 100,
            "layers": [{"kind": "dw", "name": "d"}],
        }
    )
    assert load_spec(write(tmp_path, "s.json", text)).description.startswith("[[[")


# --- 10: long numbers and upper bounds --------------------------------------------------


@pytest.mark.parametrize(
    "name,text",
    [
        ("n.yaml", HEAD + "  - {kind: conv, name: c, kernel: 3, filters: " + "7" * 5000 + "}\n"),
        (
            "n.json",
            '{"name": "t", "layers": [{"kind": "pw", "name": "p", "filters": ' + "7" * 5000 + "}]}",
        ),
        (
            "f.json",
            '{"name": "t", "layers": [{"kind": "pw", "name": "p", "filters": 1.'
            + "7" * 5000
            + "}]}",
        ),
    ],
)
def test_a_5000_digit_number_is_refused_before_conversion(tmp_path, name, text):
    message = error_line(write(tmp_path, name, text))
    assert f"is longer than {MAX_NUMBER_CHARS} characters" in message
    assert "7" * 100 not in message


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_number_length_boundary(tmp_path, suffix):
    def spec(digits: int) -> str:
        return json.dumps(
            {"name": "t", "layers": [{"kind": "pw", "name": "p", "filters": 0}]}
        ).replace('"filters": 0', '"filters": 1' + "0" * (digits - 1))

    with pytest.raises(SpecError, match="less than or equal to"):  # parsed, then bounded
        load_spec(write(tmp_path, "ok" + suffix, spec(MAX_NUMBER_CHARS)))
    with pytest.raises(SpecError, match="longer than"):
        load_spec(write(tmp_path, "long" + suffix, spec(MAX_NUMBER_CHARS + 1)))


def _layers_with(layer: dict) -> dict:
    return {"name": "t", "resolution": 8, "classes": 2, "layers": [layer]}


@pytest.mark.parametrize(
    "data,field,limit",
    [
        (
            _layers_with({"kind": "conv", "name": "c", "kernel": 3, "filters": MAX_CHANNELS + 1}),
            "layers[0].filters",
            MAX_CHANNELS,
        ),
        (
            _layers_with({"kind": "pw", "name": "p", "filters": MAX_CHANNELS + 1}),
            "layers[0].filters",
            MAX_CHANNELS,
        ),
        (
            _layers_with({"kind": "fc", "name": "f", "units": MAX_CHANNELS + 1}),
            "layers[0].units",
            MAX_CHANNELS,
        ),
        (
            _layers_with({"kind": "conv", "name": "c", "kernel": MAX_KERNEL + 1, "filters": 4}),
            "layers[0].kernel",
            MAX_KERNEL,
        ),
        (
            _layers_with({"kind": "dw", "name": "d", "stride": MAX_KERNEL + 1}),
            "layers[0].stride",
            MAX_KERNEL,
        ),
        (
            _layers_with({"kind": "avgpool", "name": "a", "size": MAX_KERNEL + 1}),
            "layers[0].size",
            MAX_KERNEL,
        ),
        (
            {**_layers_with({"kind": "dw", "name": "d"}), "input_channels": MAX_CHANNELS + 1},
            "input_channels",
            MAX_CHANNELS,
        ),
        (
            {**_layers_with({"kind": "dw", "name": "d"}), "resolution": MAX_RESOLUTION + 1},
            "resolution",
            MAX_RESOLUTION,
        ),
        (
            {**_layers_with({"kind": "dw", "name": "d"}), "classes": MAX_CLASSES + 1},
            "classes",
            MAX_CLASSES,
        ),
    ],
)
def test_integer_fields_have_upper_bounds(tmp_path, data, field, limit):
    message = error_line(write(tmp_path, "big.json", json.dumps(data)))
    assert f"{field}: Input should be " in message
    # A field that also takes [height, width] (a kernel, a stride) says so after the bound.
    assert f"less than or equal to {limit}" in message
    assert message.rstrip().endswith(f"got the number {limit + 1}")


def test_the_bounds_themselves_are_accepted():
    data = {
        **_layers_with(
            {
                "kind": "conv",
                "name": "c",
                "kernel": MAX_KERNEL,
                "stride": MAX_KERNEL,
                "filters": MAX_CHANNELS,
            }
        ),
        "resolution": MAX_RESOLUTION,
        "classes": MAX_CLASSES,
        "input_channels": MAX_CHANNELS,
    }
    arch = parse_spec(data)
    assert (arch.resolution, arch.classes, arch.layers[0].filters) == (
        MAX_RESOLUTION,
        MAX_CLASSES,
        MAX_CHANNELS,
    )


def test_schema_states_the_maxima():
    schema = architecture_schema()
    props, defs = schema["properties"], schema["$defs"]
    # resolution: one side, or [height, width]: the bound is on both forms.
    side, pair = props["resolution"]["anyOf"]
    assert side["maximum"] == MAX_RESOLUTION
    assert all(item["maximum"] == MAX_RESOLUTION for item in pair["prefixItems"])
    assert props["classes"]["maximum"] == MAX_CLASSES
    assert props["input_channels"]["maximum"] == MAX_CHANNELS
    # kernel and stride take one number or [height, width]: the bound is on both forms.
    for field in ("kernel", "stride"):
        forms = defs["Conv"]["properties"][field]["anyOf"]
        assert {"type": "integer", "exclusiveMinimum": 0, "maximum": MAX_KERNEL} in forms
        assert next(f for f in forms if f["type"] == "array")["items"]["maximum"] == MAX_KERNEL
    assert {"type": "integer", "exclusiveMinimum": 0, "maximum": MAX_CHANNELS} in defs[
        "PointwiseConv"
    ]["properties"]["filters"]["anyOf"]
    assert {"type": "integer", "exclusiveMinimum": 0, "maximum": MAX_CHANNELS} in defs[
        "FullyConnected"
    ]["properties"]["units"]["anyOf"]


def test_schema_command_shows_a_maximum():
    result = run_cli("schema")
    assert result.exit_code == 0
    side = json.loads(result.stdout)["properties"]["resolution"]["anyOf"][0]
    assert side["maximum"] == MAX_RESOLUTION


# --- 19: YAML 1.2 scalars and strict types ----------------------------------------------


@pytest.mark.parametrize(
    "layer,facts",
    [
        (
            "{kind: conv, name: c, kernel: 3, filters: 010}",
            ["line 5", "'010'", "leading zero", "octal"],
        ),
        (
            "{kind: conv, name: c, kernel: 3, filters: 1:04}",
            ["layers[0].filters", "valid integer", "'1:04'"],
        ),
        (
            "{kind: conv, name: c, kernel: true, filters: 4}",
            ["layers[0].kernel", "valid integer", "boolean true"],
        ),
        (
            '{kind: conv, name: c, kernel: "3", filters: 4}',
            ["layers[0].kernel", "valid integer", "the text '3'"],
        ),
        (
            "{kind: conv, name: c, kernel: 3.0, filters: 4}",
            ["layers[0].kernel", "valid integer", "3.0"],
        ),
        (
            '{kind: conv, name: c, kernel: 3, filters: 4, batch_norm: "no"}',
            ["layers[0].batch_norm", "valid boolean", "'no'"],
        ),
        (
            "{kind: conv, name: c, kernel: 3, filters: 4, batch_norm: no}",
            ["layers[0].batch_norm", "valid boolean", "'no'"],
        ),
        (
            "{kind: conv, name: c, kernel: 3, filters: 4, batch_norm: off}",
            ["layers[0].batch_norm", "valid boolean", "'off'"],
        ),
        (
            "{kind: avgpool, name: p, size: 2.5}",
            ["layers[0].size", "'global' or a valid integer", "2.5"],
        ),
    ],
)
def test_yaml_1_1_and_lax_values_are_refused(tmp_path, layer, facts):
    message = error_line(write(tmp_path, "v.yaml", HEAD + f"  - {layer}\n"))
    for fact in facts:
        assert fact in message


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "t", "layers": [{"kind": "conv", "name": "c", "kernel": true, "filters": 4}]}',
        '{"name": "t", "layers": [{"kind": "conv", "name": "c", "kernel": "3", "filters": 4}]}',
        '{"name": "t", "layers": [{"kind": "conv", "name": "c", "kernel": 3.0, "filters": 4}]}',
    ],
)
def test_json_types_are_strict_too(tmp_path, text):
    assert "layers[0].kernel: Input should be a valid integer" in error_line(
        write(tmp_path, "s.json", text)
    )


def test_yaml_1_2_numbers_and_booleans(tmp_path, each_parser):
    text = (
        "name: t\nresolution: 0x20\nclasses: 0o12\ninput_channels: +3\nlayers:\n"
        "  - {kind: conv, name: c, kernel: 3, filters: 4, batch_norm: FALSE}\n"
        "  - {kind: dw, name: 'yes', batch_norm: True}\n"
        "  - {kind: pw, name: on, filters: 0}\n"
    )
    with pytest.raises(SpecError, match=r"layers\[2\].filters: Input should be greater than 0"):
        load_spec(write(tmp_path, "bad.yaml", text))
    arch = load_spec(write(tmp_path, "ok.yaml", text.replace("filters: 0}", "filters: 8}")))
    assert (arch.resolution, arch.classes, arch.input_channels) == (32, 10, 3)
    assert [item.batch_norm for item in arch.layers] == [False, True, True]
    assert [item.name for item in arch.layers] == ["c", "yes", "on"]  # yes/on are text in YAML 1.2


def test_resolve_plain_follows_the_core_schema():
    cases = {
        "0": 0,
        "-12": -12,
        "0o17": 15,
        "0x1F": 31,
        "1.5": 1.5,
        "1e3": 1000.0,
        "null": None,
        "~": None,
        "": None,
        "true": True,
        "False": False,
        "yes": "yes",
        "No": "No",
        "on": "on",
        "1:04": "1:04",
        "1_000": "1_000",
        "0b11": "0b11",
        "3x3": "3x3",
    }
    for text, value in cases.items():
        resolved = safe_yaml.resolve_plain(text)
        assert resolved == value and type(resolved) is type(value), text
    assert safe_yaml.resolve_plain("-.inf") == float("-inf")


def test_nested_layer_dicts_validate_under_strict_mode():
    arch = parse_spec(
        {
            "name": "t",
            "resolution": 8,
            "classes": 2,
            "layers": [
                {"kind": "conv", "name": "c", "kernel": 3, "filters": 4},
                {"kind": "avgpool", "name": "p", "size": "global"},
                {"kind": "fc", "name": "f", "units": None},
            ],
        }
    )
    assert [type(item).__name__ for item in arch.layers] == ["Conv", "AvgPool", "FullyConnected"]


# --- 20: duplicate keys -----------------------------------------------------------------


def test_duplicate_top_level_yaml_key_names_key_and_line(tmp_path, each_parser):
    message = str(
        pytest.raises(
            SpecError, load_spec, write(tmp_path, "d.yaml", HEAD + CONV + "name: u\n")
        ).value
    )
    assert "line 6: duplicate key 'name' (first given at line 1)" in message


def test_duplicate_key_in_a_layer_is_refused(tmp_path):
    text = HEAD + "  - kind: conv\n    name: c\n    kernel: 3\n    kernel: 5\n    filters: 4\n"
    assert "line 8: duplicate key 'kernel' (first given at line 7)" in error_line(
        write(tmp_path, "d.yaml", text)
    )


def test_quoted_and_plain_spellings_of_a_key_are_the_same_key(tmp_path):
    assert "duplicate key 'name'" in error_line(
        write(tmp_path, "d.yaml", HEAD + CONV + '"name": u\n')
    )


def test_duplicate_json_key_is_refused(tmp_path):
    text = '{"name": "t", "layers": [{"kind": "dw", "name": "d", "stride": 1, "stride": 2}]}'
    assert "duplicate key 'stride'" in error_line(write(tmp_path, "d.json", text))


# --- 21: byte-order marks and encodings -------------------------------------------------


@pytest.mark.parametrize(
    "name,text",
    [
        ("bom.json", '{"name": "bom", "layers": [{"kind": "dw", "name": "d"}]}'),
        ("bom.yaml", "name: bom\nlayers:\n  - {kind: dw, name: d}\n"),
    ],
)
def test_a_leading_byte_order_mark_is_accepted(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_spec(path).name == "bom"
    assert run_cli("table", "--spec", str(path)).exit_code == 0


@pytest.mark.parametrize("name", ["latin1.yaml", "latin1.json"])
def test_a_file_that_is_not_utf8_is_one_clear_line(tmp_path, name):
    path = tmp_path / name
    path.write_bytes('{"name": "café", "layers": [{"kind": "dw", "name": "d"}]}'.encode("latin-1"))
    message = error_line(path)
    assert "not UTF-8 text (byte 0xe9 at offset 13)" in message


# --- 16: control characters in names ----------------------------------------------------


@pytest.mark.parametrize(
    "name,text,expected",
    [
        (
            "layer.yaml",
            HEAD + '  - {kind: conv, name: "c\\e]0;pwned\\a", kernel: 3, filters: 4}\n',
            "layers[0].name: control character '\\x1b' not allowed in a name",
        ),
        (
            "arch.json",
            '{"name": "t\\u0007", "layers": [{"kind": "dw", "name": "d"}]}',
            "name: control character '\\x07' not allowed in a name",
        ),
        (
            "desc.json",
            '{"name": "t", "description": "two\\nlines", "layers": [{"kind": "dw", "name": "d"}]}',
            "description: control character '\\x0a' not allowed in the description",
        ),
        (
            "bidi.yaml",
            HEAD + CONV + '  - {kind: dw, name: "x\\u202ey"}\n',
            "layers[1].name: format character '\\u202e' not allowed in a name",
        ),
        (  # invisible: "d\u200b1" would show as "d1", a second layer that looks the same
            "zwsp.yaml",
            HEAD + CONV + '  - {kind: dw, name: "d\\u200b1"}\n',
            "layers[1].name: format character '\\u200b' not allowed in a name",
        ),
        (
            "shy.json",
            '{"name": "mobile\\u00adnet", "layers": [{"kind": "dw", "name": "d"}]}',
            "name: format character '\\xad' not allowed in a name",
        ),
        (
            "tag.json",
            '{"name": "t", "layers": [{"kind": "dw", "name": "d\\udb40\\udc01"}]}',
            "layers[0].name: format character '\\U000e0001' not allowed in a name",
        ),
    ],
)
def test_control_characters_in_names_are_refused(tmp_path, name, text, expected):
    message = error_line(write(tmp_path, name, text))
    assert expected in message
    assert not any(c in message for c in "\x1b\x07\u202e\u200b\xad\U000e0001")


def test_duplicate_layer_name_has_no_pydantic_wording(tmp_path):
    text = HEAD + "  - {kind: dw, name: x}\n  - {kind: dw, name: x}\n"
    message = error_line(write(tmp_path, "dup.yaml", text))
    assert message.rstrip("\n").endswith(": layers[1].name: duplicate layer name 'x'")
    assert "Value error" not in message and "(top level)" not in message


# --- other hostile YAML -----------------------------------------------------------------


def test_python_tags_are_refused(tmp_path, each_parser):
    with pytest.raises(SpecError, match="YAML tag .* is not supported"):
        load_spec(write(tmp_path, "tag.yaml", "name: !!python/object/apply:os.system [echo]\n"))


def test_more_than_one_document_is_refused(tmp_path):
    assert "more than one YAML document" in error_line(
        write(tmp_path, "two.yaml", HEAD + CONV + "---\nname: u\n")
    )


def test_examples_still_load_identically_with_both_parsers(each_parser):
    examples = Path(__file__).resolve().parent.parent / "examples"
    assert (
        load_spec(examples / "mobilenet-v1.yaml").layers == mncost.get_model("mobilenet-v1").layers
    )
    assert load_spec(examples / "tiny-cifar.yaml").resolution == 32


def test_json_specs_do_not_import_yaml(tmp_path):
    spec = write(tmp_path, "s.json", '{"name": "t", "layers": [{"kind": "dw", "name": "d"}]}')
    code = (
        "import sys; from mncost.arch.load import load_spec; "
        f"load_spec({str(spec)!r}); print('yaml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
