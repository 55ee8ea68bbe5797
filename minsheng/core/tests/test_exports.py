"""The one Excel and the one CSV writer: formula payloads are written as text, control characters removed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from minsheng.core.exports import csv_bytes, safe_value, write_csv, write_xlsx, xlsx
from minsheng.core.text import has_control, strip_control

PAYLOADS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]
CONTROLS = "".join(chr(c) for c in range(0x20) if c not in (9, 10, 13)) + "\x7f\x85"


@pytest.mark.parametrize(("value", "written"), [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"),
    ("\x0b=1+1", "'=1+1"),  # the control character goes first, then the check
    ("关于\x0b加装电梯", "关于加装电梯"), ("一\n二\t三\r", "一\n二\t三\r"),
    ("a=b", "a=b"), ("", ""),
    (-3, -3), (2.5, 2.5), (None, None), (dt.date(2026, 1, 2), dt.date(2026, 1, 2)),
    (dt.datetime(2026, 1, 1, 16, 0, tzinfo=dt.UTC), dt.datetime(2026, 1, 2, 0, 0)),
])
def test_safe_value(value, written):
    assert safe_value(value) == written


def test_strip_control():
    assert strip_control("a\x00b\x0bc\x1fd\x7fe\x85f") == "abcdef"
    assert strip_control("一\t二\n三\r四") == "一二三四"
    assert strip_control("一\t二\n三\r四\x0c", multiline=True) == "一\t二\n三\r四"
    assert strip_control("全角　空格 and ‘quotes’") == "全角　空格 and ‘quotes’"
    assert has_control("a\x0bb") and not has_control("a\nb", multiline=True) and has_control("a\nb")


def test_strip_control_removes_everything_openpyxl_refuses():
    every = "".join(chr(c) for c in range(0x100))
    assert ILLEGAL_CHARACTERS_RE.search(strip_control(every, multiline=True)) is None


def _values(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("streaming", [False, True])
def test_xlsx_writes_payloads_as_text_and_numbers_as_numbers(streaming):
    rows = [[p, -3, 1.5] for p in PAYLOADS] + [[f"标题{CONTROLS}尾", None, dt.date(2026, 1, 2)]]
    content = xlsx([("sheet", ["=header", "n", "x"], rows), ("two", ["a"], [["@x"]])], streaming=streaming)

    workbook = load_workbook(io.BytesIO(content))
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = _values(workbook["sheet"])
    assert values[0] == ["'=header", "n", "x"]
    assert [r[0] for r in values[1:-1]] == ["'" + p for p in PAYLOADS]
    assert {r[1] for r in values[1:-1]} == {-3}
    assert all(c.data_type == "n" for c in workbook["sheet"]["B"][1:-1])
    assert values[-1][0] == "标题尾"
    assert _values(workbook["two"]) == [["a"], ["'@x"]]
    assert workbook["sheet"]["A1"].font.b is True


def test_xlsx_to_a_path_and_a_sheet_title_openpyxl_would_refuse(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, [("2025-11 a/b:c?\x0b", ["h"], [["=1"]])], streaming=True)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["2025-11 a_b_c_"]
    assert workbook.active["A2"].value == "'=1" and workbook.active["A2"].data_type == "s"


def test_csv_writes_payloads_as_text_and_removes_control_characters(tmp_path):
    rows = [[p, -3] for p in PAYLOADS] + [[f"一{CONTROLS}二\n三\t四", 0]]
    content = csv_bytes(["=header", "n"], rows)
    assert content.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert read[0] == ["'=header", "n"]
    assert read[1:-1] == [["'" + p, "-3"] for p in PAYLOADS]
    assert read[-1] == ["一二\n三\t四", "0"]

    path = tmp_path / "out.csv"
    write_csv(path, ["h"], [["@SUM(A1)"], [-3]])
    assert path.read_bytes() == b"\xef\xbb\xbfh\r\n'@SUM(A1)\r\n-3\r\n"


def test_lazy_strings_and_beijing_time():
    from django.utils.functional import lazy

    header = lazy(str, str)("A lazy header")  # as gettext_lazy gives; not marked, so not in the catalogue
    content = xlsx([("s", [header], [[dt.datetime(2026, 1, 1, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))]])])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "A lazy header"
    assert sheet["A2"].value == dt.datetime(2026, 1, 1, 23, 30)
