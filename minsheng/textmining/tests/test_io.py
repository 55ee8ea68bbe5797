import pytest

from minsheng.textmining.io import TextMiningError, atomic_path, read_csv, write_csv
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


def test_binary_file_is_refused(tmp_path):
    (tmp_path / "x.csv").write_bytes(b"\x00\x01\x02text")
    with pytest.raises(TextMiningError, match="not a CSV text file"):
        read_csv(tmp_path / "x.csv")


def test_short_rows_and_blank_lines_are_tolerated(tmp_path):
    (tmp_path / "in.csv").write_text("text,label\n只有文本\n\n,\n", encoding="utf-8")
    assert read_csv(tmp_path / "in.csv").rows == [{"text": "只有文本", "label": ""}]


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


def test_atomic_path_needs_an_existing_directory(tmp_path):
    with pytest.raises(TextMiningError, match="does not exist"):
        with atomic_path(tmp_path / "no" / "out.csv"):
            pass
