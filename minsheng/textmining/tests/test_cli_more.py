"""``minsheng text hot-issues | spam-train | spam | replies`` (``minsheng.textmining.cli_more``)."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import pytest

from minsheng.textmining import cli_more


def _write(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


HOT_HEADER = ["message_id", "user", "subject", "posted_at", "detail", "dislikes", "likes"]


def _hot_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for i in range(5):
        rows.append(
            [
                f"m{i}",
                f"u{i}",
                "A2区丽发新城小区旁搅拌站噪音扰民",
                f"2019/11/{i + 1} 10:00:00",
                f"A2区丽发新城小区附近建了搅拌站，噪音灰尘很大，第{i}次反映。",
                0,
                i,
            ]
        )
    rows.append(["z1", "u9", "A7县星沙大道路灯不亮", "2019-03-01 08:00:00", "路灯坏了半年。", 0, 0])
    return rows


def test_register_adds_the_four_commands():
    parser = argparse.ArgumentParser()
    cli_more.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["hot-issues", "--data", "a.csv", "--out", "b.csv"])
    assert args.top == 10
    assert args.handler is args.func
    for command in ("spam-train", "spam", "replies"):
        assert parser.parse_args([command, "--data", "a.csv", "--out", "o"]).command == command


def test_hot_issues_writes_the_contract_columns(tmp_path):
    data = _write(tmp_path / "in.csv", HOT_HEADER, _hot_rows())
    out = tmp_path / "out.csv"
    assert cli_more.main(["hot-issues", "--data", str(data), "--top", "1", "--out", str(out)]) == 0
    rows = _read(out)
    assert list(rows[0]) == [
        "rank",
        "heat",
        "period_start",
        "period_end",
        "place_or_group",
        "description",
        "message_ids",
    ]
    assert len(rows) == 1
    assert rows[0]["rank"] == "1"
    assert rows[0]["period_start"] == "2019-11-01"
    assert rows[0]["period_end"] == "2019-11-05"
    assert rows[0]["place_or_group"] == "A2区丽发新城"
    assert rows[0]["message_ids"] == "m0;m1;m2;m3;m4"


def test_hot_issues_reads_gbk(tmp_path):
    data = _write(tmp_path / "in.csv", HOT_HEADER, _hot_rows(), encoding="gbk")
    out = tmp_path / "out.csv"
    assert cli_more.main(["hot-issues", "--data", str(data), "--out", str(out)]) == 0
    assert _read(out)[0]["message_ids"] == "m0;m1;m2;m3;m4"


def test_hot_issues_missing_column_exits_2_and_writes_nothing(tmp_path, capsys):
    data = _write(tmp_path / "in.csv", ["message_id", "subject"], [["1", "s"]])
    out = tmp_path / "out.csv"
    assert cli_more.main(["hot-issues", "--data", str(data), "--out", str(out)]) == 2
    assert "missing columns posted_at, detail" in capsys.readouterr().err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [data]


def test_hot_issues_bad_date_names_the_row(tmp_path, capsys):
    rows = _hot_rows()
    rows[2][3] = "someday"
    data = _write(tmp_path / "in.csv", HOT_HEADER, rows)
    assert cli_more.main(["hot-issues", "--data", str(data), "--out", str(tmp_path / "o.csv")]) == 2
    assert "row 4: posted_at 'someday'" in capsys.readouterr().err


SPAM_ROWS = [
    [1, "急用钱无抵押贷款，资料简单当天放款，咨询电话18657495775【杜经理】"],
    [1, "本公司代开发票，税点低，保真，致电13811112222"],
    [1, "五一特惠全场5折，进店送礼品，回复TD退订【商城】"],
    [1, "兼职刷单日赚300，加微信abc123456"],
    [0, "您尾号7544卡ATM支出2000元【工商银行】"],
    [0, "晚上一起吃饭吗？我六点下班"],
    [0, "明天开会记得带材料"],
    [0, "快递放在门卫室了"],
]


def test_spam_train_then_screen(tmp_path):
    data = _write(tmp_path / "train.csv", ["label", "text"], SPAM_ROWS * 2)
    legit = _write(
        tmp_path / "legit.csv", ["subject", "detail"], [["路灯坏了", "小区路灯坏了请修理，电话13900001111"]]
    )
    extra = _write(
        tmp_path / "decisions.csv", ["label", "text"], [[1, "加微信领红包"], [0, "垃圾清运不及时"]]
    )
    model = tmp_path / "model"
    assert (
        cli_more.main(
            [
                "spam-train",
                "--data",
                str(data),
                "--extra",
                str(extra),
                "--legitimate",
                str(legit),
                "--out",
                str(model),
            ]
        )
        == 0
    )
    meta = json.loads((model / "model.json").read_text(encoding="utf-8"))
    assert {k: meta["metrics"][k] for k in ("n_spam", "n_ham", "n_legitimate")} == {
        "n_spam": 9,
        "n_ham": 9,
        "n_legitimate": 1,
    }
    assert meta["metrics"]["loss"] == "logistic"
    assert meta["char_ngrams"] == 3
    texts = _write(
        tmp_path / "texts.csv",
        ["id", "text"],
        [
            ["a", "亚洲欧美一区二区不卡精品 | 好吊妞在线免费观看 | 婷婷色高清在线观看"],
            ["b", "小区门口路灯坏了一个月，请尽快维修"],
        ],
    )
    out = tmp_path / "screened.csv"
    assert cli_more.main(["spam", "--model", str(model), "--data", str(texts), "--out", str(out)]) == 0
    rows = _read(out)
    assert list(rows[0]) == ["id", "text", "spam_score", "spam", "reason"]
    assert [r["spam"] for r in rows] == ["1", "0"]
    assert rows[0]["reason"].startswith("pornographic SEO terms")


def test_spam_without_a_model_uses_the_rules_on_subject_and_detail(tmp_path):
    data = _write(
        tmp_path / "m.csv",
        ["message_id", "subject", "detail"],
        [
            ["1", "久草日韩精品在线视频", "精品国产综合色在线,极品少妇粉嫩小泬精品视频"],
            ["2", "路灯坏了", "小区路灯坏了请修理"],
        ],
    )
    out = tmp_path / "o.csv"
    assert cli_more.main(["spam", "--data", str(data), "--out", str(out)]) == 0
    assert [r["spam"] for r in _read(out)] == ["1", "0"]


def test_spam_keeps_a_moderators_spam_column(tmp_path, capsys):
    data = _write(tmp_path / "m.csv", ["text", "spam"], [["小区路灯坏了请修理", "yes"]])
    out = tmp_path / "o.csv"
    assert cli_more.main(["spam", "--data", str(data), "--out", str(out)]) == 0
    (row,) = _read(out)
    assert list(row) == ["text", "spam_input", "spam_score", "spam", "reason"]
    assert (row["spam_input"], row["spam"]) == ("yes", "0")
    assert f"warning: {data} already has a column spam; the output keeps it as spam_input" in capsys.readouterr().err


def test_spam_refuses_a_model_from_another_version(tmp_path, capsys):
    data = _write(tmp_path / "train.csv", ["label", "text"], SPAM_ROWS)
    model = tmp_path / "model"
    assert cli_more.main(["spam-train", "--data", str(data), "--out", str(model)]) == 0
    meta = json.loads((model / "model.json").read_text(encoding="utf-8"))
    meta["engine_version"] = "9.0"
    (model / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    texts = _write(tmp_path / "t.csv", ["text"], [["你好"]])
    out = tmp_path / "o.csv"
    assert cli_more.main(["spam", "--model", str(model), "--data", str(texts), "--out", str(out)]) == 2
    assert "engine version 9.0" in capsys.readouterr().err
    assert not out.exists()


def test_spam_train_rejects_bad_labels_and_keeps_the_old_model(tmp_path, capsys):
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.json").write_text("old", encoding="utf-8")
    data = _write(tmp_path / "train.csv", ["label", "text"], [[1, "a"], ["spam", "b"]])
    assert cli_more.main(["spam-train", "--data", str(data), "--out", str(model)]) == 2
    assert "row 3: label must be 0 or 1" in capsys.readouterr().err
    assert [p.name for p in model.iterdir()] == ["model.json"]
    assert (model / "model.json").read_text(encoding="utf-8") == "old"


def test_spam_train_refuses_a_directory_that_is_not_a_model(tmp_path, capsys):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    data = _write(folder / "train.csv", ["label", "text"], [[1, "加微信领红包"], [0, "路灯坏了"]])
    assert cli_more.main(["spam-train", "--data", str(data), "--out", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"{folder}: holds the input {data}" in err
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "train.csv"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    assert cli_more.main(["spam-train", "--data", str(data), "--out", str(other)]) == 2
    assert "exists and holds files that are not a model (notes.txt)" in capsys.readouterr().err
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


def test_replies_adds_the_scores(tmp_path):
    header = ["message_id", "user", "subject", "posted_at", "detail", "reply", "replied_at"]
    data = _write(
        tmp_path / "r.csv",
        header,
        [
            [
                "1",
                "u",
                "路灯坏了",
                "2019/4/1 9:00",
                "小区路灯坏了，请问何时维修？",
                "网友您好！经核实，路灯线路老化，我局将于本周内维修，感谢您的监督。",
                "2019/4/3 9:00",
            ],
        ],
    )
    out = tmp_path / "o.csv"
    assert cli_more.main(["replies", "--data", str(data), "--out", str(out)]) == 0
    row = _read(out)[0]
    assert list(row)[-7:] == [
        "relevance",
        "completeness",
        "interpretability",
        "timeliness",
        "lag_days",
        "reply_score",
        "notes",
    ]
    assert row["lag_days"] == "2.0"
    assert 0 < float(row["reply_score"]) <= 100


@pytest.mark.parametrize("argv", [["replies", "--deadline-days", "0"], ["hot-issues", "--top", "0"]])
def test_bad_numbers_exit_2(tmp_path, argv):
    data = _write(tmp_path / "x.csv", ["a"], [["1"]])
    assert cli_more.main([*argv, "--data", str(data), "--out", str(tmp_path / "o.csv")]) == 2


@pytest.mark.parametrize(
    ("row", "value", "message"),
    [
        (2, "", "row 4: message_id is empty"),
        (2, "m1", "row 4: message_id 'm1' repeats row 3"),
        (2, "a;b", "row 4: message_id 'a;b' contains ';', which separates the ids of an issue"),
    ],
)
def test_hot_issues_needs_distinct_message_ids(tmp_path, capsys, row, value, message):
    rows = _hot_rows()
    rows[row][0] = value
    data = _write(tmp_path / "in.csv", HOT_HEADER, rows)
    out = tmp_path / "o.csv"
    assert cli_more.main(["hot-issues", "--data", str(data), "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {data}: {message}"
    assert not out.exists()


def test_hot_issues_skips_blank_rows(tmp_path):
    rows = _hot_rows()
    rows.insert(2, [""] * len(HOT_HEADER))
    data = _write(tmp_path / "in.csv", HOT_HEADER, rows)
    out = tmp_path / "o.csv"
    assert cli_more.main(["hot-issues", "--data", str(data), "--out", str(out)]) == 0
    assert _read(out)[0]["message_ids"] == "m0;m1;m2;m3;m4"


def test_hot_issues_leaves_out_messages_without_text_and_says_so(tmp_path, capsys):
    rows = _hot_rows()
    rows.insert(1, ["e1", "u7", "", "2019/11/02 10:00:00", "  ", 0, 50])
    data = _write(tmp_path / "in.csv", HOT_HEADER, rows)
    out = tmp_path / "o.csv"
    assert cli_more.main(["hot-issues", "--data", str(data), "--out", str(out)]) == 0
    assert [r["message_ids"] for r in _read(out)] == ["m0;m1;m2;m3;m4", "z1"]
    err = capsys.readouterr().err
    assert f"warning: {data}: 1 row (3) without a subject or a detail: left out" in err
    assert "2 hot issues from 6 messages" in err


def test_hot_issues_with_no_text_at_all_exits_2(tmp_path, capsys):
    rows = [[f"m{i}", "u", "", "2019/11/02", "", 0, 0] for i in range(7)]
    data = _write(tmp_path / "in.csv", HOT_HEADER, rows)
    out = tmp_path / "o.csv"
    assert cli_more.main(["hot-issues", "--data", str(data), "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {data}: no message has a subject or a detail"
    assert not out.exists()


def test_replies_scores_an_empty_reply_zero_and_warns(tmp_path, capsys):
    header = ["message_id", "user", "subject", "posted_at", "detail", "reply", "replied_at"]
    rows = [[str(i), "u", "路灯坏了", "2019/4/1", "请问何时维修？", "" if i % 2 else "_x000D_", "2019/4/3"]
            for i in range(7)]
    data = _write(tmp_path / "r.csv", header, rows)
    out = tmp_path / "o.csv"
    assert cli_more.main(["replies", "--data", str(data), "--out", str(out)]) == 0
    assert {(r["reply_score"], r["timeliness"], r["notes"]) for r in _read(out)} == {("0.0", "", "no reply")}
    assert (
        f"warning: {data}: 7 rows (2, 3, 4, 5, 6 and 2 more) without a reply: scored 0 (note 'no reply')"
        in capsys.readouterr().err
    )


def test_spam_warns_of_rows_without_text(tmp_path, capsys):
    data = _write(tmp_path / "m.csv", ["text"], [["小区路灯坏了请修理"], [" "], ["久草日韩精品在线视频,极品少妇小泬"]])
    out = tmp_path / "o.csv"
    assert cli_more.main(["spam", "--data", str(data), "--out", str(out)]) == 0
    assert [r["spam"] for r in _read(out)] == ["0", "0", "1"]
    assert f"warning: {data}: 1 row (3) without text: not flagged" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["hot-issues", "spam", "replies"])
def test_an_output_that_is_the_input_is_refused(tmp_path, capsys, command):
    data = _write(tmp_path / "in.csv", HOT_HEADER, _hot_rows())
    before = data.read_bytes()
    assert cli_more.main([command, "--data", str(data), "--out", str(data)]) == 2
    assert "is also an input; write the output to another file" in capsys.readouterr().err
    assert data.read_bytes() == before


def test_spam_refuses_a_damaged_model(tmp_path, capsys):
    data = _write(tmp_path / "train.csv", ["label", "text"], SPAM_ROWS)
    model = tmp_path / "model"
    assert cli_more.main(["spam-train", "--data", str(data), "--out", str(model)]) == 0
    weights = model / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:200])
    out = tmp_path / "o.csv"
    assert cli_more.main(["spam", "--model", str(model), "--data", str(data), "--out", str(out)]) == 2
    assert f"{weights}: unreadable (" in capsys.readouterr().err
    assert not out.exists()


def test_spam_refuses_a_model_whose_offensive_part_is_incomplete(tmp_path, capsys):
    data = _write(tmp_path / "train.csv", ["label", "text"], SPAM_ROWS)
    legit = _write(tmp_path / "legit.csv", ["text"], [["小区路灯坏了请修理"]])
    model = tmp_path / "model"
    assert cli_more.main(["spam-train", "--data", str(data), "--legitimate", str(legit), "--out", str(model)]) == 0
    capsys.readouterr()
    (model / "offensive").mkdir()
    out = tmp_path / "o.csv"
    assert cli_more.main(["spam", "--model", str(model), "--data", str(data), "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {model / 'offensive'}: no model.json (not a directory holding the offensive model)"
    )
    assert not out.exists()


def test_spam_warns_of_a_model_trained_without_legitimate_messages(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MINSHENG_LEGITIMATE", raising=False)
    monkeypatch.setenv("MINSHENG_SHARED_DATA", str(tmp_path / "absent"))
    data = _write(tmp_path / "train.csv", ["label", "text"], SPAM_ROWS)
    model = tmp_path / "model"
    assert cli_more.main(["spam-train", "--data", str(data), "--out", str(model)]) == 0
    assert "warning: no --legitimate texts" in capsys.readouterr().err
    out = tmp_path / "o.csv"
    assert cli_more.main(["spam", "--model", str(model), "--data", str(data), "--out", str(out)]) == 0
    assert f"warning: {model} was trained without legitimate messages" in capsys.readouterr().err
    legit = _write(tmp_path / "legit.csv", ["text"], [["小区路灯坏了请修理"]])
    assert cli_more.main(["spam-train", "--data", str(data), "--legitimate", str(legit), "--out", str(model)]) == 0
    capsys.readouterr()
    assert cli_more.main(["spam", "--model", str(model), "--data", str(data), "--out", str(out)]) == 0
    assert "warning" not in capsys.readouterr().err


def test_spam_train_does_not_replace_a_classifier(tmp_path, capsys):
    model = tmp_path / "classifier"
    model.mkdir()
    (model / "model.json").write_text('{"format": "minsheng-textclassifier"}', encoding="utf-8")
    data = _write(tmp_path / "sms.csv", ["label", "text"], [["1", "代开发票"], ["0", "开会"]])
    assert cli_more.main(["spam-train", "--data", str(data), "--out", str(model)]) == 2
    assert "holds a model of another kind (minsheng-textclassifier, not minsheng-linear-text)" in capsys.readouterr().err
    assert [p.name for p in model.iterdir()] == ["model.json"]


def test_spam_train_does_not_replace_an_offensive_model(tmp_path, capsys):
    # An offensive model (spam-train --offensive writes one into offensive/) has the spam model's
    # format; its kind tells them apart. A spam model over it would leave the parent model's
    # offensive part unusable.
    model = tmp_path / "spam" / "offensive"
    model.mkdir(parents=True)
    meta = '{"format": "minsheng-linear-text", "kind": "offensive"}'
    (model / "model.json").write_text(meta, encoding="utf-8")
    data = _write(tmp_path / "sms.csv", ["label", "text"], [["1", "代开发票"], ["0", "开会"]])
    assert cli_more.main(["spam-train", "--data", str(data), "--out", str(model)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {model}: holds a model of another kind (offensive, not spam); write this one to another "
        "directory, or remove that one first"
    )
    assert (model / "model.json").read_text(encoding="utf-8") == meta
