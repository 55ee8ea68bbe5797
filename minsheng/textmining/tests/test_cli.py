import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from minsheng.textmining import ENGINE_VERSION
from minsheng.textmining.cli import main
from minsheng.textmining.tests.conftest import REPO_ROOT, labelled_rows, write_rows


def _read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_train_evaluate_classify_round_trip(labelled_csv, tmp_path, capsys):
    model = tmp_path / "model"
    assert main(["train", "--data", str(labelled_csv), "--out", str(model)]) == 0
    assert sorted(p.name for p in model.iterdir()) == ["model.json", "weights.npz"]
    captured = capsys.readouterr()
    assert captured.out == ""  # stdout is for evaluate's report only
    assert captured.err.strip() == f"trained on 72 texts + 0 token rows, 3 labels → {model}"

    assert main(["evaluate", "--model", str(model), "--data", str(labelled_csv)]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["n"] == 72
    assert result["accuracy"] == 1.0
    assert result["macro_f1"] == 1.0

    out = tmp_path / "classified.csv"
    assert main(["classify", "--model", str(model), "--data", str(labelled_csv), "--out", str(out)]) == 0
    rows = _read(out)
    # the input's own label column is kept, renamed in its place, not overwritten
    assert list(rows[0]) == ["message_id", "text", "label_input", "label", "confidence", "needs_person"]
    assert [r["label_input"] for r in rows] == [r["label"] for r in labelled_rows()]
    assert [r["label"] for r in rows] == [r["label"] for r in labelled_rows()]
    assert capsys.readouterr().err.splitlines()[0] == (
        f"warning: {labelled_csv} already has a column label; the output keeps it as label_input"
    )
    assert all(0.0 < float(r["confidence"]) <= 1.0 for r in rows)


def test_classify_keeps_rows_with_empty_text(trained_model_dir, tmp_path, capsys):
    data = write_rows(tmp_path / "in.csv", [{"id": "1", "text": ""}, {"id": "2", "text": "工地扬尘噪音扰民"}])
    out = tmp_path / "out.csv"
    assert main(["classify", "--model", str(trained_model_dir), "--data", str(data), "--out", str(out)]) == 0
    assert [(r["id"], r["label"], r["needs_person"]) for r in _read(out)] == [("1", "", "1"), ("2", "环境保护", "0")]
    assert capsys.readouterr().err.splitlines()[0] == (
        f"warning: {data}: 1 row (2) without text: label left empty, needs_person 1"
    )


def test_evaluate_and_dedupe_name_the_rows_without_text(trained_model_dir, tmp_path, capsys):
    rows = [{"text": "工地扬尘噪音扰民", "label": "环境保护"}, {"text": " ", "label": "环境保护"},
            {"text": "公交线路撤销出行不便", "label": ""}]
    data = write_rows(tmp_path / "in.csv", rows)
    assert main(["evaluate", "--model", str(trained_model_dir), "--data", str(data)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out.strip().splitlines()[-1])["n"] == 1
    assert f"warning: {data}: 2 rows (3, 4) without a text or a label: not counted in n" in captured.err
    assert main(["dedupe", "--data", str(data), "--out", str(tmp_path / "o.csv")]) == 0
    assert f"warning: {data}: 1 row (3) without text: each is a group of its own" in capsys.readouterr().err


def test_gbk_input_is_read(trained_model_dir, tmp_path):
    data = write_rows(tmp_path / "gbk.csv", [{"text": "公交线路撤销出行不便"}], encoding="gbk")
    out = tmp_path / "out.csv"
    assert main(["classify", "--model", str(trained_model_dir), "--data", str(data), "--out", str(out)]) == 0
    assert _read(out)[0]["label"] == "交通运输"


def test_missing_column_is_named_exit_2_and_nothing_written(tmp_path, capsys):
    data = write_rows(tmp_path / "in.csv", [{"body": "路灯坏了", "label": "城乡建设"}])
    model = tmp_path / "model"
    assert main(["train", "--data", str(data), "--text-col", "content", "--out", str(model)]) == 2
    assert "missing column content" in capsys.readouterr().err
    assert not model.exists()


def test_missing_label_column_is_named(labelled_csv, tmp_path, capsys):
    assert main(["train", "--data", str(labelled_csv), "--label-col", "level1,level2", "--out", str(tmp_path / "m")]) == 2
    assert "missing columns level1, level2" in capsys.readouterr().err


def test_model_from_another_version_is_refused_with_exit_2(trained_model_dir, labelled_csv, tmp_path, capsys):
    old = tmp_path / "old"
    old.mkdir()
    description = json.loads((trained_model_dir / "model.json").read_text(encoding="utf-8"))
    description["engine_version"] = "2.0"
    (old / "model.json").write_text(json.dumps(description), encoding="utf-8")
    (old / "weights.npz").write_bytes((trained_model_dir / "weights.npz").read_bytes())
    out = tmp_path / "out.csv"
    assert main(["classify", "--model", str(old), "--data", str(labelled_csv), "--out", str(out)]) == 2
    assert "made by text engine 2.0" in capsys.readouterr().err
    assert not out.exists()


def test_dedupe_adds_group_and_representative(tmp_path):
    text = "A1区望月湖街道某小区地下车库长期积水，电梯经常故障，请督促物业整改。"
    data = write_rows(tmp_path / "in.csv", [{"text": text}, {"text": "学区划分问题咨询"}, {"text": text + "谢谢"}])
    out = tmp_path / "out.csv"
    assert main(["dedupe", "--data", str(data), "--threshold", "0.8", "--out", str(out)]) == 0
    assert [(r["group"], r["representative"]) for r in _read(out)] == [("1", "1"), ("2", "1"), ("1", "0")]


def test_dedupe_keeps_an_input_group_column(tmp_path, capsys):
    rows = [{"group": "A", "text": "路灯坏了"}, {"group": "B", "text": "路灯坏了"}]
    data = write_rows(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    assert main(["dedupe", "--data", str(data), "--out", str(out)]) == 0
    assert [list(r.items()) for r in _read(out)] == [
        [("group_input", "A"), ("text", "路灯坏了"), ("group", "1"), ("representative", "1")],
        [("group_input", "B"), ("text", "路灯坏了"), ("group", "1"), ("representative", "0")],
    ]
    assert "already has a column group; the output keeps it as group_input" in capsys.readouterr().err


def test_dedupe_bad_threshold_exit_2(labelled_csv, tmp_path):
    assert main(["dedupe", "--data", str(labelled_csv), "--threshold", "1.5", "--out", str(tmp_path / "o.csv")]) == 2
    assert not (tmp_path / "o.csv").exists()


def test_dedupe_falls_back_to_subject_and_detail(tmp_path):
    data = write_rows(tmp_path / "in.csv", [{"subject": "路灯", "detail": "坏了"}, {"subject": "路灯", "detail": "坏了"}])
    out = tmp_path / "out.csv"
    assert main(["dedupe", "--data", str(data), "--out", str(out)]) == 0
    assert [r["group"] for r in _read(out)] == ["1", "1"]


def test_unknown_command_is_a_usage_error():
    with pytest.raises(SystemExit) as exit_info:
        main(["nonsense"])
    assert exit_info.value.code == 2


def test_python_dash_m_runs_the_cli(labelled_csv, tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "minsheng.textmining", "dedupe", "--data", str(labelled_csv), "--out", str(tmp_path / "o.csv")],
        capture_output=True, text=True, cwd=REPO_ROOT, check=False,
    )
    assert completed.returncode == 0
    assert (tmp_path / "o.csv").exists()


def test_python_dash_m_minsheng_runs_the_text_commands(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "minsheng", "text", "dedupe", "--data", str(tmp_path / "none.csv"), "--out",
         str(tmp_path / "o.csv")],
        capture_output=True, text=True, cwd=REPO_ROOT, check=False,
    )
    assert (completed.returncode, completed.stderr.strip()) == (2, f"error: {tmp_path / 'none.csv'}: no such file")


def test_train_accepts_token_level_extra_files(labelled_csv, tmp_path):
    extra = write_rows(tmp_path / "extra.csv", [{"tokens": "医院 挂号 排队", "label": "卫生计生"}] * 5)
    model = tmp_path / "model"
    assert main(["train", "--data", str(labelled_csv), "--extra", str(extra), str(extra), "--out", str(model)]) == 0
    description = json.loads((model / "model.json").read_text(encoding="utf-8"))
    assert description["labels"] == ["交通运输", "卫生计生", "教育文体", "环境保护"]
    assert description["metadata"]["n_extra"] == 10


def test_extra_file_without_tokens_column_is_named(labelled_csv, tmp_path, capsys):
    extra = write_rows(tmp_path / "extra.csv", [{"words": "医院", "label": "卫生计生"}])
    assert main(["train", "--data", str(labelled_csv), "--extra", str(extra), "--out", str(tmp_path / "m")]) == 2
    assert "missing column tokens" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_model_of_an_older_format_is_refused_with_exit_2(trained_model_dir, labelled_csv, tmp_path, capsys):
    old = tmp_path / "old"
    old.mkdir()
    description = json.loads((trained_model_dir / "model.json").read_text(encoding="utf-8"))
    description["format_version"] = 1
    (old / "model.json").write_text(json.dumps(description), encoding="utf-8")
    (old / "weights.npz").write_bytes((trained_model_dir / "weights.npz").read_bytes())
    assert main(["evaluate", "--model", str(old), "--data", str(labelled_csv)]) == 2
    err = capsys.readouterr().err
    assert "model format 1" in err and "reads format 2" in err


def test_train_never_deletes_a_directory_that_is_not_a_model(labelled_csv, tmp_path, capsys):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    data = folder / "labelled.csv"
    data.write_bytes(labelled_csv.read_bytes())
    assert main(["train", "--data", str(data), "--out", str(folder)]) == 2
    assert f"{folder}: holds the input {data}" in capsys.readouterr().err
    assert main(["train", "--data", str(labelled_csv), "--out", str(folder)]) == 2
    assert "exists and holds files that are not a model (labelled.csv, notes.txt)" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["labelled.csv", "notes.txt"]


def test_train_does_not_replace_a_model_of_another_kind(labelled_csv, tmp_path, capsys):
    spam_model = tmp_path / "spam"
    spam_model.mkdir()
    (spam_model / "model.json").write_text('{"format": "minsheng-linear-text", "kind": "spam"}', encoding="utf-8")
    assert main(["train", "--data", str(labelled_csv), "--out", str(spam_model)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {spam_model}: holds a model of another kind (minsheng-linear-text, not "
        "minsheng-textclassifier); write this one to another directory, or remove that one first"
    )
    assert [p.name for p in spam_model.iterdir()] == ["model.json"]


def test_train_under_a_file_is_refused_before_training(labelled_csv, tmp_path, capsys):
    target = tmp_path / "out.csv" / "model"
    (tmp_path / "out.csv").write_text("x", encoding="utf-8")
    assert main(["train", "--data", str(labelled_csv), "--out", str(target)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {target}: {tmp_path / 'out.csv'} is a file, not a directory; give a directory for the model"
    )


def test_train_replaces_an_earlier_model(labelled_csv, tmp_path):
    model = tmp_path / "model"
    assert main(["train", "--data", str(labelled_csv), "--out", str(model)]) == 0
    before = (model / "weights.npz").read_bytes()
    data = write_rows(tmp_path / "two.csv", labelled_rows()[:48])
    assert main(["train", "--data", str(data), "--out", str(model)]) == 0
    assert sorted(p.name for p in model.iterdir()) == ["model.json", "weights.npz"]
    assert (model / "weights.npz").read_bytes() != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labelled.csv", "model", "two.csv"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--c", "0"], "--c must be a positive number (got 0.0)"),
        (["--c", "nan"], "--c must be a positive number (got nan)"),
        (["--threshold", "2"], "--threshold must be between 0 and 1 (got 2.0)"),
    ],
)
def test_train_checks_its_options_before_reading(tmp_path, capsys, options, message):
    out = tmp_path / "model"
    assert main(["train", "--data", str(tmp_path / "absent.csv"), *options, "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {message}"
    assert not out.exists()


@pytest.mark.parametrize("command", ["classify", "dedupe"])
def test_an_output_that_is_the_input_is_refused(trained_model_dir, labelled_csv, capsys, command):
    before = labelled_csv.read_bytes()
    model = ["--model", str(trained_model_dir)] if command == "classify" else []
    assert main([command, *model, "--data", str(labelled_csv), "--out", str(labelled_csv)]) == 2
    assert "is also an input; write the output to another file" in capsys.readouterr().err
    assert labelled_csv.read_bytes() == before


def _edit_description(model, change):
    description = json.loads((model / "model.json").read_text(encoding="utf-8"))
    change(description)
    (model / "model.json").write_text(json.dumps(description), encoding="utf-8")


def _edit_weights(model, name, change):
    with np.load(model / "weights.npz", allow_pickle=False) as weights:
        arrays = {key: weights[key] for key in weights.files}
    arrays[name] = change(arrays[name])
    np.savez_compressed(model / "weights.npz", **arrays)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda m: (m / "weights.npz").write_bytes((m / "weights.npz").read_bytes()[:1000]), "unreadable weights"),
        (lambda m: (m / "weights.npz").write_bytes(b""), "unreadable weights"),
        (
            lambda m: (m / "model.json").write_text(
                json.dumps({k: v for k, v in json.loads((m / "model.json").read_text()).items() if k != "features"}),
                encoding="utf-8",
            ),
            "incomplete model description (KeyError: 'features')",
        ),
        (
            lambda m: _edit_weights(m, "columns", lambda columns: columns.astype(np.float64)),
            "weights do not match the model description (columns holds float64 values, not integers); retrain the model",
        ),
        (
            lambda m: _edit_description(m, lambda d: d["features"].__setitem__("char_ngrams", [0, 50])),
            "invalid model description (features.char_ngrams [0, 50]: must be a list of distinct sizes from 1 to 8)",
        ),
        (
            lambda m: _edit_description(m, lambda d: d.__setitem__("temperature", float("nan"))),
            "invalid model description (temperature nan: must be a finite number above 0); retrain the model",
        ),
        (
            lambda m: _edit_description(m, lambda d: d.__setitem__("temperature", 0)),
            "invalid model description (temperature 0: must be a finite number above 0); retrain the model",
        ),
        (
            lambda m: _edit_weights(m, "coef", lambda coef: np.where(coef == coef.max(), np.inf, coef)),
            "weights do not match the model description (coef holds a value that is not finite",
        ),
    ],
)
def test_a_damaged_model_is_refused_with_exit_2(trained_model_dir, labelled_csv, tmp_path, capsys, damage, message):
    model = tmp_path / "damaged"
    model.mkdir()
    for name in ("model.json", "weights.npz"):
        (model / name).write_bytes((trained_model_dir / name).read_bytes())
    damage(model)
    out = tmp_path / "out.csv"
    assert main(["classify", "--model", str(model), "--data", str(labelled_csv), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_model_file_instead_of_its_directory_is_explained(trained_model_dir, labelled_csv, capsys):
    assert main(["evaluate", "--model", str(trained_model_dir / "model.json"), "--data", str(labelled_csv)]) == 2
    assert "is a file; give the model's directory (the one holding model.json)" in capsys.readouterr().err


def test_evaluate_warns_of_labels_the_model_does_not_know(trained_model_dir, tmp_path, capsys):
    data = write_rows(tmp_path / "in.csv", [{"text": "公交线路撤销出行不便", "label": "新类别"}])
    assert main(["evaluate", "--model", str(trained_model_dir), "--data", str(data)]) == 0
    assert "warning: 1 row(s) have labels the model was not trained on (新类别): they count as errors" in (
        capsys.readouterr().err
    )


def test_train_warns_of_a_label_on_one_row(tmp_path, capsys):
    rows = labelled_rows() + [{"message_id": "x", "text": "前一行的引号没有闭合", "label": "然2014年年中D5区"}]
    data = write_rows(tmp_path / "in.csv", rows)
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "m")]) == 0
    assert "warning: label '然2014年年中D5区' is on one row only (row 74)" in capsys.readouterr().err


