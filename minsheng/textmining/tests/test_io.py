import os
import stat
from pathlib import Path

import pytest

from minsheng.textmining.io import (
    TextMiningError,
    atomic_directory,
    atomic_path,
    check_output,
    make_room,
    read_csv,
    write_csv,
)
from minsheng.textmining.tests.conftest import write_rows

ROWS = [{"text": "路灯坏了", "label": "城乡建设"}, {"text": "", "label": "交通运输"}]


@pytest.mark.parametrize(("encoding", "found"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")])
def test_encodings_are_detected_and_converted(tmp_path, encoding, found):
    table = read_csv(write_rows(tmp_path / "in.csv", ROWS, encoding=encoding), required=["text"])
    assert table.encoding == found
    assert table.columns == ["text", "label"]
    assert table.column("text") == ["路灯坏了", ""]


def test_missing_columns_are_all_named(tmp_path):
    path = write_rows(tmp_path / "in.csv", ROWS)
    with pytest.raises(TextMiningError, match="missing columns message_id, subject"):
        read_csv(path, required=["text", "message_id", "subject"])


def test_missing_file_and_empty_file_are_clear_errors(tmp_path):
    with pytest.raises(TextMiningError, match="no such file"):
        read_csv(tmp_path / "absent.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(TextMiningError, match="empty"):
        read_csv(tmp_path / "empty.csv")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x00\x01\x02text", "binary content, not CSV text (UTF-16 needs a byte-order mark)"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive (an Excel .xlsx workbook?), not CSV text; save it as CSV"),
        (b"\x1f\x8b\x08\x00\x00\x00", "gzip-compressed, not CSV text; decompress it first"),
    ],
)
def test_files_that_are_not_text_are_refused_with_what_they_are(tmp_path, content, reason):
    (tmp_path / "x.csv").write_bytes(content)
    with pytest.raises(TextMiningError) as caught:
        read_csv(tmp_path / "x.csv")
    assert caught.value.message == f"{tmp_path / 'x.csv'}: {reason}"


def test_utf16_with_a_byte_order_mark_is_read(tmp_path):
    (tmp_path / "in.csv").write_text("text,label\n路灯坏了,城乡建设\n", encoding="utf-16")
    table = read_csv(tmp_path / "in.csv", required=["text"])
    assert (table.encoding, table.column("text"), table.column("label")) == ("utf-16", ["路灯坏了"], ["城乡建设"])


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be"])
def test_utf32_with_a_byte_order_mark_is_read(tmp_path, encoding):
    raw = "text,label\n路灯坏了,城乡建设\n".encode(encoding)
    (tmp_path / "in.csv").write_bytes(raw if encoding == "utf-32" else b"\x00\x00\xfe\xff" + raw)
    table = read_csv(tmp_path / "in.csv", required=["text"])
    assert (table.encoding, table.column("text"), table.column("label")) == ("utf-32", ["路灯坏了"], ["城乡建设"])


def test_a_damaged_gbk_file_names_the_line(tmp_path):
    lines = ["text,label", "小区路灯坏了请尽快修理,城乡建设", "公交线路撤销后居民出行不便,交通运输"]
    raw = "\n".join(lines).encode("gbk") + b"\n"
    cut = raw.index("公交".encode("gbk"))
    (tmp_path / "in.csv").write_bytes(raw[:cut] + b"\xff" + raw[cut:])
    with pytest.raises(TextMiningError) as caught:
        read_csv(tmp_path / "in.csv")
    assert caught.value.message == (
        f"{tmp_path / 'in.csv'}: line 3: not valid GBK/GB18030 (byte 0xff at offset {cut}); "
        "fix that line or save the file as UTF-8 again"
    )


def test_the_euro_sign_of_windows_code_page_936_is_read(tmp_path):
    # Excel on Chinese Windows saves "CSV" in code page 936, where € is the single byte 0x80.
    raw = "text,label\n门票价格50".encode("gbk") + b"\x80" + "，比去年贵了,商贸旅游\n".encode("gbk")
    (tmp_path / "in.csv").write_bytes(raw)
    table = read_csv(tmp_path / "in.csv", required=["text"])
    assert (table.encoding, table.column("text"), table.column("label")) == (
        "cp936",
        ["门票价格50€，比去年贵了"],
        ["商贸旅游"],
    )


def test_a_gbk_file_with_0x80_and_another_bad_byte_is_still_refused(tmp_path):
    raw = "text\n门票价格50".encode("gbk") + b"\x80" + "，比去年贵了\n小区路灯坏了".encode("gbk") + b"\xff"
    raw += "请尽快修理\n".encode("gbk")
    (tmp_path / "in.csv").write_bytes(raw)
    with pytest.raises(TextMiningError) as caught:
        read_csv(tmp_path / "in.csv")
    assert caught.value.message == (  # the byte named is the one that is wrong in code page 936 too
        f"{tmp_path / 'in.csv'}: line 3: not valid GBK/GB18030 (byte 0xff at offset {raw.index(b'\xff')}); "
        "fix that line or save the file as UTF-8 again"
    )


