#!/usr/bin/env python3
"""kabar's extraction against trafilatura's, side by side, on one core.

    pip install trafilatura
    cargo build --release
    python3 benches/extraction_vs_trafilatura.py DIR [--kabar target/release/kabar] [--rounds 3]

DIR is an evaluation folder (DIR/items.jsonl, see `kabar eval extraction
--help`). Both extractors run pinned to the same CPU core, on the same
pages already read into memory, and only the extraction call is timed:
`kabar eval extraction` times `extract_page` per page in process, and
this script times `trafilatura.extract` per page in process, both in CPU
time of the timing thread (the machine may be shared). trafilatura
runs with its defaults and without metadata (its fastest useful setting),
so the ratio is, if anything, flattering to trafilatura.

Quality is scored by the same code for both: trafilatura's output is
written to a JSON-lines file and handed to `kabar eval extraction
--answers`, which applies kabar's metric (token bags; characters for
unspaced scripts) to it.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--kabar", default="target/release/kabar")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--core", type=int, default=0)
    args = ap.parse_args()

    os.sched_setaffinity(0, {args.core})
    import trafilatura  # noqa: E402  (imported after pinning)

    items = [json.loads(l) for l in open(os.path.join(args.dir, "items.jsonl")) if l.strip()]
    pages = []
    for it in items:
        with open(os.path.join(args.dir, it["html_path"]), "rb") as f:
            pages.append((it.get("id") or it["html_path"], it.get("url"), f.read()))

    # kabar: scoring pass plus timed rounds, in its own process on the same core.
    kabar = subprocess.run(
        [args.kabar, "eval", "extraction", args.dir, "--rounds", str(args.rounds), "--json"],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=lambda: os.sched_setaffinity(0, {args.core}),
    )
    k = json.loads(kabar.stdout)

    # trafilatura: one pass that keeps the output, then timed rounds.
    answers = []
    for pid, url, html in pages:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        if doc is None:
            answers.append({"id": pid, "text": "", "title": "", "published": None})
            continue
        d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        answers.append(
            {
                "id": pid,
                "text": d.get("text") or "",
                "title": d.get("title") or "",
                "published": d.get("date"),
            }
        )
    # CPU time of this thread, like kabar's figure: wall time on a shared
    # machine also counts the other processes' turns.
    start = time.thread_time()
    for _ in range(args.rounds):
        for _, url, html in pages:
            trafilatura.extract(html, url=url)
    t_seconds = time.thread_time() - start
    t_pps = len(pages) * args.rounds / t_seconds

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for a in answers:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
        answers_path = f.name
    scored = subprocess.run(
        [args.kabar, "eval", "extraction", args.dir, "--answers", answers_path, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    t = json.loads(scored.stdout)
    os.unlink(answers_path)

    k_pps = k["throughput"]["pages_per_second"]
    print(f"pages: {len(pages)}, rounds: {args.rounds}, core: {args.core}")
    print(f"{'':14} {'pages/s':>9} {'body F1':>8} {'P':>6} {'R':>6} {'title~':>7} {'date':>6}")
    for name, pps, r in [("kabar", k_pps, k), ("trafilatura", t_pps, t)]:
        a = r["all"]
        print(
            f"{name:14} {pps:9.1f} {a['body_f1']:8.3f} {a['body_precision']:6.3f} "
            f"{a['body_recall']:6.3f} {a['title_lenient']:7.3f} {a['date_accuracy']:6.3f}"
        )
    print(f"throughput ratio kabar/trafilatura: {k_pps / t_pps:.1f}x")
    print("\nbody F1 by language (kabar / trafilatura):")
    for lang, g in k["by_lang"].items():
        if g["num_body"]:
            tg = t["by_lang"].get(lang, {})
            print(f"  {lang:8} n={g['num_body']:3}  {g['body_f1']:.3f} / {tg.get('body_f1', 0):.3f}")
    json.dump(
        {"kabar": k["all"], "trafilatura": t["all"], "kabar_pps": k_pps, "trafilatura_pps": t_pps},
        sys.stderr,
    )
    sys.stderr.write("\n")


if __name__ == "__main__":
    main()