def test_texts_without_a_letter_need_a_person(trained_model_dir, tmp_path):
    data = write_rows(tmp_path / "in.csv", [{"text": "12.5"}, {"text": "？？？？"}, {"text": "工地扬尘噪音扰民"}])
    out = tmp_path / "out.csv"
    assert main(["classify", "--model", str(trained_model_dir), "--data", str(data), "--out", str(out)]) == 0
    assert [r["needs_person"] for r in _read(out)] == ["1", "1", "0"]


def test_headers_in_another_case_are_read(trained_model_dir, tmp_path):
    data = tmp_path / "in.csv"
    data.write_text("ID,Text\n1,公交线路撤销出行不便\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["classify", "--model", str(trained_model_dir), "--data", str(data), "--out", str(out)]) == 0
    assert [(r["id"], r["label"]) for r in _read(out)] == [("1", "交通运输")]


def test_python_dash_m_accepts_the_word_text(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "minsheng.textmining", "text", "--version"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )
    assert (done.returncode, done.stdout.strip()) == (0, f"text engine {ENGINE_VERSION}")


def test_an_interrupted_command_says_so_and_writes_nothing(tmp_path, capsys, monkeypatch):
    data = write_rows(tmp_path / "in.csv", [{"text": "路灯坏了"}, {"text": "噪音扰民"}])
    written = []

    def interrupted(self, row):  # Ctrl-C in the middle of writing the output
        if written:
            raise KeyboardInterrupt
        written.append(row)

    monkeypatch.setattr(csv.DictWriter, "writerow", interrupted)
    out = tmp_path / "o.csv"
    assert main(["dedupe", "--data", str(data), "--out", str(out)]) == 130
    assert written  # the interruption came while writing
    assert capsys.readouterr().err.strip() == "interrupted: nothing was written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # no output, no temporary file


def test_user_words_in_gbk_are_read(labelled_csv, tmp_path):
    words = tmp_path / "words.txt"
    words.write_bytes("望月湖街道\n丽发新城\n".encode("gbk"))
    model = tmp_path / "model"
    assert main(["train", "--data", str(labelled_csv), "--user-words", str(words), "--out", str(model)]) == 0
    assert json.loads((model / "model.json").read_text(encoding="utf-8"))["user_words"] == ["望月湖街道", "丽发新城"]


def test_a_file_with_only_a_header_is_warned_of(trained_model_dir, tmp_path, capsys):
    data = tmp_path / "in.csv"
    data.write_text("id,text\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["classify", "--model", str(trained_model_dir), "--data", str(data), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines() == ["id,text,label,confidence,needs_person"]
    assert f"warning: {data}: no rows after the header; the output has only its header" in capsys.readouterr().err