def test_big5_is_told_from_gbk(tmp_path):
    rows = [{"text": "學校門口的路燈壞了很久，晚上學生回家非常危險，請儘快維修", "label": "城鄉建設"}] * 5
    table = read_csv(write_rows(tmp_path / "in.csv", rows, encoding="big5"))
    assert (table.encoding, table.column("label")[0]) == ("big5", "城鄉建設")
    table = read_csv(write_rows(tmp_path / "gbk.csv", rows, encoding="gbk"))
    assert (table.encoding, table.column("label")[0]) == ("gb18030", "城鄉建設")


def test_a_damaged_utf8_file_names_the_line(tmp_path):
    good = "text\n" + "小区门口的路灯坏了\n" * 5
    (tmp_path / "in.csv").write_bytes(good.encode() + "第七行".encode("gbk") + b"\n")
    with pytest.raises(TextMiningError) as caught:
        read_csv(tmp_path / "in.csv")
    offset = len(good.encode())
    assert caught.value.message == (
        f"{tmp_path / 'in.csv'}: line 7: not valid UTF-8 (byte 0xb5 at offset {offset}); "
        "fix that line or save the file as UTF-8 again"
    )


def test_column_names_match_without_case_or_spaces_and_must_be_unique(tmp_path):
    (tmp_path / "in.csv").write_text(" Text ,LABEL,名称\n路灯坏了,城乡建设,甲\n", encoding="utf-8")
    table = read_csv(tmp_path / "in.csv", required=["text", "Label"])
    assert table.columns == ["text", "label", "名称"]
    assert table.column("label") == ["城乡建设"]
    (tmp_path / "dup.csv").write_text("text,label,Text\na,b,c\n", encoding="utf-8")
    with pytest.raises(TextMiningError, match="the header names text more than once"):
        read_csv(tmp_path / "dup.csv")


def test_unnamed_columns_are_named_by_their_position_and_keep_their_cells(tmp_path):
    (tmp_path / "in.csv").write_text(",text,,\n0,路灯坏了,a,b\n1,噪音,,\n", encoding="utf-8")
    table = read_csv(tmp_path / "in.csv")
    assert table.columns == ["unnamed_1", "text", "unnamed_3", "unnamed_4"]
    assert table.rows == [
        {"unnamed_1": "0", "text": "路灯坏了", "unnamed_3": "a", "unnamed_4": "b"},
        {"unnamed_1": "1", "text": "噪音", "unnamed_3": "", "unnamed_4": ""},
    ]


def test_a_row_with_cells_beyond_the_header_is_refused_unless_they_are_empty(tmp_path):
    (tmp_path / "ok.csv").write_text("text,label\n路灯坏了,城建,,\n噪音,环保, \n", encoding="utf-8")
    assert read_csv(tmp_path / "ok.csv").rows == [
        {"text": "路灯坏了", "label": "城建"},
        {"text": "噪音", "label": "环保"},
    ]
    (tmp_path / "bad.csv").write_text("text,label\n路灯坏了,城建\n噪音,扰民,环保\n", encoding="utf-8")
    message = (
        f"{tmp_path / 'bad.csv'}: row 3 has 3 cells but the header names 2 columns (the first cell "
        "beyond them: '环保'); a comma inside a cell needs the cell in double quotes"
    )
    with pytest.raises(TextMiningError) as caught:
        read_csv(tmp_path / "bad.csv")
    assert caught.value.message == message


def test_blank_rows_keep_their_place_and_blank_lines_at_the_end_are_dropped(tmp_path):
    (tmp_path / "in.csv").write_text('text,label\n只有文本\n\n,\n"",x\n末行,\n\n,\n', encoding="utf-8")
    assert read_csv(tmp_path / "in.csv").column("text") == ["只有文本", "", "", "", "末行"]


def test_an_output_may_not_be_an_input_or_a_directory(tmp_path):
    data = write_rows(tmp_path / "in.csv", ROWS)
    with pytest.raises(TextMiningError, match="is also an input; write the output to another file"):
        check_output(tmp_path / "." / "in.csv", [data])
    with pytest.raises(TextMiningError, match="is a directory; give a file name for the output"):
        check_output(tmp_path, [data])
    assert check_output(tmp_path / "out.csv", [data]) == tmp_path / "out.csv"


def test_write_is_atomic_and_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.csv"

    def rows():
        yield {"a": 1}
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_csv(target, ["a"], rows())
    assert list(tmp_path.iterdir()) == []
    write_csv(target, ["a"], [{"a": "甲"}])
    assert target.read_bytes() == "a\r\n甲\r\n".encode()


def test_outputs_get_the_usual_permissions(tmp_path):
    previous = os.umask(0o022)
    try:
        write_csv(tmp_path / "out.csv", ["a"], [{"a": 1}])
        with atomic_directory(tmp_path / "model") as staging:
            (staging / "model.json").write_text("{}", encoding="utf-8")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "model").stat().st_mode) == 0o755


