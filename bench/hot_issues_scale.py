"""Hot issues over many synthetic messages: time and peak memory.

    python bench/hot_issues_scale.py            # 1,000,000 messages (target: ≤ 3 min, ≤ 4 GB)
    python bench/hot_issues_scale.py --quick    # 20,000 messages
    python bench/hot_issues_scale.py --n 200000 --hot 30

Messages come from ``tools.textmining.screen_synth`` (hand-made vocabularies): background
complaints spread over a year (``--placeless-share`` of them city-wide, naming no place) plus
``--hot`` planted issues (one place, one problem, ~60 days) and ``--hot-placeless`` planted issues
naming no place (a lending platform's collapse) sharing ``--hot-share`` of the messages. Prints
the wall and CPU time (this process and its preparation workers), the load average (the shared
machine is noisy: compare CPU times), peak RSS and how many planted issues are in the top
``--top``, each as one issue.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from minsheng.textmining import hot_issues  # noqa: E402
from tools.textmining.screen_synth import civic_messages  # noqa: E402


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_child_rss_mb() -> float:
    """Peak resident set size of the largest finished worker process."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 messages")
    parser.add_argument("--hot", type=int, default=10, help="planted hot issues")
    parser.add_argument("--hot-share", type=float, default=0.002, help="share of messages in planted issues")
    parser.add_argument("--hot-placeless", type=int, default=1, help="planted hot issues naming no place")
    parser.add_argument(
        "--placeless-share", type=float, default=0.0, help="share of the other messages naming no place"
    )
    parser.add_argument("--top", type=int, help="issues to list (default: the number of planted issues)")
    args = parser.parse_args()
    n = 20_000 if args.quick else args.n
    if args.top is None:
        args.top = args.hot + args.hot_placeless
    started = time.perf_counter()
    messages = hot_issues.messages_from_rows(
        civic_messages(
            n,
            seed=1,
            hot=args.hot,
            hot_share=args.hot_share,
            hot_placeless=args.hot_placeless,
            placeless_share=args.placeless_share,
        )
    )
    generated = time.perf_counter()
    cpu_before = os.times()
    load_before = os.getloadavg()
    print(
        f"generated {n:,} messages in {generated - started:.1f} s (not counted), "
        f"RSS so far {peak_rss_mb():,.0f} MB",
        flush=True,
    )
    issues = hot_issues.find_hot_issues(messages, top=args.top)
    elapsed = time.perf_counter() - generated
    cpu_after = os.times()
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    workers_cpu = (cpu_after.children_user - cpu_before.children_user) + (
        cpu_after.children_system - cpu_before.children_system
    )
    load_after = os.getloadavg()
    planted = Counter(m.message_id.split("-")[0] for m in messages if m.message_id.startswith("H"))
    found: dict[str, int] = {}
    rank_of: dict[str, int] = {}
    for issue in issues:
        heads = Counter(i.split("-")[0] for i in issue.message_ids if i.startswith("H"))
        for head, count in heads.items():
            if count > found.get(head, 0):
                found[head], rank_of[head] = count, issue.rank
    whole = {head for head, total in planted.items() if found.get(head, 0) >= 0.8 * total}
    placeless = {f"H{k}" for k in range(args.hot, args.hot + args.hot_placeless)} & set(planted)
    print(
        f"hot issues: {elapsed:.1f} s for {n:,} messages ({n / elapsed:,.0f} msg/s), "
        f"peak RSS {peak_rss_mb():,.0f} MB (largest worker {peak_child_rss_mb():,.0f} MB)"
    )
    print(
        f"CPU time: {cpu:.1f} s in this process + {workers_cpu:.1f} s in workers; load average "
        f"{' '.join(f'{v:.2f}' for v in load_before)} before, {' '.join(f'{v:.2f}' for v in load_after)} after"
    )
    print(
        f"planted issues in the top {args.top} with ≥ 80% of their messages: {len(whole)} of {len(planted)} "
        f"({len(whole - placeless)} of {len(planted) - len(placeless)} at a place, "
        f"{len(whole & placeless)} of {len(placeless)} naming no place)"
    )
    print(
        "each planted issue: rank of the issue holding most of its messages (held / planted): "
        + ", ".join(
            f"{head} {rank_of[head] if head in rank_of else '—'} ({found.get(head, 0)}/{total})"
            for head, total in sorted(planted.items(), key=lambda item: int(item[0][1:]))
        )
    )
    for issue in issues[:5]:
        print(
            f"  {issue.rank:2d} {issue.heat:7.2f} {len(issue.message_ids):6d} {issue.place} | {issue.description}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