def test_atomic_directory_replaces_only_a_model_and_never_loses_it(tmp_path):
    model = tmp_path / "a" / "b" / "model"
    with atomic_directory(model) as staging:
        (staging / "model.json").write_text("first", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_directory(model) as staging:
        (staging / "model.json").write_text("second", encoding="utf-8")
        raise RuntimeError("training failed")
    assert [p.name for p in model.parent.iterdir()] == ["model"]
    assert (model / "model.json").read_text(encoding="utf-8") == "first"
    with pytest.raises(RuntimeError), atomic_directory(tmp_path / "new" / "deeper" / "model"):
        raise RuntimeError("training failed")
    assert not (tmp_path / "new").exists()
    (model / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(TextMiningError, match=r"exists and holds files that are not a model \(notes.txt\)"):
        with atomic_directory(model):
            pass
    with pytest.raises(TextMiningError, match="holds the input"):
        with atomic_directory(tmp_path / "a", [model / "notes.txt"]):
            pass
    assert sorted(p.name for p in model.iterdir()) == ["model.json", "notes.txt"]


def test_atomic_path_needs_an_existing_directory(tmp_path):
    with pytest.raises(TextMiningError, match="does not exist"):
        with atomic_path(tmp_path / "no" / "out.csv"):
            pass


def test_a_failed_swap_puts_the_old_model_back(tmp_path, monkeypatch):
    model = tmp_path / "model"
    with atomic_directory(model) as staging:
        (staging / "model.json").write_text("first", encoding="utf-8")
    real_replace = os.replace

    def replace(source, destination):
        new = Path(source) / "model.json"
        if Path(destination) == model and new.exists() and new.read_text(encoding="utf-8") == "second":
            raise OSError(28, "No space left on device")
        real_replace(source, destination)

    monkeypatch.setattr("minsheng.textmining.io.os.replace", replace)
    with pytest.raises(TextMiningError, match="cannot write the model \\(No space left on device\\)"):
        with atomic_directory(model) as staging:
            (staging / "model.json").write_text("second", encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    assert (model / "model.json").read_text(encoding="utf-8") == "first"


def test_make_room_renames_input_columns_that_an_output_would_overwrite(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("label,label_input,text\nA,B,路灯坏了\n", encoding="utf-8")
    table = read_csv(path)
    columns, rows, renames = make_room(table, ["label", "confidence"])
    assert columns == ["label_input2", "label_input", "text", "label", "confidence"]
    assert rows == [{"label_input2": "A", "label_input": "B", "text": "路灯坏了"}]
    assert renames == {"label": "label_input2"}
    rows[0]["label"] = "C"
    assert table.rows == [{"label": "A", "label_input": "B", "text": "路灯坏了"}]  # the input is not touched
    assert make_room(table, ["group"]) == (["label", "label_input", "text", "group"], table.rows, {})


@pytest.mark.parametrize("separator", ["\t", ";"])
def test_tab_and_semicolon_separated_files_are_read(tmp_path, separator):
    (tmp_path / "in.csv").write_text(f"text{separator}label\n路灯坏了, 请修{separator}城建\n", encoding="utf-8")
    table = read_csv(tmp_path / "in.csv", required=["text", "label"])
    assert table.rows == [{"text": "路灯坏了, 请修", "label": "城建"}]


def test_a_one_column_file_whose_name_holds_a_semicolon_is_not_re_split(tmp_path):
    (tmp_path / "in.csv").write_text("备注;说明\n路灯坏了\n", encoding="utf-8")
    assert read_csv(tmp_path / "in.csv").rows == [{"备注;说明": "路灯坏了"}]


def test_ctrl_c_while_swapping_models_leaves_the_old_model(tmp_path, monkeypatch):
    import minsheng.textmining.io as io_module

    target = tmp_path / "model"
    target.mkdir()
    (target / "model.json").write_text("old", encoding="utf-8")
    real_replace, calls = os.replace, []

    def replace(src, dst):
        calls.append(src)
        if len(calls) == 2:  # the new model onto the target, after the old one was moved aside
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(io_module.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        with atomic_directory(target) as staging:
            (staging / "model.json").write_text("new", encoding="utf-8")
    assert len(calls) == 3  # moved aside, interrupted, moved back
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert (target / "model.json").read_text(encoding="utf-8") == "old"


def test_a_header_with_an_unclosed_quote_is_shown_short(tmp_path):
    rows = "".join(f"{i},路灯坏了{i}\n" for i in range(300))
    (tmp_path / "in.csv").write_text(f'id,"text\n{rows}', encoding="utf-8")
    with pytest.raises(TextMiningError) as caught:
        read_csv(tmp_path / "in.csv", required=["text"])
    assert caught.value.message == (
        f"{tmp_path / 'in.csv'}: missing column text (found: id, text\n0,路灯坏了0\n1,路灯坏了1\n2,路灯坏了2\n3…)"
    )
